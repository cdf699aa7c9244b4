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


def _import_refusal(folder, space):
    """The command's refusal; manage.py exits with its return code and prints its message."""
    with pytest.raises(CommandError) as error:
        call_command("import_contract", str(folder),
                     "--space", f"{space.organization.slug}/{space.slug}",
                     stdout=io.StringIO(), stderr=io.StringIO())
    return error.value.returncode, str(error.value)


def test_importing_an_empty_folder_exits_non_zero_naming_the_folder(db, space, unscoped,
                                                                      tmp_path):
    folder = tmp_path / "contracts-to-load"
    folder.mkdir()

    code, message = _import_refusal(folder, space)

    assert code == 1
    assert message == (
        f"{folder}: nothing to import: the folder has no entries in a contracts, "
        "owners, systems or domains file (.yaml, .yml or .json) of PyCharter's seed layout"
    )
    assert DataContract.objects.count() == 0


def test_a_folder_of_files_outside_the_seed_layout_has_nothing_to_import(db, space, unscoped,
                                                                          tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "member_contract.yaml").write_text((FIXTURES / "member_contract.yaml").read_text())
    (folder / "contracts.yaml").write_text("# filled in by the nightly job\n")

    code, message = _import_refusal(folder, space)

    assert code == 1
    assert message.startswith(f"{folder}: nothing to import: ")
    assert DataContract.objects.count() == 0


def test_a_folder_of_reference_data_alone_still_imports(db, space, unscoped, tmp_path):
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / "owners.yaml").write_text("- {id: ops, name: Operations}\n")

    call_command("import_contract", str(folder),
                 "--space", f"{space.organization.slug}/{space.slug}",
                 stdout=io.StringIO(), stderr=io.StringIO())

    assert list(Owner.objects.values_list("name", flat=True)) == ["Operations"]


def _site_header(html):
    return '<span class="pycharter-brand__name">PyCharter Governance</span>' in html


def test_a_refused_admin_page_is_the_sites_own_403_page(client, viewer, space, unscoped):
    from django.urls import reverse

    from tests.factories import DataContractFactory

    contract = DataContractFactory(space=space, name="flight_bookings")
    client.force_login(viewer)

    response = client.get(reverse("admin:contracts_datacontract_activate", args=[contract.pk]))

    html = response.content.decode()
    assert response.status_code == 403
    assert _site_header(html)
    assert "<title>Not allowed | PyCharter Governance</title>" in html
    assert "<h1>Not allowed</h1>" in html
    assert f"Your account <strong>{viewer.username}</strong> may not open this page" in html
    assert '<a href="/admin/">Back to the site home</a>' in html
    assert 'id="logout-form"' in html


def test_a_refusal_with_a_reason_shows_the_reason(rf, viewer):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/admin/contracts/owner/x/delete/")
    request.user = viewer

    response = permission_denied(
        request, PermissionDenied("The space Flights links to it and you may not edit it.")
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert _site_header(html)
    assert "<p>The space Flights links to it and you may not edit it.</p>" in html


def test_the_admin_pages_name_the_sites_icon(admin_client):
    html = admin_client.get("/admin/").content.decode()

    assert '<link rel="icon" href="/static/pycharter/favicon.ico" sizes="32x32">' in html
    assert '<link rel="icon" href="/static/pycharter/favicon.svg" type="image/svg+xml">' in html


def test_favicon_ico_redirects_to_the_vendored_icon(client, db):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/pycharter/favicon.ico"
    icon = Path(finders.find("pycharter/favicon.ico")).read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"
    assert b"PNG" in icon[:32]
    assert Path(finders.find("pycharter/favicon.svg")).read_text().startswith("<svg ")


def _capitalized(response):
    """Every spelling of my_contract on the page that is not the one written."""
    html = response.content.decode()
    return sorted({spelling for spelling in ("My_contract", "MY_CONTRACT", "My_Contract")
                   if spelling in html})


def test_a_contracts_name_shows_as_written_on_its_pages_and_in_messages(
    client, steward, space, unscoped
):
    import json

    from django.urls import reverse

    from contracts.models import DataContract
    from tests.contracts.admin.contract_graph import BOOKING_SCHEMA

    client.force_login(steward)
    added = client.post(reverse("admin:contracts_datacontract_add"), {
        "space": space.pk, "name": "my_contract", "version": "1.0.0", "description": "",
        "schema_data": json.dumps(BOOKING_SCHEMA), "validation_rules_data": "",
        "coercion_rules_data": "", "metadata_type": "object", "metadata_description": "",
        "governance_rules": "",
    }, follow=True)
    contract = DataContract.objects.get(name="my_contract")
    change = reverse("admin:contracts_datacontract_change", args=[contract.pk])

    pages = {
        "added": added,
        "changelist": client.get(reverse("admin:contracts_datacontract_changelist")),
        "changelist search": client.get(reverse("admin:contracts_datacontract_changelist"),
                                        {"q": "my_contract"}),
        "change": client.get(change),
        "history": client.get(reverse("admin:contracts_datacontract_history",
                                      args=[contract.pk])),
        "delete": client.get(reverse("admin:contracts_datacontract_delete",
                                     args=[contract.pk])),
        "new version": client.get(reverse("admin:contracts_datacontract_new_version",
                                          args=[contract.pk])),
        "deprecated": client.post(reverse("admin:contracts_datacontract_deprecate",
                                          args=[contract.pk]), follow=True),
    }

    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(
        pages, 200
    )
    assert {name: _capitalized(response) for name, response in pages.items()} == dict.fromkeys(
        pages, []
    )
    assert "my_contract 1.0.0 was added as a draft." in pages["added"].content.decode()
    assert "my_contract 1.0.0 is deprecated." in pages["deprecated"].content.decode()
