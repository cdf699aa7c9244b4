"""`import_contract` / `export_contract`: PyCharter documents in and out, unchanged."""

import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from contracts.models import DataContract, Owner, System
from tenancy.scoping import space_scope

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pycharter"
DEMO = Path(__file__).resolve().parents[2] / "contracts" / "demo"
SPLIT_FILES = {
    "schema": "loan_schema.yaml",
    "coercion_rules": "loan_coercion_rules.yaml",
    "validation_rules": "loan_validation_rules.yaml",
    "metadata": "loan_metadata.yaml",
}


def _space_argument(space):
    return f"{space.organization.slug}/{space.slug}"


def _run(*arguments):
    output = io.StringIO()
    call_command(*arguments, stdout=output, stderr=io.StringIO())
    return output.getvalue()


def _load(path):
    return yaml.safe_load(Path(path).read_text())


def test_the_template_contract_round_trips(db, space, tmp_path):
    _run("import_contract", str(FIXTURES / "member_contract.yaml"),
         "--space", _space_argument(space))
    exported = tmp_path / "exported.yaml"

    _run("export_contract", "library_members", "--space", _space_argument(space),
         "--output", str(exported))

    assert _load(exported) == _load(FIXTURES / "member_contract.yaml")


def test_the_template_contract_round_trips_as_json(db, space, tmp_path):
    _run("import_contract", str(FIXTURES / "member_contract.yaml"),
         "--space", _space_argument(space))

    text = _run("export_contract", "library_members", "--space", _space_argument(space),
                "--format", "json")

    assert json.loads(text) == _load(FIXTURES / "member_contract.yaml")


def test_the_split_template_files_round_trip_each_to_its_source(db, space, tmp_path):
    _run("import_contract", *[str(FIXTURES / name) for name in SPLIT_FILES.values()],
         "--space", _space_argument(space))
    title = _load(FIXTURES / "loan_metadata.yaml")["title"]

    _run("export_contract", title, "--space", _space_argument(space), "--split", str(tmp_path))

    for part, source in SPLIT_FILES.items():
        assert _load(tmp_path / f"{title}_{part}.yaml") == _load(FIXTURES / source), part


@pytest.mark.parametrize("path", sorted(DEMO.glob("*-*.yaml")), ids=lambda path: path.name)
def test_every_demo_contract_round_trips(path, db, space, tmp_path):
    _run("import_contract", str(path), "--space", _space_argument(space))
    document = _load(path)

    text = _run("export_contract", document["name"], document["version"],
                "--space", _space_argument(space))

    assert yaml.safe_load(text) == document


def test_importing_the_same_file_twice_changes_nothing(db, space):
    arguments = ("import_contract", str(FIXTURES / "member_contract.yaml"),
                 "--space", _space_argument(space))
    assert _run(*arguments) == "library_members 1.0.0: created\n"
    with space_scope(space):
        first = DataContract.objects.values_list("id", "updated_at").get()

    assert _run(*arguments) == "library_members 1.0.0: unchanged\n"

    with space_scope(space):
        assert DataContract.objects.values_list("id", "updated_at").get() == first


def _variant(tmp_path, change, status="active"):
    document = _load(FIXTURES / "member_contract.yaml")
    document["status"] = status
    change(document)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_same_name_and_version_with_other_content_is_an_error(db, space, tmp_path):
    _run("import_contract", str(FIXTURES / "member_contract.yaml"),
         "--space", _space_argument(space))
    variant = _variant(tmp_path, lambda document: document.update(description="Changed"))

    with pytest.raises(CommandError) as error:
        _run("import_contract", str(variant), "--space", _space_argument(space))

    assert str(variant) in str(error.value)
    assert "library_members 1.0.0 already exists with other content" in str(error.value)
    with space_scope(space):
        assert DataContract.objects.get().description != "Changed"


def test_replace_targets_drafts_only(db, space, tmp_path):
    draft = _variant(tmp_path, lambda document: None, status="draft")
    _run("import_contract", str(draft), "--space", _space_argument(space))
    changed = _variant(tmp_path, lambda document: document.update(description="Changed"),
                       status="draft")

    assert _run("import_contract", str(changed), "--space", _space_argument(space),
                "--replace") == "library_members 1.0.0: replaced\n"

    with space_scope(space):
        assert DataContract.objects.get().description == "Changed"


