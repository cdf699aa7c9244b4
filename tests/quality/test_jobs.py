"""The quality app's periodic work: failed alert deliveries are retried by the workers."""

import pytest
from django_tasks_db.models import DBTaskResult

from quality.models import AlertChannel, AlertDelivery
from tenancy.jobs import periodic_tasks_schedule
from tests.quality.test_alerting import Receiver, _raise, contract, fast_retries  # noqa: F401
from tests.task_queue import run_queued_tasks

pytestmark = pytest.mark.usefixtures("unscoped")


def test_the_periodic_retry_delivers_what_failed(
    space, contract, django_capture_on_commit_callbacks  # noqa: F811
):
    with Receiver([500, 500]) as receiver:
        AlertChannel.objects.create(space=space, name="Hook", kind="webhook",
                                    config={"url": receiver.url, "max_attempts": 2})
        with django_capture_on_commit_callbacks(execute=True):
            alert = _raise(space, contract)
        run_queued_tasks()
        failed = AlertDelivery.objects.get(alert=alert)
        periodic_tasks_schedule()
        waiting = DBTaskResult.objects.get(task_path="quality.jobs.alert_deliveries_retry")

        result = waiting.task.call()

    assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", 2, None)
    assert result == {"delivered": 1, "failed": 0}
    assert AlertDelivery.objects.get(alert=alert).status == "delivered"
    assert len(receiver.requests) == 3
