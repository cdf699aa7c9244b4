"""Background jobs: queued on commit, run once in their space, all or nothing, retried."""

import json

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from tenancy.jobs import (
    JOB_KINDS,
    JOB_LOCK_NAMESPACE,
    JobFailure,
    JobOutcome,
    job_enqueue,
    job_kind,
    job_retry,
    job_run,
    jobs_orphaned_fail,
)
from tenancy.models import Attachment, AuditLogEntry, Comment, Job, JobState
from tenancy.scoping import space_scope
from tenancy.shared import comment_add
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def half_way_kind():
    """Work that writes a comment, reports progress, then dies."""

    @job_kind("tests.half_way", label="Dies half way")
    def half_way(*, job, payload, progress):
        comment_add(target=job.space, author=job.requested_by, body="written before dying")
        progress(1, 2)
        raise RuntimeError(f"row 2 of {payload['file']}: broken")

    yield "tests.half_way"
    del JOB_KINDS["tests.half_way"]


@pytest.fixture
def comment_kind():
    @job_kind("tests.comment", label="Writes a comment")
    def comment(*, job, payload, progress):
        progress(1, 1)
        written = comment_add(target=job.space, author=job.requested_by, body=payload["body"])
        return JobOutcome(summary="1 comment written.", target=written)

    yield "tests.comment"
    del JOB_KINDS["tests.comment"]


def _job(space, steward, kind, payload=None):
    with space_scope(space):
        return job_enqueue(kind=kind, space=space, user=steward, payload=payload or {})


def test_a_job_is_queued_only_when_its_transaction_commits(
    space, steward, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _job(space, steward, "tenancy.audit_export")
        queued_before_commit = DBTaskResult.objects.count()
    for callback in callbacks:
        callback()

    task = DBTaskResult.objects.get()
    assert queued_before_commit == 0
    assert (job.state, job.requested_by, job.attempts) == (JobState.QUEUED, steward, 0)
    assert task.task_path == "tenancy.jobs.job_task"
    assert task.args_kwargs == {"args": [], "kwargs": {"job_id": str(job.pk)}}


def test_a_job_runs_in_its_space_as_the_user_who_asked_and_links_its_result(
    space, other_space, steward, media
):
    factories.MembershipFactory(space=other_space)  # an audit entry in the other space
    job = _job(space, steward, "tenancy.audit_export")

    job_run(job_id=job.pk)

    job.refresh_from_db()
    attachment = Attachment.objects.get()
    exported = attachment.file.read().decode().splitlines()
    assert (job.state, job.attempts, job.error) == (JobState.DONE, 1, "")
    assert job.started_at <= job.finished_at
    assert job.result_object_id == str(attachment.pk)
    assert job.result_url == reverse("attachment-download", args=[attachment.pk])
    assert job.result_summary == f"{len(exported) - 1} audit log entries exported to " \
                                 f"{attachment.filename}."
    assert (job.progress_done, job.progress_total) == (len(exported) - 1, len(exported) - 1)
    assert exported[0] == "created_at,actor_name,source,action,object_repr"
    assert all(",other," not in line for line in exported)
    assert (attachment.space, attachment.author) == (space, steward)
    entry = AuditLogEntry.objects.get(action="tenancy.attachment.added")
    assert (entry.actor, entry.source) == (steward, "job:tenancy.audit_export")


def test_a_job_that_fails_half_way_wrote_nothing_and_shows_the_error(
    space, steward, half_way_kind
):
    job = _job(space, steward, half_way_kind, {"file": "orders.csv"})

    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert job.error == "RuntimeError: row 2 of orders.csv: broken"
    assert job.finished_at is not None
    assert Comment.objects.count() == 0


def test_a_job_already_taken_is_not_run_again(space, steward, comment_kind):
    job = _job(space, steward, comment_kind, {"body": "once"})
    job_run(job_id=job.pk)

    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 1)
    assert list(Comment.objects.values_list("body", flat=True)) == ["once"]


def test_a_failed_job_is_retried_by_a_steward_and_then_runs(
    space, steward, comment_kind, half_way_kind, django_capture_on_commit_callbacks
):
    job = _job(space, steward, comment_kind, {"body": "second time lucky"})
    Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, error="Boom", attempts=1)
    other_steward = factories.MembershipFactory(space=space, role="steward").user

    with django_capture_on_commit_callbacks(execute=True), space_scope(space):
        retried = job_retry(job=job, user=other_steward)
    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (retried.state, retried.error, retried.requested_by) == (
        JobState.QUEUED, "", other_steward)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__job_id=str(job.pk)).count() == 1
    assert Comment.objects.get().author == other_steward


