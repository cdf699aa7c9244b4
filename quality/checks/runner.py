"""A quality check: stream a data file through the rule engine, keep metrics and violations.

The file is never loaded whole: records stream from the engine's readers, each
is checked, metrics accumulate in constant memory and new violations stream into
the database (COPY on PostgreSQL, from a thread: `violation_stream`) in the same
transaction as the metric row; the ones found again are refreshed in batches
(`refresh`), so that a re-run costs what a first run does.
Checks of one contract run one at a time (an advisory lock on PostgreSQL).

Across runs a violation is one (contract, record identifier, field, error type):
a re-run that finds it again updates it instead of opening a duplicate (and
reopens it if it had been resolved). Only a complete check of the full dataset
says what is no longer there: it resolves the open violations nobody has taken
on and flags (`not_found_since`) the ones someone has. A check whose input could
not all be read (it ended early, could not be decoded, records over the size
limit) is incomplete: it records what it saw and resolves nothing. A failed check
raises the contract's alert (or counts on the open one); a complete passing check
of the full dataset closes it. An input
without records, or a record id field no record has, is an error: nothing is
written.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from contracts.models import DataContract
from quality.alerting.services import alert_close, alert_raise
from quality.bulk.violations import WRITTEN_COLUMNS, BulkCreateWriter
from quality.checks.refresh import violation_refreshes
from quality.checks.violation_stream import ViolationStream
from quality.engine import (
    ChunkRules,
    ContractDefinitionError,
    InputError,
    MetricsAccumulator,
    checked_chunks,
    compile_contract,
    safe_text,
    sanitize_record,
)
from quality.models import (
    AlertKind,
    QualityMetric,
    QualityViolation,
    ResolutionReason,
    Severity,
    ViolationStatus,
    ViolationTransition,
)
from quality.services.violation_counts import violation_counts_recount
from tenancy.audit import audit_record_batch

CHECK_ACTOR = "quality-check"
FORMATS = ("csv", "json", "jsonl")
OPEN_STATUSES = (ViolationStatus.OPEN, ViolationStatus.ACKNOWLEDGED, ViolationStatus.ASSIGNED)
UPDATE_BATCH = 2_000
RECORD_DATA_MAX_BYTES = 16 * 1024
#: The reasons an incomplete check keeps (the count says how many there were).
INCOMPLETE_REASONS_KEPT = 10
#: The columns a check writes: the import's, and the identity it keeps up to date.
CHECK_WRITTEN_COLUMNS = (*WRITTEN_COLUMNS, "tracked_by_checks")
#: What a complete check may resolve when it no longer finds it: nobody has taken it on.
AUTO_RESOLVABLE = Q(status=ViolationStatus.OPEN, assignee__isnull=True)
#: Up to this many such violations a check from the admin resolves without asking.
CONFIRM_RESOLUTIONS_OVER = 10


class QualityCheckError(Exception):
    """The check cannot run (no schema, rules the engine refuses, unknown format, a file
    without records or in another encoding, a record id field no record has)."""


@dataclass
class CheckOutcome:
    metric: QualityMetric
    violations_opened: int = 0
    violations_updated: int = 0
    violations_reopened: int = 0
    violations_resolved: int = 0
    violations_flagged: int = 0
    alert_id: object = None
    seconds: float = 0.0
    field_violation_counts: dict = field(default_factory=dict)
    incomplete_reasons: list = field(default_factory=list)

    @property
    def passed(self):
        return self.metric.passed == "true"

    @property
    def complete(self):
        return self.metric.is_complete


def auto_resolvable_count(*, contract):
    """How many open violations of `contract` a complete check could resolve (at most)."""
    return QualityViolation.objects.filter(AUTO_RESOLVABLE, data_contract=contract).count()


def format_of(path, explicit=None):
    """The data format: given, or from the file's extension."""
    if explicit:
        return explicit
    suffix = Path(str(path)).suffix.lower().lstrip(".")
    chosen = {"ndjson": "jsonl"}.get(suffix, suffix)
    if chosen not in FORMATS:
        raise QualityCheckError(
            f"{path}: cannot tell the format from the extension; pass --format "
            f"({', '.join(FORMATS)})."
        )
    return chosen


