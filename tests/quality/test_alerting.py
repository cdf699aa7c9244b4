"""Alerts reach the right people through email and signed webhooks; failures stay visible."""

import hashlib
import hmac
import io
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from contracts.models import MetadataRecordITSME, MetadataRecordSupportLead
from quality.alerting.outbox import delivery_claim
from quality.alerting.services import alert_acknowledge, alert_close, alert_raise
from quality.models import Alert, AlertChannel, AlertDelivery, AlertRouting
from tests import factories
from tests.task_queue import run_queued_tasks
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.PYCHARTER_WEBHOOK_BACKOFF_SECONDS = 0
    settings.PYCHARTER_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def contract(space):
    contract = factories.DataContractFactory(space=space, name="flight_bookings")
    record = factories.MetadataRecordFactory(data_contract=contract)
    contract.metadata_record = record
    contract.save()
    it_sme = factories.OwnerFactory(organization=space.organization, email="it.sme@example.com")
    lead = factories.OwnerFactory(organization=space.organization, email="lead@example.com")
    business = factories.OwnerFactory(organization=space.organization, email="biz@example.com")
    MetadataRecordITSME.objects.create(metadata_record=record, owner=it_sme)
    MetadataRecordSupportLead.objects.create(metadata_record=record, owner=lead)
    from contracts.models import MetadataRecordBusinessOwner

    MetadataRecordBusinessOwner.objects.create(metadata_record=record, owner=business)
    return contract


def _raise(space, contract, kind="quality_check_failed"):
    return alert_raise(space=space, contract=contract, kind=kind,
                       message="flight_bookings failed: overall_score 81 below 95")


def test_a_failed_check_emails_the_it_smes_and_support_leads(
    space, contract, django_capture_on_commit_callbacks
):
    AlertChannel.objects.create(space=space, name="Data team mail", kind="email")

    with django_capture_on_commit_callbacks(execute=True):
        alert = _raise(space, contract)
    run_queued_tasks()

    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["it.sme@example.com", "lead@example.com"]
    assert "overall_score 81 below 95" in mail.outbox[0].subject
    assert AlertDelivery.objects.get(alert=alert).status == "delivered"
    assert alert.organization_id == space.organization_id


def test_a_breaking_version_goes_to_business_owners_and_routing_is_configurable(
    space, contract, django_capture_on_commit_callbacks
):
    AlertChannel.objects.create(space=space, name="Mail", kind="email")
    with django_capture_on_commit_callbacks(execute=True):
        _raise(space, contract, kind="breaking_version")
    run_queued_tasks()
    AlertRouting.objects.create(space=space, routes={"quality_check_failed": ["business_owners"]})
    with django_capture_on_commit_callbacks(execute=True):
        _raise(space, contract)
    run_queued_tasks()

    assert [message.to for message in mail.outbox] == [["biz@example.com"], ["biz@example.com"]]


