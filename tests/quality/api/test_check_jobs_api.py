"""Checks posted over the API above the on-the-spot size: 202 Accepted, a job to follow."""

import pytest
from django.core.files.storage import default_storage
from django_scopes import scopes_disabled

from quality.models import QualityMetric, QualityViolation
from tenancy.models import Job
from tests.api_helpers import token_client
from tests.factories import DataContractFactory, SchemaFactory
from tests.task_queue import run_queued_tasks

pytestmark = pytest.mark.django_db

RECORDS = [{"user_id": "u1", "age": 30}, {"user_id": "u2", "age": "x"},
           {"user_id": "u3", "age": 41}]


@pytest.fixture
def api(space, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PYCHARTER_API_MAX_CHECK_RECORDS = 2
    return token_client(space)


def _post(api, contract, records, **extra):
    return api.post("/api/v1/quality/checks/", {
        "contract": str(contract.pk), "record_id_field": "user_id", "records": records,
        **extra,
    }, format="json")


def test_a_batch_above_the_check_size_is_accepted_as_a_job_and_followed_to_its_metric(
    api, contract, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _post(api, contract, RECORDS)
    queued = api.get(accepted["Location"]).json()
    with scopes_disabled():
        written_before_the_worker = QualityMetric.objects.count()
        stored = Job.objects.get().payload["stored_name"]

    run_queued_tasks()

    done = api.get(accepted["Location"]).json()
    with scopes_disabled():
        metric = QualityMetric.objects.get()
        violations = list(QualityViolation.objects.values_list("record_identifier", "field_name"))
    assert accepted.status_code == 202
    assert accepted["Location"] == f"/api/v1/jobs/{accepted.json()['id']}/"
    assert (accepted.json()["state"], accepted.json()["kind"]) == ("queued", "quality.check_run")
    assert queued["state"] == "queued"
    assert written_before_the_worker == 0
    assert (done["state"], done["error"], done["percent"]) == ("done", "", 100)
    assert done["result"] == {"type": "quality.qualitymetric", "id": str(metric.pk)}
    assert done["result_summary"].startswith("Quality check of flights 1.0.0 failed")
    assert (metric.record_count, metric.invalid_count) == (3, 1)
    assert metric.created_by.startswith("api-token:")
    assert violations == [("u2", "age")]
    assert not default_storage.exists(stored)


def test_a_batch_above_the_job_limit_is_refused_and_queues_nothing(api, contract, settings):
    settings.PYCHARTER_API_MAX_JOB_RECORDS = 2

    response = _post(api, contract, RECORDS)

    assert response.status_code == 400
    assert response.json()["records"][0].startswith("At most 2 records per request")
    with scopes_disabled():
        assert (Job.objects.count(), QualityMetric.objects.count()) == (0, 0)


def test_a_batch_within_the_check_size_is_still_checked_on_the_spot(api, contract):
    response = _post(api, contract, RECORDS[:2])

    assert response.status_code == 201
    with scopes_disabled():
        assert Job.objects.count() == 0


def test_another_spaces_job_answers_404_like_a_missing_one(api, contract, other_space,
                                                            django_capture_on_commit_callbacks):
    theirs = token_client(other_space)
    with scopes_disabled():
        their_contract = DataContractFactory(space=other_space, name="flights", status="active")
        their_contract.schema = SchemaFactory(data_contract=their_contract)
        their_contract.save()
    with django_capture_on_commit_callbacks(execute=True):
        their_job = _post(theirs, their_contract, RECORDS).json()["id"]

    foreign = api.get(f"/api/v1/jobs/{their_job}/")
    missing = api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/")
    malformed = api.get("/api/v1/jobs/not-a-job/")

    assert (foreign.status_code, foreign.json()) == (404, {"detail": "Not found."})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    assert malformed.status_code == 404
    assert theirs.get(f"/api/v1/jobs/{their_job}/").status_code == 200
