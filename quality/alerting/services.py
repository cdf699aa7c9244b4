"""Raising alerts, once per problem: the request records them, workers deliver them."""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from quality.alerting.outbox import deliveries_enqueue
from quality.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    AlertKind,
    Severity,
)
from tenancy.audit import audit_log, audit_log_rows, audited


@transaction.atomic
@audited
def alert_raise(*, space, kind, message, contract=None, metric=None, severity=Severity.WARNING):
    """Record an alert for the space (and its organization) and queue its deliveries.

    While an alert of this kind is open for the contract, raising it again counts on that
    alert (occurrences, latest score and message, last seen) and sends nothing new.
    """
    now = timezone.now()
    score = metric.overall_score if metric is not None else None
    if contract is not None:
        repeated = Alert.objects.filter(
            data_contract=contract, kind=kind, closed_at__isnull=True
        ).update(occurrences=F("occurrences") + 1, last_seen_at=now, latest_score=score,
                 message=message, severity=severity, quality_metric=metric)
        if repeated:
            alert = Alert.objects.get(data_contract=contract, kind=kind, closed_at__isnull=True)
            audit_log(action="quality.alert.repeated", instance=alert, space=space,
                      changes={"occurrences": [None, alert.occurrences],
                               "latest_score": [None, score]})
            return alert
    alert = Alert.objects.create(
        organization_id=space.organization_id, space=space, data_contract=contract,
        quality_metric=metric, kind=kind, severity=severity, message=message,
        last_seen_at=now, latest_score=score,
    )
    channels = AlertChannel.objects.filter(space=space, is_active=True).filter(
        Q(data_contract=None) | Q(data_contract=contract)
    )
    deliveries = AlertDelivery.objects.bulk_create(
        [AlertDelivery(alert=alert, channel=channel, next_attempt_at=now) for channel in channels]
    )
    audit_log(action="quality.alert.raised", instance=alert, space=space)
    if deliveries:
        delivery_ids = [str(delivery.pk) for delivery in deliveries]
        transaction.on_commit(lambda: deliveries_enqueue(space=space, delivery_ids=delivery_ids))
    return alert


@transaction.atomic
@audited
def alert_close(*, contract, kind):
    """Close the contract's open alert of this kind (a complete check passed again).
    Returns how many were closed (0 or 1)."""
    alert = Alert.objects.filter(data_contract=contract, kind=kind, closed_at__isnull=True).first()
    if alert is None:
        return 0
    alert.closed_at = timezone.now()
    alert.save(update_fields=["closed_at"])
    audit_log(action="quality.alert.closed", instance=alert, space=contract.space)
    return 1


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
