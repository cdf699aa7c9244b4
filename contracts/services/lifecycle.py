"""A contract version's life: a draft is activated, and later deprecated.

One version of a name is active per space: activating a version deprecates the one
that was active. Activation is gated, because consumers rely on the active version:
it needs a business owner and an IT application owner, and when its schema or rules
break what the active version accepted (see `contracts.diff`), a steward's explicit
sign-off, recorded with the version, and a major version number (or, in the sign-off,
the reason it is not one); in a space that requires review, a draft needs a second
steward's approval (`contracts.services.review`). A new version is a draft copy of a
contract with all its parts and links, its version bumped.
"""

from dataclasses import dataclass
from datetime import timedelta

import semver
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from contracts.diff import ContractDiff, contract_diff
from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    BreakingChangeSignOff,
    CoercionRuleSet,
    ContractReview,
    DataContract,
    MetadataRecord,
    MetadataRecordDomain,
    ReviewStatus,
    Schema,
    Status,
    ValidationRuleSet,
)
from contracts.selectors import CURRENT_COMPONENTS, contract_get, contract_terms
from contracts.services.actors import actor_name
from contracts.services.contract_edit import REQUIRED_OWNER_ROLES
from contracts.services.links import LINK_MODELS, links_by_role
from contracts.services.review import contract_review_outdate
from contracts.signals import breaking_version_activated
from tenancy.audit import audit_log, audited


class VersionBump(models.TextChoices):
    MAJOR = "major", "Major: breaks consumers"
    MINOR = "minor", "Minor: adds, compatible"
    PATCH = "patch", "Patch: fixes"


def version_bumped(version, bump):
    """`version` with its major, minor or patch part raised (1.2.3 -> 2.0.0, 1.3.0, 1.2.4)."""
    parsed = semver.Version.parse(version)
    return str(
        {
            VersionBump.MAJOR: parsed.bump_major,
            VersionBump.MINOR: parsed.bump_minor,
            VersionBump.PATCH: parsed.bump_patch,
        }[bump]()
    )


@dataclass(frozen=True)
class ActivationReview:
    """What stands between a contract version and activation.

    `diff` compares the active version of the same name (`active_version`) with this
    one; `sign_off` is a recorded sign-off that accepted exactly its breaking changes.
    """

    contract: DataContract
    missing_owner_roles: tuple
    active_version: DataContract | None
    diff: ContractDiff | None
    sign_off: BreakingChangeSignOff | None
    review: ContractReview | None = None

    @property
    def problems(self):
        """Why the contract cannot be activated at all (a sign-off does not help)."""
        problems = []
        if self.contract.status == Status.ACTIVE:
            problems.append(f"{self.contract} is already active.")
        problems.extend(
            f"An active contract needs at least one {REQUIRED_OWNER_ROLES[role]}."
            for role in self.missing_owner_roles
        )
        if self.needs_approval:
            problems.append(
                f"{self.contract.space} requires review: a second steward must approve "
                f"{self.contract} before it is activated."
            )
        return problems

    @property
    def needs_approval(self):
        return (
            self.contract.space.requires_review
            and self.contract.status == Status.DRAFT
            and (self.review is None or self.review.status != ReviewStatus.APPROVED)
        )

    @property
    def needs_sign_off(self):
        return bool(self.diff and self.diff.is_breaking and self.sign_off is None)

    @property
    def suggested_version(self):
        """The version these changes call for after the active one (see `contracts.diff`)."""
        if self.diff is None:
            return None
        return version_bumped(self.active_version.version, self.diff.suggested_bump)

    @property
    def needs_reason_for_version(self):
        """Breaking changes under a version that is not a major bump of the active one:
        consumers read the version, so the steward records why it stays."""
        return self.needs_sign_off and not _is_major_bump(self.active_version.version,
                                                          self.contract.version)

    @property
    def version_problem(self):
        """Why the version number misleads consumers, with the breaking changes listed."""
        changes = "; ".join(
            f"{change.component.replace('_', ' ')} {change.field}: {change.explanation}"
            for change in self.diff.breaking_changes
        )
        return (
            f"{self.contract} is not a major version after {self.active_version}, but it breaks "
            f"consumers ({changes}). Number it {self.suggested_version}, or record in the "
            "sign-off's note why the version stays."
        )


def _is_major_bump(previous, version):
    return semver.Version.parse(version).major > semver.Version.parse(previous).major


