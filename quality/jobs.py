"""Background work of the quality app."""

from django_tasks import task

from quality.alerting.services import delivery_attempt
from quality.models import AlertDelivery, DeliveryStatus
from tenancy.audit import audit_actor
from tenancy.commands import spaces_all
from tenancy.scoping import space_scope


@task()
def alert_deliveries_retry():
    """Periodic: give every undelivered alert delivery a new round of attempts, space by
    space (what `manage.py deliver_alerts` does by hand)."""
    delivered = failed = 0
    for space in spaces_all():
        with space_scope(space), audit_actor(name="job:alert_deliveries_retry",
                                             source="job:alert_deliveries_retry"):
            deliveries = AlertDelivery.objects.select_related(
                "channel", "alert", "alert__data_contract"
            ).exclude(status=DeliveryStatus.DELIVERED)
            for delivery in deliveries:
                delivery.attempts = 0
                result = delivery_attempt(delivery=delivery)
                if result.status == DeliveryStatus.DELIVERED:
                    delivered += 1
                else:
                    failed += 1
    return {"delivered": delivered, "failed": failed}
