"""Exports of lists over PYCHARTER_EXPORT_JOB_THRESHOLD_ROWS: a worker writes the file, the
job's page offers it to the members of its space only."""

import csv
import io
import json

import pytest
from django.urls import reverse

from contracts.admin import export_jobs
from contracts.resources import FORMATS
from tenancy.models import Job, JobState
from tests import factories
from tests.quality.admin.helpers import admin_url, signed_in
from tests.task_queue import run_queued_tasks

pytestmark = pytest.mark.usefixtures("unscoped")

FORMAT_INDEX = {format_class().get_title(): str(index) for index, format_class
                in enumerate(FORMATS)}


@pytest.fixture
def exports(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PYCHARTER_EXPORT_JOB_THRESHOLD_ROWS = 3
    monkeypatch.setattr(export_jobs, "EXPORT_BATCH_ROWS", 2)  # several batches of a few rows
    return settings.MEDIA_ROOT


@pytest.fixture
def violations(space, other_space):
    contract = factories.DataContractFactory(space=space, name="flights", version="1.0.0")
    theirs = factories.DataContractFactory(space=other_space, name="flights", version="1.0.0")
    for number in range(5):
        factories.QualityViolationFactory(
            data_contract=contract, record_identifier=f"ours_{number}",
            severity="critical" if number < 4 else "warning",
            error_message="=1+1" if number == 0 else "too low",
        )
    for number in range(4):
        factories.QualityViolationFactory(data_contract=theirs,
                                          record_identifier=f"theirs_{number}")
    return contract


def _export(client, django_capture_on_commit_callbacks, query="", file_format="csv"):
    url = admin_url("qualityviolation", "export") + (f"?{query}" if query else "")
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, {"format": FORMAT_INDEX[file_format], "resource": "0"})


def test_a_long_list_is_written_by_a_worker_and_downloaded_from_the_job(
    steward, viewer, other_steward, violations, exports, django_capture_on_commit_callbacks
):
    client = signed_in(steward)

    response = _export(client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    run_queued_tasks()
    job.refresh_from_db()
    download_url = reverse("admin:tenancy_job_download", args=[job.pk])
    page = client.get(reverse("admin:tenancy_job_change", args=[job.pk])).content.decode()
    downloaded = client.get(download_url)
    rows = list(csv.DictReader(io.StringIO(b"".join(downloaded.streaming_content).decode())))

    assert response["Location"] == reverse("admin:tenancy_job_change", args=[job.pk])
    assert (job.kind, job.state, job.error) == ("contracts.list_export", JobState.DONE, "")
    assert (job.progress_done, job.progress_total, job.progress_percent) == (5, 5, 100)
    assert job.result_url == download_url
    assert job.result_summary.startswith("5 quality violations of Flights exported to ")
    assert f'href="{download_url}"' in page
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"].startswith('attachment; filename="quality-violations')
    assert sorted(row["record_identifier"] for row in rows) == [f"ours_{n}" for n in range(5)]
    assert {row["error_message"] for row in rows} == {"'=1+1", "too low"}
    assert signed_in(viewer).get(download_url).status_code == 200
    assert signed_in(other_steward).get(download_url).status_code == 404


def test_the_export_job_writes_the_filtered_list_as_one_json_array(
    steward, violations, exports, django_capture_on_commit_callbacks
):
    _export(signed_in(steward), django_capture_on_commit_callbacks,
            query="severity__exact=critical", file_format="json")
    run_queued_tasks()

    job = Job.objects.get()
    rows = json.loads(job.result_file.read())
    assert sorted(row["record_identifier"] for row in rows) == [f"ours_{n}" for n in range(4)]


def test_a_list_within_the_threshold_is_still_answered_at_once(
    steward, violations, exports, settings, django_capture_on_commit_callbacks
):
    settings.PYCHARTER_EXPORT_JOB_THRESHOLD_ROWS = 5

    response = _export(signed_in(steward), django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert Job.objects.count() == 0


def test_a_long_list_across_spaces_must_be_filtered_by_space_first(
    space, other_space, violations, exports, django_capture_on_commit_callbacks
):
    both = factories.MembershipFactory(space=space, role="steward").user
    factories.MembershipFactory(space=other_space, role="steward", user=both)
    client = signed_in(both)

    refused = _export(client, django_capture_on_commit_callbacks)
    page = client.get(refused["Location"]).content.decode()
    filtered = _export(client, django_capture_on_commit_callbacks,
                       query=f"space__id__exact={other_space.pk}")
    run_queued_tasks()

    job = Job.objects.get()
    rows = list(csv.DictReader(io.StringIO(job.result_file.read().decode())))
    assert "Filter the list by space, then export." in page
    assert filtered["Location"] == reverse("admin:tenancy_job_change", args=[job.pk])
    assert job.space == other_space
    assert sorted(row["record_identifier"] for row in rows) == [f"theirs_{n}" for n in range(4)]