def contract_activation_review(*, contract):
    """Review `contract` for activation (reads only; the activation page shows it)."""
    contract = contract_get(contract_id=contract.pk)
    missing = tuple(
        role for role in REQUIRED_OWNER_ROLES
        if contract.metadata_record_id is None
        or not OWNERSHIP_ROLE_LINKS[role].objects.filter(
            metadata_record_id=contract.metadata_record_id
        ).exists()
    )
    active_version = (
        DataContract.objects.filter(
            space_id=contract.space_id, name=contract.name, status=Status.ACTIVE
        )
        .exclude(pk=contract.pk)
        .select_related(*CURRENT_COMPONENTS)
        .seal()
        .first()
    )
    diff = sign_off = None
    if active_version is not None:
        diff = contract_diff(contract_terms(active_version), contract_terms(contract))
        accepted = [change.as_dict() for change in diff.breaking_changes]
        sign_off = next(
            (
                recorded
                for recorded in BreakingChangeSignOff.objects.filter(
                    data_contract=contract, compared_with_version=active_version.version
                )
                if recorded.breaking_changes == accepted
            ),
            None,
        ) if accepted else None
    review = ContractReview.objects.filter(data_contract_id=contract.pk).order_by(
        "-created_at"
    ).first()
    return ActivationReview(contract, missing, active_version, diff, sign_off, review)


@transaction.atomic
@audited
def contract_activate(*, contract, actor, accept_breaking_changes=False, note=""):
    """Activate `contract` and deprecate the version of its name that was active.

    Breaking changes against the active version need `accept_breaking_changes`, which
    records the actor's sign-off with the version, and a major version, or a `note` that
    says why not. Returns the activated contract.
    """
    # Two activations of one name at once would leave two active versions.
    list(
        DataContract.objects.select_for_update()
        .filter(space_id=contract.space_id, name=contract.name)
        .values_list("pk", flat=True)
    )
    review = contract_activation_review(contract=contract)
    if review.problems:
        raise ValidationError(review.problems, code="activation_blocked")
    if review.needs_sign_off:
        if review.needs_reason_for_version and not note.strip():
            raise ValidationError(review.version_problem, code="major_version_required")
        if not accept_breaking_changes:
            count = len(review.diff.breaking_changes)
            raise ValidationError(
                f"{review.contract} breaks what {review.active_version} accepted "
                f"({count} breaking change{'s' if count != 1 else ''}): a steward must sign off "
                "before it is activated.",
                code="sign_off_required",
            )
        _full_save(
            BreakingChangeSignOff(
                data_contract=review.contract,
                compared_with_version=review.active_version.version,
                signed_off_by=actor,
                signed_off_by_name=actor_name(actor),
                breaking_changes=[change.as_dict() for change in review.diff.breaking_changes],
                note=note,
            )
        )
    # The database keeps one active version per name: the old one goes first.
    if review.active_version is not None:
        _status_set(review.active_version, Status.DEPRECATED, actor)
    activated = _status_set(review.contract, Status.ACTIVE, actor)
    audit_log(action="contracts.contract.activated", instance=activated, actor=actor)
    if review.needs_sign_off:
        breaking_version_activated.send(
            sender=DataContract, contract=activated, previous=review.active_version,
            breaking_changes=review.diff.breaking_changes,
        )
    return activated


@transaction.atomic
@audited
def contract_deprecate(*, contract, actor):
    """Retire a draft or active version; it can be activated again later."""
    contract = contract_get(contract_id=contract.pk)
    if contract.status == Status.DEPRECATED:
        raise ValidationError(f"{contract} is already deprecated.", code="already_deprecated")
    deprecated = _status_set(contract, Status.DEPRECATED, actor)
    audit_log(action="contracts.contract.deprecated", instance=deprecated, actor=actor)
    return deprecated


def _status_set(contract, status, actor):
    """Set the status of a contract and of its metadata record, which mirrors it.

    `updated_by` names users only: without one (an import run by a command), the rows keep
    the name they had, and the audit log names the process.
    """
    name = actor_name(actor)
    contract.status = status
    contract.updated_by = name or contract.updated_by
    _full_save(contract)
    if contract.metadata_record is not None:
        contract.metadata_record.status = status
        contract.metadata_record.updated_by = name or contract.metadata_record.updated_by
        _full_save(contract.metadata_record)
    return contract