def contract_thresholds(contract):
    """The quality thresholds the contract's metadata sets (governance_rules.quality_thresholds)."""
    record = contract.metadata_record
    governance = (record.governance_rules or {}) if record is not None else {}
    thresholds = governance.get("quality_thresholds")
    return thresholds if isinstance(thresholds, dict) else None


def compiled_contract(contract):
    if contract.schema is None:
        raise QualityCheckError(f"{contract} has no schema to check against.")
    try:
        return compile_contract(
            contract.schema.schema_data,
            contract.coercion_rules.rules if contract.coercion_rules else None,
            contract.validation_rules.rules if contract.validation_rules else None,
        )
    except ContractDefinitionError as error:
        problems = "; ".join(str(problem) for problem in error.problems)
        raise QualityCheckError(f"{contract}'s rules cannot be checked: {problems}") from None


def _writer():
    if connection.vendor == "postgresql":
        return ViolationStream(columns=CHECK_WRITTEN_COLUMNS)
    return BulkCreateWriter(columns=CHECK_WRITTEN_COLUMNS)


def _serialise_checks_of(contract):
    """Wait for any other check of `contract` to end (until this transaction ends).

    Two checks that read the known violations at once would both open the new ones.
    An advisory lock leaves the contract's row free for stewards to edit meanwhile;
    SQLite runs one writing transaction at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                           [f"quality_check:{contract.pk}"])


class _ViolationBook:
    """The contract's known violations, by identity, and what this run does to them.

    Rows other tools wrote may share an identity: all of them follow the check.
    """

    def __init__(self, contract):
        self.known = {}
        self.states = {}
        for violation_id, identifier, field_name, error_type, status, assignee_id, flagged in (
            QualityViolation.objects.filter(data_contract=contract)
            .values_list("id", "record_identifier", "field_name", "error_type", "status",
                         "assignee_id", "not_found_since")
            .iterator(chunk_size=10_000)
        ):
            self.known.setdefault((identifier, field_name, error_type), []).append(violation_id)
            self.states[violation_id] = (status, assignee_id, flagged)
        self.seen = set()
        self.reopened = []

    def found(self, key):
        """None when the violation is new; else the ids of its rows to refresh (none
        when this run opened or refreshed them already)."""
        violation_ids = self.known.get(key)
        if violation_ids is None:
            return None
        refound = []
        for violation_id in violation_ids:
            if violation_id is None or violation_id in self.seen:
                continue
            self.seen.add(violation_id)
            refound.append(violation_id)
            if self.states[violation_id][0] == ViolationStatus.RESOLVED:
                self.reopened.append(violation_id)
        return refound

    def opened(self, key):
        self.known[key] = [None]  # one row per identity per run

    def unseen(self):
        """(open violations nobody took on, taken-on ones not yet flagged) this run did not see."""
        resolvable, flaggable = [], []
        for violation_id, (status, assignee_id, flagged) in self.states.items():
            if violation_id in self.seen or status not in OPEN_STATUSES:
                continue
            if status == ViolationStatus.OPEN and assignee_id is None:
                resolvable.append(violation_id)
            elif flagged is None:
                flaggable.append(violation_id)
        return resolvable, flaggable


class _Incompleteness:
    """Why a check did not see all of its input: the first reasons, and how many."""

    def __init__(self, source_name):
        self.source_name = source_name
        self.reasons = []
        self.count = 0

    def add(self, line, message):
        self.count += 1
        if len(self.reasons) < INCOMPLETE_REASONS_KEPT:
            self.reasons.append(f"{self.source_name}, line {line}: {message}")


@transaction.atomic
def quality_check_run(*, contract, source, data_format, record_id_field=None, actor=CHECK_ACTOR,
                      full_dataset=True, progress=None, source_name=None, checked_at=None):
    """Check `source` (a path or a binary file) against `contract` and record the result.

    `checked_at` dates the check when its data is from another day (default: now)."""
    started = time.monotonic()
    source_name = source_name or (None if hasattr(source, "read") else str(source))
    _serialise_checks_of(contract)
    contract = DataContract.objects.select_related(
        "schema", "coercion_rules", "validation_rules", "metadata_record", "space"
    ).get(pk=contract.pk)
    compiled = compiled_contract(contract)
    thresholds = contract_thresholds(contract)
    checked_at = checked_at or timezone.now()
    schema_id, schema_version = str(contract.schema_id), contract.schema_version
    accumulator = MetricsAccumulator()
    book = _ViolationBook(contract)
    incompleteness = _Incompleteness(source_name or "the file")
    identified = record_id_field is None
    read_records = 0
    records_before = 0
    opened = 0
    common = (str(contract.pk), str(contract.space_id), schema_id, schema_version)
    rules = ChunkRules(contract=compiled, record_id_field=record_id_field,
                       record_data_max_bytes=RECORD_DATA_MAX_BYTES)
    try:
        with (_writer() as writer,
              violation_refreshes(checked_at=checked_at, before_batch=writer.pause) as refreshes):
            for chunk in checked_chunks(source, data_format, rules):
                accumulator.merge(chunk.metrics)
                read_records += chunk.read_records
                identified = identified or chunk.identified
                for line, message in chunk.problems:
                    incompleteness.add(line, message)
                for index, identifier, record_json, severity, errors in chunk.failures:
                    identifier = identifier or f"record_{records_before + index}"
                    for error in errors:
                        key = (identifier, safe_text(error.field[:255]), error.error_type)
                        message = safe_text(error.message)
                        refound = book.found(key)
                        if refound is not None:
                            for violation_id in refound:
                                refreshes.add((violation_id, message, severity, record_json))
                            continue
                        book.opened(key)
                        writer.add((*common, identifier, record_json, key[1], error.error_type,
                                    message, severity, ViolationStatus.OPEN.value, "medium",
                                    None, checked_at, None, None, None, None, None, True))
                        opened += 1
                records_before += chunk.count
                if progress is not None:
                    progress(records_before)
    except InputError as error:
        raise QualityCheckError(f"{source_name or 'the file'}: {error}") from None
    metrics = accumulator.result(thresholds)
    if metrics.record_count == 0:
        raise QualityCheckError(
            f"{source_name or 'the file'} holds no records: a check of nothing cannot pass."
        )
    if read_records and not identified:
        raise QualityCheckError(
            f"no record of {source_name or 'the file'} has the record id field "
            f"{record_id_field!r}."
        )
    complete = incompleteness.count == 0
    updated, reopened = refreshes.count, _reopen(book, checked_at)
    resolved, flagged = (
        _resolve_unseen(book, checked_at) if full_dataset and complete else (0, 0)
    )
    violation_counts_recount(contract_ids=[contract.pk])
    metric = QualityMetric.objects.create(
        schema_id=schema_id, schema_version=schema_version, data_contract=contract,
        space_id=contract.space_id, overall_score=metrics.overall_score,
        violation_rate=metrics.violation_rate, completeness=metrics.completeness,
        accuracy=metrics.accuracy, record_count=metrics.record_count,
        valid_count=metrics.valid_count, invalid_count=metrics.invalid_count,
        violation_count=metrics.violation_count,
        field_scores=sanitize_record(metrics.field_scores),
        threshold_breaches=metrics.threshold_breaches,
        passed="true" if metrics.passed else "false", check_timestamp=checked_at,
        created_by=actor, is_complete=complete,
        additional_metadata={
            "source": source_name, "format": data_format, "thresholds": thresholds,
            "violations_opened": opened, "violations_updated": updated,
            "violations_resolved": resolved, "violations_flagged": flagged,
            "full_dataset": full_dataset, "incomplete_reasons": incompleteness.reasons,
            "unreadable_records": incompleteness.count,
        },
    )
    if opened:
        audit_record_batch(model=QualityViolation, action="opened_by_check", space=contract.space,
                           count=opened, details={"count": opened, "metric": str(metric.pk)})
    if resolved:
        audit_record_batch(model=QualityViolation, action="auto_resolved", space=contract.space,
                           count=resolved, details={"count": resolved, "metric": str(metric.pk),
                                                    "reason": ResolutionReason.NO_LONGER_FOUND})
    outcome = CheckOutcome(
        metric=metric, violations_opened=opened, violations_updated=updated,
        violations_reopened=reopened, violations_resolved=resolved, violations_flagged=flagged,
        field_violation_counts=dict(metrics.field_violation_counts),
        incomplete_reasons=incompleteness.reasons,
    )
    if not metrics.passed:
        breaches = "; ".join(metrics.threshold_breaches) or (
            f"{metrics.invalid_count} of {metrics.record_count} records are invalid"
        )
        outcome.alert_id = alert_raise(
            space=contract.space, contract=contract, metric=metric,
            kind=AlertKind.QUALITY_CHECK_FAILED,
            severity=Severity.CRITICAL if metrics.overall_score < 50 else Severity.WARNING,
            message=f"{contract.name} {contract.version} failed its quality check: {breaches}",
        ).pk
    elif complete and full_dataset:
        alert_close(contract=contract, kind=AlertKind.QUALITY_CHECK_FAILED)
    outcome.seconds = time.monotonic() - started
    return outcome


def _reopen(book, checked_at):
    """Reopen the resolved violations this run found again."""
    reopened = book.reopened
    for start in range(0, len(reopened), UPDATE_BATCH):
        QualityViolation.objects.filter(id__in=reopened[start:start + UPDATE_BATCH]).update(
            status=ViolationStatus.OPEN, resolved_at=None, resolved_by=None,
            resolution_reason=None, resolution_note=None, updated_at=checked_at,
        )
    ViolationTransition.objects.bulk_create(
        [ViolationTransition(violation_id=violation_id, from_status=ViolationStatus.RESOLVED,
                             to_status=ViolationStatus.OPEN, actor_name=CHECK_ACTOR,
                             note="Found again by a quality check.")
         for violation_id in reopened],
        batch_size=UPDATE_BATCH,
    )
    return len(reopened)


def _resolve_unseen(book, checked_at):
    """A complete check of the full dataset resolves the open violations nobody has taken
    on that it no longer finds, and flags the taken-on ones for their assignee."""
    resolvable, flaggable = book.unseen()
    resolved = 0
    for start in range(0, len(resolvable), UPDATE_BATCH):
        # Filtered again: a steward may have taken one on while the file was read.
        batch = list(QualityViolation.objects.filter(
            AUTO_RESOLVABLE, id__in=resolvable[start:start + UPDATE_BATCH]
        ).values_list("id", flat=True))
        QualityViolation.objects.filter(id__in=batch).update(
            status=ViolationStatus.RESOLVED, resolved_at=checked_at, resolved_by=CHECK_ACTOR,
            resolution_reason=ResolutionReason.NO_LONGER_FOUND, not_found_since=None,
            updated_at=checked_at,
        )
        ViolationTransition.objects.bulk_create([
            ViolationTransition(violation_id=violation_id, from_status=ViolationStatus.OPEN,
                                to_status=ViolationStatus.RESOLVED, actor_name=CHECK_ACTOR,
                                reason=ResolutionReason.NO_LONGER_FOUND,
                                note="No longer found by a complete quality check.")
            for violation_id in batch
        ])
        resolved += len(batch)
    for start in range(0, len(flaggable), UPDATE_BATCH):
        QualityViolation.objects.filter(
            id__in=flaggable[start:start + UPDATE_BATCH], not_found_since__isnull=True
        ).update(not_found_since=checked_at)
    return resolved, len(flaggable)
