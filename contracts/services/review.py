"""Review before activation, in a space that requires it.

The author of a draft asks for review; a second steward, who neither asked nor
created the version, approves it or requests changes with a comment. Only an
approved version is activated (`contracts.services.lifecycle` checks it). Each step
is a new state of the version's newest `ContractReview` and is recorded in the audit
log with what was decided.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.models import ContractReview, DataContract, ReviewStatus, Status
from contracts.services.actors import actor_name
from tenancy.audit import audit_log, audited

#: The states of the newest round after which the author asks for review again.
REVIEW_AGAIN = (ReviewStatus.CHANGES_REQUESTED, ReviewStatus.OUTDATED)


def contract_review_latest(*, contract):
    """The newest review round of `contract`, or None."""
    return _latest_round(contract.pk)


def _latest_round(contract_id):
    return ContractReview.objects.filter(data_contract_id=contract_id).order_by(
        "-created_at"
    ).first()


@transaction.atomic
@audited
def contract_review_request(*, contract, actor):
    """Put a draft in review; a version whose changes were requested goes back in review."""
    contract = _locked(contract)
    if not contract.space.requires_review:
        raise ValidationError(f"{contract.space} does not require review: activate {contract} "
                              "directly.", code="review_not_required")
    if contract.status != Status.DRAFT:
        raise ValidationError(f"{contract} is {contract.status}: only a draft is reviewed.",
                              code="not_a_draft")
    latest = contract_review_latest(contract=contract)
    if latest is not None and latest.status not in REVIEW_AGAIN:
        raise ValidationError(f"{contract} is already {latest.get_status_display().lower()}.",
                              code="already_reviewed")
    review = _full_save(ContractReview(
        data_contract=contract, requested_by=actor, requested_by_name=actor_name(actor),
    ))
    _audit(review, "requested", actor)
    return review


@transaction.atomic
@audited
def contract_review_approve(*, contract, actor, comment=""):
    """Approve the version in review: it may then be activated."""
    return _decide(contract, actor, ReviewStatus.APPROVED, comment)


@transaction.atomic
@audited
def contract_review_request_changes(*, contract, actor, comment):
    """Send the version in review back to its author, saying what must change."""
    if not comment.strip():
        raise ValidationError({"comment": "Say what must change."}, code="comment_required")
    return _decide(contract, actor, ReviewStatus.CHANGES_REQUESTED, comment)


@transaction.atomic
@audited
def contract_review_outdate(*, contract_id, actor):
    """After an edit of the draft, its round in review or approved no longer covers what
    would activate: the round becomes outdated and the author asks again. Returns the
    outdated round, or None when there was none to outdate."""
    review = _latest_round(contract_id)
    if review is None or review.status not in (ReviewStatus.IN_REVIEW, ReviewStatus.APPROVED):
        return None
    review.status = ReviewStatus.OUTDATED
    _full_save(review)
    _audit(review, "outdated", actor)
    return review


def _decide(contract, actor, status, comment):
    contract = _locked(contract)
    review = contract_review_latest(contract=contract)
    if review is None or review.status != ReviewStatus.IN_REVIEW:
        raise ValidationError(f"{contract} is not in review.", code="not_in_review")
    name = actor_name(actor)
    if actor.pk == review.requested_by_id or name == contract.created_by:
        raise ValidationError(
            f"{name} wrote or submitted {contract}: a second steward reviews it.",
            code="own_version",
        )
    review.status = status
    review.decided_by, review.decided_by_name = actor, name
    review.decided_at = timezone.now()
    review.comment = comment
    _full_save(review)
    _audit(review, {ReviewStatus.APPROVED: "approved",
                    ReviewStatus.CHANGES_REQUESTED: "changes_requested"}[status], actor)
    return review


def _locked(contract):
    # Two reviewers deciding at once would both see the review open.
    return DataContract.objects.select_for_update().select_related("space").get(pk=contract.pk)


def _audit(review, step, actor):
    """The audit entry of one review step (action `contracts.review.<step>`)."""
    audit_log(
        action=f"contracts.review.{step}", instance=review, actor=actor,
        space=review.data_contract.space,
        changes={
            "contract": [None, str(review.data_contract)],
            "requested_by": [None, review.requested_by_name],
            "decided_by": [None, review.decided_by_name],
            "comment": [None, review.comment],
        },
    )


def _full_save(instance):
    instance.full_clean()
    instance.save()
    return instance
