"""Run what the task queue holds inside a test, as a worker would, without leaving the
test's transaction."""

from django.test import TestCase
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued_tasks(*, worker_id="test-worker"):
    """Run every task that is due, and the tasks those runs queue, until none is due.
    Returns how many ran."""
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id=worker_id,
                    excluded_queue_names=[])
    ran = 0
    while (waiting := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        waiting.claim(worker_id)
        with TestCase.captureOnCommitCallbacks(execute=True):
            worker.run_task(waiting)
        ran += 1
    return ran
