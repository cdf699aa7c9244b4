""""Import contract file" on the contract list: upload, preview (a dry run), confirm; only into
a space the user may edit, with errors that name the file, line and field."""

import io
from pathlib import Path

import pytest
import yaml
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from contracts.admin.contract_import import SIGNING_SALT, sign_upload
from contracts.models import DataContract, Owner, System
from tenancy.models import Job, JobState
from tests import factories
from tests.task_queue import run_queued_tasks

pytestmark = pytest.mark.usefixtures("unscoped")

URL = reverse("admin:contracts_datacontract_import_contract_file")
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pycharter"
DEMO = Path(__file__).resolve().parents[3] / "contracts" / "demo"
TEMPLATE_CONTRACT = (FIXTURES / "member_contract.yaml").read_bytes()


def _preview(client, space, content=TEMPLATE_CONTRACT, name="member_contract.yaml",
             replace=False):
    data = {"space": space.pk, "contract_file": SimpleUploadedFile(name, content)}
    if replace:
        data["replace"] = "on"
    return client.post(URL, data)


def _confirm(client, preview):
    return client.post(URL, {"payload": preview.context["confirm_form"].initial["payload"]})


def _contracts():
    return sorted(DataContract.objects.values_list("name", "version", "space_id", "description"))


def test_a_steward_previews_then_imports_a_contract_file(steward_client, space, other_space):
    factories.SystemFactory(organization=other_space.organization, name="branch_registration_kiosk")

    page = steward_client.get(URL)
    preview = _preview(steward_client, space)
    after_preview = _contracts()
    confirmed = _confirm(steward_client, preview)

    assert page.status_code == 200
    assert page.context["form"].initial["space"] == space.pk
    summary = preview.context["preview"]
    assert [(result.contract.name, result.contract.version, result.outcome)
            for result in summary["contracts"]] == [("library_members", "1.0.0", "created")]
    assert summary["file_name"] == "member_contract.yaml"
    assert summary["notes"] == []
    assert "Confirm import" in preview.text
    assert after_preview == []
    contract = DataContract.objects.get()
    assert confirmed.status_code == 302
    assert confirmed.url == reverse("admin:contracts_datacontract_change", args=[contract.pk])
    assert _contracts() == [("library_members", "1.0.0", space.pk, contract.description)]
    assert not DataContract.objects.filter(space=other_space).exists()
    assert list(System.objects.filter(organization=other_space.organization)
                .values_list("name", flat=True)) == ["branch_registration_kiosk"]


def test_the_preview_tells_unchanged_and_replaced_apart(steward_client, space):
    document = yaml.safe_load(TEMPLATE_CONTRACT)
    document["status"] = "draft"
    draft = yaml.safe_dump(document, sort_keys=False).encode()
    _confirm(steward_client, _preview(steward_client, space, draft))
    document["description"] = "Changed"
    changed = yaml.safe_dump(document, sort_keys=False).encode()

    unchanged = _preview(steward_client, space, draft)
    refused = _preview(steward_client, space, changed)
    replaced = _preview(steward_client, space, changed, replace=True)
    _confirm(steward_client, replaced)

    assert [result.outcome for result in unchanged.context["preview"]["contracts"]] == [
        "unchanged"
    ]
    assert refused.context["errors"] == [
        "member_contract.yaml: contract library_members 1.0.0, field version: "
        "library_members 1.0.0 already exists with other content; import a new version, "
        "or replace a draft with --replace."
    ]
    assert [result.outcome for result in replaced.context["preview"]["contracts"]] == [
        "replaced"
    ]
    assert DataContract.objects.get().description == "Changed"


def _odcs_document(space, tmp_path):
    """flight_bookings 1.0.0 of the demo, as ODCS v3 exported from `space`."""
    space_argument = f"{space.organization.slug}/{space.slug}"
    call_command("import_contract", str(DEMO / "flight_bookings-1.0.0.yaml"),
                 "--space", space_argument, stdout=io.StringIO(), stderr=io.StringIO())
    odcs_file = tmp_path / "flight_bookings.odcs.yaml"
    call_command("export_contract", "flight_bookings", "--format", "odcs",
                 "--space", space_argument, "--output", str(odcs_file),
                 stdout=io.StringIO(), stderr=io.StringIO())
    return odcs_file.read_bytes()


def test_an_odcs_file_is_previewed_with_notes_of_what_it_cannot_hold(
    steward_client, space, other_space, tmp_path
):
    source = factories.SpaceFactory(organization=space.organization, name="Source")
    document = yaml.safe_load(_odcs_document(source, tmp_path))
    document["slaProperties"] = [{"property": "latency", "value": 4}]
    content = yaml.safe_dump(document, sort_keys=False).encode()
    other_systems = _systems(other_space.organization)

    preview = _preview(steward_client, space, content, name="flight_bookings.odcs.yaml")
    _confirm(steward_client, preview)

    summary = preview.context["preview"]
    assert [(result.contract.name, result.outcome) for result in summary["contracts"]] == [
        ("flight_bookings", "created")
    ]
    assert summary["notes"] == [
        "not imported from ODCS: slaProperties: PyCharter has no field for it"
    ]
    assert summary["notes"][0] in preview.text
    assert list(DataContract.objects.filter(name="flight_bookings")
                .values_list("space_id", flat=True).order_by("created_at")) == [source.pk, space.pk]
    assert _systems(other_space.organization) == other_systems == []


def test_an_owner_id_another_organization_holds_is_refused(
    steward_client, space, other_space, tmp_path
):
    content = _odcs_document(other_space, tmp_path)

    preview = _preview(steward_client, space, content, name="flight_bookings.odcs.yaml")

    assert preview.context["errors"] == [
        "flight_bookings.odcs.yaml: contract flight_bookings 1.0.0, field id: The owner id "
        "'maria_chen' is not available; choose another id."
    ]
    assert not DataContract.objects.filter(space=space).exists()
    assert _systems(space.organization) == []


