"""The audit log in words: action sentences, related rows by name, filters of the list."""

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import DataContract
from contracts.selectors import contract_get
from contracts.services.contract_edit import contract_create, metadata_owners_set
from quality.models import QualityViolation
from quality.services.triage import violation_resolve
from tenancy.audit import audit_actor
from tenancy.audit_labels import action_sentence, action_title
from tenancy.models import AuditLogEntry, Membership
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

AUDIT_LIST = reverse("admin:tenancy_auditlogentry_changelist")


def _entry(action, model=DataContract, object_repr="orders 1.1.0"):
    return AuditLogEntry(action=action, object_repr=object_repr,
                         content_type_id=ContentType.objects.get_for_model(model).pk)


def _contract_with_it_sme(space, steward, owner):
    contract = DataContract(space=space, name="orders", version="1.0.0")
    contract_create(contract=contract, actor=steward, schema_data=dict(factories.USER_SCHEMA))
    record = contract_get(contract_id=contract.pk).metadata_record
    metadata_owners_set(metadata_record=record, role="it_sme", owners=[owner], actor=steward)
    return contract


@pytest.fixture
def priya(organization):
    return factories.OwnerFactory(organization=organization, id=str(uuid.uuid4()),
                                  name="Priya Natarajan")


# Sentences, one family at a time ---------------------------------------------------------


@pytest.mark.parametrize(("action", "changes", "sentence"), [
    ("contracts.link.added", {"it_sme": [None, "Priya Natarajan"]}, "added IT SME Priya Natarajan"),
    ("contracts.link.removed", {"domains": ["Sales", None]}, "removed domain Sales"),
    ("contracts.contract.activated", {"status": ["draft", "active"]}, "activated 1.1.0"),
    ("contracts.contract.deprecated", {}, "deprecated 1.1.0"),
    ("contracts.contract.version_created", {"copied_from": [None, "orders 1.0.0"]},
     "created version 1.1.0 from orders 1.0.0"),
    ("contracts.contract.imported", {"outcome": [None, "created"]}, "imported (created)"),
    ("contracts.contract.renumbered", {"version": ["1.1.0", "2.0.0"]}, "renumbered to 2.0.0"),
    ("contracts.review.requested", {}, "submitted for review"),
    ("contracts.review.outdated", {}, "edited after review: review again"),
    ("contracts.review.approved", {"comment": [None, "looks right"]}, "approved: looks right"),
    ("contracts.review.changes_requested", {"comment": [None, "name the owner"]},
     "requested changes: name the owner"),
    ("contracts.contract.updated", {"description": ["a", "b"], "status": ["draft", "active"]},
     "changed description, status"),
    ("contracts.datacontract.updated", {"description": ["a", "b"]}, "changed description"),
    ("contracts.datacontract.created", {"name": [None, "orders"]}, "created"),
    ("contracts.datacontract.deleted", {"name": ["orders", None]}, "deleted"),
    ("tenancy.comment.added", {}, "commented"),
])
def test_contract_and_field_actions_read_as_sentences(db, action, changes, sentence):
    assert action_sentence(_entry(action), changes) == sentence


@pytest.mark.parametrize(("action", "changes", "sentence"), [
    ("quality.violation.resolved", {"status": ["open", "resolved"],
                                    "resolution_reason": [None, "fixed_at_source"]},
     "resolved (reason: fixed at source)"),
    ("quality.violation.ignored", {"resolution_reason": [None, "false_positive"]},
     "ignored (reason: false positive)"),
    ("quality.violation.assigned", {"assignee": [None, "ana"]}, "assigned to ana"),
    ("quality.violation.prioritized", {"priority": ["low", "high"]}, "set priority to high"),
    ("quality.violation.reopened", {}, "reopened"),
    ("quality.qualityviolation.opened_by_check", {"count": [None, 12]}, "opened 12 violations"),
    ("quality.result.recorded", {"passed": [None, False], "violations_opened": [None, 3],
                                 "violations_updated": [None, 1]},
     "recorded a check that failed: 3 violations opened, 1 seen again"),
    ("quality.alert.acknowledged", {}, "acknowledged"),
])
def test_quality_actions_read_as_sentences(db, action, changes, sentence):
    assert action_sentence(_entry(action, model=QualityViolation), changes) == sentence


def test_an_unknown_code_reads_as_words(db):
    assert action_sentence(_entry("quality.alert_delivery.retried_later"), {}) == (
        "alert delivery retried later"
    )
    assert action_title("contracts.datacontract.updated") == "data contract updated"
    assert action_title("contracts.link.added") == "owner, system or domain added"


# The history page ------------------------------------------------------------------------


def test_the_history_page_says_who_was_added_by_name_and_shows_no_owner_id(
    client, steward, space, priya
):
    contract = _contract_with_it_sme(space, steward, priya)
    client.force_login(steward)

    response = client.get(reverse("admin:contracts_datacontract_history", args=[contract.pk]))

    content = response.content.decode()
    assert "added IT SME Priya Natarajan" in content
    assert priya.pk not in content


