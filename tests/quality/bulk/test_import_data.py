"""`import_data` of reference data, contracts and links: all rows or none, clear errors.

Every test imports into the `space` fixture while `other_tenant` holds rows with the
same names in another organization, and asserts that those rows did not change.
"""

import json

import pytest

from contracts.models import (
    DataContract,
    Domain,
    Owner,
    System,
)
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

OWNERS_CSV = (
    "id,name,email,team,additional_info\n"
    'lincoln_mak,Lincoln Mak,lincoln@cathay.example,data,"{""desk"": 4}"\n'
    "ops_team,Operations,,operations,\n"
)


def _owners(organization):
    return list(
        Owner.objects.filter(organization=organization)
        .order_by("id").values_list("id", "name", "email", "team", "additional_info")
    )


def test_owners_are_imported_into_the_space_organization(
    run, write_file, space, space_argument, other_tenant, rows_of, other_space
):
    # given a CSV of two owners
    path = write_file("owners.csv", OWNERS_CSV)

    # when it is imported with a JSON summary
    result = run("import_data", "owners", str(path), "--space", space_argument, "--json")

    # then both are created in the space's organization, and the other tenant is untouched
    assert result.status == 0
    assert result.summary == {
        "space": "cathay-data/flights", "resource": "owners", "file": str(path),
        "written": True, "rows": 2, "new": 2, "updated": 0, "unchanged": 0, "skipped": 0,
        "error_count": 0, "errors": [], "more_errors": 0,
    }
    assert _owners(space.organization) == [
        ("lincoln_mak", "Lincoln Mak", "lincoln@cathay.example", "data", {"desk": 4}),
        ("ops_team", "Operations", None, "operations", None),
    ]
    assert rows_of(other_space) == other_tenant


def test_the_text_summary_names_the_counts(run, write_file, space_argument):
    # given a CSV of two owners
    path = write_file("owners.csv", OWNERS_CSV)

    # when it is imported without --json
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then one line says what happened
    assert result.status == 0
    assert result.stdout == (
        f"Imported owners from {path} into cathay-data/flights: "
        "2 new, 0 updated, 0 unchanged, 0 skipped.\n"
    )


def test_importing_the_same_file_again_changes_nothing(
    run, write_file, space, space_argument, rows_of
):
    # given owners imported once
    path = write_file("owners.csv", OWNERS_CSV)
    run("import_data", "owners", str(path), "--space", space_argument)
    before = rows_of(space)

    # when the same file is imported again
    result = run("import_data", "owners", str(path), "--space", space_argument, "--json")

    # then every row is unchanged, down to updated_at
    assert (result.summary["new"], result.summary["updated"], result.summary["unchanged"]) == (
        0, 0, 2
    )
    assert rows_of(space) == before


def test_an_empty_cell_keeps_the_stored_value(run, write_file, space, space_argument):
    # given an owner with a name and a team
    factories.OwnerFactory(organization=space.organization, id="zoe", name="Zoe", team="data",
                           email="zoe@cathay.example")
    path = write_file("owners.csv", "id,name,email,team\nzoe,,,platform\n")

    # when a file with only a new team is imported
    result = run("import_data", "owners", str(path), "--space", space_argument, "--json")

    # then the team changes and the name and email stay
    assert result.summary["updated"] == 1
    assert _owners(space.organization) == [
        ("zoe", "Zoe", "zoe@cathay.example", "platform", None)
    ]


def test_one_bad_row_writes_nothing_and_names_its_line_and_field(
    run, write_file, space, space_argument
):
    # given three owners, the last with a bad email
    path = write_file("owners.csv", OWNERS_CSV + "zoe,Zoe,not-an-email,,\n")

    # when the file is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the command fails, names the line and field, and no owner was written
    assert result.status == 1
    assert result.stderr == (
        f"{path}, line 4, field email: Enter a valid email address.\n"
        f"CommandError: Nothing was imported: 1 error in {path}.\n"
    )
    assert _owners(space.organization) == []


def test_the_json_summary_of_a_failed_import_lists_the_errors(
    run, write_file, space, space_argument
):
    # given an owner with a bad email
    path = write_file("owners.csv", "id,email\nzoe,not-an-email\n")

    # when the file is imported with --json
    result = run("import_data", "owners", str(path), "--space", space_argument, "--json")

    # then the summary says nothing was written and why, and the exit status is 1
    assert result.status == 1
    assert result.summary == {
        "space": "cathay-data/flights", "resource": "owners", "file": str(path),
        "written": False, "rows": 1, "new": 0, "updated": 0, "unchanged": 0, "skipped": 0,
        "error_count": 1, "more_errors": 0,
        "errors": [{"path": str(path), "message": "Enter a valid email address.", "line": 2,
                    "column": None, "row": 1, "field": "email"}],
    }


