"""Every service write records one domain entry: its action, its actor, its object, its tenant.

The walk below calls each public function of the service modules once, outside any
request, with a user as actor where the service takes one. A public function added to
those modules fails `test_the_walk_covers_every_public_service_function` until it is
walked or named as a read.
"""

import dataclasses
import importlib
import inspect
import pkgutil
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import contracts.services
import quality.services
from contracts.documents.bundle import ParsedDocuments
from contracts.models import DataContract, Owner
from contracts.selectors import contract_bundle, contract_get
from contracts.services import contract_edit, lifecycle, links, reference, review
from contracts.services.contract_import import contract_import
from contracts.services.document_import import contract_documents_import
from quality.alerting import outbox
from quality.alerting import services as alerting
from quality.models import Alert, AlertChannel, AlertDelivery, QualityViolation
from quality.services import results, triage
from tenancy import memberships, shared
from tenancy.audit import process_name
from tenancy.models import AuditLogEntry, Comment, Membership
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

#: Public functions of the service modules that write nothing themselves, and why.
NOT_WRITES = {
    "contracts.services.actors.actor_name": "formats a name",
    "contracts.services.contract_edit.contract_content_errors": "validates",
    "contracts.services.contract_edit.reference_entity_errors": "validates",
    "contracts.services.lifecycle.contract_activation_review": "reads",
    "contracts.services.lifecycle.version_bumped": "computes a version",
    "contracts.services.links.audit_link": "records the entries of the link services",
    "contracts.services.links.links_by_role": "reads",
    "quality.services.triage.validate_resolution": "validates",
    "quality.services.violation_counts.violation_counts_recount":
        "derived counts, in the transaction of the write that records",
    "quality.services.violation_counts.violation_counts_rebuild":
        "derived counts, in the transaction of the write that records",
    "quality.services.violation_counts.violation_counts_move":
        "derived counts, in the transaction of the triage step that records",
    "quality.services.violation_counts.violation_count_key": "computes a key",
    "quality.alerting.outbox.delivery_claim": "marks a delivery taken by this worker",
    "quality.alerting.outbox.deliveries_send": "runs delivery_send, which records",
    "quality.alerting.outbox.deliveries_due": "reads",
    "quality.alerting.outbox.deliveries_enqueue": "queues a task",
    "quality.alerting.services.alert_breaking_version": "receiver: runs alert_raise",
    "tenancy.shared.sniff_content_type": "computes a type",
    "tenancy.shared.safe_filename": "computes a name",
    "tenancy.shared.orphans_find": "reads",
    "tenancy.shared.delete_attached": "receiver: part of the deletion that sends it",
    "tenancy.shared.download_content_type": "computes a type",
    "contracts.services.reference.owner_email_errors": "validates",
    "contracts.services.review.contract_review_latest": "reads",
    "contracts.services.contract_import.bundle_content": "computes what a document says",
    "contracts.services.reference.reference_entity_delete_refusal": "reads",
    "contracts.services.reference.reference_entity_linking_space_ids": "reads",
    "quality.services.check_jobs.quality_check_enqueue": "queues a job; the check records",
    "quality.services.check_jobs.quality_check_upload_enqueue": "queues a job; the check records",
    "quality.services.check_jobs.quality_check_records_enqueue":
        "queues a job; the check records",
}


def _service_modules():
    modules = [alerting, outbox, shared, memberships]
    for package in (contracts.services, quality.services):
        modules.extend(importlib.import_module(f"{package.__name__}.{info.name}")
                       for info in pkgutil.iter_modules(package.__path__))
    return modules


def _public_functions():
    return {
        f"{module.__name__}.{name}"
        for module in _service_modules()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }


# Set-ups and calls -----------------------------------------------------------------------


