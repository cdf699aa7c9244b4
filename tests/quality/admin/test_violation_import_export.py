"""Import (previewed, then confirmed) and export of the violations list in the admin."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.resources import FORMATS
from quality.models import QualityViolation
from tenancy.models import Role
from tests import factories
from tests.quality.admin.helpers import admin_url, signed_in, violations_url

pytestmark = pytest.mark.usefixtures("unscoped")

CSV_FORMAT = str(next(index for index, format_class in enumerate(FORMATS)
                      if format_class().get_title() == "csv"))
JSON_FORMAT = str(next(index for index, format_class in enumerate(FORMATS)
                       if format_class().get_title() == "json"))
HEADER = ("contract_name,contract_version,schema_id,record_identifier,field_name,error_type,"
          "error_message,severity\n")
GOOD_ROWS = (
    "flights,1.0.0,user,user_1,age,validation_error,age must be >= 0,warning\n"
    "flights,1.0.0,user,user_2,user_id,missing_field,required field is missing,critical\n"
)


def _csv(text, name="violations.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _preview(client, text, **fields):
    return client.post(admin_url("qualityviolation", "import"),
                       {"import_file": _csv(text), "format": CSV_FORMAT, "resource": "0",
                        **fields})


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(admin_url("qualityviolation", "process_import"), data)


def _identifiers(space):
    return sorted(QualityViolation.objects.filter(space=space)
                  .values_list("record_identifier", flat=True))


def _export(client, query="", file_format=CSV_FORMAT):
    url = admin_url("qualityviolation", "export") + (f"?{query}" if query else "")
    return client.post(url, {"format": file_format, "resource": "0"})


@pytest.fixture
def foreign_twin(unscoped, other_space):
    """A contract of the other organization named like this space's, with a violation."""
    contract = factories.DataContractFactory(space=other_space, name="flights")
    factories.QualityViolationFactory(data_contract=contract, record_identifier="theirs")
    return contract


def test_the_list_offers_import_and_export_beside_incidents(contract, steward_client):
    html = steward_client.get(violations_url()).content.decode()

    assert f'href=\'{admin_url("qualityviolation", "import")}\'' in html
    assert f'href="{admin_url("qualityviolation", "export")}' in html
    assert f'href="{admin_url("qualityviolation", "incidents")}"' in html


def test_an_import_is_previewed_writing_nothing_then_confirmed(
    contract, space, other_space, steward, steward_client, foreign_twin
):
    preview = _preview(steward_client, HEADER + GOOD_ROWS)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert (result.totals["new"], result.has_errors(), result.has_validation_errors()) == (
        2, False, False)
    assert _identifiers(space) == []
    assert preview.context["confirm_form"].initial["space"] == space.pk

    response = _confirm(steward_client, preview)

    assert response.status_code == 302
    assert response["Location"] == violations_url()
    assert list(QualityViolation.objects.filter(space=space).order_by("record_identifier")
                .values_list("record_identifier", "data_contract_id", "field_name", "status")) == [
        ("user_1", contract.pk, "age", "open"),
        ("user_2", contract.pk, "user_id", "open"),
    ]
    assert _identifiers(other_space) == ["theirs"]


def test_a_bad_row_is_shown_with_its_error_and_nothing_is_written(
    contract, space, other_space, steward_client, foreign_twin
):
    bad_row = "flights,9.9.9,user,user_3,age,validation_error,age must be >= 0,warning\n"

    preview = _preview(steward_client, HEADER + GOOD_ROWS + bad_row)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [3]
    assert "confirm_form" not in preview.context
    assert _identifiers(space) == []
    assert _identifiers(other_space) == ["theirs"]


