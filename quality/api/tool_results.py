"""Results of other data-quality tools, mapped to one metric and its violations.

Each tool reports *checks* (dbt tests, Great Expectations expectations, Soda
checks, datacontract-cli checks), not records, so the metric counts checks:

| metric column | meaning here |
| --- | --- |
| record_count | checks evaluated |
| valid_count / invalid_count | checks that passed / did not pass (warnings count as not passed) |
| overall_score | 100 * passed / evaluated |
| violation_rate | invalid_count / record_count |
| violation_count | violations recorded (one per check not passed) |
| field_scores | per field (column), 100 * passed / evaluated among that field's checks |
| passed | the tool's verdict: no failed or errored check (warnings pass) |

Each check that did not pass becomes one violation: `record_identifier` is the
check's own id in the tool (so re-posting the same run refreshes it), `field_name`
its column ("(table)" for checks on the whole dataset), `error_type` the check
type, `severity` critical for failures and errors and warning for warnings.
What a format carries that has no place here is named in `dropped`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from quality.models import Severity
from quality.services.results import ReportedViolation

TABLE_FIELD = "(table)"


class ToolResultError(ValueError):
    """The document is not a result of the named tool; says where it is wrong."""


@dataclass
class ToolResult:
    tool: str
    metric: dict
    violations: list
    passed: bool
    dropped: list = field(default_factory=list)
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Check:
    identifier: str
    field_name: str
    check_type: str
    outcome: str  # "pass", "warn", "fail", "error"
    message: str
    record_data: object = None


def _result(tool, checks, dropped, details):
    evaluated = len(checks)
    passed_checks = sum(1 for check in checks if check.outcome == "pass")
    by_field = defaultdict(lambda: [0, 0])
    for check in checks:
        by_field[check.field_name][0] += 1
        by_field[check.field_name][1] += check.outcome == "pass"
    violations = [
        ReportedViolation(
            record_identifier=check.identifier[:255], field_name=check.field_name[:255],
            error_type=check.check_type[:100], error_message=check.message,
            severity=Severity.WARNING if check.outcome == "warn" else Severity.CRITICAL,
            record_data=check.record_data, rule=check.check_type[:100],
        )
        for check in checks if check.outcome != "pass"
    ]
    metric = {
        "record_count": evaluated,
        "valid_count": passed_checks,
        "invalid_count": evaluated - passed_checks,
        "overall_score": round(100.0 * passed_checks / evaluated, 2) if evaluated else 100.0,
        "violation_rate": (evaluated - passed_checks) / evaluated if evaluated else 0.0,
        "violation_count": len(violations),
        "field_scores": {name: round(100.0 * good / total, 2)
                         for name, (total, good) in sorted(by_field.items())},
        "threshold_breaches": [],
    }
    passed = not any(check.outcome in ("fail", "error") for check in checks)
    return ToolResult(tool=tool, metric=metric, violations=violations, passed=passed,
                      dropped=dropped, details=details)


def _require(document, key, kind, where):
    value = document.get(key) if isinstance(document, dict) else None
    if not isinstance(value, kind):
        raise ToolResultError(f"{where}{key}: expected a {kind.__name__}.")
    return value


# dbt ----------------------------------------------------------------------------------

DBT_OUTCOMES = {"pass": "pass", "success": "pass", "warn": "warn", "fail": "fail",
                "error": "error", "runtime error": "error"}


def from_dbt_run_results(document):
    """dbt's target/run_results.json: each test node is a check (models, seeds and snapshots
    are builds, not checks). dbt names no column in run results: the field is the test's
    name (e.g. not_null_flights_flight_id)."""
    results = _require(document, "results", list, "")
    checks, skipped, builds = [], 0, 0
    for index, entry in enumerate(results):
        unique_id = _require(entry, "unique_id", str, f"results[{index}].")
        status = str(entry.get("status", "")).lower()
        if not unique_id.startswith(("test.", "unit_test.")):
            builds += 1
            continue
        if status == "skipped":
            skipped += 1
            continue
        outcome = DBT_OUTCOMES.get(status)
        if outcome is None:
            raise ToolResultError(f"results[{index}].status: unknown dbt status {status!r}.")
        test_name = unique_id.split(".")[2] if unique_id.count(".") >= 2 else unique_id
        failures = entry.get("failures")
        message = entry.get("message") or (f"{failures} failing rows" if failures else status)
        checks.append(_Check(identifier=unique_id, field_name=test_name,
                             check_type=f"dbt_test_{outcome}", outcome=outcome,
                             message=str(message),
                             record_data={"failures": failures} if failures else None))
    dropped = ["timing", "compiled_code", "adapter_response", "args"]
    if builds:
        dropped.append(f"{builds} model/seed/snapshot results (builds, not checks)")
    if skipped:
        dropped.append(f"{skipped} skipped tests")
    metadata = document.get("metadata") or {}
    return _result("dbt", checks, dropped, {
        "dbt_version": metadata.get("dbt_version"),
        "invocation_id": metadata.get("invocation_id"),
        "generated_at": metadata.get("generated_at"),
    })


# Great Expectations --------------------------------------------------------------------


def from_great_expectations(document):
    """A validation result (`ExpectationSuiteValidationResult`), or a checkpoint result whose
    `run_results` hold them (GX 0.18 and 1.x shapes)."""
    if isinstance(document, dict) and isinstance(document.get("run_results"), dict):
        validations = [
            value.get("validation_result", value)
            for value in document["run_results"].values() if isinstance(value, dict)
        ]
    else:
        validations = [document]
    checks, suites, errored = [], [], 0
    for number, validation in enumerate(validations):
        results = _require(validation, "results", list, f"validation {number}: ")
        meta = validation.get("meta") or {}
        suite = meta.get("expectation_suite_name") or validation.get("suite_name") or "suite"
        suites.append(suite)
        for index, entry in enumerate(results):
            config = entry.get("expectation_config") if isinstance(entry, dict) else None
            if not isinstance(config, dict):
                raise ToolResultError(
                    f"validation {number}: results[{index}].expectation_config: expected an "
                    "object."
                )
            expectation = config.get("expectation_type") or config.get("type") or "expectation"
            kwargs = config.get("kwargs") or {}
            column = kwargs.get("column") or (
                "|".join(map(str, kwargs["column_list"])) if kwargs.get("column_list") else None
            ) or TABLE_FIELD
            raised = (entry.get("exception_info") or {}).get("raised_exception")
            errored += bool(raised)
            outcome = "error" if raised else ("pass" if entry.get("success") else "fail")
            if outcome == "fail" and (config.get("meta") or {}).get("severity") == "warning":
                outcome = "warn"
            observed = entry.get("result") or {}
            message = (f"{observed.get('unexpected_count')} of {observed.get('element_count')} "
                       f"values unexpected" if "unexpected_count" in observed
                       else f"observed {observed.get('observed_value')!r}")
            checks.append(_Check(
                identifier=f"{suite}:{expectation}:{column}", field_name=str(column),
                check_type=str(expectation), outcome=outcome, message=message,
                record_data={"partial_unexpected_list": observed.get("partial_unexpected_list")}
                if observed.get("partial_unexpected_list") else None,
            ))
    dropped = ["exception_info tracebacks", "batch_spec", "evaluation_parameters",
               "unexpected_index_list (only partial_unexpected_list is kept)"]
    return _result("great_expectations", checks, dropped, {"suites": suites,
                                                           "errored_expectations": errored})


# Soda ------------------------------------------------------------------------------------

SODA_OUTCOMES = {"pass": "pass", "warn": "warn", "fail": "fail"}


def from_soda_scan(document):
    """A Soda Core scan result (`soda scan ... -srf scan_results.json`): each evaluated check."""
    entries = _require(document, "checks", list, "")
    checks, not_evaluated = [], 0
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ToolResultError(f"checks[{index}]: expected an object.")
        outcome = SODA_OUTCOMES.get(str(entry.get("outcome")).lower())
        if outcome is None:
            not_evaluated += 1
            continue
        name = str(entry.get("name") or entry.get("definition") or "check")
        table = entry.get("table") or "table"
        checks.append(_Check(
            identifier=f"{table}:{entry.get('identity') or name}",
            field_name=str(entry.get("column") or TABLE_FIELD),
            check_type=f"soda_{entry.get('type') or 'check'}", outcome=outcome, message=name,
            record_data={"diagnostics": entry.get("diagnostics")}
            if entry.get("diagnostics") else None,
        ))
    dropped = ["metrics (raw metric values)", "logs", "checksMetadata", "location"]
    if not_evaluated:
        dropped.append(f"{not_evaluated} checks without an outcome (not evaluated)")
    if document.get("hasErrors"):
        checks.append(_Check(identifier="scan:errors", field_name=TABLE_FIELD,
                             check_type="soda_scan_error", outcome="error",
                             message="The scan reported errors (see its logs)."))
    return _result("soda", checks, dropped, {
        "data_source": document.get("defaultDataSource"),
        "scan_start": document.get("scanStartTimestamp"),
        "scan_end": document.get("scanEndTimestamp"),
    })


# datacontract-cli --------------------------------------------------------------------------

DATACONTRACT_OUTCOMES = {"passed": "pass", "info": "pass", "warning": "warn", "failed": "fail",
                         "error": "error"}


def from_datacontract_cli(document):
    """A datacontract-cli test run (`datacontract test --publish` / its Run JSON)."""
    entries = _require(document, "checks", list, "")
    checks = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ToolResultError(f"checks[{index}]: expected an object.")
        outcome = DATACONTRACT_OUTCOMES.get(str(entry.get("result")).lower())
        if outcome is None:
            raise ToolResultError(
                f"checks[{index}].result: unknown result {entry.get('result')!r}."
            )
        field_name = entry.get("field") or TABLE_FIELD
        checks.append(_Check(
            identifier=str(entry.get("key") or entry.get("id") or index),
            field_name=str(field_name), check_type=str(entry.get("type") or "check"),
            outcome=outcome, message=str(entry.get("reason") or entry.get("name") or ""),
        ))
    dropped = ["logs", "implementation", "diagnostics", "details"]
    return _result("datacontract_cli", checks, dropped, {
        "run_id": document.get("runId"),
        "data_contract_id": document.get("dataContractId"),
        "data_contract_version": document.get("dataContractVersion"),
        "server": document.get("server"),
        "result": document.get("result"),
    })


MAPPERS = {
    "dbt": from_dbt_run_results,
    "great-expectations": from_great_expectations,
    "soda": from_soda_scan,
    "datacontract-cli": from_datacontract_cli,
}
