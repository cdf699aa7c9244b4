"""Contracts over HTTP: lists, filters, versions, diffs and documents, within one space."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from contracts.models import DataContract, MetadataRecordDomain
from contracts.services.links import ownership_link_add, system_link_add
from tests.api_helpers import results, token_client
from tests.factories import (
    DataContractFactory,
    DomainFactory,
    MetadataRecordFactory,
    OwnerFactory,
    SchemaFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db


def _contract(space, name, version="1.0.0", status="draft", schema=None):
    contract = DataContractFactory(space=space, name=name, version=version, status=status)
    schema_row = SchemaFactory(data_contract=contract, version=version,
                               **({"schema_data": schema} if schema else {}))
    record = MetadataRecordFactory(data_contract=contract, version=version)
    contract.schema, contract.metadata_record = schema_row, record
    contract.schema_version = version
    contract.save()
    return contract


@pytest.fixture
def flights(space, unscoped):
    return _contract(space, "flights", status="active")


@pytest.fixture
def theirs(other_space, unscoped):
    return _contract(other_space, "flights", status="active")


@pytest.fixture
def api(space):
    return token_client(space)


def _unchanged(contract):
    """The other space's contract exactly as it was."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        return DataContract.objects.filter(pk=contract.pk).values().get()


def test_the_list_shows_only_the_token_space(api, flights, theirs):
    response = api.get("/api/v1/contracts/")

    assert response.status_code == 200
    assert [(row["id"], row["space"]) for row in results(response)] == [
        (str(flights.pk), "cathay-data/flights")
    ]


def test_the_list_filters_by_status_name_and_update_time(api, space, flights, unscoped):
    _contract(space, "crew", status="draft")
    later = (timezone.now() + datetime.timedelta(hours=1)).isoformat()

    def names(**query):
        return [row["name"] for row in results(api.get("/api/v1/contracts/", query))]

    assert names(status="draft") == ["crew"]
    assert names(name="FLIGHTS") == ["flights"]
    assert names(updated_since=later) == []
    assert names() == ["crew", "flights"]


def test_the_list_filters_by_owner_in_a_role_system_in_a_role_and_domain(
        api, space, organization, flights, unscoped):
    crew = _contract(space, "crew")
    owner = OwnerFactory(organization=organization, id="jdoe")
    system = SystemFactory(organization=organization, name="ICC")
    domain = DomainFactory(organization=organization, name="IOC")
    ownership_link_add(metadata_record=flights.metadata_record, role="business_owners",
                       owner=owner)
    ownership_link_add(metadata_record=crew.metadata_record, role="it_sme", owner=owner)
    system_link_add(metadata_record=crew.metadata_record, role="pushes_to", system=system)
    MetadataRecordDomain.objects.create(metadata_record=flights.metadata_record, domain=domain)

    def names(**query):
        response = api.get("/api/v1/contracts/", query)
        assert response.status_code == 200, response.content
        return [row["name"] for row in results(response)]

    assert names(owner="jdoe") == ["crew", "flights"]
    assert names(owner="jdoe", owner_role="business_owners") == ["flights"]
    assert names(system="ICC", system_role="pushes_to") == ["crew"]
    assert names(system="ICC", system_role="pulls_from") == []
    assert names(domain="IOC") == ["flights"]


def test_the_detail_carries_the_links_by_role(api, organization, flights, unscoped):
    owner = OwnerFactory(organization=organization, id="jdoe")
    ownership_link_add(metadata_record=flights.metadata_record, role="it_sme", owner=owner)

    body = api.get(f"/api/v1/contracts/{flights.pk}/").json()

    assert body["name"] == "flights" and body["status"] == "active"
    assert body["links"]["owners"]["it_sme"] == ["jdoe"]
    assert body["links"]["owners"]["business_owners"] == []
    assert body["links"]["domains"] == []


@pytest.mark.parametrize("suffix", ["", "versions/", "document/", f"diff/?other={'0' * 32}"])
def test_another_space_contract_answers_the_same_404_as_a_missing_one(api, theirs, suffix):
    other = api.get(f"/api/v1/contracts/{theirs.pk}/{suffix}")
    missing = api.get(f"/api/v1/contracts/00000000-0000-0000-0000-000000000000/{suffix}")
    malformed = api.get(f"/api/v1/contracts/not-an-id/{suffix}")

    assert (other.status_code, other.json()) == (404, {"detail": "Not found."})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    assert (malformed.status_code, malformed.json()) == (404, {"detail": "Not found."})


def test_versions_are_listed_newest_first(api, space, flights, unscoped):
    newer = _contract(space, "flights", version="1.10.0")

    body = api.get(f"/api/v1/contracts/{flights.pk}/versions/").json()

    assert [(row["id"], row["version"]) for row in body] == [
        (str(newer.pk), "1.10.0"), (str(flights.pk), "1.0.0")
    ]


def test_the_diff_marks_breaking_changes_like_the_admin(api, space, flights, unscoped):
    schema = {"type": "object", "properties": {"user_id": {"type": "string"}},
              "required": ["user_id"]}
    newer = _contract(space, "flights", version="2.0.0", schema=schema)

    response = api.get(f"/api/v1/contracts/{newer.pk}/diff/", {"other": str(flights.pk)})

    body = response.json()
    assert response.status_code == 200
    assert (body["older"]["version"], body["newer"]["version"]) == ("1.0.0", "2.0.0")
    assert body["is_breaking"] is True
    # PostgreSQL's jsonb orders a schema's properties its own way: compare without order.
    assert sorted((change["field"], change["subject"], change["breaking"])
                  for change in body["changes"]) == [
        ("", "title", False), ("age", "field", True), ("user_id", "minLength", False)
    ]


def test_the_diff_refuses_two_different_contracts(api, space, flights, unscoped):
    crew = _contract(space, "crew")

    response = api.get(f"/api/v1/contracts/{crew.pk}/diff/", {"other": str(flights.pk)})

    assert response.status_code == 400


@pytest.mark.parametrize("document_format", ["yaml", "json", "odcs"])
def test_the_document_is_the_bytes_export_contract_writes(api, flights, document_format):
    written = io.StringIO()
    call_command("export_contract", "flights", "1.0.0", "--format", document_format,
                 "--space", "cathay-data/flights", stdout=written, stderr=io.StringIO())

    response = api.get(f"/api/v1/contracts/{flights.pk}/document/",
                       {"document_format": document_format})

    assert response.status_code == 200
    assert response.content == written.getvalue().encode("utf-8")
