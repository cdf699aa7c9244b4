"""Running a quality check from a contract's page: upload a file, see the result at once."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quality.models import Alert, QualityMetric, QualityViolation
from tenancy.jobs import job_retry
from tenancy.models import Job, JobState
from tests import factories
from tests.quality.admin.helpers import admin_url
from tests.task_queue import run_queued_tasks

pytestmark = pytest.mark.usefixtures("unscoped")

RECORDS = [
    {"user_id": "u1", "age": 30},
    {"user_id": "u2", "age": -4},
    {"user_id": "u3", "age": "old"},
    {"user_id": "u4", "age": 51},
]


def _checkable(contract):
    contract.schema = factories.SchemaFactory(data_contract=contract)
    contract.save()
    return contract


def _jsonl(records=RECORDS, name="users.jsonl"):
    body = "".join(json.dumps(record) + "\n" for record in records).encode()
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def _run(client, contract, upload, **fields):
    return client.post(admin_url("qualityviolation", "run_check", contract.pk),
                       {"quality_check_file": upload, **fields})


def _contract_url(contract):
    return reverse("admin:contracts_datacontract_change", args=[contract.pk])


def _messages(response):
    return [str(message) for message in response.wsgi_request._messages]


def _written(space):
    return (QualityMetric.objects.filter(space=space).count(),
            QualityViolation.objects.filter(space=space).count(),
            Alert.objects.filter(space=space).count())


@pytest.fixture
def checkable(contract):
    return _checkable(contract)


@pytest.fixture
def foreign_contract(unscoped, other_space):
    return _checkable(factories.DataContractFactory(space=other_space, name="flights"))


def test_an_uploaded_file_is_checked_and_the_result_shown_on_the_contract_page(
    checkable, space, other_space, steward, steward_client, foreign_contract
):
    response = _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id")

    assert response.status_code == 302
    assert response["Location"] == _contract_url(checkable)
    metric = QualityMetric.objects.get(data_contract=checkable)
    assert (metric.record_count, metric.valid_count, metric.invalid_count) == (4, 2, 2)
    assert metric.created_by == steward.username
    assert metric.additional_metadata["source"] == "users.jsonl"
    assert metric.additional_metadata["format"] == "jsonl"
    assert sorted(QualityViolation.objects.filter(data_contract=checkable)
                  .values_list("record_identifier", "field_name")) == [("u2", "age"), ("u3", "age")]
    assert _messages(response) == [
        f"Quality check of flights 1.0.0 failed: score {metric.overall_score:.1f}, 4 records, "
        "2 invalid; violations opened 2, updated 0, reopened 0, resolved 0."
    ]
    assert _written(other_space) == (0, 0, 0)


def test_a_csv_beyond_the_memory_limit_streams_from_a_temporary_file(
    checkable, steward_client, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django spools the upload to disk
    upload = SimpleUploadedFile("users.csv", b"user_id,age\nu1,30\nu2,-4\n")

    response = _run(steward_client, checkable, upload, quality_check_record_id="user_id")

    assert response.status_code == 302
    metric = QualityMetric.objects.get(data_contract=checkable)
    assert (metric.record_count, metric.invalid_count, metric.additional_metadata["format"]) == (
        2, 1, "csv")
    assert list(QualityViolation.objects.filter(data_contract=checkable)
                .values_list("record_identifier", "field_name")) == [("u2", "age")]


def test_the_contract_page_shows_the_new_check_in_its_trend(checkable, steward_client):
    _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id")

    page = steward_client.get(_contract_url(checkable))

    assert page.status_code == 200
    assert page.content.decode().count('class="quality-trend__point') == 1


def test_the_contract_page_offers_the_upload_to_who_may_edit_only(
    checkable, steward_client, viewer_client
):
    run_url = admin_url("qualityviolation", "run_check", checkable.pk)

    steward_page = steward_client.get(_contract_url(checkable)).content.decode()
    viewer_page = viewer_client.get(_contract_url(checkable)).content.decode()

    assert f'formaction="{run_url}" formmethod="post" formenctype="multipart/form-data"' \
        in steward_page
    assert 'name="quality_check_file"' in steward_page
    assert run_url not in viewer_page
    assert 'name="quality_check_file"' not in viewer_page


def test_a_partial_file_keeps_open_the_violations_it_does_not_contain(checkable, steward_client):
    kept = factories.QualityViolationFactory(data_contract=checkable, record_identifier="u9")

    _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id",
         quality_check_partial="1")

    assert QualityViolation.objects.get(pk=kept.pk).status == "open"
    assert QualityMetric.objects.get(data_contract=checkable).additional_metadata[
        "full_dataset"] is False


def test_a_file_over_the_limit_is_refused_and_nothing_is_written(
    checkable, space, steward_client, settings
):
    settings.PYCHARTER_QUALITY_UPLOAD_MAX_BYTES = 40

    response = _run(steward_client, checkable, _jsonl())

    assert response.status_code == 302
    assert response["Location"] == _contract_url(checkable)
    assert _written(space) == (0, 0, 0)
    assert _messages(response) == [
        "users.jsonl is 119\xa0bytes; files over 40\xa0bytes cannot be checked here. "
        "Use `manage.py run_quality_check` on the server instead."
    ]


def test_a_file_of_exactly_the_limit_is_checked(checkable, space, steward_client, settings):
    settings.PYCHARTER_QUALITY_UPLOAD_MAX_BYTES = 119

    _run(steward_client, checkable, _jsonl())

    assert _written(space)[0] == 1


def test_a_file_whose_extension_tells_no_format_is_refused(checkable, space, steward_client):
    response = _run(steward_client, checkable, _jsonl(name="users.txt"))

    assert _written(space) == (0, 0, 0)
    assert _messages(response) == [
        "users.txt: the file name must end in .csv, .json, .jsonl or .ndjson, which tells "
        "its format."
    ]


def test_a_contract_without_schema_says_so(contract, space, steward_client):
    response = _run(steward_client, contract, _jsonl())

    assert _written(space) == (0, 0, 0)
    assert _messages(response) == [
        "The quality check could not run: flights 1.0.0 has no schema to check against."
    ]


def test_no_file_is_refused(checkable, space, steward_client):
    response = steward_client.post(admin_url("qualityviolation", "run_check", checkable.pk))

    assert _written(space) == (0, 0, 0)
    assert _messages(response) == [
        "Choose a data file (CSV, JSON or JSON Lines) to run a quality check."
    ]


def test_a_viewer_may_not_run_a_check(checkable, space, viewer_client):
    response = _run(viewer_client, checkable, _jsonl())

    assert response.status_code == 403
    assert _written(space) == (0, 0, 0)


def test_another_spaces_contract_is_not_found(
    foreign_contract, space, other_space, steward_client
):
    response = _run(steward_client, foreign_contract, _jsonl())

    assert response.status_code == 404
    assert _written(other_space) == (0, 0, 0)
    assert _written(space) == (0, 0, 0)


def test_a_check_is_only_posted(checkable, steward_client):
    response = steward_client.get(admin_url("qualityviolation", "run_check", checkable.pk))

    assert response.status_code == 405


def test_a_full_check_that_could_resolve_many_violations_asks_to_confirm_first(
    checkable, space, steward_client
):
    waiting = factories.QualityViolationFactory.create_batch(11, data_contract=checkable)

    page = steward_client.get(_contract_url(checkable)).content.decode()
    refused = _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id")

    assert "up to 11 now" in page
    assert 'name="quality_check_confirm_resolve"' in page
    assert _messages(refused) == [
        "Nothing was checked: a check of the full data would resolve up to 11 open violations "
        'that users.jsonl does not contain. Tick "Resolve the open violations the file does not '
        'contain" to go ahead, or say that the file holds only part of the data.'
    ]
    assert _written(space) == (0, 11, 0)
    assert {violation.status for violation in QualityViolation.objects.filter(
        pk__in=[violation.pk for violation in waiting])} == {"open"}


def test_a_confirmed_full_check_resolves_what_it_no_longer_finds(checkable, steward_client):
    factories.QualityViolationFactory.create_batch(11, data_contract=checkable)

    _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id",
         quality_check_confirm_resolve="1")

    assert QualityViolation.objects.filter(data_contract=checkable, status="resolved").count() == 11


def test_a_truncated_upload_is_an_incomplete_check_that_resolves_nothing(
    checkable, steward_client
):
    kept = factories.QualityViolationFactory(data_contract=checkable, record_identifier="u9")
    upload = SimpleUploadedFile("users.json", b'[{"user_id": "u1", "age": 30}, {broken')

    response = _run(steward_client, checkable, upload, quality_check_record_id="user_id")

    metric = QualityMetric.objects.get(data_contract=checkable)
    assert metric.is_complete is False
    assert QualityViolation.objects.get(pk=kept.pk).status == "open"
    assert _messages(response)[0].endswith(
        "resolved 0. The check is INCOMPLETE (part of the file could not be read), so it "
        "resolved nothing: users.json, line 1: the file ends inside a record (truncated)"
    )
    page = steward_client.get(_contract_url(checkable)).content.decode()
    assert ">incomplete</span>" in page


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("users.json", b"[]", "users.json holds no records: a check of nothing cannot pass."),
        ("users.jsonl", b'{"user_id": "u1"}\n',
         "no record of users.jsonl has the record id field 'booking_id'."),
    ],
)
def test_an_empty_file_or_an_unknown_record_id_field_is_refused_and_writes_nothing(
    name, body, message, checkable, space, steward_client
):
    response = _run(steward_client, checkable, SimpleUploadedFile(name, body),
                    quality_check_record_id="booking_id")

    assert _messages(response) == [f"The quality check could not run: {message}"]
    assert _written(space) == (0, 0, 0)


def test_nul_characters_in_an_upload_become_violations_not_a_server_error(
    checkable, steward_client
):
    upload = SimpleUploadedFile("users.jsonl", b'{"user_id": "u\\u0000", "age": 1}\n')

    response = _run(steward_client, checkable, upload, quality_check_record_id="user_id")

    assert response.status_code == 302
    violation = QualityViolation.objects.get(data_contract=checkable)
    assert (violation.record_identifier, violation.field_name) == ("u\ufffd", "user_id")
    assert violation.error_message.startswith("line 1, field 'user_id': the value holds a NUL")


def test_the_lists_show_incomplete_checks_and_violations_not_found_again(
    checkable, steward, steward_client
):
    taken_on = factories.QualityViolationFactory(data_contract=checkable, record_identifier="u9",
                                                 status="acknowledged")
    _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id")
    _run(steward_client, checkable, SimpleUploadedFile("users.json", b'[{"user_id": "u1"}, {'),
         quality_check_record_id="user_id")

    violations = steward_client.get(admin_url("qualityviolation")).content.decode()
    checks = steward_client.get(admin_url("qualitymetric", "changelist") + "?complete=no")

    assert QualityViolation.objects.get(pk=taken_on.pk).not_found_since is not None
    assert violations.count("not found in the latest check</span>") == 1
    assert [metric.is_complete for metric in checks.context["cl"].result_list] == [False]


# Large files run as jobs


@pytest.fixture
def job_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PYCHARTER_QUALITY_JOB_THRESHOLD_BYTES = 40
    return settings.MEDIA_ROOT


def test_a_file_over_the_job_threshold_returns_at_once_and_the_worker_writes_the_metric(
    checkable, space, other_space, steward, steward_client, job_threshold,
    django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id",
                        quality_check_partial="on")
    job = Job.objects.get()
    written_before_the_worker = _written(space)
    stored = list((job_threshold / "jobs" / "quality-checks").rglob("users.jsonl"))
    size = stored[0].stat().st_size

    run_queued_tasks()

    job.refresh_from_db()
    metric = QualityMetric.objects.get(data_contract=checkable)
    assert response["Location"] == reverse("admin:tenancy_job_change", args=[job.pk])
    assert written_before_the_worker == (0, 0, 0)
    assert len(stored) == 1
    assert (job.kind, job.space, job.requested_by) == ("quality.check_run", space, steward)
    assert (job.state, job.error) == (JobState.DONE, "")
    assert (job.progress_done, job.progress_total) == (size, size)
    assert job.result == metric
    assert job.result_url == reverse("admin:quality_qualitymetric_change", args=[metric.pk])
    assert job.result_summary == (
        f"Quality check of flights 1.0.0 failed: score {metric.overall_score:.1f}, 4 records, "
        "2 invalid; violations opened 2, updated 0, reopened 0, resolved 0."
    )
    assert (metric.created_by, metric.additional_metadata["full_dataset"]) == (
        steward.username, False)
    assert sorted(QualityViolation.objects.filter(data_contract=checkable)
                  .values_list("record_identifier", "field_name")) == [("u2", "age"), ("u3", "age")]
    assert not stored[0].exists()  # removed once the check committed
    assert _written(other_space) == (0, 0, 0)


def test_a_check_job_that_fails_half_way_writes_nothing_and_can_be_retried(
    checkable, space, steward, steward_client, job_threshold, django_capture_on_commit_callbacks
):
    # invalid records are written before the end of the file shows no record has the id field
    with django_capture_on_commit_callbacks(execute=True):
        _run(steward_client, checkable, _jsonl(), quality_check_record_id="booking_id",
             quality_check_partial="on")
    job = Job.objects.get()

    run_queued_tasks()

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == ("QualityCheckError: The quality check could not run: no record of "
                         "users.jsonl has the record id field 'booking_id'.")
    assert _written(space) == (0, 0, 0)
    assert len(list((job_threshold / "jobs" / "quality-checks").rglob("users.jsonl"))) == 1
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job, user=steward)
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.FAILED, 2)


def test_a_check_that_fails_again_updates_its_open_alert_and_a_passing_one_closes_it(
    checkable, space, steward_client
):
    _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id")
    _run(steward_client, checkable, _jsonl(RECORDS[1:]), quality_check_record_id="user_id")
    alert = Alert.objects.get(data_contract=checkable)
    second_metric = QualityMetric.objects.filter(data_contract=checkable).latest("created_at")
    repeated = (alert.occurrences, alert.latest_score, alert.quality_metric, alert.closed_at)

    _run(steward_client, checkable, _jsonl([RECORDS[0], RECORDS[3]]),
         quality_check_record_id="user_id", quality_check_confirm_resolve="on")

    alert.refresh_from_db()
    assert repeated == (2, second_metric.overall_score, second_metric, None)
    assert alert.closed_at is not None
    assert Alert.objects.filter(data_contract=checkable).count() == 1


def test_a_partial_passing_check_leaves_the_alert_open(checkable, steward_client):
    _run(steward_client, checkable, _jsonl(), quality_check_record_id="user_id")

    _run(steward_client, checkable, _jsonl([RECORDS[0]]), quality_check_record_id="user_id",
         quality_check_partial="on")

    assert Alert.objects.get(data_contract=checkable).closed_at is None


def test_an_upload_beyond_the_former_20_mb_limit_is_accepted_and_moved_to_its_job(
    checkable, space, steward_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    # The default limit (1 GB), Django's default memory limit: the upload streams to a
    # temporary file, which storage then moves for the job.
    settings.MEDIA_ROOT = tmp_path / "media"
    line = json.dumps({"user_id": "u1", "age": 30}).encode() + b"\n"
    body = line * (21 * 1024 * 1024 // len(line) + 1)
    assert len(body) > max(20 * 1024 * 1024, settings.FILE_UPLOAD_MAX_MEMORY_SIZE)

    with django_capture_on_commit_callbacks(execute=True):
        response = _run(steward_client, checkable, SimpleUploadedFile("big.jsonl", body),
                        quality_check_partial="on")

    job = Job.objects.get()
    [stored] = (tmp_path / "media" / "jobs" / "quality-checks").rglob("big.jsonl")
    assert response["Location"] == reverse("admin:tenancy_job_change", args=[job.pk])
    assert stored.stat().st_size == len(body)
    assert QualityMetric.objects.count() == 0