def test_only_the_first_50_errors_are_listed_then_how_many_more(
    run, write_file, space, space_argument
):
    # given 60 owners with bad emails
    path = write_file("owners.csv", "id,email\n" + "".join(
        f"owner_{number},bad\n" for number in range(60)
    ))

    # when the file is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then 50 errors are listed, then how many more there are
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}, line 2, field email: Enter a valid email address."
    assert lines[49] == f"{path}, line 51, field email: Enter a valid email address."
    assert lines[50:] == [
        "and 10 more", f"CommandError: Nothing was imported: 60 errors in {path}."
    ]
    assert _owners(space.organization) == []


def test_an_owner_id_of_another_organization_is_refused_without_saying_whose(
    run, write_file, space, space_argument, other_tenant, rows_of, other_space
):
    # given a file that reuses the other organization's owner id
    path = write_file("owners.csv", "id,name\nother_lincoln,Mine now\n")

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the id is unavailable, as the owner services say, and nothing changed anywhere
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 2, field id: The owner id 'other_lincoln' is not available; "
        "choose another id."
    )
    assert _owners(space.organization) == []
    assert rows_of(other_space) == other_tenant


def test_systems_resolve_by_name_within_the_organization_only(
    run, write_file, space, space_argument, other_tenant, rows_of, other_space
):
    # given a system named like the other organization's
    path = write_file("systems.csv", "name,app_id,description\nICC,APP-1,ours\n")

    # when it is imported
    result = run("import_data", "systems", str(path), "--space", space_argument, "--json")

    # then it is a new system of this organization; theirs is untouched
    assert result.summary["new"] == 1
    assert list(System.objects.filter(organization=space.organization)
                .values_list("name", "app_id", "description")) == [("ICC", "APP-1", "ours")]
    assert rows_of(other_space) == other_tenant


def test_domains_import_from_yaml(
    run, write_file, space, space_argument, other_tenant, rows_of, other_space
):
    # given a YAML list of two domains, one named like the other organization's
    path = write_file("domains.yaml", "- name: IOC\n  description: ours\n- name: CARGO\n")

    # when it is imported
    result = run("import_data", "domains", str(path), "--space", space_argument, "--json")

    # then both are domains of this organization
    assert result.summary["new"] == 2
    assert list(Domain.objects.filter(organization=space.organization).order_by("name")
                .values_list("name", "description")) == [("CARGO", None), ("IOC", "ours")]
    assert rows_of(other_space) == other_tenant


def test_contracts_are_created_in_the_space_through_contract_import(
    run, write_file, space, space_argument, other_tenant, rows_of, other_space
):
    # given a contract named like the other space's, and a new one
    path = write_file("contracts.csv", (
        "name,version,status,description\n"
        "flights,1.0.0,,ours\n"
        "cargo,2.1.0,deprecated,\n"
    ))

    # when they are imported
    result = run("import_data", "contracts", str(path), "--space", space_argument, "--json")

    # then both are created in this space, by the command, with the status given or draft
    assert result.summary["new"] == 2
    assert list(DataContract.objects.filter(space=space).order_by("name").values_list(
        "name", "version", "status", "description", "created_by"
    )) == [
        ("cargo", "2.1.0", "deprecated", None, "command:import_data"),
        ("flights", "1.0.0", "draft", "ours", "command:import_data"),
    ]
    assert rows_of(other_space) == other_tenant


def test_an_active_contract_row_is_activated_through_its_gates(
    run, write_file, space, space_argument, other_tenant, rows_of, other_space
):
    # given a row that asks for an active contract, which has no owners yet
    path = write_file("contracts.csv", "name,version,status,description\ncargo,2.1.0,active,\n")

    # when it is imported
    result = run("import_data", "contracts", str(path), "--space", space_argument)

    # then the activation's gate refuses it, naming the row and the field, and nothing is written
    assert result.status == 1
    assert result.stderr.splitlines()[:2] == [
        f"{path}, line 2, field status: cargo 2.1.0 cannot be imported as active: An active "
        f"contract needs at least one {role}. Import it with status draft, and activate it once "
        "this is resolved."
        for role in ("business owner", "IT application owner")
    ]
    assert not DataContract.objects.filter(space=space).exists()
    assert rows_of(other_space) == other_tenant