def test_webhooks_are_signed_and_retried_with_backoff(
    space, contract, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("PYCHARTER_WEBHOOK_QUALITY_SECRET", "s3cret")
    with Receiver([500, 503, 200]) as receiver:
        AlertChannel.objects.create(
            space=space, name="Hook", kind="webhook",
            config={"url": receiver.url, "secret_env": "PYCHARTER_WEBHOOK_QUALITY_SECRET",
                    "max_attempts": 3},
        )
        with django_capture_on_commit_callbacks(execute=True):
            alert = _raise(space, contract)
        run_queued_tasks()

    delivery = AlertDelivery.objects.get(alert=alert)
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    headers, body = receiver.requests[-1]
    expected = hmac.new(b"s3cret", f"{headers['X-PyCharter-Timestamp']}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-PyCharter-Signature"] == f"sha256={expected}"
    assert json.loads(body)["recipients"] == ["it.sme@example.com", "lead@example.com"]


def test_a_failing_webhook_is_recorded_and_retried_later(
    space, contract, django_capture_on_commit_callbacks
):
    with Receiver([500, 500]) as receiver:
        AlertChannel.objects.create(space=space, name="Hook", kind="webhook",
                                    config={"url": receiver.url, "max_attempts": 2})
        with django_capture_on_commit_callbacks(execute=True):
            alert = _raise(space, contract)
        run_queued_tasks()
        delivery = AlertDelivery.objects.get(alert=alert)
        assert (delivery.status, delivery.attempts) == ("failed", 2)
        assert delivery.last_error == f"HTTP 500 from {receiver.url}"

        output = io.StringIO()
        call_command("deliver_alerts", stdout=output, stderr=io.StringIO())

    assert output.getvalue() == "1 delivered, 0 still failing.\n"
    assert AlertDelivery.objects.get(alert=alert).status == "delivered"


def test_an_unreachable_webhook_fails_within_its_timeout(
    space, contract, django_capture_on_commit_callbacks
):
    AlertChannel.objects.create(space=space, name="Hook", kind="webhook",
                                config={"url": "http://127.0.0.1:9/none", "max_attempts": 1,
                                        "timeout_seconds": 1})

    with django_capture_on_commit_callbacks(execute=True):
        alert = _raise(space, contract)
    run_queued_tasks()

    delivery = AlertDelivery.objects.get(alert=alert)
    assert delivery.status == "failed"
    assert "did not answer" in delivery.last_error


def test_channels_of_another_space_receive_nothing(
    space, other_space, contract, django_capture_on_commit_callbacks
):
    AlertChannel.objects.create(space=other_space, name="Other mail", kind="email",
                                config={"extra_recipients": ["other@example.com"]})

    with django_capture_on_commit_callbacks(execute=True):
        _raise(space, contract)
    run_queued_tasks()

    assert mail.outbox == []
    assert AlertDelivery.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("webhook", {}, "'url' is a required property"),
        ("webhook", {"url": "ftp://x"}, "does not match"),
        ("webhook", {"url": "https://x", "secret": "abc"}, "Additional properties"),
        ("email", {"extra_recipients": ["not-an-email"]}, "does not match"),
    ],
)
def test_channel_configs_are_validated(space, kind, config, message):
    channel = AlertChannel(space=space, name="x", kind=kind, config=config)

    with pytest.raises(ValidationError, match=message):
        channel.full_clean()


def test_acknowledging_an_alert_records_who_and_when(space, contract, steward):
    alert = _raise(space, contract)

    assert alert_acknowledge(alerts=[alert], actor=steward) == 1
    assert alert_acknowledge(alerts=[alert], actor=steward) == 0

    alert.refresh_from_db()
    assert alert.acknowledged_by == steward
    assert alert.acknowledged_at is not None


def test_activating_a_signed_off_breaking_version_alerts_its_business_owners(
    space, steward, django_capture_on_commit_callbacks
):
    from contracts.services.lifecycle import contract_activate
    from quality.models import Alert
    from tenancy.scoping import space_scope
    from tests.contracts.admin.contract_graph import (
        BOOKING_SCHEMA,
        contract_with_parts,
        with_required_owners,
    )

    with_required_owners(contract_with_parts(space, status="active"))
    narrower = {**BOOKING_SCHEMA, "properties": {
        key: value for key, value in BOOKING_SCHEMA["properties"].items() if key != "cabin"}}
    breaking = with_required_owners(
        contract_with_parts(space, version="2.0.0", schema_data=narrower)
    )
    AlertChannel.objects.create(space=space, name="Mail", kind="email",
                                config={"extra_recipients": ["governance@example.com"]})

    with space_scope(space), django_capture_on_commit_callbacks(execute=True):
        contract_activate(contract=breaking, actor=steward, accept_breaking_changes=True)
    run_queued_tasks()

    alert = Alert.objects.get()
    assert (alert.kind, alert.data_contract_id) == ("breaking_version", breaking.pk)
    assert alert.message == ("bookings 2.0.0 is active and breaks what 1.0.0 accepted "
                             "(1 breaking change).")
    assert "governance@example.com" in mail.outbox[0].to


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5432/", "http://localhost/hook", "http://10.0.0.5/hook",
    "http://192.168.1.1/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
    "http://224.0.0.1/hook", "file:///etc/passwd", "gopher://example.org/",
])
def test_a_webhook_to_a_non_public_destination_is_refused_at_save(url, space, settings):
    settings.PYCHARTER_WEBHOOK_ALLOWED_HOSTS = []
    channel = AlertChannel(space=space, name="Hook", kind="webhook", config={"url": url})

    with pytest.raises(ValidationError) as raised:
        channel.full_clean()

    [message] = raised.value.message_dict["config"]
    assert message.startswith("url: ")
    assert "public address" in message or "does not match '^https?://'" in message


