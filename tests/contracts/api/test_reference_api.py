"""Owners, systems and domains over HTTP: the organization's own, upserted by natural key."""

import pytest
from django_scopes import scopes_disabled

from contracts.models import Domain, Owner, System
from tests.api_helpers import results, token_client
from tests.factories import DomainFactory, OwnerFactory, SystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(space):
    return token_client(space)


@pytest.fixture
def other_rows(other_organization, unscoped):
    return {
        "owners": OwnerFactory(organization=other_organization, id="other_owner"),
        "systems": SystemFactory(organization=other_organization, name="ICC"),
        "domains": DomainFactory(organization=other_organization, name="IOC"),
    }


def _snapshot():
    with scopes_disabled():
        return [list(model.objects.order_by("pk").values()) for model in (Owner, System, Domain)]


@pytest.mark.parametrize("resource", ["owners", "systems", "domains"])
def test_lists_and_details_hold_only_the_organization_rows(api, organization, other_rows,
                                                           resource, unscoped):
    mine = {
        "owners": lambda: OwnerFactory(organization=organization, id="jdoe"),
        "systems": lambda: SystemFactory(organization=organization, name="ICC"),
        "domains": lambda: DomainFactory(organization=organization, name="IOC"),
    }[resource]()

    listed = api.get(f"/api/v1/{resource}/")
    other = api.get(f"/api/v1/{resource}/{other_rows[resource].pk}/")
    missing = api.get(f"/api/v1/{resource}/00000000-0000-0000-0000-000000000000/")

    assert [row["id"] for row in results(listed)] == [str(mine.pk)]
    assert results(listed)[0]["organization"] == "cathay-data"
    assert api.get(f"/api/v1/{resource}/{mine.pk}/").json()["id"] == str(mine.pk)
    assert (other.status_code, other.json()) == (404, {"detail": "Not found."})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize(("resource", "created", "updated", "key"), [
    ("owners", {"id": "jdoe", "name": "Jane"}, {"id": "jdoe", "team": "ops"}, "id"),
    ("systems", {"name": "ICC", "app_id": "A1"}, {"name": "ICC", "description": "x"}, "name"),
    ("domains", {"name": "IOC"}, {"name": "IOC", "description": "Ops"}, "name"),
])
def test_upsert_creates_then_updates_by_natural_key_without_touching_the_other_organization(
        api, organization, other_rows, resource, created, updated, key):
    before = _snapshot()

    first = api.post(f"/api/v1/{resource}/", created, format="json")
    second = api.post(f"/api/v1/{resource}/", updated, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()[key] == created[key]
    assert {name: second.json()[name] for name in updated} == updated
    after = _snapshot()
    other_ids = {str(row.pk) for row in other_rows.values()}
    assert [[row for row in rows if str(row["id"]) in other_ids] for rows in after] == [
        [row for row in rows if str(row["id"]) in other_ids] for rows in before
    ]


def test_an_owner_id_of_another_organization_is_refused_without_saying_whose(api, other_rows):
    response = api.post("/api/v1/owners/", {"id": "other_owner", "name": "Mine now"},
                        format="json")

    assert response.status_code == 400
    assert response.json() == {
        "id": ["The owner id 'other_owner' is not available; choose another id."]
    }
    with scopes_disabled():
        assert Owner.objects.get(pk="other_owner").name == other_rows["owners"].name
