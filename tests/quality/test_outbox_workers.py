"""Two worker processes share the alert outbox: every alert reaches the webhook once."""

import time

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from quality.alerting.services import alert_raise
from quality.models import AlertChannel, AlertDelivery, DeliveryStatus
from tenancy.scoping import space_scope
from tests import factories
from tests.test_deploy import _environment, _stop, _wait_for_line, _worker
from tests.webhook_receiver import Receiver


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_deliver_a_hundred_alerts_each_exactly_once(
    requires_postgresql, tmp_path, settings
):
    settings.PYCHARTER_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with Receiver() as receiver:
        with scopes_disabled():
            space = factories.SpaceFactory(name="Flights", slug="flights")
            contracts = [factories.DataContractFactory(space=space, name=f"feed_{number}")
                         for number in range(100)]
        environment = _environment(tmp_path, PYCHARTER_WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
        workers = [_worker(environment, "worker-a"), _worker(environment, "worker-b")]
        try:
            for worker in workers:
                _wait_for_line(worker, "Starting worker")
            with space_scope(space), transaction.atomic():
                AlertChannel.objects.create(space=space, name="Hook", kind="webhook",
                                            config={"url": receiver.url})
                alerts = [alert_raise(space=space, contract=contract,
                                      kind="quality_check_failed", message=f"{contract} failed")
                          for contract in contracts]
            deadline = time.monotonic() + 120
            while len(set(receiver.alert_ids)) < 100 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)  # a duplicate would arrive now
        finally:
            _stop(*workers)

    with space_scope(space):
        statuses = list(AlertDelivery.objects.values_list("status", "attempts"))
    assert sorted(receiver.alert_ids) == sorted(str(alert.pk) for alert in alerts)
    assert statuses == [(DeliveryStatus.DELIVERED, 1)] * 100