def test_replace_refuses_an_active_contract(db, space, tmp_path):
    _run("import_contract", str(FIXTURES / "member_contract.yaml"),
         "--space", _space_argument(space))
    changed = _variant(tmp_path, lambda document: document.update(description="Changed"))

    with pytest.raises(CommandError, match="is active; only a draft can be replaced"):
        _run("import_contract", str(changed), "--space", _space_argument(space), "--replace")


def test_an_import_lands_in_its_space_and_reuses_its_organizations_reference_data(
    db, space, other_space, unscoped
):
    Owner.objects.create(id="circulation-desk", organization=space.organization,
                         name="Circulation Desk")
    System.objects.create(name="self_service_kiosk", organization=other_space.organization)

    _run("import_contract", *[str(FIXTURES / name) for name in SPLIT_FILES.values()],
         "--space", _space_argument(space))

    contract = DataContract.objects.get()
    assert contract.space == space
    assert Owner.objects.get(pk="circulation-desk").name == "Circulation Desk"
    assert System.objects.filter(name="self_service_kiosk").count() == 2
    assert System.objects.get(name="self_service_kiosk", organization=space.organization)
    assert not DataContract.objects.filter(space=other_space).exists()


def test_the_same_contract_can_live_in_two_spaces(db, space, other_space, tmp_path):
    # Owner ids are global (the ERD's key), so the second organization's copy names none.
    without_owners = _variant(tmp_path, lambda document: document["metadata"].pop("ownership"),
                              status="draft")
    for tenant_space in (space, other_space):
        assert _run("import_contract", str(without_owners),
                    "--space", _space_argument(tenant_space)) == "library_members 1.0.0: created\n"


