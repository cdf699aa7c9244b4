"""Open Data Contract Standard v3: what maps, what is kept aside, and the list of both."""

import dataclasses
import json
import re
from pathlib import Path, PurePath

import jsonschema
import open_data_contract_standard
import pytest
from open_data_contract_standard.model import OpenDataContractStandard

from contracts.documents.bundle import SystemEntry
from contracts.documents.errors import DocumentError
from contracts.documents.loading import LoadedDocument, load_document_bytes
from contracts.documents.odcs import bundle_to_odcs, odcs_to_bundle
from contracts.documents.parsing import parse_contract_file, parse_split_files
from contracts.documents.serializing import dump_yaml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pycharter"
LIMIT = 1_000_000
ODCS_SCHEMA = json.loads(
    (Path(open_data_contract_standard.__file__).parent / "schema.json").read_text()
)


def template_contract():
    return parse_contract_file(FIXTURES / "member_contract.yaml", max_bytes=LIMIT).bundles[0]


def split_templates():
    paths = [
        FIXTURES / "loan_schema.yaml",
        FIXTURES / "loan_coercion_rules.yaml",
        FIXTURES / "loan_validation_rules.yaml",
        FIXTURES / "loan_metadata.yaml",
    ]
    return parse_split_files(paths, max_bytes=LIMIT).bundles[0]


def assert_valid_odcs(document):
    OpenDataContractStandard.model_validate(document)
    jsonschema.validators.validator_for(ODCS_SCHEMA)(ODCS_SCHEMA).validate(document)


def test_the_template_contract_exports_as_valid_odcs():
    # given the whole contract
    bundle = template_contract()

    # when it is exported to ODCS
    exported = bundle_to_odcs(bundle)

    # then the document passes the ODCS model and its JSON Schema, identity mapped
    assert_valid_odcs(exported.document)
    document = exported.document
    assert {key: document[key] for key in ("apiVersion", "kind", "id", "name", "version")} == {
        "apiVersion": "v3.2.0",
        "kind": "DataContract",
        "id": "library_members",
        "name": "library_members",
        "version": "1.0.0",
    }
    assert document["status"] == "active"
    assert document["description"] == {
        "purpose": "Members of the city library network, as the lending desks register them"
    }
    assert document["contractCreatedTs"] == "2025-02-03T09:00:00Z"
    assert document["domain"] == "membership"


def test_schema_properties_and_validations_map_to_odcs_properties_and_quality():
    # given the whole contract
    bundle = template_contract()

    # when it is exported to ODCS
    [schema_object] = bundle_to_odcs(bundle).document["schema"]

    # then types, constraints, enums and rules are ODCS fields
    properties = {item["name"]: item for item in schema_object["properties"]}
    assert schema_object["name"] == "LibraryMember"
    assert properties["membership"] == {
        "name": "membership",
        "logicalType": "string",
        "enum": [{"value": "standard"}, {"value": "student"}, {"value": "patron"}],
        "description": "Kind of card the member holds",
        "required": True,
        "quality": [
            {
                "type": "library",
                "metric": "invalidValues",
                "arguments": {"validValues": ["standard", "student", "patron"]},
                "mustBe": 0,
            }
        ],
    }
    assert properties["age"] == {
        "name": "age",
        "logicalType": "integer",
        "logicalTypeOptions": {"minimum": 0, "maximum": 120},
        "description": "Age in whole years when the card was issued",
        "quality": [
            {
                "type": "custom",
                "name": "greater_than_or_equal_to",
                "engine": "pycharter",
                "implementation": {"greater_than_or_equal_to": {"threshold": 0}},
            },
            {
                "type": "custom",
                "name": "less_than_or_equal_to",
                "engine": "pycharter",
                "implementation": {"less_than_or_equal_to": {"threshold": 120}},
            },
        ],
    }
    assert properties["joined_at"]["logicalType"] == "timestamp"