@dataclasses.dataclass
class Given:
    space: object
    steward: object

    @property
    def organization(self):
        return self.space.organization

    def draft(self, name="orders"):
        contract = DataContract(space=self.space, name=name, version="1.0.0")
        contract_edit.contract_create(contract=contract, actor=self.steward,
                                      schema_data=dict(factories.USER_SCHEMA))
        return contract_get(contract_id=contract.pk)

    def owned_draft(self):
        draft = self.draft()
        for role in contract_edit.REQUIRED_OWNER_ROLES:
            contract_edit.metadata_owners_set(
                metadata_record=draft.metadata_record, role=role, actor=self.steward,
                owners=[factories.OwnerFactory(organization=self.organization)],
            )
        return contract_get(contract_id=draft.pk)

    def violation(self, **fields):
        return factories.QualityViolationFactory(data_contract__space=self.space, **fields)

    def alert(self):
        return Alert.objects.create(organization=self.organization, space=self.space,
                                    kind="quality_check_failed", message="Orders failed")


def _entry_of(instance):
    return type(instance), str(instance.pk)


def case_contract_create(given):
    contract = DataContract(space=given.space, name="orders", version="1.0.0")
    yield lambda: contract_edit.contract_create(contract=contract, actor=given.steward,
                                                schema_data=dict(factories.USER_SCHEMA))
    yield "contracts.contract.created", _entry_of(contract)


def case_contract_update(given):
    draft = given.draft()
    yield lambda: contract_edit.contract_update(contract=draft, actor=given.steward,
                                                description="Orders of the shop")
    yield "contracts.contract.updated", _entry_of(draft)


def case_contract_delete(given):
    draft = given.draft()
    expected = _entry_of(draft)
    yield lambda: contract_edit.contract_delete(contract=draft, actor=given.steward)
    yield "contracts.contract.deleted", expected


def case_metadata_owners_set(given):
    draft, owner = given.draft(), factories.OwnerFactory(organization=given.organization)
    yield lambda: contract_edit.metadata_owners_set(
        metadata_record=draft.metadata_record, role="business_owners", owners=[owner],
        actor=given.steward)
    yield "contracts.link.added", _entry_of(draft)


def case_metadata_systems_set(given):
    draft, system = given.draft(), factories.SystemFactory(organization=given.organization)
    yield lambda: contract_edit.metadata_systems_set(
        metadata_record=draft.metadata_record, role="pulls_from", systems=[system],
        actor=given.steward)
    yield "contracts.link.added", _entry_of(draft)


def case_metadata_domains_set(given):
    draft, domain = given.draft(), factories.DomainFactory(organization=given.organization)
    yield lambda: contract_edit.metadata_domains_set(
        metadata_record=draft.metadata_record, domains=[domain], actor=given.steward)
    yield "contracts.link.added", _entry_of(draft)


def case_reference_entity_save(given):
    owner = Owner(id="ops", organization=given.organization, name="Operations")
    yield lambda: contract_edit.reference_entity_save(entity=owner, actor=given.steward)
    yield "contracts.owner.created", (Owner, "ops")


def _bundle_named(given, name):
    return dataclasses.replace(contract_bundle(given.owned_draft()), name=name)


def case_contract_import(given):
    bundle = _bundle_named(given, "imported")
    yield lambda: contract_import(space=given.space, bundle=bundle, actor=given.steward)
    yield "contracts.contract.imported", lambda: _entry_of(DataContract.objects.get(
        name="imported"))


def case_contract_documents_import(given):
    parsed = ParsedDocuments(bundles=[_bundle_named(given, "imported")])
    yield lambda: contract_documents_import(space=given.space, parsed=parsed,
                                            actor=given.steward)
    yield "contracts.contract.imported", lambda: _entry_of(DataContract.objects.get(
        name="imported"))


def case_contract_activate(given):
    draft = given.owned_draft()
    yield lambda: lifecycle.contract_activate(contract=draft, actor=given.steward)
    yield "contracts.contract.activated", _entry_of(draft)


def case_contract_deprecate(given):
    draft = given.draft()
    yield lambda: lifecycle.contract_deprecate(contract=draft, actor=given.steward)
    yield "contracts.contract.deprecated", _entry_of(draft)


