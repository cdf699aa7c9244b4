"""`export_data`: one space's rows as CSV, JSON or YAML; CSV safe to open in a spreadsheet.

`other_tenant` holds rows with the same names in another organization; no export
shows them.
"""

import csv
import io
import json

import pytest
import yaml

from contracts.models import OWNERSHIP_ROLE_LINKS, SYSTEM_ROLE_LINKS
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

FORMULAS = ["=HYPERLINK(\"http://evil.example\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=x"]


def _csv_rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def _read(path):
    """The file's text as written: CSV cells may hold a carriage return."""
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def test_owners_export_only_the_space_organization(
    run, space, space_argument, other_tenant
):
    # given an owner here, and one in the other organization
    factories.OwnerFactory(organization=space.organization, id="lincoln_mak", name="Lincoln",
                           email="lincoln@cathay.example", team="data",
                           additional_info={"desk": 4})

    # when owners are exported
    result = run("export_data", "owners", "--space", space_argument)

    # then only this organization's owner is in the CSV
    assert _csv_rows(result.stdout) == [
        ["id", "name", "email", "team", "additional_info"],
        ["lincoln_mak", "Lincoln", "lincoln@cathay.example", "data", '{"desk": 4}'],
    ]


def test_a_csv_export_neutralises_formulas_and_imports_back_unchanged(
    run, space, space_argument, tmp_path
):
    # given owners whose names a spreadsheet would run as formulas
    for number, name in enumerate(FORMULAS):
        factories.OwnerFactory(organization=space.organization, id=f"owner_{number}", name=name)
    path = tmp_path / "owners.csv"

    # when they are exported to a file
    exported = run("export_data", "owners", "--space", space_argument, "--output", str(path))

    # then every such cell starts with a quote, which spreadsheets show as text
    assert exported.stdout == f"Exported 7 rows of owners to {path}.\n"
    names = [row[1] for row in _csv_rows(_read(path))[1:]]
    assert names == ["'=HYPERLINK(\"http://evil.example\")", "'+1", "'-2", "'@SUM(A1)", "'\tx",
                     "'\rx", "''=x"]

    # and when the file is imported back, every owner is unchanged
    imported = run("import_data", "owners", str(path), "--space", space_argument, "--json")
    assert (imported.summary["unchanged"], imported.summary["updated"]) == (7, 0)


@pytest.mark.parametrize("file_format", ["json", "yaml"])
def test_json_and_yaml_exports_keep_every_value_exactly(
    file_format, run, space, space_argument
):
    # given an owner whose name starts like a formula
    factories.OwnerFactory(organization=space.organization, id="zoe", name="=1+1", email=None,
                           team=None)

    # when owners are exported as JSON or YAML (read by programs, not spreadsheets)
    result = run("export_data", "owners", "--space", space_argument, "--format", file_format)

    # then the value is exported as it is
    assert yaml.safe_load(result.stdout) == [
        {"id": "zoe", "name": "=1+1", "email": "", "team": "", "additional_info": ""}
    ]


def test_contracts_export_by_name_and_status(run, space, space_argument, other_tenant):
    # given three contracts here, and flights 1.0.0 in the other space
    factories.DataContractFactory(space=space, name="flights", version="1.0.0", status="active")
    factories.DataContractFactory(space=space, name="flights", version="1.1.0", status="draft")
    factories.DataContractFactory(space=space, name="cargo", version="1.0.0", status="active")

    # when the active versions of flights are exported
    result = run("export_data", "contracts", "--space", space_argument, "--contract", "flights",
                 "--status", "active", "--format", "json")

    # then only this space's flights 1.0.0 is there
    assert [(row["name"], row["version"], row["status"]) for row in json.loads(result.stdout)] == [
        ("flights", "1.0.0", "active")
    ]


