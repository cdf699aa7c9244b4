"""django-import-export in the admin: stewards import into a space they may edit (preview,
then confirm), everyone exports what they can see, and the other tenant is never touched."""

import json
import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract, Owner
from tests import factories
from tests.contracts.admin.contract_graph import contract_with_parts

pytestmark = pytest.mark.usefixtures("unscoped")

OWNER_IMPORT_URL = reverse("admin:contracts_owner_import")
OWNER_PROCESS_URL = reverse("admin:contracts_owner_process_import")
OWNER_EXPORT_URL = reverse("admin:contracts_owner_export")
CONTRACT_LIST_URL = reverse("admin:contracts_datacontract_changelist")
CONTRACT_IMPORT_URL = reverse("admin:contracts_datacontract_import")
CONTRACT_EXPORT_URL = reverse("admin:contracts_datacontract_export")
CSV, JSON, YAML = "0", "1", "2"

OWNERS_CSV = (
    "id,name,email,team,additional_info\n"
    "maria_chen,Maria Chen,maria@example.com,revenue,\n"
    'lincoln_mak,Lincoln Mak,,ops,"{""desk"": 4}"\n'
)


def _upload(name, text):
    return SimpleUploadedFile(name, text.encode())


def _preview(client, url, text, *, space, name="owners.csv", file_format=CSV):
    return client.post(url, {"space": space.pk, "format": file_format, "resource": "0",
                             "import_file": _upload(name, text)})


def _confirm_data(preview):
    form = preview.context["confirm_form"]
    return {name: form.initial[name] for name in
            ("import_file_name", "original_file_name", "format", "resource", "space")}


def _owners():
    return sorted(Owner.objects.values_list("pk", "name", "organization_id"))


# Import ----------------------------------------------------------------------------------


