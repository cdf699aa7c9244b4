"""Parsing whole contracts and split files into bundles, and the errors a steward sees."""

from pathlib import Path

import pytest

from contracts.documents.bundle import (
    OWNERSHIP_ROLES,
    SYSTEM_ROLES,
    CoercionRulesPart,
    ValidationRulesPart,
)
from contracts.documents.errors import DocumentError
from contracts.documents.parsing import parse_contract_file, parse_split_files

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pycharter"
LIMIT = 1_000_000
SPLIT_FILES = [
    FIXTURES / "loan_schema.yaml",
    FIXTURES / "loan_coercion_rules.yaml",
    FIXTURES / "loan_validation_rules.yaml",
    FIXTURES / "loan_metadata.yaml",
]


def contract_variant(tmp_path: Path, old: str, new: str, name: str = "contract.yaml") -> Path:
    """A copy of the whole contract with one piece of text replaced."""
    text = (FIXTURES / "member_contract.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def parse_error(path: Path) -> str:
    with pytest.raises(DocumentError) as caught:
        parse_contract_file(path, max_bytes=LIMIT)
    return str(caught.value)


def test_the_whole_template_contract_becomes_one_bundle():
    # given the PyCharter template contract
    path = FIXTURES / "member_contract.yaml"

    # when it is parsed
    parsed = parse_contract_file(path, max_bytes=LIMIT)

    # then its identity and parts are the columns of the contract's rows
    [bundle] = parsed.bundles
    assert (bundle.name, bundle.version, bundle.status) == ("library_members", "1.0.0", "active")
    assert bundle.description == (
        "Members of the city library network, as the lending desks register them"
    )
    assert (bundle.schema.title, bundle.schema.version) == ("LibraryMember", "1.0.0")
    assert bundle.schema.schema_data["properties"]["age"]["coercion"] == "coerce_to_integer"
    assert bundle.coercion_rules == CoercionRulesPart(
        title="library_members_coercion_rules",
        version="1.0.0",
        description=None,
        rules={
            "card_number": "coerce_to_string",
            "full_name": "coerce_to_stripped_string",
            "email": "coerce_to_lowercase",
            "age": "coerce_to_integer",
            "membership": "coerce_to_lowercase",
            "joined_at": "coerce_to_datetime",
            "remarks": "coerce_to_nullable_string",
        },
    )
    assert isinstance(bundle.validation_rules, ValidationRulesPart)
    assert bundle.validation_rules.rules["age"] == {
        "greater_than_or_equal_to": {"threshold": 0},
        "less_than_or_equal_to": {"threshold": 120},
    }
    assert (parsed.owners, parsed.systems, parsed.domains, parsed.skipped) == ([], [], [], [])


def test_the_template_contracts_metadata_keeps_sections_without_a_column_in_extra():
    # given the whole contract, whose ownership has a note besides its five roles
    path = FIXTURES / "member_contract.yaml"

    # when it is parsed
    metadata = parse_contract_file(path, max_bytes=LIMIT).bundles[0].metadata

    # then columns, links and extra split the metadata block between them
    assert (metadata.title, metadata.version, metadata.status) == (
        "library_members_metadata",
        "1.0.0",
        "active",
    )
    assert (metadata.description, metadata.created_by, metadata.updated_by) == (
        "Registered library members",
        "circulation-desk",
        None,
    )
    assert metadata.governance_rules["sensitivity"] == "confidential"
    assert metadata.governance_rules["quality_thresholds"] == {
        "min_overall_score": 90,
        "max_violation_rate": 0.1,
    }
    assert metadata.extra == {
        "created_at": "2025-02-03T09:00:00Z",
        "ownership": {"steward_note": "reviewed every spring"},
    }
    assert metadata.ownership == {
        "business_owners": ("head-librarian@citylibrary.example",),
        "bu_sme": ("circulation-desk",),
        "it_application_owners": ("library-systems",),
        "it_sme": ("ils-admin@citylibrary.example",),
        "support_lead": ("helpdesk-lead@citylibrary.example",),
    }
    assert list(metadata.ownership) == list(OWNERSHIP_ROLES)
    assert metadata.lineage == {
        "pulls_from": ("branch_registration_kiosk", "online_signup_form"),
        "pushes_to": ("reading_analytics",),
        "system_sources": ("integrated_library_system",),
    }
    assert list(metadata.lineage) == list(SYSTEM_ROLES)
    assert metadata.domains == ("membership",)


def test_the_split_templates_given_together_become_one_bundle_named_by_the_metadata():
    # given the four split templates, in any order
    paths = list(reversed(SPLIT_FILES))

    # when they are parsed together
    [bundle] = parse_split_files(paths, max_bytes=LIMIT).bundles

    # then the contract is named by the metadata's title and version
    assert (bundle.name, bundle.version, bundle.status) == ("book_loans", "2.3.0", "active")
    assert bundle.description == "Loans of physical and digital books across all branches"
    assert (bundle.schema.title, bundle.coercion_rules.title, bundle.validation_rules.title) == (
        "book_loans",
        "book_loans_coercion_rules",
        "book_loans_validation_rules",
    )
    assert bundle.coercion_rules.description == (
        "Raw lending-desk exports into the types of the loan schema"
    )
    metadata = bundle.metadata
    assert metadata.ownership == {
        "business_owners": ("head-librarian@citylibrary.example", "collections-team"),
        "bu_sme": ("circulation-desk",),
        "it_application_owners": ("library-systems",),
        "it_sme": ("ils-admin@citylibrary.example",),
        "support_lead": ("helpdesk-lead@citylibrary.example",),
    }
    assert metadata.lineage == {
        "pulls_from": ("self_service_kiosk", "lending_desk_terminal"),
        "pushes_to": ("reading_analytics",),
        "system_sources": ("integrated_library_system",),
    }
    assert metadata.domains == ("lending",)
    assert metadata.governance_rules["quality_thresholds"] == {
        "min_overall_score": 95,
        "min_completeness": 0.99,
        "max_violation_rate": 0.02,
    }
    assert (metadata.type, metadata.created_by, metadata.updated_by) == (
        "object",
        "circulation-desk",
        "library-systems",
    )
    assert sorted(metadata.extra) == [
        "changelog",
        "created_at",
        "data_quality",
        "lifecycle",
        "ownership",
        "runtime",
        "updated_at",
    ]
    assert metadata.extra["ownership"] == {
        "contract_owners": ["collections-team"],
        "additional_info": {},
    }


def test_a_name_and_version_given_for_split_files_win_over_the_metadata():
    # given the split files and a name and version from the caller
    paths = SPLIT_FILES

    # when they are parsed with them
    [bundle] = parse_split_files(paths, max_bytes=LIMIT, name="users", version="2.1.0").bundles

    # then the contract has the given identity and the parts keep theirs
    assert (bundle.name, bundle.version) == ("users", "2.1.0")
    assert (bundle.metadata.title, bundle.metadata.version) == ("book_loans", "2.3.0")


def test_split_files_in_json_are_recognised_by_their_keys(tmp_path):
    # given a JSON schema and JSON coercion rules with neutral file names
    schema = tmp_path / "one.json"
    schema.write_text('{"title": "orders", "version": "1.2.0", "properties": {"id": {}}}')
    rules = tmp_path / "two.json"
    rules.write_text('{"version": "1.2.0", "rules": {"id": "coerce_to_string"}}')

    # when they are parsed with a name and version
    [bundle] = parse_split_files(
        [schema, rules], max_bytes=LIMIT, name="orders", version="1.2.0"
    ).bundles

    # then each is the part its keys say
    assert bundle.schema.schema_data["title"] == "orders"
    assert bundle.coercion_rules.rules == {"id": "coerce_to_string"}
    assert bundle.metadata is None


def test_split_files_without_metadata_need_a_name(tmp_path):
    # given a schema alone
    schema = tmp_path / "schema.yaml"
    schema.write_text("properties:\n  id:\n    type: string\n")

    # when it is parsed without a name
    with pytest.raises(DocumentError) as caught:
        parse_split_files([schema], max_bytes=LIMIT)

    # then the error says how to name the contract
    assert str(caught.value) == (
        f"{schema}, field title: cannot tell the contract's name: give it, "
        "or include a metadata file with a title"
    )


def test_two_schemas_among_split_files_are_refused(tmp_path):
    # given the template schema twice (as two files)
    copy = tmp_path / "again.yaml"
    copy.write_text((FIXTURES / "loan_schema.yaml").read_text())

    # when they are parsed together
    with pytest.raises(DocumentError) as caught:
        parse_split_files([FIXTURES / "loan_schema.yaml", copy], max_bytes=LIMIT, name="x")

    # then the second is refused, naming the first
    assert str(caught.value) == (
        f"{copy}, line 8, column 1: {FIXTURES / 'loan_schema.yaml'} is the schema already"
    )


def test_a_split_file_of_no_known_kind_is_refused(tmp_path):
    # given a file with keys of no contract part
    path = tmp_path / "notes.yaml"
    path.write_text("hello: world\n")

    # when it is parsed as a split file
    with pytest.raises(DocumentError) as caught:
        parse_split_files([path], max_bytes=LIMIT, name="x", version="1.0.0")

    # then the error explains how parts are recognised
    assert str(caught.value) == (
        f"{path}, line 1, column 1: cannot tell which part of a contract this is: a schema has "
        "`properties`, coercion and validation rules have `rules`, metadata has `ownership`, "
        "`lineage`, `governance_rules` or the like"
    )


def test_a_whole_contract_without_a_name_is_refused(tmp_path):
    # given the whole contract without its name
    path = contract_variant(tmp_path, "name: library_members\n", "")

    # when it is parsed
    message = parse_error(path)

    # then the error names the file and the field
    assert message == f"{path}, line 10, column 1, field name: this field is required"


def test_a_version_written_as_a_number_is_refused_with_advice_to_quote_it(tmp_path):
    # given a contract whose version YAML reads as the number 1.0
    path = contract_variant(tmp_path, 'version: "1.0.0"\nstatus', "version: 1.0\nstatus")

    # when it is parsed
    message = parse_error(path)

    # then the error says to quote it
    assert message == (
        f'{path}, line 11, column 1, field version: a version must be text like "1.0.0", '
        "got the number 1.0: quote it"
    )


def test_a_version_that_is_not_semantic_is_refused(tmp_path):
    # given metadata whose version is "v1"
    path = contract_variant(tmp_path, 'metadata:\n  version: "1.0.0"', 'metadata:\n  version: "v1"')

    # when it is parsed
    message = parse_error(path)

    # then the error names the nested field and its line
    assert message == (
        f"{path}, line 129, column 3, field metadata.version: "
        "'v1' is not a semantic version X.Y.Z (for example \"1.0.0\")"
    )


def test_a_status_outside_active_deprecated_draft_is_refused(tmp_path):
    # given a contract whose status is "live"
    path = contract_variant(
        tmp_path, "status: active\ndescription: Members", "status: live\ndescription: Members"
    )

    # when it is parsed
    message = parse_error(path)

    # then the allowed statuses are listed
    assert message == (
        f"{path}, line 12, column 1, field status: status must be one of active, deprecated, "
        "draft; got 'live'"
    )


def test_an_owner_list_written_as_text_is_a_type_error(tmp_path):
    # given ownership whose business_owners is one string, not a list
    path = contract_variant(
        tmp_path,
        "    business_owners: [head-librarian@citylibrary.example]\n",
        "    business_owners: ops-team\n",
    )

    # when it is parsed
    message = parse_error(path)

    # then the error names the role and the type it got
    assert message == (
        f"{path}, line 136, column 5, field metadata.ownership.business_owners: "
        "expected a list of owner ids, got text ('ops-team')"
    )


def test_an_owner_listed_twice_in_one_role_is_refused(tmp_path):
    # given a role naming the same owner twice (a link row can exist once)
    path = contract_variant(
        tmp_path,
        "    it_sme: [ils-admin@citylibrary.example]\n",
        "    it_sme: [ann@example.com, ann@example.com]\n",
    )

    # when it is parsed
    message = parse_error(path)

    # then the second entry is named
    assert message == (
        f"{path}, line 139, column 31, field metadata.ownership.it_sme[1]: "
        "'ann@example.com' is listed twice"
    )


def test_owner_ids_that_are_emails_or_handles_are_kept_as_given(tmp_path):
    # given owners named by email, handle and team
    path = contract_variant(
        tmp_path,
        "    bu_sme: [circulation-desk]\n",
        "    bu_sme: [Ann.Lee@Example.com, ann_lee, ops-team]\n",
    )

    # when it is parsed
    metadata = parse_contract_file(path, max_bytes=LIMIT).bundles[0].metadata

    # then they are owner ids exactly as written
    assert metadata.ownership["bu_sme"] == ("Ann.Lee@Example.com", "ann_lee", "ops-team")


def test_inline_and_top_level_coercions_that_disagree_are_refused(tmp_path):
    # given top-level coercion rules that coerce age to a float, inline to an integer
    path = contract_variant(tmp_path, "    age: coerce_to_integer", "    age: coerce_to_float")

    # when it is parsed
    message = parse_error(path)

    # then the conflict names the field and both rules, at the top-level rule's line
    assert message == (
        f"{path}, line 100, column 5, field coercion_rules.rules.age: field 'age' has coercion "
        "'coerce_to_float' here but 'coerce_to_integer' inline in the schema"
    )


def test_inline_and_top_level_validations_with_different_parameters_are_refused(tmp_path):
    # given a top-level max_length for remarks of 200, inline 300
    text_before = "    remarks:\n      max_length:\n        threshold: 300"
    text_after = "    remarks:\n      max_length:\n        threshold: 200"
    path = contract_variant(tmp_path, text_before, text_after)

    # when it is parsed
    message = parse_error(path)

    # then the conflict names the field and the rule
    assert message == (
        f"{path}, line 125, column 7, field validation_rules.rules.remarks.max_length: "
        "field 'remarks', rule 'max_length': parameters {'threshold': 200} here differ from "
        "{'threshold': 300} inline in the schema"
    )


def test_a_versions_block_that_disagrees_with_a_part_is_refused(tmp_path):
    # given a versions block that says the schema is 2.0.0
    path = contract_variant(
        tmp_path, 'versions:\n  schema: "1.0.0"', 'versions:\n  schema: "2.0.0"'
    )

    # when it is parsed
    message = parse_error(path)

    # then the disagreement is named
    assert message == (
        f"{path}, line 165, column 3, field versions.schema: versions says 2.0.0, "
        "but the schema has version 1.0.0"
    )


def test_an_inline_coercion_that_is_not_a_name_is_a_type_error(tmp_path):
    # given an inline coercion written as a list
    path = contract_variant(
        tmp_path, "coercion: coerce_to_integer", "coercion: [coerce_to_integer]"
    )

    # when it is parsed
    message = parse_error(path)

    # then the schema property's coercion is named
    assert message == (
        f"{path}, line 53, column 7, field schema.properties.age.coercion: "
        "a coercion is the name of a coercion, got a list"
    )


def test_validation_rules_of_a_field_must_be_a_mapping(tmp_path):
    # given top-level validations for email written as a list
    path = contract_variant(tmp_path, "    email:\n      is_email: null", "    email: [is_email]")

    # when it is parsed
    message = parse_error(path)

    # then the field is named
    assert message == (
        f"{path}, line 114, column 5, field validation_rules.rules.email: "
        "expected a mapping of rule name to its parameters, got a list"
    )


def test_a_contract_in_json_is_parsed_like_yaml(tmp_path):
    # given a small contract in JSON
    path = tmp_path / "contract.json"
    path.write_text(
        '{"name": "events", "version": "0.1.0", "status": "draft",'
        ' "schema": {"type": "object", "properties": {"id": {"type": "string",'
        ' "coercion": "coerce_to_string"}}}}'
    )

    # when it is parsed
    [bundle] = parse_contract_file(path, max_bytes=LIMIT).bundles

    # then its schema part has PyCharter's default title and the contract's version
    assert (bundle.name, bundle.status) == ("events", "draft")
    assert (bundle.schema.title, bundle.schema.version) == ("events_schema", "0.1.0")
    assert bundle.coercion_rules is None


def test_a_contract_that_is_not_a_mapping_is_refused(tmp_path):
    # given a YAML list
    path = tmp_path / "contract.yaml"
    path.write_text("- name: x\n")

    # when it is parsed
    message = parse_error(path)

    # then the error says what a contract is
    assert message == (
        f"{path}, line 1, column 1: expected a contract (a mapping with name, version, "
        "schema, ...), got a list"
    )
