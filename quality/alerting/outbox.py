"""Alert deliveries leave the request: workers send them, once each, retrying with backoff.

Raising an alert records one `AlertDelivery` per channel and, once that commits, queues
a task that sends the alert's deliveries. A worker claims a delivery before sending it
(`delivery_claim`), so several workers never send the same one twice; a failed attempt
schedules the next one after an exponential backoff as a task that waits in the queue,
not in a sleeping process. The periodic drain sends whatever is due and was not queued
(a lost task, a worker that died mid-send) and gives failed deliveries a new round.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope
from django_tasks import task

from quality.alerting.channels import DeliveryFailed, post_webhook, send_email
from quality.alerting.routing import routed_owner_emails, routed_roles
from quality.models import AlertDelivery, ChannelKind, DeliveryStatus
from tenancy.audit import audit_log, audit_record_batch, audited
from tenancy.scoping import ORGANIZATION, SPACE

logger = logging.getLogger(__name__)

#: How long a claimed delivery is a worker's: past it, the delivery is due again.
CLAIM_LEASE = timedelta(minutes=5)
#: Not delivered, and a worker should try it once `next_attempt_at` has come.
DUE = ~Q(status=DeliveryStatus.DELIVERED) & Q(next_attempt_at__isnull=False)


def delivery_claim(*, delivery_id):
    """Take a due delivery for this worker: True for exactly one of the workers that try.

    One conditional UPDATE: on PostgreSQL a second worker waits for the first one's row
    lock, then finds the delivery no longer due; SQLite writes one at a time.
    """
    now = timezone.now()
    with transaction.atomic():
        return AlertDelivery.objects.filter(DUE, pk=delivery_id, next_attempt_at__lte=now).update(
            status=DeliveryStatus.SENDING, next_attempt_at=now + CLAIM_LEASE
        ) == 1


def _max_attempts(channel):
    if channel.kind == ChannelKind.EMAIL:
        return 1
    return channel.config.get("max_attempts", settings.PYCHARTER_WEBHOOK_MAX_ATTEMPTS)


@audited
def delivery_send(*, delivery):
    """One attempt at a claimed delivery; records the outcome and, after a failure with
    attempts left, queues the next attempt after the backoff."""
    channel, alert = delivery.channel, delivery.alert
    recipients = routed_owner_emails(
        contract=alert.data_contract, roles=routed_roles(space=alert.space_id, kind=alert.kind)
    )
    delivery.attempts += 1
    retry_at = None
    try:
        if channel.kind == ChannelKind.EMAIL:
            delivery.recipients = send_email(channel, alert, recipients)
        else:
            delivery.recipients = post_webhook(channel, alert, recipients,
                                               attempt=delivery.attempts)
    except DeliveryFailed as error:
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, str(error)
        if delivery.attempts < _max_attempts(channel):
            backoff = settings.PYCHARTER_WEBHOOK_BACKOFF_SECONDS * 2 ** (delivery.attempts - 1)
            retry_at = timezone.now() + timedelta(seconds=backoff)
    except Exception as error:  # a misconfigured mail backend must not lose the alert
        logger.exception("alert delivery %s failed", delivery.pk)
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, repr(error)
    else:
        delivery.status, delivery.delivered_at, delivery.last_error = (
            DeliveryStatus.DELIVERED, timezone.now(), ""
        )
    delivery.next_attempt_at = retry_at
    with transaction.atomic():
        delivery.save(update_fields=["status", "delivered_at", "last_error", "attempts",
                                     "recipients", "next_attempt_at"])
        audit_log(action=f"quality.alert_delivery.{delivery.status}", instance=delivery,
                  when_changed=True)
        if retry_at is not None:
            transaction.on_commit(lambda: deliveries_enqueue(
                space=alert.space, delivery_ids=[str(delivery.pk)], run_after=retry_at))
    return delivery


def deliveries_send(*, delivery_ids):
    """Claim and send each of these deliveries that is due (in the current space scope).

    Returns {"delivered": n, "failed": n}, counting only the deliveries this call sent.
    """
    counts = {"delivered": 0, "failed": 0}
    for delivery_id in delivery_ids:
        if not delivery_claim(delivery_id=delivery_id):
            continue
        delivery = AlertDelivery.objects.select_related(
            "channel", "alert", "alert__data_contract", "alert__space"
        ).get(pk=delivery_id)
        sent = delivery_send(delivery=delivery)
        counts["delivered" if sent.status == DeliveryStatus.DELIVERED else "failed"] += 1
    return counts


def deliveries_due(*, limit=500):
    """Ids of the space's deliveries due now; on PostgreSQL rows another worker is claiming
    are skipped rather than waited for."""
    due = AlertDelivery.objects.filter(DUE, next_attempt_at__lte=timezone.now()).order_by(
        "next_attempt_at"
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        return [str(delivery_id) for delivery_id in due.values_list("id", flat=True)[:limit]]


@transaction.atomic
@audited
def deliveries_retry(*, deliveries, actor=None):
    """A new round of attempts for these deliveries that are not delivered nor being sent,
    queued for the workers once this commits. Returns how many were queued."""
    ids = [str(delivery_id) for delivery_id in deliveries.exclude(
        status__in=(DeliveryStatus.DELIVERED, DeliveryStatus.SENDING)
    ).values_list("id", flat=True)]
    AlertDelivery.objects.filter(pk__in=ids).update(
        attempts=0, status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    grouped = {}
    for delivery in AlertDelivery.objects.filter(pk__in=ids).select_related("alert__space"):
        grouped.setdefault(delivery.alert.space, []).append(str(delivery.pk))
    for space, space_ids in grouped.items():
        audit_record_batch(model=AlertDelivery, action="retried", space=space,
                           count=len(space_ids), actor=actor)
        transaction.on_commit(lambda space=space, space_ids=space_ids:
                              deliveries_enqueue(space=space, delivery_ids=space_ids))
    return len(ids)


def deliveries_enqueue(*, space, delivery_ids, run_after=None):
    """Queue the sending of these deliveries of `space` (not before `run_after`)."""
    queued = alert_deliveries_send if run_after is None else alert_deliveries_send.using(
        run_after=run_after)
    return queued.enqueue(space_id=str(space.pk), organization_id=str(space.organization_id),
                          delivery_ids=delivery_ids)


@task()
def alert_deliveries_send(space_id, organization_id, delivery_ids):
    """The queue's task: send these deliveries of the space that are due."""
    with scope(**{SPACE: [space_id], ORGANIZATION: [organization_id]}):
        return deliveries_send(delivery_ids=delivery_ids)