def test_a_job_that_dies_half_way_is_retried_and_then_writes_its_work_exactly_once(
    space, steward, django_capture_on_commit_callbacks
):
    @job_kind("tests.flaky", label="Dies the first time")
    def flaky(*, job, payload, progress):
        written = comment_add(target=job.space, author=job.requested_by, body="the work")
        progress(1, 2)
        if job.attempts == 1:
            raise RuntimeError("the disk filled up half way")
        progress(2, 2)
        return JobOutcome(summary="written", target=written)

    try:
        job = _job(space, steward, "tests.flaky")
        job_run(job_id=job.pk)
        job.refresh_from_db()
        failed = (job.state, job.error, Comment.objects.count())
        with django_capture_on_commit_callbacks(execute=True), space_scope(space):
            job_retry(job=job, user=steward)
        job_run(job_id=job.pk)
    finally:
        del JOB_KINDS["tests.flaky"]

    job.refresh_from_db()
    assert failed == (JobState.FAILED, "RuntimeError: the disk filled up half way", 0)
    assert (job.state, job.attempts, job.error) == (JobState.DONE, 2, "")
    assert list(Comment.objects.values_list("body", flat=True)) == ["the work"]
    assert job.result == Comment.objects.get()


def test_a_job_failure_meant_for_the_steward_is_shown_as_it_is(space, steward):
    @job_kind("tests.refused", label="Refuses its file")
    def refused(*, job, payload, progress):
        raise JobFailure("members.csv, line 3, field age: not a number")

    try:
        job = _job(space, steward, "tests.refused")
        job_run(job_id=job.pk)
    finally:
        del JOB_KINDS["tests.refused"]

    job.refresh_from_db()
    assert (job.state, job.error) == (JobState.FAILED,
                                      "members.csv, line 3, field age: not a number")


def test_only_a_failed_job_can_be_retried(space, steward, comment_kind):
    from django.core.exceptions import ValidationError

    job = _job(space, steward, comment_kind, {"body": "x"})

    with space_scope(space), pytest.raises(ValidationError) as raised:
        job_retry(job=job, user=steward)

    assert raised.value.messages == ["Only a failed job can be retried; this one is queued."]


# The admin ---------------------------------------------------------------------------------


@pytest.fixture
def steward_client(client, steward):
    client.force_login(steward)
    return client


def test_the_jobs_list_shows_the_users_spaces_only_with_a_progress_bar(
    steward_client, space, other_space, steward, other_steward, comment_kind
):
    mine = _job(space, steward, comment_kind, {"body": "x"})
    Job.objects.filter(pk=mine.pk).update(state=JobState.RUNNING, progress_done=3,
                                          progress_total=12)
    _job(other_space, other_steward, comment_kind, {"body": "theirs"})

    response = steward_client.get(reverse("admin:tenancy_job_changelist"))

    assert response.status_code == 200
    assert [job.pk for job in response.context["cl"].result_list] == [mine.pk]
    status_url = reverse("admin:tenancy_job_status", args=[mine.pk])
    assert (f'<span class="job-progress" data-state="running" data-status-url="{status_url}">'
            '<progress max="12" value="3"></progress>') in response.content.decode()


def test_the_status_endpoint_reports_state_and_progress(steward_client, space, steward,
                                                          half_way_kind):
    job = _job(space, steward, half_way_kind, {"file": "a.csv"})
    job_run(job_id=job.pk)

    response = steward_client.get(reverse("admin:tenancy_job_status", args=[job.pk]))

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "id": str(job.pk), "state": "failed", "progress_done": 0, "progress_total": None,
        "percent": None, "error": "RuntimeError: row 2 of a.csv: broken",
        "result_summary": "", "result_url": "",
    }


@pytest.mark.parametrize("page", ["change", "status"])
def test_another_spaces_job_is_not_found(steward_client, other_space, other_steward,
                                         comment_kind, page):
    theirs = _job(other_space, other_steward, comment_kind, {"body": "theirs"})

    response = steward_client.get(reverse(f"admin:tenancy_job_{page}", args=[theirs.pk]))

    assert response.status_code == 404


