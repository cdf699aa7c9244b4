"""A quality check: stream a data file through the rule engine, keep metrics and violations.

The file is never loaded whole: records stream from the engine's readers, each
is checked, metrics accumulate in constant memory and new violations stream into
the database (COPY on PostgreSQL) in the same transaction as the metric row.

Across runs a violation is one (contract, record identifier, field, error type):
a re-run that finds it again updates it instead of opening a duplicate (and
reopens it if it had been resolved); an open violation that a full re-run no
longer finds is resolved by the check; ignored violations stay ignored.
"""

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from contracts.models import DataContract
from quality.alerting.services import alert_raise
from quality.bulk.violations import BulkCreateWriter, CopyWriter
from quality.engine import (
    ContractDefinitionError,
    MetricsAccumulator,
    RecordProblem,
    compile_contract,
    record_identifier,
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
from tenancy.audit import audit_record_batch

CHECK_ACTOR = "quality-check"
FORMATS = ("csv", "json", "jsonl")
OPEN_STATUSES = (ViolationStatus.OPEN, ViolationStatus.ACKNOWLEDGED, ViolationStatus.ASSIGNED)
UPDATE_BATCH = 2_000
RECORD_DATA_MAX_BYTES = 16 * 1024


class QualityCheckError(Exception):
    """The check cannot run (no schema, rules the engine refuses, unknown format)."""


@dataclass
class CheckOutcome:
    metric: QualityMetric
    violations_opened: int = 0
    violations_updated: int = 0
    violations_reopened: int = 0
    violations_resolved: int = 0
    alert_id: object = None
    seconds: float = 0.0
    field_violation_counts: dict = field(default_factory=dict)

    @property
    def passed(self):
        return self.metric.passed == "true"


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
    return CopyWriter() if connection.vendor == "postgresql" else BulkCreateWriter()


class _ViolationBook:
    """The contract's known violations, by identity, and what this run does to them."""

    def __init__(self, contract):
        self.known = {}
        for violation_id, identifier, field_name, error_type, status in (
            QualityViolation.objects.filter(data_contract=contract)
            .values_list("id", "record_identifier", "field_name", "error_type", "status")
            .iterator(chunk_size=10_000)
        ):
            self.known[(identifier, field_name, error_type)] = (violation_id, status)
        self.seen = set()
        self.updates = []
        self.reopened = []

    def found(self, key, values):
        """True when the violation is known (and will be updated), False when it is new."""
        entry = self.known.get(key)
        if entry is None:
            return False
        violation_id, status = entry
        if violation_id is None or violation_id in self.seen:
            return True  # opened or refreshed already in this run
        self.seen.add(violation_id)
        self.updates.append((violation_id, values))
        if status == ViolationStatus.RESOLVED:
            self.reopened.append(violation_id)
        return True

    def unseen_open(self):
        return [violation_id for violation_id, status in self.known.values()
                if violation_id is not None and status in OPEN_STATUSES
                and violation_id not in self.seen]


def _json_text(value):
    return json.dumps(value, ensure_ascii=False, default=str)


@transaction.atomic
def quality_check_run(*, contract, source, data_format, record_id_field=None, actor=CHECK_ACTOR,
                      full_dataset=True, progress=None, source_name=None):
    """Check `source` (a path or a binary file) against `contract` and record the result."""
    from quality.engine import iter_records

    started = time.monotonic()
    contract = DataContract.objects.select_related(
        "schema", "coercion_rules", "validation_rules", "metadata_record", "space"
    ).get(pk=contract.pk)
    compiled = compiled_contract(contract)
    thresholds = contract_thresholds(contract)
    checked_at = timezone.now()
    schema_id, schema_version = str(contract.schema_id), contract.schema_version
    accumulator = MetricsAccumulator()
    book = _ViolationBook(contract)
    opened = 0
    common = (str(contract.pk), str(contract.space_id), schema_id, schema_version)
    with _writer() as writer:
        for index, record in iter_records(source, data_format):
            result = compiled.check(record)
            accumulator.add(result)
            if progress is not None and index % 1000 == 0:
                progress(index)
            if not result.errors:
                continue
            if isinstance(record, RecordProblem):
                identifier = f"record_{index}"
                record_data = {"_raw": record.excerpt}
            else:
                identifier = record_identifier(record, index, record_id_field)[:255]
                record_data = sanitize_record(record, max_bytes=RECORD_DATA_MAX_BYTES)
            record_json = _json_text(record_data)
            severity = result.severity
            for error in result.errors:
                key = (identifier, error.field[:255], error.error_type)
                values = (error.message, severity, record_json)
                if book.found(key, values):
                    continue
                book.known[key] = (None, ViolationStatus.OPEN)  # one row per identity per run
                writer.add((*common, identifier, record_json, key[1], error.error_type,
                            error.message, severity, ViolationStatus.OPEN.value, "medium",
                            None, checked_at, None, None, None, None, None))
                opened += 1
    metrics = accumulator.result(thresholds)
    updated, reopened = _apply_updates(book, checked_at)
    resolved = _resolve_unseen(book, checked_at) if full_dataset else 0
    metric = QualityMetric.objects.create(
        schema_id=schema_id, schema_version=schema_version, data_contract=contract,
        space_id=contract.space_id, overall_score=metrics.overall_score,
        violation_rate=metrics.violation_rate, completeness=metrics.completeness,
        accuracy=metrics.accuracy, record_count=metrics.record_count,
        valid_count=metrics.valid_count, invalid_count=metrics.invalid_count,
        violation_count=metrics.violation_count, field_scores=metrics.field_scores,
        threshold_breaches=metrics.threshold_breaches,
        passed="true" if metrics.passed else "false", check_timestamp=checked_at,
        created_by=actor,
        additional_metadata={
            "source": source_name or (None if hasattr(source, "read") else str(source)),
            "format": data_format, "thresholds": thresholds, "violations_opened": opened,
            "violations_updated": updated, "violations_resolved": resolved,
            "full_dataset": full_dataset,
        },
    )
    if opened:
        audit_record_batch(model=QualityViolation, action="opened_by_check", space=contract.space,
                           count=opened, details={"count": opened, "metric": str(metric.pk)})
    outcome = CheckOutcome(
        metric=metric, violations_opened=opened, violations_updated=updated,
        violations_reopened=reopened, violations_resolved=resolved,
        field_violation_counts=dict(metrics.field_violation_counts),
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
    outcome.seconds = time.monotonic() - started
    return outcome


def _apply_updates(book, checked_at):
    """Refresh re-found violations (message, severity, snapshot, time); reopen resolved ones."""
    for start in range(0, len(book.updates), UPDATE_BATCH):
        batch = book.updates[start:start + UPDATE_BATCH]
        violations = [
            QualityViolation(id=violation_id, error_message=message, severity=severity,
                             record_data=json.loads(record_json), check_timestamp=checked_at,
                             updated_at=checked_at)
            for violation_id, (message, severity, record_json) in batch
        ]
        QualityViolation.objects.bulk_update(
            violations, ["error_message", "severity", "record_data", "check_timestamp",
                         "updated_at"],
        )
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
    return len(book.updates), len(reopened)


def _resolve_unseen(book, checked_at):
    """Open violations that a full re-run no longer finds are resolved by the check."""
    unseen = book.unseen_open()
    statuses = dict(book.known.values())
    for start in range(0, len(unseen), UPDATE_BATCH):
        batch = unseen[start:start + UPDATE_BATCH]
        QualityViolation.objects.filter(id__in=batch).update(
            status=ViolationStatus.RESOLVED, resolved_at=checked_at, resolved_by=CHECK_ACTOR,
            resolution_reason=ResolutionReason.NO_LONGER_FOUND, updated_at=checked_at,
        )
        ViolationTransition.objects.bulk_create([
            ViolationTransition(violation_id=violation_id,
                                from_status=_status_of(statuses, violation_id),
                                to_status=ViolationStatus.RESOLVED, actor_name=CHECK_ACTOR,
                                reason=ResolutionReason.NO_LONGER_FOUND,
                                note="No longer found by a full quality check.")
            for violation_id in batch
        ])
    return len(unseen)


def _status_of(statuses, violation_id):
    return statuses.get(violation_id, ViolationStatus.OPEN)