def test_the_history_page_names_related_rows_instead_of_their_ids(client, space, steward):
    admin = factories.OrganizationAdminFactory(organization=space.organization).user
    membership = Membership.objects.get(space=space, user=steward)
    client.force_login(admin)

    response = client.get(reverse("admin:tenancy_membership_history", args=[membership.pk]))

    [named] = response.context["entries"]
    rows = {field: after for field, _, after in named.rows}
    assert (rows["space"], rows["user"]) == ("Flights", steward.username)
    assert str(space.pk) not in response.content.decode()


def test_a_resolved_violation_reads_with_its_reason(client, steward, space):
    violation = factories.QualityViolationFactory(data_contract__space=space)
    violation_resolve(violations=QualityViolation.objects.filter(pk=violation.pk),
                      actor=steward, reason="fixed_at_source")
    client.force_login(steward)

    response = client.get(AUDIT_LIST + "?action=quality.violation.resolved")

    [entry] = response.context["cl"].result_list
    assert entry.named.sentence == "resolved (reason: fixed at source)"
    assert "resolved (reason: fixed at source)" in response.content.decode()


def test_the_history_page_runs_as_many_queries_for_one_link_as_for_fifty(
    client, steward, space, priya
):
    contract = _contract_with_it_sme(space, steward, priya)
    record = contract_get(contract_id=contract.pk).metadata_record
    url = reverse("admin:contracts_datacontract_history", args=[contract.pk])
    client.force_login(steward)
    client.get(url)
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(url).status_code == 200
    owners = [factories.OwnerFactory(organization=space.organization, name=f"Owner {number}")
              for number in range(49)]
    metadata_owners_set(metadata_record=record, role="bu_sme", owners=owners, actor=steward)
    client.get(url)  # the navigation kept between requests, built again
    with CaptureQueriesContext(connection) as with_fifty:
        response = client.get(url)

    assert response.content.decode().count("added BU SME Owner") == 49
    assert len(with_fifty) == len(with_one)


def test_the_audit_log_names_ids_with_as_many_queries_for_one_entry_as_for_fifty(
    client, steward, space
):
    url = AUDIT_LIST + "?action=tenancy.membership.created"
    client.force_login(steward)
    client.get(url)
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(url).status_code == 200
    for member in factories.UserFactory.create_batch(49):
        factories.MembershipFactory(space=space, user=member, role="viewer")
    client.get(url)  # the navigation kept between requests, built again
    with CaptureQueriesContext(connection) as with_fifty:
        response = client.get(url)

    assert len(response.context["cl"].result_list) == 50
    assert len(with_fifty) == len(with_one)


# Filters of the audit log ----------------------------------------------------------------


def _choices(response, title):
    spec = next(spec for spec in response.context["cl"].filter_specs if spec.title == title)
    return [value for value, _ in spec.lookup_choices]


def test_the_audit_log_filters_by_object_type_actor_and_action(client, steward, space):
    contract = factories.DataContractFactory(space=space, name="zz_flights")
    with audit_actor(name="zz-robot", source="api"):
        contract.description = "by the robot"
        contract.save()
    contract_type = ContentType.objects.get_for_model(DataContract).pk
    client.force_login(steward)

    by_type = client.get(AUDIT_LIST + f"?object_type={contract_type}&q=zz_flights")
    by_actor = client.get(AUDIT_LIST + "?actor=zz-robot")
    by_action = client.get(AUDIT_LIST + "?action=contracts.datacontract.updated")

    assert sorted(entry.action for entry in by_type.context["cl"].result_list) == [
        "contracts.datacontract.created", "contracts.datacontract.updated",
    ]
    assert [entry.object_repr for entry in by_actor.context["cl"].result_list] == [str(contract)]
    assert [entry.actor_name for entry in by_action.context["cl"].result_list] == ["zz-robot"]
    action_filter = next(spec for spec in by_action.context["cl"].filter_specs
                         if spec.title == "action")
    assert ("contracts.datacontract.updated", "data contract updated") in (
        action_filter.lookup_choices
    )


def test_the_filters_offer_nothing_of_another_organization(client, steward, space, other_space):
    factories.DataContractFactory(space=space)
    foreign = factories.DataContractFactory(space=other_space)
    with audit_actor(name="zz-foreign-robot", source="zz-foreign-source"):
        factories.QualityViolationFactory(data_contract=foreign)
    client.force_login(steward)

    response = client.get(AUDIT_LIST)

    assert "zz-foreign-robot" not in _choices(response, "actor")
    assert "zz-foreign-source" not in _choices(response, "source")
    assert "quality.qualityviolation.created" not in _choices(response, "action")
    assert str(ContentType.objects.get_for_model(QualityViolation).pk) not in _choices(
        response, "object type"
    )
    assert "contracts.datacontract.created" in _choices(response, "action")
    assert "zz-foreign-robot" not in response.content.decode()