def test_what_odcs_cannot_say_is_listed_and_kept_as_pycharter_custom_properties():
    # given the whole contract
    bundle = template_contract()

    # when it is exported to ODCS
    exported = bundle_to_odcs(bundle)

    # then every leftover is listed, and kept
    assert exported.unmapped == [
        "metadata.ownership.steward_note: ODCS has no field for it; kept as a pycharter custom "
        "property",
        "metadata.lineage: ODCS servers have no direction; each system is a server of type "
        "custom with its lineage roles as a pycharter custom property",
        "metadata.version: ODCS has no field for it; kept as a pycharter custom property",
        "metadata.description: ODCS has no field for it; kept as a pycharter custom property",
        "metadata.status: ODCS has no field for it; kept as a pycharter custom property",
        "metadata.created_by: ODCS has no field for it; kept as a pycharter custom property",
        "metadata.governance_rules: ODCS has no field for it; kept as a pycharter custom property",
        "schema.properties.remarks.anyOf: ODCS has no field for it; kept in the property's "
        "pycharter custom property jsonSchema",
        "schema.properties.remarks.default: ODCS has no field for it; kept in the property's "
        "pycharter custom property jsonSchema",
        "schema.version: ODCS has no field for it; kept as a pycharter custom property",
        "coercion_rules: ODCS has no coercions; kept as a pycharter custom property",
        "validation_rules.version: ODCS has no field for it; kept as a pycharter custom property",
    ]
    kept = {item["property"] for item in exported.document["customProperties"]}
    assert kept == {
        "metadata.ownership.steward_note",
        "metadata.version",
        "metadata.description",
        "metadata.status",
        "metadata.created_by",
        "metadata.governance_rules",
        "schema.version",
        "coercion_rules",
        "validation_rules.version",
    }


def test_ownership_roles_become_team_members_and_systems_become_servers():
    # given the split files, with owners and lineage, and one system's details
    bundle = split_templates()
    systems = [SystemEntry(name="self_service_kiosk", app_id="APP-1", description="Kiosk")]

    # when exported to ODCS
    exported = bundle_to_odcs(bundle, systems=systems)

    # then each owner is a member with its role, each system a custom server with its roles
    document = exported.document
    assert_valid_odcs(document)
    assert document["team"] == {
        "members": [
            {"username": "head-librarian@citylibrary.example", "role": "businessOwner"},
            {"username": "collections-team", "role": "businessOwner"},
            {"username": "circulation-desk", "role": "businessSubjectMatterExpert"},
            {"username": "library-systems", "role": "itApplicationOwner"},
            {"username": "ils-admin@citylibrary.example", "role": "itSubjectMatterExpert"},
            {"username": "helpdesk-lead@citylibrary.example", "role": "supportLead"},
        ]
    }
    assert document["servers"][0] == {
        "server": "self_service_kiosk",
        "type": "custom",
        "description": "Kiosk",
        "customProperties": [
            {"property": "lineage", "value": ["pulls_from"], "vendor": "pycharter"},
            {"property": "appId", "value": "APP-1", "vendor": "pycharter"},
        ],
    }
    assert [server["server"] for server in document["servers"]] == [
        "self_service_kiosk",
        "lending_desk_terminal",
        "reading_analytics",
        "integrated_library_system",
    ]
    assert document["domain"] == "lending"
    assert (
        "metadata.lineage: ODCS servers have no direction; each system is a server of type "
        "custom with its lineage roles as a pycharter custom property"
    ) in exported.unmapped


def test_an_exported_contract_imports_back_to_the_same_rules_and_metadata():
    # given the whole contract exported to ODCS, written as YAML
    bundle = template_contract()
    text = dump_yaml(bundle_to_odcs(bundle).document)
    document = load_document_bytes(text.encode(), path=PurePath("odcs.yaml"), max_bytes=LIMIT)

    # when it is imported
    imported = odcs_to_bundle(document)

    # then what was mapped or kept comes back, with nothing unmapped
    assert imported.unmapped == []
    restored = imported.bundle
    assert (restored.name, restored.version, restored.status) == (
        "library_members", "1.0.0", "active"
    )
    assert restored.coercion_rules == bundle.coercion_rules
    assert restored.validation_rules.rules == bundle.validation_rules.rules
    assert restored.metadata == bundle.metadata
    assert restored.schema.schema_data["properties"]["remarks"] == {
        "description": "Free text from the lending desk",
        "anyOf": [{"type": "string", "maxLength": 300}, {"type": "null"}],
        "default": None,
    }
    assert restored.schema.schema_data["properties"]["joined_at"] == {
        "type": "string",
        "format": "date-time",
        "description": "When the card was issued",
    }