def test_a_contract_gets_a_new_description_but_keeps_its_status_and_parts(
    run, write_file, space, space_argument
):
    # given an active contract with a current schema
    contract = factories.DataContractFactory(space=space, name="flights", status="active")
    contract.schema = factories.SchemaFactory(data_contract=contract, version="1.0.0")
    contract.schema_version = "1.0.0"
    contract.save()

    # when a file sets a new description
    changes = write_file("contracts.csv", (
        "name,version,description,schema_version\nflights,1.0.0,Bookings,1.0.0\n"
    ))
    result = run("import_data", "contracts", str(changes), "--space", space_argument, "--json")

    # then the description changes
    assert result.summary["updated"] == 1
    contract.refresh_from_db()
    assert contract.description == "Bookings"

    # and when another file changes its status and its current schema version
    refused = write_file("refused.csv", (
        "name,version,status,schema_version\nflights,1.0.0,deprecated,1.1.0\n"
    ))
    result = run("import_data", "contracts", str(refused), "--space", space_argument)

    # then both are refused, saying where such changes are made, and nothing changes
    assert result.stderr.splitlines()[:2] == [
        f"{refused}, line 2, field status: an import does not change the status of an "
        "existing contract (it is active): activate or deprecate a version in the admin",
        f"{refused}, line 2, field schema_version: an import does not change the current "
        "schema (it is 1.0.0): edit the contract or make a new version",
    ]
    contract.refresh_from_db()
    assert (contract.status, contract.schema_version) == ("active", "1.0.0")


def test_a_new_contract_row_cannot_name_component_versions(
    run, write_file, space, space_argument
):
    # given a new contract that names a schema version
    path = write_file("contracts.csv", "name,version,schema_version\ncargo,1.0.0,1.0.0\n")

    # when it is imported
    result = run("import_data", "contracts", str(path), "--space", space_argument)

    # then the row is refused: an import creates a contract without parts
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 2, field schema_version: an import does not change the current schema "
        "(it is none): edit the contract or make a new version"
    )
    assert DataContract.objects.filter(space=space).count() == 0


def test_ownership_links_join_the_space_contract_to_owners_of_the_organization(
    run, write_file, space, space_argument, flights, other_tenant, rows_of, other_space
):
    # given an owner of this organization
    factories.OwnerFactory(organization=space.organization, id="lincoln_mak")
    path = write_file("ownership.csv", (
        "contract_name,contract_version,role,owner_id\n"
        "flights,1.0.0,business_owners,lincoln_mak\n"
        "flights,1.0.0,it_sme,lincoln_mak\n"
    ))

    # when the links are imported
    result = run("import_data", "ownership-links", str(path), "--space", space_argument,
                 "--json")

    # then this space's flights has the owner in both roles; theirs is untouched
    assert result.summary["new"] == 2
    record = flights.metadata_record
    assert list(record.business_owners.values_list("id", flat=True)) == ["lincoln_mak"]
    assert list(record.it_sme.values_list("id", flat=True)) == ["lincoln_mak"]
    assert rows_of(other_space) == other_tenant


def test_system_links_import_from_json_and_again_change_nothing(
    run, write_file, space, space_argument, flights, other_tenant, rows_of, other_space
):
    # given a system of this organization named like theirs
    factories.SystemFactory(organization=space.organization, name="ICC")
    path = write_file("lineage.json", json.dumps([
        {"contract_name": "flights", "contract_version": "1.0.0", "role": "pulls_from",
         "system_name": "ICC"},
    ]))

    # when the links are imported twice
    first = run("import_data", "system-links", str(path), "--space", space_argument, "--json")
    second = run("import_data", "system-links", str(path), "--space", space_argument, "--json")

    # then the link is made once, to this organization's ICC
    assert (first.summary["new"], second.summary["unchanged"]) == (1, 1)
    assert list(flights.metadata_record.pulls_from.values_list("organization", flat=True)) == [
        space.organization_id
    ]
    assert rows_of(other_space) == other_tenant