def case_contract_new_version(given):
    draft = given.owned_draft()
    yield lambda: lifecycle.contract_new_version(contract=draft, bump="minor",
                                                 actor=given.steward)
    yield "contracts.contract.version_created", lambda: _entry_of(DataContract.objects.get(
        version="1.1.0"))


def case_ownership_link_add(given):
    draft, owner = given.draft(), factories.OwnerFactory(organization=given.organization)
    yield lambda: links.ownership_link_add(metadata_record=draft.metadata_record,
                                           role="it_sme", owner=owner, actor=given.steward)
    yield "contracts.link.added", _entry_of(draft)


def case_system_link_add(given):
    draft, system = given.draft(), factories.SystemFactory(organization=given.organization)
    yield lambda: links.system_link_add(metadata_record=draft.metadata_record,
                                        role="pushes_to", system=system, actor=given.steward)
    yield "contracts.link.added", _entry_of(draft)


def case_owner_upsert(given):
    yield lambda: reference.owner_upsert(organization=given.organization, owner_id="ops",
                                         name="Operations", actor=given.steward)
    yield "contracts.owner.created", (Owner, "ops")


def case_reference_entity_delete(given):
    owner = Owner.objects.create(id="ops", organization=given.organization, name="Operations")
    contract_edit.metadata_owners_set(metadata_record=given.draft().metadata_record,
                                      role="business_owners", owners=[owner],
                                      actor=given.steward)
    yield lambda: reference.reference_entity_delete(entity=owner, actor=given.steward)
    yield "contracts.owner.deleted", (Owner, "ops")


def case_quality_result_record(given):
    draft = given.draft()
    reported = [results.ReportedViolation(field_name="age", error_type="type_error",
                                          record_identifier="r1")]
    recorded = {}

    def call():
        recorded["result"] = results.quality_result_record(
            contract=draft, metric={"overall_score": 50.0, "record_count": 2}, violations=reported,
            passed=True, created_by="pipeline", source="dbt", actor=given.steward,
        )

    yield call
    yield "quality.result.recorded", lambda: _entry_of(recorded["result"].metric)


def _reviewed_draft(given):
    given.space.requires_review = True
    given.space.save()
    return given.draft()


def case_contract_review_request(given):
    draft = _reviewed_draft(given)
    yield lambda: review.contract_review_request(contract=draft, actor=given.steward)
    yield "contracts.review.requested", lambda: _entry_of(
        review.contract_review_latest(contract=draft))


def _in_review(given):
    """A draft that another steward wrote and put in review."""
    author = factories.UserFactory()
    factories.MembershipFactory(user=author, space=given.space, role="steward")
    draft = _reviewed_draft(Given(given.space, author))
    review.contract_review_request(contract=draft, actor=author)
    return draft


def case_contract_review_approve(given):
    draft = _in_review(given)
    yield lambda: review.contract_review_approve(contract=draft, actor=given.steward)
    yield "contracts.review.approved", lambda: _entry_of(
        review.contract_review_latest(contract=draft))


def case_contract_review_request_changes(given):
    draft = _in_review(given)
    yield lambda: review.contract_review_request_changes(contract=draft, actor=given.steward,
                                                         comment="Name the IT SME.")
    yield "contracts.review.changes_requested", lambda: _entry_of(
        review.contract_review_latest(contract=draft))


def case_contract_renumber(given):
    draft = given.draft()
    yield lambda: lifecycle.contract_renumber(contract=draft, version="2.0.0",
                                              actor=given.steward)
    yield "contracts.contract.renumbered", lambda: _entry_of(DataContract.objects.get(
        pk=draft.pk))


def case_contract_review_outdate(given):
    draft = _in_review(given)
    yield lambda: review.contract_review_outdate(contract_id=draft.pk, actor=given.steward)
    yield "contracts.review.outdated", lambda: _entry_of(
        review.contract_review_latest(contract=draft))


