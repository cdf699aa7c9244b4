"""Background jobs: long work leaves the web request and runs in a worker process.

The queue is Django's tasks API (the `django-tasks` backport of `django.tasks`, part
of Django 6.0) with its database backend (`django-tasks-db`). We chose it over
Procrastinate because the queue must live wherever the site's data lives: Procrastinate
needs PostgreSQL (LISTEN/NOTIFY, its own PL/pgSQL functions), while the site's
zero-setup demo and its test suite run on SQLite and must run jobs too. The database
backend runs on both: on PostgreSQL several workers on several machines take tasks
with `SELECT ... FOR UPDATE SKIP LOCKED`, on SQLite one exclusive transaction at a
time. No broker, no Redis; `manage.py run_worker` starts a worker. The code speaks
the standard tasks API, so moving to `django.tasks` with Django 6 changes an import.

The queue only carries a job id. What a steward follows is the `Job` row: a service
records it and enqueues it when the transaction commits; the runner claims it
(exactly once, even when two workers hold the same id), runs the work in the job's
space scope as the user who asked, inside one transaction (a job that fails wrote
nothing), and records the outcome. Progress is written through a connection of its
own, so the admin sees it before the work commits.

A kind of work is a function registered with `@job_kind("app.name", label=...)` in an
app's `jobs` module (imported at start-up). It gets the job, its payload and a
`progress(done, total)` callable and returns a `JobOutcome`; it raises `JobFailure` with a
message for the steward (the file, row and field) when the work cannot be done.

A worker that dies mid-job takes its transaction with it, so nothing is half-written, but
the job would stay "running". On PostgreSQL a running job holds a lock of its worker's
database session, freed when the session ends; `jobs_orphaned_fail` (periodic) marks failed,
and so retryable, the running jobs whose lock is free.
"""

import csv
import io
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import F
from django.db.utils import load_backend
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_scopes import scopes_disabled
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from tenancy.audit import audit_actor
from tenancy.models import AuditLogEntry, Job, JobState
from tenancy.scoping import space_scope
from tenancy.shared import attachment_add

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    work: object


@dataclass(frozen=True)
class JobOutcome:
    """What a job wrote: a one-line summary and the object (or URL) to read it at."""

    summary: str
    target: object = None
    url: str = ""


JOB_KINDS = {}


def job_kind(name, *, label):
    """Register `work(*, job, payload, progress) -> JobOutcome` as the kind `name`."""

    def register(work):
        JOB_KINDS[name] = JobKind(name=name, label=label, work=work)
        return work

    return register


# Writes ----------------------------------------------------------------------------------


@transaction.atomic
def job_enqueue(*, kind, space, user, payload):
    """Record a queued job in `space` and hand it to the workers once this transaction commits
    (a request that rolls back queues nothing)."""
    if kind not in JOB_KINDS:
        raise ValidationError({"kind": f"Unknown job kind {kind!r}."})
    job = Job(kind=kind, space=space, payload=payload,
              requested_by=user if user is not None and user.is_authenticated else None)
    job.full_clean()
    job.save()
    transaction.on_commit(partial(job_task.enqueue, job_id=str(job.pk)))
    return job