@pytest.mark.parametrize(
    ("resource", "column", "role", "name", "message"),
    [
        ("ownership-links", "owner_id", "business_owners", "other_lincoln",
         "no owner 'other_lincoln' in this organization"),
        ("ownership-links", "owner_id", "business_owners", "nobody",
         "no owner 'nobody' in this organization"),
        ("system-links", "system_name", "pushes_to", "ICC", "no system 'ICC' in this organization"),
        ("system-links", "system_name", "pushes_to", "NOWHERE",
         "no system 'NOWHERE' in this organization"),
    ],
)
def test_a_reference_elsewhere_reads_exactly_like_one_that_does_not_exist(
    resource, column, role, name, message,
    run, write_file, space, space_argument, flights, other_tenant, rows_of, other_space
):
    # given a link to an owner or system that exists only in the other organization, or nowhere
    path = write_file("links.csv", (
        f"contract_name,contract_version,role,{column}\nflights,1.0.0,{role},{name}\n"
    ))

    # when it is imported
    result = run("import_data", resource, str(path), "--space", space_argument)

    # then the error is the same in both cases, and no link was written anywhere
    assert result.stderr.splitlines()[0] == f"{path}, line 2, field {column}: {message}"
    assert rows_of(space)["links"] == {role: [] for role in rows_of(space)["links"]}
    assert rows_of(other_space) == other_tenant


def test_a_link_names_an_unknown_contract_and_role(run, write_file, space, space_argument):
    # given an owner, and a link row with a contract and a role that do not exist
    factories.OwnerFactory(organization=space.organization, id="lincoln_mak")
    path = write_file("ownership.csv", (
        "contract_name,contract_version,role,owner_id\nflights,9.9.9,boss,lincoln_mak\n"
    ))

    # when it is imported
    result = run("import_data", "ownership-links", str(path), "--space", space_argument)

    # then both problems are named
    assert result.stderr.splitlines()[:2] == [
        f"{path}, line 2, field role: 'boss' is not a role: expected business_owners, bu_sme, "
        "it_application_owners, it_sme, support_lead",
        f"{path}, line 2, field contract_name: no contract 'flights' version '9.9.9' in this space",
    ]


def test_latin1_bytes_are_refused_with_their_line_and_nothing_is_written(
    run, write_file, space, space_argument
):
    # given a CSV saved as Latin-1
    path = write_file("owners.csv", "id,name\nada,Ada\nzoe,Zoé\n".encode("latin-1"))

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the first bad byte is named with its line and column, and no owner was written
    assert result.status == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 3, column 7: the file is not UTF-8 (byte 0xe9): save it as UTF-8"
    )
    assert _owners(space.organization) == []


def test_a_utf8_byte_order_mark_is_accepted_and_stripped(run, write_file, space, space_argument):
    # given a CSV saved by a spreadsheet as "UTF-8 with BOM"
    path = write_file("owners.csv", "\ufeffid,name\nzoe,Zoé\n".encode())

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the first column is read as `id`, and the owner is written
    assert result.status == 0
    assert _owners(space.organization) == [("zoe", "Zoé", None, None, None)]


def test_a_truncated_json_file_is_refused_and_nothing_is_written(
    run, write_file, space, space_argument
):
    # given a JSON array cut in the middle of its second item
    text = '[{"id": "ada", "name": "Ada"},\n {"id": "zoe", "name": "Zo'
    path = write_file("owners.json", text)

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the file is named as truncated at its end, and no owner was written
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 2, column 27: not valid JSON: the text ends early (is the file truncated?)"
    )
    assert _owners(space.organization) == []


def test_yaml_aliases_are_refused_before_they_expand(run, write_file, space, space_argument):
    # given the "billion laughs": each alias multiplies the text nine times
    lines = ['- id: a\n  name: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"- id: {level}\n  name: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = write_file("owners.yaml", "\n".join(lines))

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the first alias is refused, nothing expands, and no owner was written
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 4, column 13: aliases (*name) are not allowed in a contract document: "
        "write the value out"
    )
    assert _owners(space.organization) == []


def test_a_yaml_python_tag_is_refused(run, write_file, space, space_argument):
    # given YAML that an unsafe loader would turn into a shell command
    path = write_file("owners.yaml", "- id: !!python/object/apply:os.system ['echo hacked']\n")

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the tag is refused (safe loading only) and no owner was written
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 1, column 7: the tag !!python/object/apply:os.system is not allowed: "
        "a contract document holds plain data only"
    )
    assert _owners(space.organization) == []


def test_a_semicolon_delimited_file_asks_whether_the_delimiter_is_a_comma(
    run, write_file, space, space_argument
):
    # given a CSV written with semicolons
    path = write_file("owners.csv", "id;name;email\nzoe;Zoe;zoe@cathay.example\n")

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the error shows what was expected and what was found
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 1: expected columns id, name, email, team, additional_info; found one "
        "column 'id;name;email' — is the delimiter ','?"
    )
    assert _owners(space.organization) == []