def test_a_webhook_secret_must_come_from_a_pycharter_webhook_variable(space):
    channel = AlertChannel(space=space, name="Hook", kind="webhook",
                           config={"url": "https://hooks.example.com/x",
                                   "secret_env": "SECRET_KEY"})

    with pytest.raises(ValidationError) as raised:
        channel.full_clean()

    assert raised.value.message_dict == {"config": [
        "secret_env: 'SECRET_KEY' is not allowed: name an environment variable that starts "
        "with PYCHARTER_WEBHOOK_, e.g. PYCHARTER_WEBHOOK_QUALITY_SECRET."
    ]}


def test_delivery_checks_the_destination_again(
    settings, space, contract, django_capture_on_commit_callbacks
):
    with Receiver([200]) as receiver:
        AlertChannel.objects.create(space=space, name="Hook", kind="webhook",
                                    config={"url": receiver.url, "max_attempts": 1})
        settings.PYCHARTER_WEBHOOK_ALLOWED_HOSTS = []

        with django_capture_on_commit_callbacks(execute=True):
            alert = _raise(space, contract)
        run_queued_tasks()

    delivery = AlertDelivery.objects.get(alert=alert)
    assert delivery.status == "failed"
    assert delivery.last_error == (
        "127.0.0.1 resolves to 127.0.0.1, which is not a public address; allow the host with "
        "PYCHARTER_WEBHOOK_ALLOWED_HOSTS if it is meant."
    )
    assert receiver.requests == []


def test_raising_only_records_the_delivery_and_the_worker_sends_it(
    space, contract, django_capture_on_commit_callbacks
):
    AlertChannel.objects.create(space=space, name="Mail", kind="email")

    with django_capture_on_commit_callbacks(execute=True):
        alert = _raise(space, contract)
    recorded = AlertDelivery.objects.get(alert=alert)
    sent_by_the_request = len(mail.outbox)
    ran = run_queued_tasks()

    assert (recorded.status, recorded.attempts, sent_by_the_request) == ("pending", 0, 0)
    assert ran == 1
    assert AlertDelivery.objects.get(alert=alert).status == "delivered"
    assert len(mail.outbox) == 1


def test_a_second_worker_cannot_claim_a_delivery_being_sent(space, contract):
    channel = AlertChannel.objects.create(space=space, name="Mail", kind="email")
    delivery = AlertDelivery.objects.get(alert=_raise(space, contract), channel=channel)

    claims = [delivery_claim(delivery_id=delivery.pk), delivery_claim(delivery_id=delivery.pk)]

    assert claims == [True, False]
    assert AlertDelivery.objects.get(pk=delivery.pk).status == "sending"


def test_a_repeated_alert_counts_on_the_open_one_and_sends_nothing_new(
    space, other_space, contract, django_capture_on_commit_callbacks
):
    AlertChannel.objects.create(space=space, name="Mail", kind="email")
    with django_capture_on_commit_callbacks(execute=True):
        first = _raise(space, contract)
        again = alert_raise(space=space, contract=contract, kind="quality_check_failed",
                            message="flight_bookings failed: overall_score 70 below 95")
        breaking = _raise(space, contract, kind="breaking_version")
    run_queued_tasks()

    first.refresh_from_db()
    assert again.pk == first.pk
    assert (first.occurrences, first.message) == (
        2, "flight_bookings failed: overall_score 70 below 95")
    assert first.last_seen_at > first.created_at
    assert breaking.pk != first.pk
    assert AlertDelivery.objects.count() == 2
    assert len(mail.outbox) == 2
    assert Alert.objects.filter(space=other_space).count() == 0


def test_a_closed_alert_is_raised_anew(space, contract):
    first = _raise(space, contract)
    assert alert_close(contract=contract, kind="quality_check_failed") == 1

    second = _raise(space, contract)

    assert second.pk != first.pk
    assert second.occurrences == 1
