"""What a person meets at the edges: wrong space names, empty folders, refusals, the tab icon."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contracts.models import DataContract, Owner
from tests.factories import OrganizationFactory, SpaceFactory

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pycharter"


def test_a_wrong_space_lists_the_spaces_a_command_can_use(db, space, other_space):
    acme = OrganizationFactory(name="Acme", slug="acme")
    SpaceFactory(organization=acme, name="Sales", slug="sales")
    SpaceFactory(organization=acme, name="Ops", slug="ops")

    with pytest.raises(CommandError) as error:
        call_command("import_contract", str(FIXTURES / "member_contract.yaml"),
                     "--space", "nowhere/none", stdout=io.StringIO(), stderr=io.StringIO())

    assert str(error.value) == (
        "--space 'nowhere/none': no such space. Spaces: acme/ops, acme/sales, "
        "cathay-data/flights, default/default, other-corp/other"
    )


def test_a_space_without_its_organization_lists_the_spaces_too(db, space):
    with pytest.raises(CommandError) as error:
        call_command("import_contract", str(FIXTURES / "member_contract.yaml"),
                     "--space", "flights", stdout=io.StringIO(), stderr=io.StringIO())

    assert str(error.value) == (
        "--space 'flights': expected organization/space, e.g. skyline/flight-operations. "
        "Spaces: cathay-data/flights, default/default"
    )


def _import_command_exit(folder, space):
    """Runs the command as manage.py does, so a refusal becomes the process's exit status."""
    from contracts.management.commands.import_contract import Command

    errors = io.StringIO()
    command = Command(stdout=io.StringIO(), stderr=errors)
    with pytest.raises(SystemExit) as exit_status:
        command.run_from_argv([
            "manage.py", "import_contract", str(folder),
            "--space", f"{space.organization.slug}/{space.slug}",
        ])
    return exit_status.value.code, errors.getvalue()


def test_importing_an_empty_folder_exits_non_zero_naming_the_folder(db, space, unscoped,
                                                                      tmp_path):
    folder = tmp_path / "contracts-to-load"
    folder.mkdir()

    code, errors = _import_command_exit(folder, space)

    assert code == 1
    assert errors == (
        f"CommandError: {folder}: nothing to import: the folder has no entries in a contracts, "
        "owners, systems or domains file (.yaml, .yml or .json) of PyCharter's seed layout\n"
    )
    assert DataContract.objects.count() == 0


def test_a_folder_of_files_outside_the_seed_layout_has_nothing_to_import(db, space, unscoped,
                                                                          tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "member_contract.yaml").write_text((FIXTURES / "member_contract.yaml").read_text())
    (folder / "contracts.yaml").write_text("# filled in by the nightly job\n")

    code, errors = _import_command_exit(folder, space)

    assert code == 1
    assert f"CommandError: {folder}: nothing to import" in errors
    assert DataContract.objects.count() == 0


def test_a_folder_of_reference_data_alone_still_imports(db, space, unscoped, tmp_path):
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / "owners.yaml").write_text("- {id: ops, name: Operations}\n")

    call_command("import_contract", str(folder),
                 "--space", f"{space.organization.slug}/{space.slug}",
                 stdout=io.StringIO(), stderr=io.StringIO())

    assert list(Owner.objects.values_list("name", flat=True)) == ["Operations"]
