"""The admin index's "Recent actions": only what the user may still see."""

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tenancy.models import Membership
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


def _log(user, obj, flag=CHANGE):
    LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk), object_repr=str(obj), action_flag=flag,
    )


def _recent(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return sorted(entry.object_repr for entry in response.context["log_entries"])


def test_a_user_removed_from_a_space_no_longer_sees_their_actions_there(
    client, steward, space, other_space
):
    factories.MembershipFactory(space=other_space, user=steward, role="steward")
    ours = factories.DataContractFactory(space=space, name="flight_bookings")
    theirs = factories.DataContractFactory(space=other_space, name="their_orders")
    their_owner = factories.OwnerFactory(organization=other_space.organization, name="Theirs")
    deleted = factories.DataContractFactory(space=other_space, name="gone")
    _log(steward, ours)
    _log(steward, theirs)
    _log(steward, their_owner)
    _log(steward, deleted, DELETION)
    deleted.delete()
    client.force_login(steward)

    while_member = _recent(client)
    Membership.objects.filter(user=steward, space=other_space).delete()
    after_removal = _recent(client)

    assert while_member == ["Theirs", "flight_bookings 1.0.0", "gone 1.0.0", "their_orders 1.0.0"]
    assert after_removal == ["flight_bookings 1.0.0"]
    assert "their_orders" not in client.get(reverse("admin:index")).text


def test_a_superuser_still_sees_their_actions_on_accounts(client, space):
    root = factories.UserFactory(username="root", is_superuser=True)
    account = factories.UserFactory(username="maria")
    contract = factories.DataContractFactory(space=space, name="flight_bookings")
    _log(root, account)
    _log(root, contract)
    client.force_login(root)

    assert _recent(client) == ["flight_bookings 1.0.0", "maria"]


def test_a_steward_does_not_see_actions_on_accounts_from_before(client, steward, space):
    _log(steward, factories.UserFactory(username="maria"))
    client.force_login(steward)

    assert _recent(client) == []