def test_contracts_export_and_import_back_unchanged(run, space, space_argument, tmp_path):
    # given a contract with a current schema
    contract = factories.DataContractFactory(space=space, name="flights", description="Bookings")
    contract.schema = factories.SchemaFactory(data_contract=contract, version="1.0.0")
    contract.schema_version = "1.0.0"
    contract.save()
    path = tmp_path / "contracts.yaml"

    # when contracts are exported and imported back
    run("export_data", "contracts", "--space", space_argument, "--output", str(path))
    imported = run("import_data", "contracts", str(path), "--space", space_argument, "--json")

    # then the export names the current schema version and the import changes nothing
    assert yaml.safe_load(path.read_text())[0]["schema_version"] == "1.0.0"
    assert (imported.summary["unchanged"], imported.summary["new"]) == (1, 0)


def test_ownership_links_export_and_import_back_unchanged(
    run, space, space_argument, flights, other_tenant, tmp_path
):
    # given flights owned by two owners in two roles
    for owner_id, role in (("ada", "business_owners"), ("zoe", "it_sme")):
        owner = factories.OwnerFactory(organization=space.organization, id=owner_id)
        OWNERSHIP_ROLE_LINKS[role].objects.create(metadata_record=flights.metadata_record,
                                                  owner=owner)
    path = tmp_path / "ownership.csv"

    # when the links are exported and imported back
    run("export_data", "ownership-links", "--space", space_argument, "--output", str(path))
    imported = run("import_data", "ownership-links", str(path), "--space", space_argument,
                   "--json")

    # then the export holds this space's links only, and the import changes nothing
    assert _csv_rows(_read(path)) == [
        ["contract_name", "contract_version", "role", "owner_id"],
        ["flights", "1.0.0", "business_owners", "ada"],
        ["flights", "1.0.0", "it_sme", "zoe"],
    ]
    assert (imported.summary["unchanged"], imported.summary["new"]) == (2, 0)


def test_system_links_export_names_systems(run, space, space_argument, flights, other_tenant):
    # given flights pulling from ICC
    system = factories.SystemFactory(organization=space.organization, name="ICC")
    SYSTEM_ROLE_LINKS["pulls_from"].objects.create(metadata_record=flights.metadata_record,
                                                   system=system)

    # when system links are exported
    result = run("export_data", "system-links", "--space", space_argument)

    # then the link is there by the system's name, and the other space's is not
    assert _csv_rows(result.stdout) == [
        ["contract_name", "contract_version", "role", "system_name"],
        ["flights", "1.0.0", "pulls_from", "ICC"],
    ]


def test_violations_export_by_contract_and_status_and_import_back_as_skipped(
    run, space, space_argument, flights, other_tenant, tmp_path
):
    # given an open and a resolved violation of flights, and one of another contract
    factories.QualityViolationFactory(data_contract=flights, record_identifier="open_one")
    factories.QualityViolationFactory(data_contract=flights, record_identifier="resolved_one",
                                      status="resolved")
    factories.QualityViolationFactory(data_contract__space=space, record_identifier="elsewhere")
    path = tmp_path / "violations.csv"

    # when the open violations of flights are exported and the file imported back
    run("export_data", "violations", "--space", space_argument, "--contract", "flights",
        "--status", "open", "--output", str(path))
    imported = run("import_data", "violations", str(path), "--space", space_argument, "--json")

    # then the export holds the one open violation of this space's flights, and the import
    # leaves it as it is
    rows = list(csv.DictReader(io.StringIO(_read(path), newline="")))
    assert [(row["contract_name"], row["contract_version"], row["record_identifier"],
             row["status"], json.loads(row["record_data"])) for row in rows] == [
        ("flights", "1.0.0", "open_one", "open", {"user_id": "1", "age": -3})
    ]
    assert (imported.summary["skipped"], imported.summary["new"]) == (1, 0)


def test_a_filter_that_does_not_apply_is_an_error(run, space_argument):
    # when owners are exported by status
    result = run("export_data", "owners", "--space", space_argument, "--status", "open")

    # then the command says which filters owners take
    assert result.stderr == "CommandError: --status does not apply to owners; it takes no filter.\n"


def test_an_unknown_status_is_an_error(run, space_argument):
    # when violations are exported with a status that does not exist
    result = run("export_data", "violations", "--space", space_argument, "--status", "opened")

    # then the statuses are listed
    assert result.stderr == (
        "CommandError: unknown status 'opened': expected open, acknowledged, assigned, "
        "resolved, ignored\n"
    )
