"""/health/: is the database reachable and is the job queue being worked?

For load balancers and monitoring: 200 when healthy, 503 otherwise, with the figures
as JSON either way. The queue is unhealthy when a job waits longer than
PYCHARTER_HEALTH_MAX_QUEUE_AGE_SECONDS or no worker ran anything (not even its
periodic heartbeat) for PYCHARTER_HEALTH_WORKER_SEEN_SECONDS.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult


def _seconds_since(moment, now):
    return None if moment is None else round((now - moment).total_seconds(), 1)


@never_cache
@require_GET
def health(request):
    now = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        figures = DBTaskResult.objects.aggregate(
            worker_seen=Max("started_at"),
        ) | DBTaskResult.objects.ready().aggregate(oldest_queued=Min("enqueued_at"))
    except DatabaseError as error:
        return JsonResponse({"status": "unavailable", "database": f"error: {error}"},
                            status=503)
    queued_seconds = _seconds_since(figures["oldest_queued"], now)
    worker_seconds = _seconds_since(figures["worker_seen"], now)
    problems = []
    max_queued = settings.PYCHARTER_HEALTH_MAX_QUEUE_AGE_SECONDS
    if queued_seconds is not None and queued_seconds > max_queued:
        problems.append("a queued job has waited too long")
    if worker_seconds is None or worker_seconds > settings.PYCHARTER_HEALTH_WORKER_SEEN_SECONDS:
        problems.append("no worker seen recently")
    return JsonResponse({
        "status": "unavailable" if problems else "ok",
        "database": "ok",
        "queue": {
            "oldest_queued_seconds": queued_seconds,
            "worker_last_seen_seconds": worker_seconds,
            "problems": problems,
        },
    }, status=503 if problems else 200)