@transaction.atomic
def job_retry(*, job, user):
    """Queue a failed job again, on behalf of `user`."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state != JobState.FAILED:
        raise ValidationError(f"Only a failed job can be retried; this one is {job.state}.")
    job.state = JobState.QUEUED
    job.requested_by = user if user.is_authenticated else None
    job.error = ""
    job.progress_done = 0
    job.progress_total = None
    job.started_at = job.finished_at = None
    job.save(update_fields=["state", "requested_by", "error", "progress_done", "progress_total",
                            "started_at", "finished_at"])
    transaction.on_commit(partial(job_task.enqueue, job_id=str(job.pk)))
    return job


def job_run(*, job_id):
    """Run one queued job to done or failed. A job that is not queued (another worker has it,
    or it finished) is left alone."""
    # The queue names the job only by id: its space is what we read it for.
    with scopes_disabled():
        job = Job.objects.select_related("space", "requested_by").get(pk=job_id)
    with space_scope(job.space), _job_lock(job.pk) as locked:
        if not locked:
            return
        claimed = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            state=JobState.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1,
        )
        if not claimed:
            return
        job.refresh_from_db(fields=["state", "started_at", "attempts"])
        progress = JobProgress(job)
        actor = {"user": job.requested_by} if job.requested_by else {"name": f"job:{job.kind}"}
        try:
            with audit_actor(source=f"job:{job.kind}", **actor), transaction.atomic():
                _sqlite_write_lock_take(job)
                kind = JOB_KINDS.get(job.kind)
                if kind is None:
                    raise LookupError(f"No worker knows the job kind {job.kind!r}.")
                outcome = kind.work(job=job, payload=job.payload, progress=progress)
                _job_finish(job=job, outcome=outcome, progress=progress)
        except Exception as error:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            job.state = JobState.FAILED
            job.error = (str(error) if isinstance(error, JobFailure)
                         else f"{type(error).__name__}: {error}")
            job.finished_at = timezone.now()
            job.save(update_fields=["state", "error", "finished_at"])
        finally:
            progress.close()


def _sqlite_write_lock_take(job):
    """On SQLite (write-ahead log), take the database's write lock before the work reads: a
    transaction that read first and then finds another connection wrote meanwhile (a web
    request, the progress connection) cannot write at all. Other writers wait for the job."""
    if connection.vendor == "sqlite":
        Job.objects.filter(pk=job.pk).update(started_at=job.started_at)


class JobFailure(Exception):
    """Work that cannot be done, said for the steward: the job's error is this message as it
    is (it names the file, row and field), without the exception's type."""


#: The first key of the advisory locks of running jobs (the second is a hash of the job's id).
JOB_LOCK_NAMESPACE = 0x4A0B


@contextmanager
def _job_lock(job_id, *, wait=True):
    """On PostgreSQL, a lock of this database session for as long as the job runs: when a
    worker dies mid-job its session ends, the lock is free, and `jobs_orphaned_fail` can tell
    the job will never finish. Yields whether the lock is held (always True elsewhere)."""
    if connection.vendor != "postgresql":
        yield True
        return
    function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, hashtext(%s))", [JOB_LOCK_NAMESPACE, str(job_id)])
        held = wait or cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))",
                               [JOB_LOCK_NAMESPACE, str(job_id)])


ORPHANED_ERROR = ("The worker running this job stopped before it finished (it was killed or "
                  "lost its database connection). Nothing of the job was written: retry it.")


def jobs_orphaned_fail():
    """Mark failed the running jobs whose worker is gone, so that a steward can retry them.

    PostgreSQL only: a running job's lock is free exactly when its worker's session ended,
    and its work's transaction was rolled back with it. Returns how many were marked.
    """
    if connection.vendor != "postgresql":
        return 0
    with scopes_disabled():
        running = list(Job.objects.filter(state=JobState.RUNNING).values_list("pk", flat=True))
    failed = 0
    for job_id in running:
        with _job_lock(job_id, wait=False) as free:
            if not free:
                continue
            with scopes_disabled():
                failed += Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(
                    state=JobState.FAILED, error=ORPHANED_ERROR, finished_at=timezone.now(),
                )
    return failed


def _job_finish(*, job, outcome, progress):
    # Inside the work's transaction: the job is done exactly when what it wrote is committed.
    job.state = JobState.DONE
    job.finished_at = timezone.now()
    job.progress_done = progress.done
    job.progress_total = progress.total if progress.total is not None else progress.done
    job.result_summary = outcome.summary
    job.result_url = outcome.url
    if outcome.target is not None:
        job.result_content_type = ContentType.objects.get_for_model(type(outcome.target))
        job.result_object_id = str(outcome.target.pk)
    job.save(update_fields=["state", "finished_at", "progress_done", "progress_total",
                            "result_summary", "result_url", "result_content_type",
                            "result_object_id"])


