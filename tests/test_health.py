"""/health/: the database and the job queue, for load balancers."""

import json
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tenancy.jobs import worker_heartbeat


def test_health_is_unavailable_until_a_worker_was_seen(db, client):
    response = client.get("/health/")

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable", "database": "ok",
        "queue": {"oldest_queued_seconds": None, "worker_last_seen_seconds": None,
                  "problems": ["no worker seen recently"]},
    }


def test_health_is_ok_after_a_worker_ran_its_heartbeat(db, client):
    result = worker_heartbeat.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING",
                                                     started_at=timezone.now())

    response = client.get("/health/")

    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "ok"


def test_a_job_waiting_too_long_makes_health_unavailable(db, client, settings):
    worker_heartbeat.enqueue()
    DBTaskResult.objects.update(started_at=timezone.now(),
                                enqueued_at=timezone.now() - timedelta(hours=1))

    response = client.get("/health/")

    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["queue"]["problems"] == ["a queued job has waited too long"]
    assert body["queue"]["oldest_queued_seconds"] >= 3600
