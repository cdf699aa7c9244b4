"""Keeping `ViolationCount` equal to a count over the violations, in the writer's transaction.

Writers that add or refresh many violations of a few contracts (a check, a recorded
result, an import) recount those contracts: one grouped query over their violations,
which the indexes on the contract serve. Triage knows exactly which rows it moved and
moves their counts from one status to the other.

Both take a transaction-scoped lock per contract on PostgreSQL, so that a recount
and a triage move of the same contract never interleave (a move committed between
the recount's delete and its insert would be counted twice).
"""

from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, ExpressionWrapper, Q
from django.db.models.fields import BooleanField

from contracts.models import DataContract
from quality.models import QualityViolation, ViolationCount

KEY = ("space_id", "data_contract_id", "field_name", "error_type", "severity", "status",
       "is_assigned")


@transaction.atomic
def violation_counts_recount(*, contract_ids):
    """Count again the violations of `contract_ids` (after a writer changed them)."""
    contract_ids = sorted({str(contract_id) for contract_id in contract_ids if contract_id})
    if not contract_ids:
        return
    _lock_counts_of(contract_ids)
    _replace(Q(data_contract_id__in=contract_ids))


@transaction.atomic
def violation_counts_rebuild(*, space_ids):
    """Count again every violation of `space_ids`, with a contract or without (rows other
    tools wrote with plain SQL, or whose draft contract was deleted)."""
    _lock_counts_of(sorted(
        str(contract_id) for contract_id in
        DataContract.objects.filter(space_id__in=space_ids).values_list("pk", flat=True)
    ))
    _replace(Q(space_id__in=space_ids))


def _replace(violations):
    """Replace the counts of the `violations` (a filter both tables share) by a new count."""
    _delete(ViolationCount.objects.filter(violations))
    rows = (
        QualityViolation.objects.filter(violations)
        .annotate(is_assigned=ExpressionWrapper(Q(assignee__isnull=False),
                                                output_field=BooleanField()))
        .order_by()
        .values(*KEY)
        .annotate(count=Count("pk"))
    )
    # A list, not a server-side cursor: PostgreSQL plans a cursor for its first rows, and
    # this query is worth a plan for all of them (a few rows per kind come back).
    ViolationCount.objects.bulk_create([ViolationCount(**row) for row in rows], batch_size=500)


@transaction.atomic
def violation_counts_move(*, moves):
    """Apply `moves`, an iterable of (key before, key after) of violations triage changed
    (keys as in KEY, `None` before for a violation that is new)."""
    changes = Counter()
    for before, after in moves:
        if before == after:
            continue
        if before is not None:
            changes[before] -= 1
        changes[after] += 1
    changes = {key: change for key, change in changes.items() if change}
    if not changes:
        return
    contract_ids = {key[1] for key in changes}
    _lock_counts_of(sorted(str(contract_id) for contract_id in contract_ids if contract_id))
    space_ids = {key[0] for key in changes}
    existing = {}
    of_contracts = Q(data_contract_id__in=[contract_id for contract_id in contract_ids
                                           if contract_id is not None])
    if None in contract_ids:
        of_contracts |= Q(data_contract_id__isnull=True)
    for row in ViolationCount.objects.filter(of_contracts, space_id__in=space_ids).order_by("pk"):
        existing.setdefault(tuple(getattr(row, name) for name in KEY), row)
    updated, created = [], []
    for key, change in changes.items():
        row = existing.get(key)
        if row is None:
            created.append(ViolationCount(**dict(zip(KEY, key, strict=True)), count=change))
        else:
            row.count += change
            updated.append(row)
    ViolationCount.objects.bulk_update(updated, ["count"], batch_size=500)
    ViolationCount.objects.bulk_create(created, batch_size=500)
    emptied = [row.pk for row in updated if row.count == 0]
    if emptied:
        _delete(ViolationCount.objects.filter(pk__in=emptied))


def violation_count_key(*, space_id, data_contract_id, field_name, error_type, severity,
                        status, assignee_id):
    """The key of a violation with these values, in KEY order."""
    return (space_id, data_contract_id, field_name, error_type, severity, status,
            assignee_id is not None)


def _delete(counts):
    """One DELETE: counts are derived rows, without the audit and the attachments that a
    model's delete signals look after."""
    counts._raw_delete(counts.db)


def _lock_counts_of(contract_ids):
    if connection.vendor != "postgresql" or not contract_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('violation_counts:' || id, 0)) "
            "FROM unnest(%s::text[]) AS id",
            [list(contract_ids)],
        )