def _systems(organization):
    return sorted(System.objects.filter(organization=organization).values_list("name", flat=True))


def test_an_error_names_the_file_line_and_field_and_nothing_is_written(steward_client, space):
    broken = b"name: x\nversion: '1.0.0'\nschema: [unclosed\n"

    response = _preview(steward_client, space, broken, name="C:\\work\\broken.yaml")

    [error] = response.context["errors"]
    assert error.startswith("broken.yaml, line 4, column 1: not valid YAML")
    assert "confirm_form" not in response.context
    assert not DataContract.objects.exists()


def test_a_field_error_names_the_field(steward_client, space):
    document = yaml.safe_load(TEMPLATE_CONTRACT)
    document["schema"]["properties"]["full_name"]["maxLength"] = "long"
    content = yaml.safe_dump(document, sort_keys=False).encode()

    response = _preview(steward_client, space, content)

    [error] = response.context["errors"]
    assert error.startswith("member_contract.yaml")
    assert "schema" in error
    assert not DataContract.objects.exists()


def test_a_file_over_the_limit_is_refused(steward_client, space, settings):
    settings.PYCHARTER_MAX_CONTRACT_BYTES = 100

    response = _preview(steward_client, space)

    assert response.context["form"].errors == {
        "contract_file": ["member_contract.yaml: the file is larger than the limit of 100 bytes"]
    }
    assert not DataContract.objects.exists()


def test_a_steward_cannot_import_into_another_space(steward_client, space, other_space):
    response = _preview(steward_client, other_space)

    assert list(response.context["form"].errors) == ["space"]
    assert not DataContract.objects.exists()


def test_a_tampered_confirmation_imports_nothing(steward_client, space):
    preview = _preview(steward_client, space)
    payload = preview.context["confirm_form"].initial["payload"]

    response = steward_client.post(URL, {"payload": payload[:-2] + "xx"})

    assert response.context["errors"] == ["The preview was changed: upload the file again."]
    assert not DataContract.objects.exists()


def test_a_confirmation_signed_for_another_space_or_user_imports_nothing(
    steward_client, steward, other_steward, space, other_space
):
    into_other_space = sign_upload(user=steward, space=other_space, name="c.yaml",
                                   content=TEMPLATE_CONTRACT, replace=False)
    by_other_user = sign_upload(user=other_steward, space=space, name="c.yaml",
                                content=TEMPLATE_CONTRACT, replace=False)

    responses = [steward_client.post(URL, {"payload": payload})
                 for payload in (into_other_space, by_other_user)]

    assert [response.context["errors"] for response in responses] == [
        ["You may not import into this space."], ["You may not import into this space."]
    ]
    assert not DataContract.objects.exists()
    assert signing.loads(into_other_space, salt=SIGNING_SALT)["space"] == str(other_space.pk)


def test_viewers_may_not_import_contract_files(viewer_client, space):
    page = viewer_client.get(URL)
    posted = _preview(viewer_client, space)

    assert (page.status_code, posted.status_code) == (403, 403)
    assert not DataContract.objects.exists()
    assert not Owner.objects.exists()



def test_an_active_contract_file_is_refused_until_its_activation_gates_pass(steward_client, space):
    document = yaml.safe_load(TEMPLATE_CONTRACT)
    ownership = document["metadata"]["ownership"]
    del ownership["business_owners"], ownership["it_application_owners"]

    preview = _preview(steward_client, space, yaml.safe_dump(document).encode())

    assert preview.context["errors"] == [
        f"member_contract.yaml: contract library_members 1.0.0, field status: library_members "
        f"1.0.0 cannot be imported as active: An active contract needs at least one {role}. "
        "Import it with status draft, and activate it once this is resolved."
        for role in ("business owner", "IT application owner")
    ]
    assert "confirm_form" not in preview.context
    assert not DataContract.objects.exists()


# Files over the job threshold --------------------------------------------------------------


@pytest.fixture
def job_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES = 100
    return settings.MEDIA_ROOT / "jobs" / "contract-files"


def test_a_large_contract_file_is_imported_by_a_worker_and_its_job_links_the_contract(
    steward_client, space, steward, job_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _preview(steward_client, space)
    job = Job.objects.get()
    before_the_worker = _contracts()
    run_queued_tasks()

    job.refresh_from_db()
    contract = DataContract.objects.get()
    assert response["Location"] == reverse("admin:tenancy_job_change", args=[job.pk])
    assert before_the_worker == []
    assert (job.kind, job.requested_by, job.state, job.error) == (
        "contracts.document_import", steward, JobState.DONE, "")
    assert job.result == contract
    assert job.result_url == reverse("admin:contracts_datacontract_change", args=[contract.pk])
    assert job.result_summary.startswith("member_contract.yaml: library_members 1.0.0: created")
    assert (contract.space, contract.name) == (space, "library_members")
    assert list(job_threshold.rglob("*.yaml")) == []


def test_a_large_broken_contract_file_fails_naming_file_line_and_field(
    steward_client, space, job_threshold, django_capture_on_commit_callbacks
):
    broken = b"name: x\nversion: '1.0.0'\n" + b"# padding\n" * 20 + b"schema: [unclosed\n"
    with django_capture_on_commit_callbacks(execute=True):
        _preview(steward_client, space, broken, name="broken.yaml")
    run_queued_tasks()

    job = Job.objects.get()
    assert job.state == JobState.FAILED
    assert job.error.startswith("broken.yaml, line 24, column 1: not valid YAML")
    assert not DataContract.objects.exists()
    assert len(list(job_threshold.rglob("broken.yaml"))) == 1
