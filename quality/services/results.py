"""Recording a quality result that was computed elsewhere: by a pipeline or another tool.

The result is one metric row plus its violations, written like a check's: a
violation already known for the same (contract, record, field, error type) and
still unresolved is refreshed instead of opened twice; a failed result raises the
same alert as a failed check.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from quality.alerting.services import alert_raise
from quality.engine import sanitize_record
from quality.models import AlertKind, QualityMetric, QualityViolation, Severity
from quality.selectors import UNRESOLVED_STATUSES
from quality.services.violation_counts import violation_counts_recount
from tenancy.audit import audit_log, audit_record_batch, audited

RECORD_DATA_MAX_BYTES = 16 * 1024
METRIC_FIELDS = ("overall_score", "violation_rate", "completeness", "accuracy", "record_count",
                 "valid_count", "invalid_count", "violation_count", "field_scores",
                 "threshold_breaches")


@dataclass(frozen=True)
class ReportedViolation:
    """One failing field of one record (or one failed test), as a pipeline reports it."""

    field_name: str
    error_type: str
    error_message: str = ""
    record_identifier: str | None = None
    severity: str = Severity.WARNING
    record_data: object = None
    rule: str | None = None


@dataclass
class RecordedResult:
    metric: QualityMetric
    violations_opened: int = 0
    violations_updated: int = 0
    alert_id: object = None
    violation_ids: list = field(default_factory=list)


@transaction.atomic
@audited
def quality_result_record(*, contract, metric, violations, passed, created_by, source,
                          checked_at=None, additional_metadata=None, actor=None):
    """Record `metric` (a dict of METRIC_FIELDS) and `violations` (ReportedViolations) for
    `contract`. `passed` is the verdict of whoever checked the data; `actor` defaults to
    the request's or command's."""
    checked_at = checked_at or timezone.now()
    known = _unresolved_by_identity(contract, violations)
    new_rows, refreshed = [], []
    for reported in violations:
        values = {
            "error_message": reported.error_message,
            "severity": reported.severity,
            "record_data": sanitize_record(reported.record_data,
                                           max_bytes=RECORD_DATA_MAX_BYTES)
            if reported.record_data is not None else None,
            "check_timestamp": checked_at,
            "updated_at": checked_at,
        }
        existing = known.pop(_identity(reported), None)
        if existing is not None:
            refreshed.append(QualityViolation(id=existing, **values))
            continue
        new_rows.append(QualityViolation(
            schema_id=str(contract.schema_id or ""), schema_version=contract.schema_version,
            data_contract=contract, space_id=contract.space_id,
            record_identifier=reported.record_identifier, field_name=reported.field_name,
            error_type=reported.error_type, rule=reported.rule, **values,
        ))
    QualityViolation.objects.bulk_create(new_rows, batch_size=500)
    QualityViolation.objects.bulk_update(refreshed, ["error_message", "severity", "record_data",
                                                     "check_timestamp", "updated_at"],
                                         batch_size=500)
    violation_counts_recount(contract_ids=[contract.pk])
    metric_row = QualityMetric.objects.create(
        schema_id=str(contract.schema_id or ""), schema_version=contract.schema_version,
        data_contract=contract, space_id=contract.space_id,
        passed="true" if passed else "false", check_timestamp=checked_at, created_by=created_by,
        additional_metadata={"source": source, **(additional_metadata or {}),
                             "violations_opened": len(new_rows),
                             "violations_updated": len(refreshed)},
        **{name: metric.get(name) for name in METRIC_FIELDS},
    )
    audit_log(action="quality.result.recorded", instance=metric_row, actor=actor,
              changes={"source": [None, source], "passed": [None, bool(passed)],
                       "violations_opened": [None, len(new_rows)],
                       "violations_updated": [None, len(refreshed)]})
    if new_rows:
        audit_record_batch(model=QualityViolation, action="opened_by_result", space=contract.space,
                           count=len(new_rows), actor=actor,
                           details={"count": len(new_rows), "metric": str(metric_row.pk)})
    recorded = RecordedResult(metric=metric_row, violations_opened=len(new_rows),
                              violations_updated=len(refreshed),
                              violation_ids=[row.pk for row in new_rows + refreshed])
    if not passed:
        score = metric.get("overall_score")
        recorded.alert_id = alert_raise(
            space=contract.space, contract=contract, metric=metric_row,
            kind=AlertKind.QUALITY_CHECK_FAILED,
            severity=Severity.CRITICAL if score is not None and score < 50 else Severity.WARNING,
            message=f"{contract.name} {contract.version} failed its quality check ({source}).",
        ).pk
    return recorded


def _identity(reported):
    return (reported.record_identifier, reported.field_name, reported.error_type)


def _unresolved_by_identity(contract, violations):
    """{identity: id} of the contract's unresolved violations among the reported identities."""
    fields = {reported.field_name for reported in violations}
    if not fields:
        return {}
    rows = QualityViolation.objects.filter(
        data_contract=contract, status__in=UNRESOLVED_STATUSES, field_name__in=fields,
    ).values_list("id", "record_identifier", "field_name", "error_type")
    wanted = {_identity(reported) for reported in violations}
    return {
        (identifier, field_name, error_type): violation_id
        for violation_id, identifier, field_name, error_type in rows
        if (identifier, field_name, error_type) in wanted
    }
