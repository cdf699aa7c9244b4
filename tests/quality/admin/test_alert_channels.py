"""Alert channels, routing and deliveries in the steward admin."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quality.models import Alert, AlertChannel, AlertDelivery, AlertKind, AlertRouting
from tenancy.models import Role
from tests import factories
from tests.quality.admin.helpers import admin_url, signed_in
from tests.task_queue import run_queued_tasks

pytestmark = pytest.mark.usefixtures("unscoped")


def _channel(space, name="Ops mail", **fields):
    values = {"kind": "email", "config": {"extra_recipients": ["ops@example.com"]}, **fields}
    return AlertChannel.objects.create(space=space, name=name, **values)


def _alert(space, contract=None):
    return Alert.objects.create(organization=space.organization, space=space,
                                data_contract=contract, kind=AlertKind.QUALITY_CHECK_FAILED,
                                message=f"{space.name} failed")


def _delivery(space, status="failed", channel=None, **fields):
    return AlertDelivery.objects.create(alert=_alert(space), channel=channel or _channel(space),
                                        status=status, attempts=1, last_error="boom", **fields)


def _add_channel(client, space, **fields):
    data = {"space": space.pk, "data_contract": "", "name": "Hook", "kind": "webhook",
            "is_active": "on", "config": '{"url": "https://hooks.example.com/x"}', **fields}
    return client.post(admin_url("alertchannel", "add"), data)


def _messages(response):
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def foreign_delivery(unscoped, other_space):
    return _delivery(other_space, channel=_channel(other_space, name="Their mail"))


# Channels


def test_a_steward_adds_a_webhook_channel_to_their_space(space, other_space, steward_client):
    response = _add_channel(steward_client, space)

    assert response.status_code == 302
    channel = AlertChannel.objects.get(space=space)
    assert (channel.name, channel.kind, channel.is_active, channel.config) == (
        "Hook", "webhook", True, {"url": "https://hooks.example.com/x"})
    assert AlertChannel.objects.filter(space=other_space).count() == 0


def test_a_config_the_kind_refuses_is_shown_on_the_form(space, steward_client):
    response = _add_channel(steward_client, space, config='{"url": "ftp://x", "secret": "s"}')

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["config"]
    assert any("does not match" in error for error in errors)
    assert any("Additional properties" in error for error in errors)
    assert AlertChannel.objects.count() == 0


def test_a_config_that_is_not_json_is_refused(space, steward_client):
    response = _add_channel(steward_client, space, config="{url: nope")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["config"] == ["Enter a valid JSON."]
    assert AlertChannel.objects.count() == 0


def test_a_channel_is_limited_to_a_contract_of_its_own_space(
    space, contract, steward
):
    second = factories.SpaceFactory(organization=space.organization, name="Hotels", slug="hotels")
    factories.MembershipFactory(space=second, user=steward, role=Role.STEWARD)
    client = signed_in(steward)

    response = _add_channel(client, second, data_contract=contract.pk)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["data_contract"] == [
        "flights 1.0.0 is not a contract of Hotels."]
    assert AlertChannel.objects.count() == 0


def test_another_spaces_contract_and_space_are_not_choices(
    space, other_space, contract, steward_client
):
    foreign = factories.DataContractFactory(space=other_space, name="theirs")

    response = _add_channel(steward_client, other_space, data_contract=foreign.pk)

    errors = response.context["adminform"].form.errors
    assert "space" in errors and "data_contract" in errors
    assert AlertChannel.objects.count() == 0


def test_a_viewer_reads_channels_but_may_not_add_or_change_them(space, viewer_client):
    channel = _channel(space)

    assert viewer_client.get(admin_url("alertchannel")).status_code == 200
    assert _add_channel(viewer_client, space).status_code == 403
    response = viewer_client.post(admin_url("alertchannel", "change", channel.pk),
                                  {"space": space.pk, "name": "Renamed", "kind": "email",
                                   "config": "{}"})
    assert response.status_code == 403
    assert AlertChannel.objects.get(pk=channel.pk).name == "Ops mail"


def test_another_spaces_channel_is_not_listed_nor_found(space, other_space, steward_client):
    ours = _channel(space, name="Ours")
    theirs = _channel(other_space, name="Theirs")

    listed = steward_client.get(admin_url("alertchannel"))
    our_page = steward_client.get(admin_url("alertchannel", "change", ours.pk))
    their_page = steward_client.get(admin_url("alertchannel", "change", theirs.pk))

    assert [channel.name for channel in listed.context["cl"].result_list] == ["Ours"]
    assert our_page.status_code == 200
    assert their_page.status_code == 404


# Routing


def test_routing_is_chosen_with_checkboxes_and_saved_per_space(
    space, other_space, steward_client
):
    page = steward_client.get(admin_url("alertrouting", "add")).content.decode()
    bad = steward_client.post(admin_url("alertrouting", "add"),
                              {"space": space.pk, "route_quality_check_failed": ["cto"]})
    good = steward_client.post(admin_url("alertrouting", "add"),
                               {"space": space.pk, "route_quality_check_failed": ["it_sme"],
                                "route_breaking_version": ["business_owners", "bu_sme"]})

    assert ('<input type="checkbox" name="route_quality_check_failed" value="it_sme" '
            'id="id_route_quality_check_failed_3" checked>') in page
    assert 'name="routes"' not in page
    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors["route_quality_check_failed"] == [
        "Select a valid choice. cto is not one of the available choices."]
    assert good.status_code == 302
    assert AlertRouting.objects.get(space=space).routes == {
        "quality_check_failed": ["it_sme"], "breaking_version": ["business_owners", "bu_sme"]}
    assert AlertRouting.objects.filter(space=other_space).count() == 0


def test_routing_of_another_space_cannot_be_added(space, other_space, steward_client):
    response = steward_client.post(admin_url("alertrouting", "add"),
                                   {"space": other_space.pk})

    assert "space" in response.context["adminform"].form.errors
    assert AlertRouting.objects.count() == 0


# Deliveries


def test_failed_deliveries_are_found_with_the_status_filter(
    space, steward_client, foreign_delivery
):
    channel = _channel(space)
    failed = _delivery(space, channel=channel)
    _delivery(space, status="delivered", channel=channel)

    response = steward_client.get(admin_url("alertdelivery") + "?status__exact=failed")

    assert list(response.context["cl"].result_list) == [failed]
    html = response.content.decode()
    assert '<span class="quality-badge quality-tone--critical">Failed</span>' in html
    assert "Their mail" not in html


def test_a_delivery_is_read_only(space, steward_client):
    delivery = _delivery(space, recipients=["a@example.com"])

    page = steward_client.get(admin_url("alertdelivery", "change", delivery.pk))
    posted = steward_client.post(admin_url("alertdelivery", "change", delivery.pk),
                                 {"status": "delivered"})

    assert page.status_code == 200
    assert "a@example.com" in page.content.decode()
    assert posted.status_code == 403
    assert AlertDelivery.objects.get(pk=delivery.pk).status == "failed"
    assert steward_client.get(admin_url("alertdelivery", "add")).status_code == 403


def test_retrying_queues_a_new_round_that_the_worker_delivers(
    space, steward_client, foreign_delivery, django_capture_on_commit_callbacks
):
    failed = _delivery(space)
    failed.attempts = 3  # every attempt used: a retry starts a new round
    failed.next_attempt_at = None
    failed.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = steward_client.post(admin_url("alertdelivery"), {
            "action": "retry_deliveries", "index": "0", "select_across": "0",
            "_selected_action": [failed.pk, foreign_delivery.pk],
        })
    failed.refresh_from_db()
    queued = (failed.status, failed.attempts, len(mail.outbox))
    run_queued_tasks()

    assert response.status_code == 302
    assert _messages(response) == ["Queued 1 delivery for a new round of attempts."]
    assert queued == ("pending", 0, 0)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error, failed.recipients) == (
        "delivered", 1, "", ["ops@example.com"])
    assert [message.to for message in mail.outbox] == [["ops@example.com"]]
    foreign_delivery.refresh_from_db()
    assert (foreign_delivery.status, foreign_delivery.attempts) == ("failed", 1)


def test_a_viewer_may_not_retry(space, viewer_client):
    failed = _delivery(space)

    response = viewer_client.post(admin_url("alertdelivery"), {
        "action": "retry_deliveries", "index": "0", "select_across": "0",
        "_selected_action": [failed.pk],
    })

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert mail.outbox == []
    assert response.status_code == 200  # the list again: the action is not offered


# Index and query counts


def test_the_admin_index_lists_the_alert_models_under_quality(space, steward_client):
    response = steward_client.get(reverse("admin:index"))

    quality = next(section for section in response.context["app_list"]
                   if section["name"] == "Quality")
    assert [model["object_name"] for model in quality["models"]][-3:] == [
        "AlertChannel", "AlertRouting", "AlertDelivery"]


def _add_channels(space, contracts, count):
    for number in range(count):
        _channel(space, name=f"channel {len(contracts)}-{number}", data_contract=contracts[0])


def _add_routings(organization, count):
    for _ in range(count):
        routed = factories.SpaceFactory(organization=organization)
        AlertRouting.objects.create(space=routed, routes={"quality_check_failed": ["it_sme"]})


def _add_deliveries(space, count):
    for _ in range(count):
        _delivery(space, channel=_channel(space), recipients=["a@example.com"])


def _query_count(client, url):
    client.get(url)  # new spaces change the user's rights: their navigation is built again
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("model_name", ["alertchannel", "alertrouting", "alertdelivery"])
def test_a_list_runs_as_many_queries_for_one_row_as_for_two_hundred(
    model_name, space, organization, unscoped
):
    admin_user = factories.OrganizationAdminFactory(organization=organization).user
    client = signed_in(admin_user)
    contract = factories.DataContractFactory(space=space)
    adders = {
        "alertchannel": lambda count: _add_channels(space, [contract], count),
        "alertrouting": lambda count: _add_routings(organization, count),
        "alertdelivery": lambda count: _add_deliveries(space, count),
    }
    url = admin_url(model_name)
    adders[model_name](1)
    with_one_row = _query_count(client, url)

    adders[model_name](199)
    with_two_hundred_rows = _query_count(client, url)

    assert with_two_hundred_rows == with_one_row



def test_a_webhook_into_the_sites_own_network_is_refused(steward_client, space):
    response = _add_channel(steward_client, space, config='{"url": "http://127.0.0.1:5432/"}')

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["config"] == [
        "url: 127.0.0.1 resolves to 127.0.0.1, which is not a public address; allow the host "
        "with PYCHARTER_WEBHOOK_ALLOWED_HOSTS if it is meant."
    ]
    assert not AlertChannel.objects.filter(space=space).exists()


# Alerts


def test_an_alert_is_acknowledged_from_its_own_page(space, steward, steward_client,
                                                    viewer_client):
    alert = Alert.objects.create(organization=space.organization, space=space,
                                 kind=AlertKind.QUALITY_CHECK_FAILED, message="flights failed")
    acknowledge_url = reverse("admin:quality_alert_acknowledge", args=[alert.pk])
    viewer_page = viewer_client.get(admin_url("alert", "change", alert.pk)).content.decode()
    steward_page = steward_client.get(admin_url("alert", "change", alert.pk)).content.decode()

    refused = viewer_client.post(acknowledge_url)
    response = steward_client.post(acknowledge_url)

    assert f'action="{acknowledge_url}"' in steward_page
    assert acknowledge_url not in viewer_page
    assert refused.status_code == 403
    assert response["Location"] == admin_url("alert", "change", alert.pk)
    assert _messages(response) == ["Alert acknowledged."]
    alert.refresh_from_db()
    assert alert.acknowledged_by == steward
    assert acknowledge_url not in steward_client.get(
        admin_url("alert", "change", alert.pk)).content.decode()
