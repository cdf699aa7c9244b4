"""Triage: the only code that moves violations through their statuses and acknowledges alerts.

Every function takes many rows at once (a queryset or a list) and runs in one
transaction with a fixed number of statements per batch, never one per row: the
violations are locked and read once, changed with bulk UPDATEs, and each move is
recorded with one bulk INSERT of ViolationTransition rows. Violations whose
status does not allow the step are left as they are and not counted, so a bulk
action over a mixed selection does what it can and says how much that was.

Who may triage which space is the adapters' business (see tenancy.admin_base);
these functions enforce the rules of the workflow itself.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from quality.models import (
    Priority,
    QualityViolation,
    ResolutionReason,
    ViolationStatus,
    ViolationTransition,
)
from quality.selectors import UNRESOLVED_STATUSES, space_assignee_ids
from quality.services.violation_counts import violation_count_key, violation_counts_move
from tenancy.audit import audit_log_rows

# The statuses each step starts from.
ACKNOWLEDGEABLE_STATUSES = (ViolationStatus.OPEN,)
ASSIGNABLE_STATUSES = UNRESOLVED_STATUSES
CLOSABLE_STATUSES = UNRESOLVED_STATUSES
REOPENABLE_STATUSES = tuple(status for status in ViolationStatus if status != ViolationStatus.OPEN)

# The audit action of each move, by the status it moves to.
MOVE_ACTIONS = {
    ViolationStatus.ACKNOWLEDGED: "quality.violation.acknowledged",
    ViolationStatus.ASSIGNED: "quality.violation.assigned",
    ViolationStatus.RESOLVED: "quality.violation.resolved",
    ViolationStatus.IGNORED: "quality.violation.ignored",
    ViolationStatus.OPEN: "quality.violation.reopened",
}

# SQLite takes at most 999 parameters a statement, and the tenant scope adds its space ids.
BATCH_SIZE = 500


def validate_resolution(*, reason, note):
    """A resolution needs a known reason, and "Other" needs a note saying what it was."""
    if reason not in ResolutionReason.values:
        raise ValidationError({"reason": "Choose a reason."}, code="resolution_reason_unknown")
    if reason == ResolutionReason.OTHER and not (note or "").strip():
        raise ValidationError(
            {"note": 'Say what happened when the reason is "Other".'},
            code="resolution_note_required",
        )


@transaction.atomic
def violation_acknowledge(*, violations, actor):
    """Open -> acknowledged: someone has seen it. Returns how many violations moved."""
    rows = _locked_rows(violations, ACKNOWLEDGEABLE_STATUSES)
    return _move(rows, actor=actor, to_status=ViolationStatus.ACKNOWLEDGED)


@transaction.atomic
def violation_assign(*, violations, actor, assignee):
    """Give unresolved violations to `assignee`, who must be able to work in each one's space.

    Raises ValidationError when `assignee` is not a steward or admin (of the space or its
    organization) of the space of every violation that would move. Returns how many moved.
    """
    rows = [
        row
        for row in _locked_rows(violations, ASSIGNABLE_STATUSES)
        if not (row.status == ViolationStatus.ASSIGNED and row.assignee_id == assignee.pk)
    ]
    eligible = space_assignee_ids(space_ids={row.space_id for row in rows})
    outside = sum(1 for row in rows if assignee.pk not in eligible[row.space_id])
    if outside:
        raise ValidationError(
            {"assignee": f"{assignee.get_username()} may not work on violations in the space "
                         f"of {outside} of these violations."},
            code="assignee_not_a_member",
        )
    return _move(
        rows, actor=actor, to_status=ViolationStatus.ASSIGNED, changes={"assignee": assignee},
        assignee=assignee,
    )


@transaction.atomic
def violation_resolve(*, violations, actor, reason, note=""):
    """Close unresolved violations as dealt with, saying why. Returns how many moved."""
    return _close(violations, actor=actor, to_status=ViolationStatus.RESOLVED, reason=reason,
                  note=note)


@transaction.atomic
def violation_ignore(*, violations, actor, reason, note=""):
    """Close unresolved violations as not worth fixing, saying why. Returns how many moved."""
    return _close(violations, actor=actor, to_status=ViolationStatus.IGNORED, reason=reason,
                  note=note)


@transaction.atomic
def violation_reopen(*, violations, actor, note=""):
    """Back to open and unassigned, forgetting the resolution (the history keeps it).

    Returns how many violations moved.
    """
    rows = _locked_rows(violations, REOPENABLE_STATUSES)
    return _move(
        rows,
        actor=actor,
        to_status=ViolationStatus.OPEN,
        changes={
            "assignee": None,
            "resolved_by": None,
            "resolved_at": None,
            "resolution_reason": None,
            "resolution_note": None,
        },
        note=note,
    )


@transaction.atomic
def violation_prioritize(*, violations, priority, actor=None):
    """Set the priority of violations in any status. Returns how many changed."""
    if priority not in Priority.values:
        raise ValidationError({"priority": "Choose a priority."}, code="priority_unknown")
    rows = [row for row in _locked_rows(violations, ViolationStatus.values)
            if row.priority != priority]
    ids = [row.pk for row in rows]
    now = timezone.now()
    for start in range(0, len(ids), BATCH_SIZE):
        QualityViolation.objects.filter(pk__in=ids[start:start + BATCH_SIZE]).update(
            priority=priority, updated_at=now
        )
    audit_log_rows(
        action="quality.violation.prioritized", model=QualityViolation, actor=actor,
        rows=[(row.pk, _violation_repr(row), row.space_id, row.space__organization_id,
               {"priority": [row.priority, priority]}) for row in rows],
    )
    return len(rows)


@transaction.atomic
def _close(violations, *, actor, to_status, reason, note):
    validate_resolution(reason=reason, note=note)
    rows = _locked_rows(violations, CLOSABLE_STATUSES)
    return _move(
        rows,
        actor=actor,
        to_status=to_status,
        changes={
            "resolved_by": actor.get_username(),
            "resolved_at": timezone.now(),
            "resolution_reason": reason,
            "resolution_note": note or None,
        },
        reason=reason,
        note=note,
    )


def _id_batches(rows):
    """What `pk__in` takes to cover `rows`: one subquery for a queryset, id batches for a list."""
    if isinstance(rows, QuerySet):
        return [rows.order_by().values("pk")]
    ids = [row.pk for row in rows]
    return [ids[start:start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE)]


def _locked_rows(violations, statuses):
    """The violations in `statuses` as (pk, status, space_id, assignee_id, ...), locked for the
    rest of the transaction so that concurrent triage cannot record a move twice."""
    return [
        row
        for ids in _id_batches(violations)
        for row in QualityViolation.objects.filter(pk__in=ids, status__in=statuses)
        .select_for_update()
        .values_list("pk", "status", "space_id", "assignee_id", "priority", "field_name",
                     "error_type", "record_identifier", "space__organization_id",
                     "data_contract_id", "severity", named=True)
    ]


def _move(rows, *, actor, to_status, changes=None, assignee=None, reason=None, note=""):
    ids = [row.pk for row in rows]
    now = timezone.now()
    for start in range(0, len(ids), BATCH_SIZE):
        QualityViolation.objects.filter(pk__in=ids[start:start + BATCH_SIZE]).update(
            status=to_status, updated_at=now, **(changes or {})
        )
    after = {"status": to_status}
    if "assignee" in (changes or {}):
        after["assignee_id"] = changes["assignee"].pk if changes["assignee"] else None
    violation_counts_move(moves=[(_count_key(row), _count_key(row, **after)) for row in rows])
    ViolationTransition.objects.bulk_create(
        [
            ViolationTransition(
                violation_id=row.pk,
                from_status=row.status,
                to_status=to_status,
                actor=actor,
                actor_name=actor.get_username(),
                assignee=assignee,
                reason=reason,
                note=note or "",
                created_at=now,
            )
            for row in rows
        ],
        batch_size=BATCH_SIZE,
    )
    logged = {name: _json_value(value) for name, value in (changes or {}).items()}
    audit_log_rows(
        action=MOVE_ACTIONS[to_status], model=QualityViolation, actor=actor,
        rows=[
            (row.pk, _violation_repr(row), row.space_id, row.space__organization_id,
             {"status": [row.status, to_status],
              **({"assignee": [None, assignee.get_username()]} if assignee else {}),
              **{name: [None, value] for name, value in logged.items()
                 if name != "assignee" and value is not None}})
            for row in rows
        ],
    )
    return len(rows)


def _count_key(row, **changed):
    values = {"space_id": row.space_id, "data_contract_id": row.data_contract_id,
              "field_name": row.field_name, "error_type": row.error_type,
              "severity": row.severity, "status": row.status, "assignee_id": row.assignee_id,
              **changed}
    return violation_count_key(**values)


def _violation_repr(row):
    # As QualityViolation.__str__ writes it, from the row's values.
    return f"{row.field_name}: {row.error_type} ({row.record_identifier})"


def _json_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
