"""The audit log in the admin: each object's history page, and the read-only audit log list."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import DataContract
from tenancy.audit import audit_actor
from tenancy.models import AuditLogEntry
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

AUDIT_LIST = reverse("admin:tenancy_auditlogentry_changelist")


def _signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def organization_admin(organization):
    return factories.OrganizationAdminFactory(organization=organization,
                                              user__username="org_admin").user


@pytest.fixture
def contract(space):
    return factories.DataContractFactory(space=space, name="zz_flights", description="old words")


def _listed(response):
    return sorted(entry.object_repr for entry in response.context["cl"].result_list)


# The history page ------------------------------------------------------------------------


def test_the_history_page_shows_the_objects_audit_entries_field_by_field(client, steward,
                                                                         contract):
    with audit_actor(user=steward, source="web"):
        contract.description = "new words"
        contract.save()

    response = _signed_in(client, steward).get(
        reverse("admin:contracts_datacontract_history", args=[contract.pk])
    )

    entries = [named.entry for named in response.context["entries"]]
    assert [entry.action for entry in entries] == [
        "contracts.datacontract.updated", "contracts.datacontract.created",
    ]
    assert response.context["entries"][0].rows == [("description", "old words", "new words")]
    content = response.content.decode()
    assert steward.username in content
    assert "new words" in content
    assert "<td>web</td>" in content


def test_the_history_page_shows_nothing_of_other_objects(client, steward, contract, space):
    factories.DataContractFactory(space=space, name="zz_sibling")

    response = _signed_in(client, steward).get(
        reverse("admin:contracts_datacontract_history", args=[contract.pk])
    )

    assert {named.entry.object_id for named in response.context["entries"]} == {str(contract.pk)}


def test_a_workspace_objects_history_is_its_audit_log_too(client, organization_admin, space,
                                                          steward):
    membership = space.memberships.get(user=steward)

    response = _signed_in(client, organization_admin).get(
        reverse("admin:tenancy_membership_history", args=[membership.pk])
    )

    assert [named.entry.action for named in response.context["entries"]] == [
        "tenancy.membership.created"
    ]


def test_the_history_page_runs_as_many_queries_for_one_entry_as_for_two_hundred(
    client, steward, contract
):
    client = _signed_in(client, steward)
    url = reverse("admin:contracts_datacontract_history", args=[contract.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(url).status_code == 200
    for number in range(99):
        contract.description = f"version {number}"
        contract.save()
    client.get(url)  # what the site keeps between requests, the navigation, built again
    with CaptureQueriesContext(connection) as with_a_hundred:
        assert client.get(url).status_code == 200

    assert len(with_a_hundred) == len(with_one)


# The audit log list ----------------------------------------------------------------------


def test_a_steward_sees_their_spaces_and_their_organizations_reference_data_only(
    client, steward, space, organization, other_space, organization_admin
):
    factories.DataContractFactory(space=space, name="zz_mine")
    factories.DataContractFactory(space=other_space, name="zz_foreign")
    factories.OwnerFactory(organization=organization, id="zz-team", name="zz_owner")
    other_space_of_organization = factories.SpaceFactory(organization=organization,
                                                         name="zz_sister")
    factories.DataContractFactory(space=other_space_of_organization, name="zz_sisters")

    response = _signed_in(client, steward).get(AUDIT_LIST + "?q=zz_")

    assert _listed(response) == sorted([str(DataContract.objects.get(name="zz_mine")),
                                        "zz_owner"])


def test_workspace_entries_of_the_organization_are_for_its_admins(
    client, steward, organization_admin, organization
):
    steward_sees = _signed_in(client, steward).get(
        AUDIT_LIST + "?action=tenancy.organizationadmin.created"
    )
    admin_sees = _signed_in(client, organization_admin).get(
        AUDIT_LIST + "?action=tenancy.organizationadmin.created"
    )

    assert _listed(steward_sees) == []
    assert len(_listed(admin_sees)) == 1


def test_an_organization_admin_sees_every_space_of_their_organization_and_no_other(
    client, organization_admin, organization, space, other_space
):
    sister = factories.SpaceFactory(organization=organization, name="Sister", slug="sister")
    mine = factories.DataContractFactory(space=space, name="zz_mine")
    sisters = factories.DataContractFactory(space=sister, name="zz_sisters")
    factories.DataContractFactory(space=other_space, name="zz_foreign")

    response = _signed_in(client, organization_admin).get(AUDIT_LIST + "?q=zz_")

    assert _listed(response) == sorted([str(mine), str(sisters)])


def test_entries_filter_by_space_action_source_and_date(client, steward, space, other_space,
                                                        contract):
    with audit_actor(user=steward, source="command:import_data"):
        contract.description = "imported"
        contract.save()
    client = _signed_in(client, steward)

    by_source = client.get(AUDIT_LIST + "?source=command:import_data")
    by_action = client.get(AUDIT_LIST + "?action=contracts.datacontract.updated")
    by_space = client.get(AUDIT_LIST + f"?space={space.pk}&q=zz_flights")
    by_other_space = client.get(AUDIT_LIST + f"?space={other_space.pk}&q=zz_flights")
    since = urlencode({"created_at__gte": (timezone.now() - timedelta(days=1)).isoformat(),
                       "q": "zz_flights"})
    by_date = client.get(f"{AUDIT_LIST}?{since}")

    assert [entry.action for entry in by_source.context["cl"].result_list] == [
        "contracts.datacontract.updated"
    ]
    assert [entry.source for entry in by_action.context["cl"].result_list] == [
        "command:import_data"
    ]
    assert len(by_space.context["cl"].result_list) == 2
    assert len(by_other_space.context["cl"].result_list) == 0
    assert len(by_date.context["cl"].result_list) == 2


def test_entries_are_searched_by_actor(client, steward, contract):
    with audit_actor(name="zz-robot", source="api"):
        contract.description = "by the robot"
        contract.save()

    response = _signed_in(client, steward).get(AUDIT_LIST + "?q=zz-robot")

    assert [entry.action for entry in response.context["cl"].result_list] == [
        "contracts.datacontract.updated"
    ]


def test_an_entry_page_shows_its_changes_and_nobody_changes_it(client, contract):
    superuser = factories.UserFactory(username="root", is_superuser=True)
    entry = AuditLogEntry.objects.get(object_id=str(contract.pk))
    client = _signed_in(client, superuser)

    page = client.get(reverse("admin:tenancy_auditlogentry_change", args=[entry.pk]))
    added = client.get(reverse("admin:tenancy_auditlogentry_add"))
    deleted = client.post(reverse("admin:tenancy_auditlogentry_delete", args=[entry.pk]),
                          {"post": "yes"})
    changed = client.post(reverse("admin:tenancy_auditlogentry_change", args=[entry.pk]),
                          {"action": "tampered"})

    assert page.status_code == 200
    assert "old words" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert (added.status_code, deleted.status_code, changed.status_code) == (403, 403, 403)
    assert AuditLogEntry.objects.get(pk=entry.pk).action == "contracts.datacontract.created"


def test_another_spaces_entry_is_not_found(client, steward, other_space):
    foreign = factories.DataContractFactory(space=other_space)
    entry = AuditLogEntry.objects.get(object_id=str(foreign.pk))

    response = _signed_in(client, steward).get(
        reverse("admin:tenancy_auditlogentry_change", args=[entry.pk])
    )

    assert response.status_code == 404


def test_the_audit_log_is_in_the_workspace_section(client, steward):
    response = _signed_in(client, steward).get(reverse("admin:index"))

    workspace = next(section for section in response.context["app_list"]
                     if section["name"] == "Workspace")
    assert "tenancy.AuditLogEntry" in [model["model"]._meta.label
                                       for model in workspace["models"]]


def test_the_audit_log_runs_as_many_queries_for_one_entry_as_for_two_hundred(
    client, steward, space
):
    # The same kinds of entries on both pages: ids are named with one query per model.
    client = _signed_in(client, steward)
    url = AUDIT_LIST + "?action=contracts.datacontract.created"
    factories.DataContractFactory(space=space)
    client.get(url)
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(url).status_code == 200
    factories.DataContractFactory.create_batch(199, space=space)
    client.get(url)  # what the site keeps between requests, the navigation, built again
    with CaptureQueriesContext(connection) as with_many:
        assert client.get(url).status_code == 200

    assert len(with_many) == len(with_one)


def test_a_contracts_history_shows_its_parts_and_links_by_name(client, steward, space):
    from contracts.models import DataContract as Contract
    from contracts.selectors import contract_get
    from contracts.services.contract_edit import (
        contract_create,
        contract_update,
        metadata_owners_set,
    )
    from contracts.services.lifecycle import contract_activate

    owner = factories.OwnerFactory(organization=space.organization, id="jane",
                                   name="Jane Doe")
    it_owner = factories.OwnerFactory(organization=space.organization, id="ops", name="Ops")
    contract = Contract(space=space, name="orders", version="1.0.0")
    contract_create(contract=contract, actor=steward,
                    schema_data=dict(factories.USER_SCHEMA))
    contract_update(contract=contract_get(contract_id=contract.pk), actor=steward,
                    schema_data={**factories.USER_SCHEMA, "required": []})
    record = contract_get(contract_id=contract.pk).metadata_record
    metadata_owners_set(metadata_record=record, role="business_owners", owners=[owner],
                        actor=steward)
    metadata_owners_set(metadata_record=record, role="it_application_owners",
                        owners=[it_owner], actor=steward)
    contract_activate(contract=contract_get(contract_id=contract.pk), actor=steward)
    factories.DataContractFactory(space=space, name="zz_sibling")

    response = _signed_in(client, steward).get(
        reverse("admin:contracts_datacontract_history", args=[contract.pk])
    )

    entries = [named.entry for named in response.context["entries"]]
    assert [(entry.action, entry.object_repr) for entry in entries][:4] == [
        ("contracts.contract.activated", "orders 1.0.0"),
        ("contracts.metadatarecord.updated", "orders_metadata 1.0.0"),
        ("contracts.link.added", "orders 1.0.0"),
        ("contracts.link.added", "orders 1.0.0"),
    ]
    assert {entry.action for entry in entries} >= {
        "contracts.contract.created", "contracts.contract.updated",
        "contracts.schema.created", "contracts.schema.updated",
    }
    assert [entry.changes for entry in entries if entry.action == "contracts.link.added"] == [
        {"it_application_owners": [None, "Ops"]}, {"business_owners": [None, "Jane Doe"]},
    ]
    assert {entry.object_repr for entry in entries} <= {
        "orders 1.0.0", "orders_metadata 1.0.0", "orders_schema 1.0.0", "User 1.0.0",
    }
    content = response.content.decode()
    assert "Jane Doe" in content
    assert "jane" not in content.replace("Jane", "")
