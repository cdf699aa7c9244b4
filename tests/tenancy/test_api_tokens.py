"""API tokens: hashed at rest, one space, read-only or read-write, revocable, expiring."""

import datetime
import hashlib

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from tenancy.models import ApiToken, Membership, OrganizationAdmin, Space
from tenancy.tokens import (
    ApiTokenInvalid,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from tests.api_helpers import results, token_client
from tests.factories import DataContractFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def steward_token(space, steward):
    with scopes_disabled():
        return api_token_create(space=space, name="nightly-load", created_by=steward,
                                can_write=True)


def test_a_token_is_stored_as_the_sha256_of_its_secret_with_a_visible_prefix(steward_token):
    token, secret = steward_token

    with scopes_disabled():
        stored = ApiToken.objects.get(pk=token.pk)
        columns = list(ApiToken.objects.filter(pk=token.pk).values())
    assert secret not in str(columns)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith("pch_") and stored.prefix == secret[:12]


def test_a_token_sees_only_its_space_and_records_its_last_use(steward_token, space, other_space,
                                                             unscoped):
    token, secret = steward_token
    mine = DataContractFactory(space=space, name="flights")
    DataContractFactory(space=other_space, name="theirs")

    response = _client(secret).get("/api/v1/contracts/")

    assert response.status_code == 200
    assert [row["id"] for row in results(response)] == [str(mine.pk)]
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize("secret", ["pch_unknown", ""])
def test_an_unknown_token_is_refused_with_401(secret, db):
    response = _client(secret).get("/api/v1/contracts/")

    assert response.status_code == 401


def test_a_revoked_token_is_refused(steward_token):
    token, secret = steward_token
    api_token_revoke(token=token)

    response = _client(secret).get("/api/v1/contracts/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid, revoked or expired token."}


def test_an_expired_token_is_refused(space, steward):
    with scopes_disabled():
        _, secret = api_token_create(
            space=space, name="old", created_by=steward,
            expires_at=timezone.now() - datetime.timedelta(seconds=1),
        )

    assert _client(secret).get("/api/v1/contracts/").status_code == 401


def test_a_token_whose_creator_was_deactivated_is_refused(steward_token):
    token, secret = steward_token
    token.created_by.is_active = False
    token.created_by.save()

    assert _client(secret).get("/api/v1/contracts/").status_code == 401


def _columns(instance):
    return [(field.attname, getattr(instance, field.attname))
            for field in instance._meta.concrete_fields]


def test_a_token_is_read_in_one_query_with_its_space_and_creator_as_the_orm_reads_them(
        steward_token, space, steward, unscoped, django_assert_num_queries):
    token, secret = steward_token
    OrganizationAdmin.objects.create(organization=space.organization, user=steward)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    with django_assert_num_queries(1):
        read = api_token_authenticate(secret)

    stored = ApiToken.objects.get(pk=token.pk)
    assert _columns(read) == _columns(stored)
    assert [type(value) for _, value in _columns(read)] == [
        type(value) for _, value in _columns(stored)]
    assert _columns(read.space) == _columns(Space.objects.get(pk=space.pk))
    assert _columns(read.created_by) == _columns(type(steward).objects.get(pk=steward.pk))
    assert read.created_by.get_all_permissions() == set()
    assert (read.creator_role, read.creator_administers) == ("steward", True)
    assert read._state.db == "default" and not read._state.adding


def test_an_unknown_secret_reads_no_token(db):
    with pytest.raises(ApiTokenInvalid):
        api_token_authenticate("pch_unknown")


def test_a_read_only_token_cannot_write(space):
    client = token_client(space, can_write=False)

    response = client.post("/api/v1/domains/", {"name": "IOC"}, format="json")

    assert response.status_code == 403


def test_a_token_never_reaches_further_than_its_creator(space, unscoped):
    viewer = MembershipFactory(space=space, role="viewer").user
    client = token_client(space, can_write=True, user=viewer)

    response = client.post("/api/v1/domains/", {"name": "IOC"}, format="json")

    assert response.status_code == 403


def test_a_token_stops_working_when_its_creator_leaves_the_space(steward_token, unscoped):
    token, secret = steward_token
    token.created_by.space_memberships.all().delete()

    assert _client(secret).get("/api/v1/contracts/").status_code == 403


def test_requests_beyond_the_token_rate_are_throttled(space, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    client = token_client(space)
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api_token": "2/minute"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [client.get("/api/v1/contracts/").status_code for _ in range(3)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original

    assert codes == [200, 200, 429]


def test_the_admin_shows_a_new_token_secret_once(space, steward, client):
    steward.is_staff = True
    steward.save()
    client.force_login(steward)

    response = client.post("/admin/tenancy/apitoken/add/", {
        "space": str(space.pk), "name": "dbt-nightly", "can_write": "on",
    }, follow=True)

    with scopes_disabled():
        token = ApiToken.objects.get(name="dbt-nightly")
    shown = [str(message) for message in response.context["messages"]]
    assert shown[1] == f"The API token “dbt-nightly ({token.prefix}…)” was added successfully."
    secret = shown[0].removeprefix("The secret of dbt-nightly: ").split(" ", 1)[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    assert token.created_by == steward and token.can_write is True
    assert secret not in client.get(f"/admin/tenancy/apitoken/{token.pk}/change/").content.decode()


def test_the_last_use_is_written_at_most_once_a_minute(steward_token, unscoped):
    token, secret = steward_token
    client = _client(secret)
    client.get("/api/v1/contracts/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at

    client.get("/api/v1/contracts/")
    within_the_minute = ApiToken.objects.get(pk=token.pk).last_used_at
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=first - datetime.timedelta(seconds=61))
    client.get("/api/v1/contracts/")
    a_minute_later = ApiToken.objects.get(pk=token.pk).last_used_at

    assert within_the_minute == first
    assert a_minute_later > first


@pytest.mark.parametrize(("role", "administers", "expected"), [
    ("viewer", False, (200, 403)),
    ("steward", False, (200, 201)),
    (None, True, (200, 201)),
    (None, False, (403, 403)),
])
def test_a_token_has_its_creator_rights_in_its_space(role, administers, expected, space, db,
                                                     unscoped):
    creator = UserFactory()
    if role:
        Membership.objects.create(space=space, user=creator, role=role)
    if administers:
        OrganizationAdmin.objects.create(organization=space.organization, user=creator)
    _, secret = api_token_create(space=space, name="rights", created_by=creator, can_write=True)
    client = _client(secret)

    read = client.get("/api/v1/contracts/")
    write = client.post("/api/v1/domains/", {"name": "Ops"}, format="json")

    assert (read.status_code, write.status_code) == expected