def case_system_upsert(given):
    yield lambda: reference.system_upsert(organization=given.organization, name="ERP",
                                          actor=given.steward)
    yield "contracts.system.created", lambda: _entry_of(
        given.organization.systems.get(name="ERP"))


def case_domain_upsert(given):
    yield lambda: reference.domain_upsert(organization=given.organization, name="Sales",
                                          actor=given.steward)
    yield "contracts.domain.created", lambda: _entry_of(
        given.organization.domains.get(name="Sales"))


def case_violation_acknowledge(given):
    violation = given.violation()
    yield lambda: triage.violation_acknowledge(violations=[violation], actor=given.steward)
    yield "quality.violation.acknowledged", _entry_of(violation)


def case_violation_assign(given):
    violation = given.violation()
    yield lambda: triage.violation_assign(violations=[violation], actor=given.steward,
                                          assignee=given.steward)
    yield "quality.violation.assigned", _entry_of(violation)


def case_violation_resolve(given):
    violation = given.violation()
    yield lambda: triage.violation_resolve(violations=[violation], actor=given.steward,
                                           reason="fixed_at_source")
    yield "quality.violation.resolved", _entry_of(violation)


def case_violation_ignore(given):
    violation = given.violation()
    yield lambda: triage.violation_ignore(violations=[violation], actor=given.steward,
                                          reason="accepted_risk")
    yield "quality.violation.ignored", _entry_of(violation)


def case_violation_reopen(given):
    violation = given.violation(status="resolved", resolution_reason="fixed_at_source")
    yield lambda: triage.violation_reopen(violations=[violation], actor=given.steward)
    yield "quality.violation.reopened", _entry_of(violation)


def case_violation_prioritize(given):
    violation = given.violation(priority="low")
    yield lambda: triage.violation_prioritize(violations=[violation], priority="urgent",
                                              actor=given.steward)
    yield "quality.violation.prioritized", _entry_of(violation)


def case_alert_raise(given):
    yield lambda: alerting.alert_raise(space=given.space, kind="quality_check_failed",
                                       message="Orders failed")
    yield "quality.alert.raised", lambda: _entry_of(Alert.objects.get())


def case_alert_acknowledge(given):
    alert = given.alert()
    yield lambda: alerting.alert_acknowledge(alerts=[alert], actor=given.steward)
    yield "quality.alert.acknowledged", _entry_of(alert)


def _delivery(given):
    channel = AlertChannel.objects.create(space=given.space, name="Mail", kind="email")
    delivery = AlertDelivery.objects.create(alert=given.alert(), channel=channel)
    return AlertDelivery.objects.select_related("channel", "alert").get(pk=delivery.pk)


def case_delivery_send(given):
    delivery = _delivery(given)
    yield lambda: outbox.delivery_send(delivery=delivery)
    yield f"quality.alert_delivery.{delivery.status}", _entry_of(delivery)


def case_deliveries_retry(given):
    delivery = _delivery(given)
    AlertDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=1)
    yield lambda: outbox.deliveries_retry(
        deliveries=AlertDelivery.objects.filter(pk=delivery.pk), actor=given.steward)
    yield "quality.alertdelivery.retried", (AlertDelivery, "")


def case_alert_close(given):
    draft = given.draft()
    alert = Alert.objects.create(organization=given.organization, space=given.space,
                                 data_contract=draft, kind="quality_check_failed",
                                 message="Orders failed")
    yield lambda: alerting.alert_close(contract=draft, kind="quality_check_failed")
    yield "quality.alert.closed", _entry_of(alert)


def case_comment_add(given):
    draft = given.draft()
    yield lambda: shared.comment_add(target=draft, author=given.steward, body="Who owns this?")
    yield "tenancy.comment.added", lambda: _entry_of(Comment.objects.get())


def case_annotation_add(given):
    draft = given.draft()
    yield lambda: shared.annotation_add(target=draft, author=given.steward, field_name="age",
                                        kind="pii")
    yield "tenancy.annotation.added", lambda: _entry_of(shared.Annotation.objects.get())