class JobProgress:
    """`progress(done, total=None)`: records how far the job is, at most twice a second.

    The work runs in one uncommitted transaction, so progress goes through a connection
    of its own. On SQLite that connection cannot write while the work holds the file's
    write lock; the job then shows its progress when it ends.
    """

    MIN_SECONDS_BETWEEN = 0.5


    def __init__(self, job):
        self.job = job
        self.done = 0
        self.total = None
        self._written_at = None
        self._connection = None

    def __call__(self, done, total=None):
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if self._written_at is not None and now - self._written_at < self.MIN_SECONDS_BETWEEN:
            return
        self._written_at = now
        self._write()

    def _write(self):
        connection = self._own_connection()
        table = connection.ops.quote_name(Job._meta.db_table)
        job_id = Job._meta.pk.get_db_prep_value(self.job.pk, connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = %s",
                    [self.done, self.total, job_id],
                )
        except DatabaseError as error:
            logger.debug("job %s: progress not recorded (%s)", self.job.pk, error)

    def _own_connection(self):
        if self._connection is None:
            settings_dict = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
            if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
                # Never wait for the work's own write lock.
                settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "timeout": 0}
            backend = load_backend(settings_dict["ENGINE"])
            self._connection = backend.DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
        return self._connection

    def close(self):
        if self._connection is not None:
            self._connection.close()


# Kinds of work of this app --------------------------------------------------------------

AUDIT_EXPORT_COLUMNS = ("created_at", "actor_name", "source", "action", "object_repr")


@job_kind("tenancy.audit_export", label="Audit log export")
def audit_log_export(*, job, payload, progress):
    """The space's audit log as a CSV file attached to the space."""
    entries = AuditLogEntry.objects.filter(space=job.space).order_by("created_at", "id")
    total = entries.count()
    progress(0, total)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_EXPORT_COLUMNS)
    for number, row in enumerate(entries.values_list(*AUDIT_EXPORT_COLUMNS).iterator(), 1):
        writer.writerow([_spreadsheet_safe(value) for value in row])
        progress(number, total)
    name = f"audit-log-{job.space.slug}-{timezone.now():%Y%m%d-%H%M%S}.csv"
    attachment = attachment_add(target=job.space, author=job.requested_by,
                                uploaded_file=ContentFile(buffer.getvalue().encode(), name=name))
    return JobOutcome(summary=f"{total} audit log entries exported to {name}.",
                      target=attachment,
                      url=reverse("attachment-download", args=[attachment.pk]))


def _spreadsheet_safe(value):
    """Spreadsheets run cells that start like a formula: make them text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


@task()
def job_task(job_id):
    """The queue's task: run the job with this id."""
    job_run(job_id=job_id)


# Periodic work ---------------------------------------------------------------------------


def periodic_tasks_schedule():
    """Make sure each task of PYCHARTER_PERIODIC_TASKS has one run waiting.

    Workers call this when they start and after each periodic run, so the work repeats
    without cron. A lock (PostgreSQL advisory lock; SQLite's exclusive transaction)
    keeps it to one waiting run whatever the number of workers.
    """
    for path, seconds in settings.PYCHARTER_PERIODIC_TASKS.items():
        periodic_task_schedule(task=import_string(path), every=timedelta(seconds=seconds))


def periodic_task_schedule(*, task, every):
    """Queue `task` to run `every` from now unless a run is already waiting; forget its
    earlier successful runs so the queue table does not grow."""
    runs = DBTaskResult.objects.filter(task_path=task.module_path)
    with exclusive_transaction(runs.db):
        connection = connections[runs.db]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [task.module_path])
        if runs.filter(status=TaskResultStatus.READY).exists():
            return None
        runs.filter(status=TaskResultStatus.SUCCESSFUL).delete()
        return task.using(run_after=timezone.now() + every).enqueue()


@task()
def jobs_orphaned_fail_task():
    """Periodic: free the jobs of workers that died (see `jobs_orphaned_fail`)."""
    return jobs_orphaned_fail()


@task()
def worker_heartbeat():
    """A periodic no-op: its runs tell /health/ that a worker is alive."""