def test_a_steward_imports_owners_from_csv_after_a_preview(steward_client, space, other_space):
    factories.OwnerFactory(organization=other_space.organization, id="theirs", name="Theirs")

    page = steward_client.get(OWNER_IMPORT_URL)
    preview = _preview(steward_client, OWNER_IMPORT_URL, OWNERS_CSV, space=space)
    after_preview = _owners()
    confirmed = steward_client.post(OWNER_PROCESS_URL, _confirm_data(preview))

    assert page.status_code == 200
    assert page.context["form"].initial["space"] == space.pk
    result = preview.context["result"]
    assert [row.import_type for row in result.rows] == ["new", "new"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert after_preview == [("theirs", "Theirs", other_space.organization_id)]
    assert confirmed.status_code == 302
    assert confirmed.url == reverse("admin:contracts_owner_changelist")
    assert _owners() == [
        ("lincoln_mak", "Lincoln Mak", space.organization_id),
        ("maria_chen", "Maria Chen", space.organization_id),
        ("theirs", "Theirs", other_space.organization_id),
    ]
    assert Owner.objects.get(pk="lincoln_mak").additional_info == {"desk": 4}


def test_a_bad_row_shows_its_error_and_nothing_is_written(steward_client, space, other_space):
    text = OWNERS_CSV + "ops_team,Operations,,ops,not json\n"

    preview = _preview(steward_client, OWNER_IMPORT_URL, text, space=space)

    result = preview.context["result"]
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 3
    assert invalid.field_specific_errors == {
        "additional_info": ["not valid JSON: Expecting value (character 1)"]
    }
    assert "confirm_form" not in preview.context
    assert "not valid JSON: Expecting value (character 1)" in preview.text
    assert _owners() == []


def test_yaml_and_json_files_import_too(steward_client, space):
    json_preview = _preview(steward_client, OWNER_IMPORT_URL,
                            json.dumps([{"id": "maria_chen", "name": "Maria Chen"}]),
                            space=space, name="owners.json", file_format=JSON)
    steward_client.post(OWNER_PROCESS_URL, _confirm_data(json_preview))
    yaml_preview = _preview(steward_client, OWNER_IMPORT_URL, "- {id: ops, name: Operations}\n",
                            space=space, name="owners.yaml", file_format=YAML)
    steward_client.post(OWNER_PROCESS_URL, _confirm_data(yaml_preview))

    assert _owners() == [("maria_chen", "Maria Chen", space.organization_id),
                         ("ops", "Operations", space.organization_id)]


def test_a_steward_of_several_spaces_chooses_one_they_may_edit(
    client, steward, space, other_space
):
    second = factories.SpaceFactory(organization=factories.OrganizationFactory(name="Second"),
                                    name="Cargo")
    factories.MembershipFactory(space=second, user=steward, role="steward")
    factories.MembershipFactory(space=other_space, user=steward, role="viewer")
    client.force_login(steward)

    page = client.get(OWNER_IMPORT_URL)
    refused = _preview(client, OWNER_IMPORT_URL, OWNERS_CSV, space=other_space)
    preview = _preview(client, OWNER_IMPORT_URL, OWNERS_CSV, space=second)
    client.post(OWNER_PROCESS_URL, _confirm_data(preview))

    assert [label for _, label in page.context["form"].fields["space"].choices] == [
        "---------", "Cathay Data / Flights", "Second / Cargo",
    ]
    assert list(refused.context["form"].errors) == ["space"]
    assert {organization for _, _, organization in _owners()} == {second.organization_id}


def test_a_confirmation_cannot_be_turned_to_another_space(steward_client, space, other_space):
    preview = _preview(steward_client, OWNER_IMPORT_URL, OWNERS_CSV, space=space)

    response = steward_client.post(OWNER_PROCESS_URL,
                                   {**_confirm_data(preview), "space": other_space.pk})

    assert response.status_code == 200
    assert list(response.context["confirm_form"].errors) == ["space"]
    assert _owners() == []


def test_a_viewer_gets_no_import_button_and_no_import_page(viewer_client, space):
    listed = viewer_client.get(reverse("admin:contracts_owner_changelist"))
    contracts = viewer_client.get(CONTRACT_LIST_URL)
    page = viewer_client.get(OWNER_IMPORT_URL)
    posted = _preview(viewer_client, OWNER_IMPORT_URL, OWNERS_CSV, space=space)
    contract_file = viewer_client.get(reverse("admin:contracts_datacontract_import_contract_file"))

    assert listed.context["has_import_permission"] is False
    assert OWNER_IMPORT_URL not in listed.text
    assert OWNER_EXPORT_URL in listed.text
    assert CONTRACT_IMPORT_URL not in contracts.text
    assert "Import contract file" not in contracts.text
    assert CONTRACT_EXPORT_URL in contracts.text
    assert (page.status_code, posted.status_code, contract_file.status_code) == (403, 403, 403)
    assert _owners() == []


def test_the_contract_list_leads_to_one_import_page_per_kind(steward_client, space):
    listed = steward_client.get(CONTRACT_LIST_URL)
    links_page = steward_client.get(CONTRACT_IMPORT_URL + "?resource=1")

    assert listed.context["import_pages"] == [
        ("Import contracts", f"{CONTRACT_IMPORT_URL}?resource=0"),
        ("Import ownership links", f"{CONTRACT_IMPORT_URL}?resource=1"),
        ("Import system links", f"{CONTRACT_IMPORT_URL}?resource=2"),
    ]
    assert reverse("admin:contracts_datacontract_import_contract_file") in listed.text
    assert links_page.context["title"] == "Import ownership links"
    assert links_page.context["fields_list"] == [
        ("Import ownership links", ["contract_name", "contract_version", "role", "owner_id"])
    ]


def test_a_steward_imports_ownership_links_of_their_contracts_only(
    steward_client, space, other_space
):
    contract = contract_with_parts(space, name="bookings")
    contract_with_parts(other_space, name="bookings")
    factories.OwnerFactory(organization=space.organization, id="ours")
    factories.OwnerFactory(organization=other_space.organization, id="theirs")
    url = CONTRACT_IMPORT_URL + "?resource=1"
    text = "contract_name,contract_version,role,owner_id\nbookings,1.0.0,bu_sme,ours\n"

    refused = _preview(steward_client, url,
                       "contract_name,contract_version,role,owner_id\n"
                       "bookings,1.0.0,bu_sme,theirs\n", space=space, name="links.csv")
    preview = _preview(steward_client, url, text, space=space, name="links.csv")
    confirmed = steward_client.post(reverse("admin:contracts_datacontract_process_import"),
                                    _confirm_data(preview))

    assert [row.field_specific_errors for row in refused.context["result"].invalid_rows] == [
        {"owner_id": ["no owner 'theirs' in this organization"]}
    ]
    assert confirmed.status_code == 302
    links = OWNERSHIP_ROLE_LINKS["bu_sme"].objects.all()
    assert [(link.metadata_record_id, link.owner_id) for link in links] == [
        (contract.metadata_record_id, "ours")
    ]


def test_a_steward_imports_a_contract_row_into_the_chosen_space(
    steward_client, space, other_space
):
    text = "name,version,status,description\norders,1.0.0,draft,Orders\n"

    preview = _preview(steward_client, CONTRACT_IMPORT_URL + "?resource=0", text, space=space,
                       name="contracts.csv")
    steward_client.post(reverse("admin:contracts_datacontract_process_import"),
                        _confirm_data(preview))

    assert list(DataContract.objects.values_list("name", "space_id")) == [("orders", space.pk)]


# Export ----------------------------------------------------------------------------------


def _export(client, url, file_format=CSV):
    response = client.post(url, {"format": file_format, "resource": "0"})
    assert response.status_code == 200
    return response.content.decode()


def test_a_viewer_exports_their_organizations_owners_only(viewer_client, space, other_space):
    factories.OwnerFactory(organization=space.organization, id="ours", name="=HYPERLINK(1)",
                          email=None, team=None)
    factories.OwnerFactory(organization=other_space.organization, id="theirs", name="Theirs")

    text = _export(viewer_client, OWNER_EXPORT_URL)

    assert text.splitlines() == ["id,name,email,team,additional_info",
                                 "ours,'=HYPERLINK(1),,,"]
    assert "theirs" not in text and "Theirs" not in text


def test_the_export_is_the_filtered_contract_list(steward_client, space, other_space):
    factories.DataContractFactory(space=space, name="bookings", status="active")
    factories.DataContractFactory(space=space, name="orders", status="draft")
    factories.DataContractFactory(space=other_space, name="secret_contract", status="active")

    everything = _export(steward_client, CONTRACT_EXPORT_URL, JSON)
    active = _export(steward_client, CONTRACT_EXPORT_URL + "?status__exact=active", JSON)

    assert sorted(row["name"] for row in json.loads(everything)) == ["bookings", "orders"]
    assert [row["name"] for row in json.loads(active)] == ["bookings"]
    assert "secret_contract" not in everything


def test_exports_come_in_yaml_too(steward_client, space):
    factories.DomainFactory(organization=space.organization, name="Revenue", description="-1")

    text = _export(steward_client, reverse("admin:contracts_domain_export"), YAML)

    assert text == "- {name: Revenue, description: '-1'}\n"


# The confirm step ------------------------------------------------------------------------

UNKNOWN_PENDING_IMPORT = ("This import was not previewed by you for this space, or it has "
                          "expired: upload the file again.")


@pytest.fixture
def stray_file():
    """A file of the temporary folder that no preview of this user wrote."""
    path = Path(tempfile.gettempdir()) / f"stray-{uuid.uuid4().hex}.csv"
    path.write_text(OWNERS_CSV)
    yield path
    path.unlink(missing_ok=True)


def _confirm_errors(response):
    return response.context["confirm_form"].errors


def test_a_confirmation_cannot_name_another_file_of_the_temporary_folder(
    steward_client, space, other_space, stray_file
):
    preview = _preview(steward_client, OWNER_IMPORT_URL, OWNERS_CSV, space=space)

    response = steward_client.post(OWNER_PROCESS_URL, {**_confirm_data(preview),
                                                       "import_file_name": stray_file.name})

    assert response.status_code == 200
    assert _confirm_errors(response) == {"import_file_name": [UNKNOWN_PENDING_IMPORT]}
    assert stray_file.read_text() == OWNERS_CSV
    assert _owners() == []


def test_a_confirmation_naming_a_file_that_is_not_there_is_answered_with_an_error(
    steward_client, space
):
    preview = _preview(steward_client, OWNER_IMPORT_URL, OWNERS_CSV, space=space)

    response = steward_client.post(OWNER_PROCESS_URL, {**_confirm_data(preview),
                                                       "import_file_name": "no-such-file"})

    assert response.status_code == 200
    assert _confirm_errors(response) == {"import_file_name": [UNKNOWN_PENDING_IMPORT]}
    assert _owners() == []


def test_another_user_cannot_confirm_a_previewed_import(client, steward, space, other_space):
    colleague = factories.MembershipFactory(space=space, role="steward").user
    client.force_login(steward)
    preview = _preview(client, OWNER_IMPORT_URL, OWNERS_CSV, space=space)
    client.force_login(colleague)

    refused = client.post(OWNER_PROCESS_URL, _confirm_data(preview))
    client.force_login(steward)
    confirmed = client.post(OWNER_PROCESS_URL, _confirm_data(preview))

    assert _confirm_errors(refused) == {"import_file_name": [UNKNOWN_PENDING_IMPORT]}
    assert confirmed.status_code == 302
    assert [owner_id for owner_id, _, _ in _owners()] == ["lincoln_mak", "maria_chen"]


def test_a_preview_cannot_be_confirmed_into_another_space_the_user_may_edit(
    client, steward, space, other_space
):
    second = factories.SpaceFactory(organization=factories.OrganizationFactory(name="Second"))
    factories.MembershipFactory(space=second, user=steward, role="steward")
    client.force_login(steward)
    preview = _preview(client, OWNER_IMPORT_URL, OWNERS_CSV, space=space)

    response = client.post(OWNER_PROCESS_URL, {**_confirm_data(preview), "space": second.pk})

    assert _confirm_errors(response) == {"import_file_name": [UNKNOWN_PENDING_IMPORT]}
    assert _owners() == []


def test_a_confirmation_sent_twice_imports_once_and_then_says_so(steward_client, space):
    preview = _preview(steward_client, OWNER_IMPORT_URL, OWNERS_CSV, space=space)

    first = steward_client.post(OWNER_PROCESS_URL, _confirm_data(preview))
    second = steward_client.post(OWNER_PROCESS_URL, _confirm_data(preview), follow=True)

    assert first.status_code == 302
    assert second.redirect_chain == [(OWNER_IMPORT_URL, 302)]
    assert [str(message) for message in second.context["messages"]] == [
        "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped owners.",
        UNKNOWN_PENDING_IMPORT,
    ]
    assert [owner_id for owner_id, _, _ in _owners()] == ["lincoln_mak", "maria_chen"]