def test_a_steward_retries_a_failed_job_from_its_page(
    steward_client, space, steward, other_space, other_steward, half_way_kind,
    django_capture_on_commit_callbacks,
):
    job = _job(space, steward, half_way_kind, {"file": "a.csv"})
    job_run(job_id=job.pk)
    theirs = _job(other_space, other_steward, half_way_kind, {"file": "b.csv"})
    job_run(job_id=theirs.pk)

    page = steward_client.get(reverse("admin:tenancy_job_change", args=[job.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = steward_client.post(reverse("admin:tenancy_job_retry", args=[job.pk]))
    refused = steward_client.post(reverse("admin:tenancy_job_retry", args=[theirs.pk]))

    job.refresh_from_db()
    theirs.refresh_from_db()
    assert "RuntimeError: row 2 of a.csv: broken" in page.content.decode()
    assert reverse("admin:tenancy_job_retry", args=[job.pk]) in page.content.decode()
    assert response.status_code == 302
    assert job.state == JobState.QUEUED
    assert refused.status_code == 404
    assert theirs.state == JobState.FAILED
    assert DBTaskResult.objects.count() == 1


def test_a_viewer_sees_jobs_but_may_not_retry(client, space, viewer, steward, half_way_kind):
    job = _job(space, steward, half_way_kind, {"file": "a.csv"})
    job_run(job_id=job.pk)
    client.force_login(viewer)

    page = client.get(reverse("admin:tenancy_job_change", args=[job.pk]))
    response = client.post(reverse("admin:tenancy_job_retry", args=[job.pk]))

    job.refresh_from_db()
    assert page.status_code == 200
    assert reverse("admin:tenancy_job_retry", args=[job.pk]) not in page.content.decode()
    assert response.status_code == 403
    assert job.state == JobState.FAILED


# PostgreSQL: progress is visible before the work commits ------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_visible_to_others_while_the_work_runs(requires_postgresql, space, steward):
    seen = {}

    @job_kind("tests.observed", label="Observed")
    def observed(*, job, payload, progress):
        progress(40, 100)
        observer = connection.copy()
        try:
            with observer.cursor() as cursor:
                cursor.execute("SELECT state, progress_done, progress_total FROM tenancy_job "
                               "WHERE id = %s", [job.pk])
                seen["row"] = cursor.fetchone()
        finally:
            observer.close()
        return JobOutcome(summary="seen")

    try:
        job = _job(space, steward, "tests.observed")
        job_run(job_id=job.pk)
    finally:
        del JOB_KINDS["tests.observed"]

    with scope(space=[space.pk]):
        job.refresh_from_db()
    assert seen["row"] == ("running", 40, 100)
    assert (job.state, job.progress_done, job.progress_total) == (JobState.DONE, 40, 100)


# Periodic work -----------------------------------------------------------------------------


def test_each_periodic_task_has_exactly_one_run_waiting(db, settings):
    from django_tasks.base import TaskResultStatus

    from tenancy.jobs import periodic_tasks_schedule

    periodic_tasks_schedule()
    DBTaskResult.objects.filter(task_path="tenancy.jobs.worker_heartbeat").update(
        status=TaskResultStatus.SUCCESSFUL)
    periodic_tasks_schedule()
    periodic_tasks_schedule()

    waiting = DBTaskResult.objects.values_list("task_path", "status").order_by("task_path")
    assert list(waiting) == [
        ("quality.jobs.alert_deliveries_retry", TaskResultStatus.READY),
        ("tenancy.jobs.jobs_orphaned_fail_task", TaskResultStatus.READY),
        ("tenancy.jobs.worker_heartbeat", TaskResultStatus.READY),
    ]


def test_a_running_job_whose_worker_is_alive_is_not_marked_failed(
    requires_postgresql, space, steward
):
    seen = {}

    @job_kind("tests.watched", label="Watched while running")
    def watched(*, job, payload, progress):
        observer = connection.copy()  # another session, as the periodic check runs in
        try:
            with observer.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))",
                               [JOB_LOCK_NAMESPACE, str(job.pk)])
                seen["lock_free"] = cursor.fetchone()[0]
        finally:
            observer.close()
        return JobOutcome(summary="done")

    try:
        job = _job(space, steward, "tests.watched")
        job_run(job_id=job.pk)
    finally:
        del JOB_KINDS["tests.watched"]

    job.refresh_from_db()
    assert seen == {"lock_free": False}
    assert job.state == JobState.DONE
    assert jobs_orphaned_fail() == 0