@transaction.atomic
@audited
def contract_new_version(*, contract, bump, actor):
    """A draft copy of `contract` with its version bumped: every current part (each given
    the new version) and every owner, system and domain link, in order."""
    source = contract_get(contract_id=contract.pk)
    version = version_bumped(source.version, bump)
    if DataContract.objects.filter(
        space_id=source.space_id, name=source.name, version=version
    ).exists():
        raise ValidationError(
            {"version": f"{source.name} {version} already exists."}, code="version_exists"
        )
    name = actor_name(actor)
    copy = _full_save(
        DataContract(
            space_id=source.space_id, name=source.name, version=version, status=Status.DRAFT,
            description=source.description, document_extra=source.document_extra,
            created_by=name, updated_by=name,
        )
    )
    schema = None
    if source.schema is not None:
        schema_data = source.schema.schema_data
        # PyCharter reads a schema's version from inside it: it follows the copy's.
        if isinstance(schema_data, dict) and "version" in schema_data:
            schema_data = {**schema_data, "version": version}
        schema = _full_save(Schema(data_contract=copy, version=version, title=source.schema.title,
                                   schema_data=schema_data))
        copy.schema, copy.schema_version = schema, version
    for model, field in ((CoercionRuleSet, "coercion_rules"),
                         (ValidationRuleSet, "validation_rules")):
        rule_set = getattr(source, field)
        if rule_set is not None:
            setattr(copy, field, _full_save(model(
                data_contract=copy, version=version, title=rule_set.title,
                description=rule_set.description, rules=rule_set.rules, schema=schema,
            )))
            setattr(copy, f"{field}_version", version)
    if source.metadata_record is not None:
        copy.metadata_record = _metadata_record_copy(source.metadata_record, copy, name)
        copy.metadata_version = version
    _full_save(copy)
    audit_log(
        action="contracts.contract.version_created", instance=copy, actor=actor,
        changes={"copied_from": [None, str(source)], **links_by_role(copy.metadata_record)},
        covers=LINK_MODELS,
    )
    return copy


@transaction.atomic
@audited
def contract_renumber(*, contract, version, actor):
    """Give a draft another version number, with its own parts and its schema's inner
    `version`: the bump picked when the draft was made may not fit the changes made since
    (breaking changes call for a major version). An approval of the old number is outdated."""
    draft = contract_get(contract_id=contract.pk)
    if draft.status != Status.DRAFT:
        raise ValidationError(
            f"{draft} is {draft.status}: only a draft's version can change.", code="not_a_draft"
        )
    if DataContract.objects.filter(space_id=draft.space_id, name=draft.name,
                                   version=version).exclude(pk=draft.pk).exists():
        raise ValidationError(
            {"version": f"{draft.name} {version} already exists."}, code="version_exists"
        )
    previous = draft.version
    draft.version = version
    for field in CURRENT_COMPONENTS:
        part = getattr(draft, field)
        # Parts are renumbered only where they are the draft's own copy.
        if part is None or part.data_contract_id != draft.pk:
            continue
        part.version = version
        if field == "schema" and isinstance(part.schema_data, dict) \
                and "version" in part.schema_data:
            part.schema_data = {**part.schema_data, "version": version}
        _full_save(part)
        setattr(draft, _VERSION_FIELDS[field], version)
    draft.updated_by = actor_name(actor)
    _full_save(draft)
    contract_review_outdate(contract_id=draft.pk, actor=actor)
    audit_log(action="contracts.contract.renumbered", instance=draft, actor=actor,
              changes={"version": [previous, version]})
    return draft


#: The column of `data_contracts` recording each current part's version.
_VERSION_FIELDS = {"schema": "schema_version", "coercion_rules": "coercion_rules_version",
                   "validation_rules": "validation_rules_version",
                   "metadata_record": "metadata_version"}


def _metadata_record_copy(record, contract, name):
    copy = _full_save(
        MetadataRecord(
            data_contract=contract, version=contract.version, status=Status.DRAFT,
            title=record.title, type=record.type, description=record.description,
            governance_rules=record.governance_rules, document_extra=record.document_extra,
            created_by=name, updated_by=name,
        )
    )
    now = timezone.now()
    link_targets = [
        *((link_model, "owner") for link_model in OWNERSHIP_ROLE_LINKS.values()),
        *((link_model, "system") for link_model in SYSTEM_ROLE_LINKS.values()),
        (MetadataRecordDomain, "domain"),
    ]
    for link_model, target in link_targets:
        target_ids = link_model.objects.filter(metadata_record=record).order_by(
            "created_at", "id"
        ).values_list(f"{target}_id", flat=True)
        # Distinct creation times keep the links in the order of the original.
        for position, target_id in enumerate(target_ids):
            link_model(metadata_record=copy, created_at=now + timedelta(microseconds=position),
                       **{f"{target}_id": target_id}).save()
    return copy


def _full_save(instance):
    instance.full_clean()
    instance.save()
    return instance
