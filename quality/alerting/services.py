"""Raising alerts and delivering them: every attempt is recorded, failures stay visible."""

import time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from quality.alerting.channels import DeliveryFailed, post_webhook, send_email
from quality.alerting.routing import routed_owner_emails, routed_roles
from quality.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    AlertKind,
    ChannelKind,
    DeliveryStatus,
    Severity,
)
from tenancy.audit import audit_log, audit_log_rows, audited


@transaction.atomic
@audited
def alert_raise(*, space, kind, message, contract=None, metric=None, severity=Severity.WARNING,
                deliver=True):
    """Record an alert for the space (and its organization); deliver it once committed."""
    alert = Alert.objects.create(
        organization_id=space.organization_id, space=space, data_contract=contract,
        quality_metric=metric, kind=kind, severity=severity, message=message,
    )
    channels = AlertChannel.objects.filter(space=space, is_active=True).filter(
        Q(data_contract=None) | Q(data_contract=contract)
    )
    deliveries = AlertDelivery.objects.bulk_create(
        [AlertDelivery(alert=alert, channel=channel) for channel in channels]
    )
    audit_log(action="quality.alert.raised", instance=alert, space=space)
    if deliver and deliveries:
        transaction.on_commit(lambda: alert_deliver(alert_id=alert.pk))
    return alert


def alert_deliver(*, alert_id):
    """Try every pending or failed delivery of the alert that has attempts left."""
    deliveries = AlertDelivery.objects.select_related(
        "channel", "alert", "alert__data_contract"
    ).filter(alert_id=alert_id).exclude(status=DeliveryStatus.DELIVERED)
    for delivery in deliveries:
        delivery_attempt(delivery=delivery)


@audited
def delivery_attempt(*, delivery):
    """Send one delivery, retrying with exponential backoff up to the channel's max attempts."""
    channel, alert = delivery.channel, delivery.alert
    recipients = routed_owner_emails(
        contract=alert.data_contract, roles=routed_roles(space=alert.space_id, kind=alert.kind)
    )
    max_attempts = channel.config.get("max_attempts", settings.PYCHARTER_WEBHOOK_MAX_ATTEMPTS)
    if channel.kind == ChannelKind.EMAIL:
        max_attempts = 1
    backoff = settings.PYCHARTER_WEBHOOK_BACKOFF_SECONDS
    while delivery.attempts < max_attempts:
        delivery.attempts += 1
        try:
            if channel.kind == ChannelKind.EMAIL:
                delivery.recipients = send_email(channel, alert, recipients)
            else:
                delivery.recipients = post_webhook(channel, alert, recipients,
                                                   attempt=delivery.attempts)
        except DeliveryFailed as error:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, str(error)
            delivery.save(update_fields=["status", "last_error", "attempts"])
            if delivery.attempts < max_attempts:
                time.sleep(backoff * 2 ** (delivery.attempts - 1))
            continue
        except Exception as error:  # a misconfigured mail backend must not lose the alert
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, repr(error)
            delivery.save(update_fields=["status", "last_error", "attempts"])
            break
        delivery.status, delivery.delivered_at, delivery.last_error = (
            DeliveryStatus.DELIVERED, timezone.now(), ""
        )
        delivery.save(update_fields=["status", "delivered_at", "last_error", "attempts",
                                     "recipients"])
        break
    audit_log(action=f"quality.alert_delivery.{delivery.status}", instance=delivery,
              when_changed=True)
    return delivery


@transaction.atomic
def alert_acknowledge(*, alerts, actor):
    """Mark alerts as seen by `actor`; alerts already acknowledged keep who saw them first.

    Returns how many were acknowledged now.
    """
    ids = [alert.pk for alert in alerts]
    now = timezone.now()
    rows = [
        row
        for start in range(0, len(ids), 500)
        for row in Alert.objects.filter(pk__in=ids[start:start + 500], acknowledged_at__isnull=True)
        .select_for_update().values_list("pk", "message", "space_id", "organization_id")
    ]
    unacknowledged = [pk for pk, *_ in rows]
    for start in range(0, len(unacknowledged), 500):
        Alert.objects.filter(pk__in=unacknowledged[start:start + 500]).update(
            acknowledged_at=now, acknowledged_by=actor
        )
    audit_log_rows(
        action="quality.alert.acknowledged", model=Alert, actor=actor,
        rows=[(pk, message, space_id, organization_id,
               {"acknowledged_at": [None, now.isoformat()]})
              for pk, message, space_id, organization_id in rows],
    )
    return len(rows)


def alert_breaking_version(*, sender, contract, previous, breaking_changes, **kwargs):
    """Receiver of contracts.signals.breaking_version_activated: tell the business owners."""
    count = len(breaking_changes)
    alert_raise(
        space=contract.space, contract=contract, kind=AlertKind.BREAKING_VERSION,
        severity=Severity.WARNING,
        message=f"{contract.name} {contract.version} is active and breaks what "
        f"{previous.version} accepted ({count} breaking change{'s' if count != 1 else ''}).",
    )