def test_a_broken_file_is_an_error_naming_file_and_line_and_nothing_is_written(
    db, space, tmp_path, unscoped
):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nversion: '1.0.0'\nschema: [unclosed\n")

    with pytest.raises(CommandError) as error:
        _run("import_contract", str(broken), "--space", _space_argument(space))

    assert str(broken) in str(error.value)
    assert "line" in str(error.value)
    assert DataContract.objects.count() == 0


def test_a_seed_folder_lists_the_files_it_skips(db, space, tmp_path):
    folder = tmp_path / "seed"
    folder.mkdir()
    shutil.copy(FIXTURES / "member_contract.yaml", folder / "notes.yaml")
    (folder / "contracts.yaml").write_text(
        "- {name: orders, version: '1.0.0', status: draft, description: Orders}\n"
    )
    (folder / "owners.yaml").write_text("- {id: ops, name: Operations}\n")
    errors = io.StringIO()

    call_command("import_contract", str(folder), "--space", _space_argument(space),
                 stdout=io.StringIO(), stderr=errors)

    assert f"skipped {folder / 'notes.yaml'}" in errors.getvalue()
    with space_scope(space):
        assert DataContract.objects.get().name == "orders"
        assert Owner.objects.get().name == "Operations"


def test_dry_run_writes_nothing(db, space, unscoped):
    output = _run("import_contract", str(FIXTURES / "member_contract.yaml"),
                  "--space", _space_argument(space), "--dry-run")

    assert output == "library_members 1.0.0: would be created\n"
    assert DataContract.objects.count() == 0


def test_an_unknown_space_is_a_clear_error(db):
    with pytest.raises(CommandError, match="'nowhere/none': no such space"):
        _run("import_contract", str(FIXTURES / "member_contract.yaml"),
             "--space", "nowhere/none")


def test_a_contract_travels_through_odcs_and_back(db, space, tmp_path):
    from tests.factories import SpaceFactory

    second_space = SpaceFactory(organization=space.organization)
    _run("import_contract", str(DEMO / "flight_bookings-1.0.0.yaml"),
         "--space", _space_argument(space))
    odcs_file = tmp_path / "flight_bookings.odcs.yaml"
    errors = io.StringIO()
    call_command("export_contract", "flight_bookings", "--format", "odcs",
                 "--space", _space_argument(space), "--output", str(odcs_file),
                 stdout=io.StringIO(), stderr=errors)
    odcs = _load(odcs_file)

    _run("import_contract", str(odcs_file), "--space", _space_argument(second_space))
    text = _run("export_contract", "flight_bookings", "--space", _space_argument(second_space))

    assert odcs["apiVersion"].startswith("v3") and odcs["kind"] == "DataContract"
    assert {server["server"] for server in odcs["servers"]} >= {"RES-CORE", "LOYALTY"}
    assert "coercion" in errors.getvalue()  # what ODCS cannot hold is named, not dropped
    original = _load(DEMO / "flight_bookings-1.0.0.yaml")
    back = yaml.safe_load(text)
    assert back["schema"]["properties"] == original["schema"]["properties"]
    assert back["validation_rules"]["rules"] == original["validation_rules"]["rules"]
    assert back["metadata"]["ownership"] == original["metadata"]["ownership"]


def _statuses(space):
    with space_scope(space):
        return dict(DataContract.objects.values_list("version", "status"))


def _without_activation_owners(document):
    ownership = document["metadata"]["ownership"]
    del ownership["business_owners"], ownership["it_application_owners"]


def test_an_active_import_without_the_required_owners_fails_naming_file_and_gate(
    db, space, unscoped, tmp_path
):
    contract = _variant(tmp_path, _without_activation_owners)

    with pytest.raises(CommandError) as error:
        _run("import_contract", str(contract), "--space", _space_argument(space))

    assert str(error.value).splitlines() == [
        f"{contract}: contract library_members 1.0.0, field status: library_members 1.0.0 "
        f"cannot be imported as active: An active contract needs at least one {role}. Import "
        "it with status draft, and activate it once this is resolved."
        for role in ("business owner", "IT application owner")
    ]
    assert DataContract.objects.count() == 0
    assert Owner.objects.count() == 0


def test_an_active_import_activates_the_version_and_deprecates_the_one_that_was_active(
    db, space, other_space, tmp_path
):
    _run("import_contract", str(FIXTURES / "member_contract.yaml"),
         "--space", _space_argument(space))
    # Owner ids are global (the ERD's key), so the other organization's draft names none.
    other_draft = _variant(tmp_path, lambda document: document["metadata"].pop("ownership"),
                           status="draft")
    _run("import_contract", str(other_draft), "--space", _space_argument(other_space))
    compatible = _variant(tmp_path, lambda document: document.update(version="1.1.0"))

    output = _run("import_contract", str(compatible), "--space", _space_argument(space))

    assert output == "library_members 1.1.0: created\n"
    assert _statuses(space) == {"1.0.0": "deprecated", "1.1.0": "active"}
    with space_scope(space):
        assert dict(DataContract.objects.values_list(
            "version", "metadata_record__status"
        )) == {"1.0.0": "deprecated", "1.1.0": "active"}
    assert _statuses(other_space) == {"1.0.0": "draft"}


def test_an_active_import_that_breaks_the_active_version_is_refused_without_a_sign_off(
    db, space, tmp_path
):
    _run("import_contract", str(FIXTURES / "member_contract.yaml"),
         "--space", _space_argument(space))

    def breaking(document):
        document["version"] = "2.0.0"
        document["schema"]["properties"]["age"]["maximum"] = 99

    variant = _variant(tmp_path, breaking)
    with pytest.raises(CommandError) as error:
        _run("import_contract", str(variant), "--space", _space_argument(space))

    assert str(variant) in str(error.value)
    assert ("field status: library_members 2.0.0 cannot be imported as active: "
            "library_members 2.0.0 breaks what library_members 1.0.0 accepted") in str(error.value)
    assert "a steward must sign off before it is activated" in str(error.value)
    assert _statuses(space) == {"1.0.0": "active"}


def test_a_deprecated_import_leaves_the_active_version_active(db, space, tmp_path):
    _run("import_contract", str(FIXTURES / "member_contract.yaml"),
         "--space", _space_argument(space))
    older = _variant(tmp_path, lambda document: document.update(version="0.9.0"),
                     status="deprecated")

    _run("import_contract", str(older), "--space", _space_argument(space))

    assert _statuses(space) == {"0.9.0": "deprecated", "1.0.0": "active"}