def test_a_user_editing_several_spaces_chooses_where_the_rows_go(
    contract, space, other_space, steward, foreign_twin
):
    second = factories.SpaceFactory(organization=space.organization, name="Hotels", slug="hotels")
    factories.MembershipFactory(space=second, user=steward, role=Role.STEWARD)
    factories.DataContractFactory(space=second, name="flights")
    client = signed_in(steward)

    form_page = client.get(admin_url("qualityviolation", "import"))
    choices = [label for _, label in form_page.context["form"].fields["space"].choices]
    preview = _preview(client, HEADER + GOOD_ROWS, space=second.pk)
    _confirm(client, preview)

    assert choices == ["Flights", "Hotels"]
    assert _identifiers(second) == ["user_1", "user_2"]
    assert _identifiers(space) == []
    assert _identifiers(other_space) == ["theirs"]


def test_a_space_the_user_may_not_edit_is_refused(
    contract, space, other_space, steward_client, foreign_twin
):
    preview = _preview(steward_client, HEADER + GOOD_ROWS, space=other_space.pk)

    assert "space" in preview.context["form"].errors
    assert _identifiers(other_space) == ["theirs"]
    assert _identifiers(space) == []


def test_a_forged_confirmation_into_another_space_is_refused(
    contract, space, other_space, steward_client, foreign_twin
):
    preview = _preview(steward_client, HEADER + GOOD_ROWS)
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["space"] = other_space.pk

    response = steward_client.post(admin_url("qualityviolation", "process_import"), data)

    assert response.status_code == 200
    assert "space" in response.context["confirm_form"].errors
    assert _identifiers(other_space) == ["theirs"]
    assert _identifiers(space) == []


def test_a_confirmation_cannot_name_a_file_the_user_did_not_preview(
    contract, space, steward_client, foreign_twin
):
    preview = _preview(steward_client, HEADER + GOOD_ROWS)
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["import_file_name"] = "no-such-file"

    response = steward_client.post(admin_url("qualityviolation", "process_import"), data)

    assert response.status_code == 200
    assert list(response.context["confirm_form"].errors) == ["import_file_name"]
    assert _identifiers(space) == []


def test_a_viewer_may_export_but_not_import(contract, viewer_client):
    factories.QualityViolationFactory(data_contract=contract, record_identifier="ours")

    assert viewer_client.get(admin_url("qualityviolation", "import")).status_code == 403
    assert _export(viewer_client).status_code == 200


def test_the_export_holds_the_users_filtered_rows_only(contract, steward_client, foreign_twin):
    factories.QualityViolationFactory(data_contract=contract, record_identifier="open_one")
    factories.QualityViolationFactory(data_contract=contract, record_identifier="resolved_one",
                                      status="resolved")

    everything = _export(steward_client, file_format=JSON_FORMAT)
    filtered = _export(steward_client, "status=resolved", file_format=JSON_FORMAT)

    assert everything.status_code == 200
    rows = json.loads(everything.content)
    assert sorted(row["record_identifier"] for row in rows) == ["open_one", "resolved_one"]
    assert {(row["contract_name"], row["contract_version"]) for row in rows} == {
        ("flights", "1.0.0")}
    assert [row["record_identifier"] for row in json.loads(filtered.content)] == ["resolved_one"]


def test_the_export_names_each_violations_assignee_and_priority(
    contract, steward_client, colleague
):
    factories.QualityViolationFactory(data_contract=contract, record_identifier="taken",
                                      status="assigned", assignee=colleague, priority="high")
    factories.QualityViolationFactory(data_contract=contract, record_identifier="waiting")

    rows = json.loads(_export(steward_client, file_format=JSON_FORMAT).content)

    assert sorted((row["record_identifier"], row["assignee"], row["priority"])
                  for row in rows) == [("taken", "colleague", "high"),
                                       ("waiting", "", "medium")]
    assert list(rows[0])[-2:] == ["additional_metadata", "assignee"]


def test_a_csv_export_neutralises_formulas(contract, steward_client):
    factories.QualityViolationFactory(data_contract=contract, record_identifier="=HYPERLINK(1)",
                                      error_message="+1 bad")

    response = _export(steward_client)

    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert ",'=HYPERLINK(1)," in text
    assert ",'+1 bad," in text