def test_importing_team_and_servers_gives_ownership_lineage_and_systems():
    # given the split files exported to ODCS with a system's details
    systems = [SystemEntry(name="integrated_library_system", app_id="APP-9")]
    document = bundle_to_odcs(split_templates(), systems=systems).document

    # when imported
    imported = odcs_to_bundle(LoadedDocument(PurePath("odcs.json"), document))

    # then owners, systems and domains are links again, and systems are entities
    metadata = imported.bundle.metadata
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
    assert imported.systems[3] == SystemEntry(name="integrated_library_system", app_id="APP-9")


def test_odcs_features_pycharter_cannot_hold_are_listed_on_import():
    # given an ODCS contract with an SLA, a SQL check, a data steward and a plain server
    document = {
        "apiVersion": "v3.1.0",
        "kind": "DataContract",
        "id": "orders",
        "name": "orders",
        "version": "1.0.0",
        "status": "proposed",
        "description": {"purpose": "Orders", "usage": "Finance reporting"},
        "slaProperties": [{"property": "latency", "value": 4, "unit": "d"}],
        "team": {"members": [{"username": "ann", "role": "dataSteward"}]},
        "servers": [
            {
                "server": "warehouse",
                "type": "snowflake",
                "account": "acme",
                "database": "sales",
                "schema": "public",
            }
        ],
        "schema": [
            {
                "name": "orders",
                "properties": [
                    {
                        "name": "order_id",
                        "logicalType": "string",
                        "required": True,
                        "quality": [{"type": "sql", "query": "SELECT 1", "mustBe": 1}],
                    }
                ],
            }
        ],
    }
    assert_valid_odcs(document)

    # when it is imported
    imported = odcs_to_bundle(LoadedDocument(PurePath("orders.yaml"), document))

    # then each thing it could not take in is named
    assert imported.unmapped == [
        "slaProperties: PyCharter has no field for it",
        "status: 'proposed' is not one of active, deprecated, draft",
        "description.usage: PyCharter has no field for it",
        "team.members[0]: not one of the owner roles",
        "servers[0]: a server that is not a pycharter system",
        "schema[0].properties[0].quality[0]: a quality check PyCharter cannot run",
    ]
    bundle = imported.bundle
    assert (bundle.name, bundle.status, bundle.description) == ("orders", None, "Orders")
    assert bundle.schema.schema_data == {
        "type": "object",
        "title": "orders",
        "properties": {"order_id": {"type": "string"}},
        "required": ["order_id"],
    }


def test_an_odcs_document_of_another_kind_is_refused():
    # given a document that is not a data contract
    document = load_document_bytes(
        b"kind: DataProduct\nversion: 1.0.0\n", path=PurePath("product.yaml"), max_bytes=LIMIT
    )

    # when it is imported
    with pytest.raises(DocumentError) as caught:
        odcs_to_bundle(document)

    # then the kind is named
    assert str(caught.value) == (
        "product.yaml, line 1, column 1, field kind: an ODCS data contract has kind DataContract"
    )


def test_validations_of_a_field_the_schema_lacks_are_kept_and_listed(tmp_path):
    # given a contract with a validation rule for a field its schema does not have
    path = tmp_path / "contract.yaml"
    path.write_text(
        "name: orders\nversion: 1.0.0\n"
        "schema:\n  properties:\n    id:\n      type: string\n"
        "validation_rules:\n  rules:\n    ghost:\n      is_positive: null\n",
        encoding="utf-8",
    )
    bundle = parse_contract_file(path, max_bytes=LIMIT).bundles[0]

    # when it is exported to ODCS
    exported = bundle_to_odcs(bundle)

    # then the rule is kept aside and named
    assert exported.unmapped == [
        "validation_rules.rules.ghost: the schema has no such property; kept as a pycharter "
        "custom property"
    ]
    assert exported.document["customProperties"] == [
        {
            "property": "validation_rules.rules.ghost",
            "value": {"is_positive": None},
            "vendor": "pycharter",
        }
    ]


