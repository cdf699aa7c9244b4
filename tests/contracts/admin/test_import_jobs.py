"""Admin imports above PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES: stored, queued, imported by a
worker all or nothing; the job names what it wrote, or the file, line, row and field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import Owner
from quality.models import QualityViolation
from tenancy.models import Job, JobState
from tests import factories
from tests.task_queue import run_queued_tasks

pytestmark = pytest.mark.usefixtures("unscoped")

OWNER_IMPORT_URL = reverse("admin:contracts_owner_import")
VIOLATION_IMPORT_URL = reverse("admin:quality_qualityviolation_import")
CSV, JSON, YAML = "0", "1", "2"
OWNERS_CSV = (
    "id,name,email,team,additional_info\n"
    "maria_chen,Maria Chen,maria@example.com,revenue,\n"
    'lincoln_mak,Lincoln Mak,,ops,"{""desk"": 4}"\n'
)
VIOLATIONS_CSV = (
    "contract_name,contract_version,schema_id,record_identifier,field_name,error_type,"
    "error_message,severity\n"
    "flights,1.0.0,user,user_1,age,validation_error,age must be >= 0,warning\n"
    "flights,1.0.0,user,user_2,user_id,missing_field,required field is missing,critical\n"
)


@pytest.fixture
def job_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES = 40
    return settings.MEDIA_ROOT / "jobs" / "imports"


def _post(client, url, text, *, space, name="owners.csv", file_format=CSV, capture):
    with capture(execute=True):
        return client.post(url, {"space": space.pk, "format": file_format, "resource": "0",
                                 "import_file": SimpleUploadedFile(name, text.encode())})


def _owners():
    return sorted(Owner.objects.values_list("pk", "organization_id"))


def test_a_large_owner_file_is_imported_by_a_worker_and_the_job_links_the_list(
    steward_client, space, other_space, steward, job_threshold, django_capture_on_commit_callbacks
):
    factories.OwnerFactory(organization=other_space.organization, id="theirs", name="Theirs")

    response = _post(steward_client, OWNER_IMPORT_URL, OWNERS_CSV, space=space,
                     capture=django_capture_on_commit_callbacks)
    job = Job.objects.get()
    before_the_worker = _owners()
    stored = list(job_threshold.rglob("owners.csv"))
    run_queued_tasks()
    page = steward_client.get(reverse("admin:tenancy_job_change", args=[job.pk]))

    job.refresh_from_db()
    assert response["Location"] == reverse("admin:tenancy_job_change", args=[job.pk])
    assert before_the_worker == [("theirs", other_space.organization_id)]
    assert len(stored) == 1
    assert (job.kind, job.space, job.requested_by, job.state) == (
        "quality.file_import", space, steward, JobState.DONE)
    assert job.result_summary == ("Imported owners from owners.csv into Flights: 2 new, "
                                  "0 updated, 0 unchanged, 0 skipped.")
    assert job.result_url == reverse("admin:contracts_owner_changelist")
    assert f'<a href="{job.result_url}">{job.result_summary}</a>' in page.content.decode()
    assert _owners() == [("lincoln_mak", space.organization_id),
                         ("maria_chen", space.organization_id),
                         ("theirs", other_space.organization_id)]
    assert not stored[0].exists()


def test_a_large_file_with_a_bad_row_fails_naming_file_line_row_and_field_and_writes_nothing(
    steward_client, space, job_threshold, django_capture_on_commit_callbacks
):
    text = OWNERS_CSV + "ops_team,Operations,,ops,not json\n"
    _post(steward_client, OWNER_IMPORT_URL, text, space=space,
          capture=django_capture_on_commit_callbacks)
    job = Job.objects.get()

    run_queued_tasks()

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == (
        "Nothing was imported: 1 error in owners.csv.\n"
        "owners.csv, line 4, field additional_info: not valid JSON: Expecting value "
        "(character 1)"
    )
    assert _owners() == []
    assert len(list(job_threshold.rglob("owners.csv"))) == 1  # kept for a retry


def test_a_large_violation_file_is_streamed_by_a_worker(
    steward_client, space, job_threshold, django_capture_on_commit_callbacks
):
    factories.DataContractFactory(space=space, name="flights", version="1.0.0")

    _post(steward_client, VIOLATION_IMPORT_URL, VIOLATIONS_CSV, space=space,
          name="violations.csv", capture=django_capture_on_commit_callbacks)
    run_queued_tasks()

    job = Job.objects.get()
    assert (job.state, job.error) == (JobState.DONE, "")
    assert job.result_url == reverse("admin:quality_qualityviolation_changelist")
    assert sorted(QualityViolation.objects.filter(space=space)
                  .values_list("record_identifier", flat=True)) == ["user_1", "user_2"]


def test_a_large_yaml_violation_file_is_refused_before_storing(
    steward_client, space, job_threshold, django_capture_on_commit_callbacks
):
    response = _post(steward_client, VIOLATION_IMPORT_URL, "- {contract_name: flights}\n" * 3,
                     space=space, name="violations.yaml", file_format=YAML,
                     capture=django_capture_on_commit_callbacks)
    page = steward_client.get(response["Location"])

    assert Job.objects.count() == 0
    assert "YAML cannot be streamed" in page.content.decode()
    assert not job_threshold.exists()


def test_a_large_file_for_a_space_the_user_may_not_edit_queues_nothing(
    steward_client, other_space, job_threshold, django_capture_on_commit_callbacks
):
    response = _post(steward_client, OWNER_IMPORT_URL, OWNERS_CSV, space=other_space,
                     capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "space" in response.context["form"].errors
    assert Job.objects.count() == 0
    assert not job_threshold.exists()


def test_a_file_within_the_threshold_keeps_its_preview(
    steward_client, space, job_threshold, settings, django_capture_on_commit_callbacks
):
    settings.PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES = len(OWNERS_CSV)

    response = _post(steward_client, OWNER_IMPORT_URL, OWNERS_CSV, space=space,
                     capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert Job.objects.count() == 0