def test_unknown_and_missing_columns_are_named(run, write_file, space, space_argument):
    # given a CSV with a misspelt column and without the owner id
    path = write_file("owners.csv", "name,emial\nZoe,zoe@cathay.example\n")

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then both are named, with the columns the file should have
    assert result.stderr.splitlines()[:2] == [
        f"{path}, line 1: unknown column 'emial': expected columns id, name, email, team, "
        "additional_info",
        f"{path}, line 1: missing column 'id': the file must have id",
    ]
    assert _owners(space.organization) == []


def test_a_duplicate_row_names_the_line_of_the_first(run, write_file, space, space_argument):
    # given the same owner id on two lines
    path = write_file("owners.csv", "id,name\nzoe,Zoe\nada,Ada\nzoe,Zoey\n")

    # when the file is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the second is refused, naming the first, and nothing is written
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 4, field id: duplicate: line 2 already has id 'zoe'"
    )
    assert _owners(space.organization) == []


def test_a_ragged_row_is_named_by_its_line(run, write_file, space, space_argument):
    # given a row with one cell too many
    path = write_file("owners.csv", "id,name\nzoe,Zoe,extra\n")

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the row is named and nothing is written
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 2: 3 cells where the header names 2 columns"
    )
    assert _owners(space.organization) == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    run, write_file, space, space_argument, settings
):
    # given a limit of 40 bytes and a larger file
    settings.PYCHARTER_MAX_IMPORT_BYTES = 40
    path = write_file("owners.csv", OWNERS_CSV)

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then it is refused by its size, and no owner was written
    assert result.stderr.splitlines()[0] == (
        f"{path}: the file is larger than the limit of 40 bytes"
    )
    assert _owners(space.organization) == []


def test_a_missing_file_is_an_error(run, tmp_path, space_argument):
    # given a path where nothing is
    path = tmp_path / "absent.csv"

    # when it is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the error says so, without a traceback
    assert (result.status, result.stderr.splitlines()[0]) == (
        1, f"{path}: cannot read the file: No such file or directory"
    )


def test_a_file_without_a_known_suffix_needs_a_format(run, write_file, space, space_argument):
    # given a CSV named .txt
    path = write_file("owners.txt", OWNERS_CSV)

    # when it is imported without, then with, --format
    without = run("import_data", "owners", str(path), "--space", space_argument)
    with_format = run("import_data", "owners", str(path), "--space", space_argument,
                      "--format", "csv")

    # then the first asks for the format and the second imports
    assert without.stderr == (
        f"CommandError: {path}: cannot tell the format from the suffix; pass --format.\n"
    )
    assert with_format.status == 0
    assert len(_owners(space.organization)) == 2


def test_a_progress_bar_is_drawn_on_a_terminal_only(
    run, write_file, space_argument, terminal
):
    # given a file of owners
    path = write_file("owners.csv", OWNERS_CSV)

    # when it is imported into a pipe, then on a terminal
    piped = run("import_data", "owners", str(path), "--space", space_argument)
    on_terminal = run("import_data", "owners", str(path), "--space", space_argument,
                      stdout=terminal)

    # then only the terminal run draws a bar (on stderr, leaving stdout to the summary)
    assert piped.stderr == ""
    assert "owners: 100%" in on_terminal.stderr
    assert "2/2" in on_terminal.stderr
    assert on_terminal.stdout.startswith("Imported owners")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("owners.json", '[{"id": "ada", "name": "Ada"},\n {"id": "zoe", "name": "Zo\\u0000e"}]',
         "line 2, field name: contains a NUL character"),
        ("owners.jsonl", '{"id": "ada", "name": "Ada"}\n{"id": "zoe", "team": ["\\udfff"]}\n',
         "line 2, field team[0]: contains a lone surrogate (U+DFFF), which is not a "
         "character: the text was cut from a UTF-16 pair"),
        ("owners.yaml", '- id: ada\n  name: Ada\n- id: zoe\n  name: "Zo\\0e"\n',
         "line 4, column 3, field [1].name: contains a NUL character"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_with_its_field_and_nothing_is_written(
    run, write_file, space, space_argument, rows_of, other_tenant, other_space, name, content,
    expected,
):
    # given an owner whose text holds an escaped NUL or half a UTF-16 pair
    path = write_file(name, content)

    # when the file is imported
    result = run("import_data", "owners", str(path), "--space", space_argument)

    # then the record's line and field are named, and no owner was written anywhere
    assert result.status == 1
    assert result.stderr.splitlines()[0] == f"{path}, {expected}"
    assert _owners(space.organization) == []
    assert rows_of(other_space) == other_tenant