def _odcs_round_trip(bundle):
    text = dump_yaml(bundle_to_odcs(bundle).document)
    document = load_document_bytes(text.encode(), path=PurePath("odcs.yaml"), max_bytes=LIMIT)
    return odcs_to_bundle(document)


def test_a_contract_with_several_domains_comes_back_from_odcs_with_all_of_them():
    # given a contract with three domains
    bundle = template_contract()
    domains = ("Membership", "Lending", "Privacy")
    bundle = dataclasses.replace(
        bundle, metadata=dataclasses.replace(bundle.metadata, domains=domains)
    )

    # when it goes to ODCS (one domain, the list kept) and back
    imported = _odcs_round_trip(bundle)

    # then every domain comes back, in order
    assert imported.unmapped == []
    assert imported.bundle.metadata.domains == domains


def test_an_odcs_domain_that_is_not_the_first_kept_domain_is_refused():
    # given an ODCS export of two domains whose `domain` was changed by hand
    bundle = template_contract()
    bundle = dataclasses.replace(
        bundle, metadata=dataclasses.replace(bundle.metadata, domains=("Lending", "Privacy"))
    )
    odcs = bundle_to_odcs(bundle).document
    odcs["domain"] = "Membership"
    text = dump_yaml(odcs)
    document = load_document_bytes(text.encode(), path=PurePath("odcs.yaml"), max_bytes=LIMIT)

    # when it is imported, then the error names the file, line and custom property
    with pytest.raises(DocumentError) as raised:
        odcs_to_bundle(document)

    assert str(raised.value).startswith("odcs.yaml, line ")
    assert ("the domain is 'Membership', so the pycharter domains must start with it; "
            "they are ['Lending', 'Privacy']") in str(raised.value)


def test_required_fields_come_back_from_odcs_in_the_order_written():
    # given a schema whose required list is not in the order of its properties
    bundle = template_contract()
    schema_data = dict(bundle.schema.schema_data)
    schema_data["required"] = list(reversed(schema_data["required"]))
    bundle = dataclasses.replace(
        bundle, schema=dataclasses.replace(bundle.schema, schema_data=schema_data)
    )

    # when it goes to ODCS and back
    imported = _odcs_round_trip(bundle)

    # then the required list is the one written
    assert imported.bundle.schema.schema_data["required"] == schema_data["required"]


@pytest.mark.parametrize(("edit", "field", "name"), [
    (lambda odcs: odcs["team"]["members"][0].update(username="head librarian"),
     "team.members[0].username",
     '"head librarian"'),
    (lambda odcs: odcs["servers"][0].update(server="kiosk/1"), "servers[0].server",
     '"kiosk/1"'),
    (lambda odcs: odcs.update(domain="lending desk"), "domain", '"lending desk"'),
])
def test_a_badly_named_owner_system_or_domain_in_odcs_is_refused_at_its_line(edit, field, name):
    # given an ODCS export with one name edited by hand into one the naming rules refuse
    odcs = bundle_to_odcs(split_templates()).document
    edit(odcs)
    text = dump_yaml(odcs)
    document = load_document_bytes(text.encode(), path=PurePath("odcs.yaml"), max_bytes=LIMIT)

    # when it is imported, then the error names the file, the line and the field
    with pytest.raises(DocumentError) as raised:
        odcs_to_bundle(document)

    line = next(number for number, written in enumerate(text.splitlines(), start=1)
                if name.strip('"') in written)
    assert re.match(rf"odcs\.yaml, line {line}, column \d+, field {re.escape(field)}: "
                    rf"{re.escape(name)} may hold only", str(raised.value)), str(raised.value)