def case_attachment_add(given):
    draft = given.draft()
    upload = SimpleUploadedFile("evidence.txt", b"the source fixed it\n")
    yield lambda: shared.attachment_add(target=draft, author=given.steward,
                                        uploaded_file=upload)
    yield "tenancy.attachment.added", lambda: _entry_of(shared.Attachment.objects.get())


def case_orphans_delete(given):
    comment = shared.comment_add(target=given.draft(), author=given.steward, body="Gone soon")
    yield lambda: shared.orphans_delete({Comment: [comment]})
    yield "tenancy.comment.orphan_deleted", _entry_of(comment)


def case_membership_save(given):
    membership = Membership(space=given.space, user=factories.UserFactory(), role="viewer")
    yield lambda: memberships.membership_save(membership=membership, actor=given.steward)
    yield "tenancy.membership.added", lambda: _entry_of(membership)


def case_membership_delete(given):
    membership = factories.MembershipFactory(space=given.space, role="viewer")
    expected = _entry_of(membership)
    yield lambda: memberships.membership_delete(membership=membership, actor=given.steward)
    yield "tenancy.membership.removed", expected


WALK = {
    f"{module.__name__}.{name.removeprefix('case_')}": case
    for name, case in dict(globals()).items() if name.startswith("case_")
    for module in _service_modules() if hasattr(module, name.removeprefix("case_"))
    and getattr(module, name.removeprefix("case_")).__module__ == module.__name__
}

#: The services that take no actor: their entries name the process.
PROCESS_ACTED = {"alert_raise", "alert_close", "delivery_send", "orphans_delete"}


def test_the_walk_covers_every_public_service_function():
    assert _public_functions() == set(WALK) | set(NOT_WRITES)


@pytest.mark.parametrize("service", sorted(WALK))
def test_every_service_write_records_one_domain_entry(service, space, steward, other_space,
                                                      settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    steps = WALK[service](Given(space, steward))
    call = next(steps)
    before = set(AuditLogEntry.objects.values_list("pk", flat=True))

    call()

    action, expected_object = next(steps)
    model, object_id = expected_object() if callable(expected_object) else expected_object
    recorded = list(AuditLogEntry.objects.exclude(pk__in=before).select_related("content_type"))
    domain = [entry for entry in recorded if entry.action == action]
    assert len(domain) == 1, [entry.action for entry in recorded]
    entry = domain[0]
    assert (entry.content_type.model_class(), entry.object_id) == (model, object_id)
    if service.rsplit(".", 1)[-1] in PROCESS_ACTED:
        assert (entry.actor, entry.actor_name) == (None, process_name())
    else:
        assert (entry.actor, entry.actor_name) == (steward, steward.username)
    reference_data = model.__name__ in {"Owner", "System", "Domain"}
    assert (entry.space_id, entry.organization_id) == (
        None if reference_data else space.pk, space.organization_id
    )
    # One entry per object: a domain entry takes in the field changes of its own object.
    objects = [(item.content_type_id, item.object_id) for item in recorded]
    assert len(objects) == len(set(objects)), [item.action for item in recorded]
    assert {item.organization_id for item in recorded} == {space.organization_id}
    assert not AuditLogEntry.objects.exclude(pk__in=before).filter(space=other_space).exists()


def test_a_service_without_a_user_outside_a_request_names_the_command(space, monkeypatch):
    violation = factories.QualityViolationFactory(data_contract__space=space, priority="low")
    monkeypatch.setattr(sys, "argv", ["manage.py", "deliver_alerts"])

    triage.violation_prioritize(violations=[violation], priority="high")

    entry = AuditLogEntry.objects.get(action="quality.violation.prioritized")
    assert (entry.actor, entry.actor_name, entry.changes) == (
        None, "command:deliver_alerts", {"priority": ["low", "high"]}
    )
    assert QualityViolation.objects.get().priority == "high"
