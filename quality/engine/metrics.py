"""Quality metrics of a check, accumulated one record at a time in constant memory.

The formulas are PyCharter 0.0.67's, except that ``violation_count`` counts
field errors (one per failing field of a record, as the ERD describes) rather
than invalid records, and fields are those that failed rather than names guessed
from error messages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from quality.engine.results import MISSING_FIELD, RecordResult

THRESHOLD_KEYS = (
    "min_overall_score",
    "min_accuracy",
    "min_completeness",
    "max_violation_rate",
    "field_thresholds",
)


@dataclass(frozen=True, slots=True)
class CheckMetrics:
    """The figures of one check. Rates are fractions (0 to 1), scores percentages (0 to 100)."""

    record_count: int
    valid_count: int
    invalid_count: int
    violation_count: int
    accuracy: float
    violation_rate: float
    completeness: float
    overall_score: float
    field_scores: dict[str, float]
    field_violation_counts: dict[str, int]
    threshold_breaches: list[str] = field(default_factory=list)
    passed: bool = True


class MetricsAccumulator:
    """Fed every ``RecordResult`` of a check with ``add``; ``result`` gives the metrics.

    * accuracy = valid / records; violation_rate = invalid / records;
    * completeness = 1 - (invalid records with a missing required field) / records;
    * overall_score = 100 x (0.5 x accuracy + 0.5 x completeness);
    * field_scores[f] = (1 - violations of f / records) x (1 - nulls of f among valid
      records / records) x 100, for every field a valid record carries or an error names.
    With no record at all every rate and score is 0.
    """

    def __init__(self) -> None:
        self.record_count = 0
        self.valid_count = 0
        self.violation_count = 0
        self.records_missing_required = 0
        self.field_violations: Counter[str] = Counter()
        self.field_nulls: Counter[str] = Counter()
        self.fields: dict[str, None] = {}

    def add(self, result: RecordResult) -> None:
        self.record_count += 1
        errors = result.errors
        if not errors:
            self.valid_count += 1
            coerced = result.coerced
            if None in coerced.values():
                nulls = self.field_nulls
                for name, value in coerced.items():
                    if value is None:
                        nulls[name] += 1
            if not coerced.keys() <= self.fields.keys():
                self.fields.update(dict.fromkeys(coerced))
            return
        self.violation_count += len(errors)
        missing_required = False
        for error in errors:
            self.field_violations[error.field] += 1
            self.fields.setdefault(error.field, None)
            if error.error_type == MISSING_FIELD:
                missing_required = True
        if missing_required:
            self.records_missing_required += 1

    def merge(self, other: MetricsAccumulator) -> None:
        """Take in what ``other`` accumulated from the records that follow this one's."""
        self.record_count += other.record_count
        self.valid_count += other.valid_count
        self.violation_count += other.violation_count
        self.records_missing_required += other.records_missing_required
        self.field_violations.update(other.field_violations)
        self.field_nulls.update(other.field_nulls)
        for name in other.fields:
            self.fields.setdefault(name, None)

    def result(self, thresholds: dict | None = None) -> CheckMetrics:
        """The metrics, judged against ``thresholds`` (usually from the contract's metadata).

        Accepted keys (a ``None`` value is ignored, any other key is a ValueError):
        ``min_overall_score`` (0-100), ``min_accuracy``, ``min_completeness`` and
        ``max_violation_rate`` (0-1), and ``field_thresholds``:
        ``{field: {"min_score": 0-100}}``. Only the thresholds given are checked.
        ``passed`` is false when a threshold is breached; with no thresholds it
        means every record is valid.
        """
        given = {key: value for key, value in (thresholds or {}).items() if value is not None}
        unknown = sorted(set(given) - set(THRESHOLD_KEYS))
        if unknown:
            raise ValueError(
                f"unknown threshold(s) {', '.join(unknown)}; accepted: {', '.join(THRESHOLD_KEYS)}"
            )
        count = self.record_count
        invalid_count = count - self.valid_count
        if count:
            accuracy = self.valid_count / count
            violation_rate = invalid_count / count
            completeness = 1.0 - self.records_missing_required / count
            overall_score = 100 * (0.5 * accuracy + 0.5 * completeness)
        else:
            accuracy = violation_rate = completeness = overall_score = 0.0
        field_scores = {
            name: _field_score(self.field_violations[name], self.field_nulls[name], count)
            for name in self.fields
        }
        breaches = _breaches(
            given, overall_score, accuracy, completeness, violation_rate, field_scores
        )
        passed = not breaches if given else invalid_count == 0
        return CheckMetrics(
            record_count=count,
            valid_count=self.valid_count,
            invalid_count=invalid_count,
            violation_count=self.violation_count,
            accuracy=accuracy,
            violation_rate=violation_rate,
            completeness=completeness,
            overall_score=overall_score,
            field_scores=field_scores,
            field_violation_counts=dict(self.field_violations),
            threshold_breaches=breaches,
            passed=passed,
        )


def _field_score(violations: int, nulls: int, count: int) -> float:
    if not count:
        return 0.0
    score = (1.0 - violations / count) * (1.0 - nulls / count) * 100
    return max(0.0, min(100.0, score))


def _breaches(
    thresholds: dict,
    overall_score: float,
    accuracy: float,
    completeness: float,
    violation_rate: float,
    field_scores: dict[str, float],
) -> list[str]:
    """Human-readable breaches, worded as PyCharter words them."""
    breaches = []
    if "min_overall_score" in thresholds and overall_score < thresholds["min_overall_score"]:
        breaches.append(
            f"Overall score {overall_score:.2f} "
            f"below threshold {thresholds['min_overall_score']:.2f}"
        )
    if "max_violation_rate" in thresholds and violation_rate > thresholds["max_violation_rate"]:
        breaches.append(
            f"Violation rate {violation_rate:.2%} "
            f"exceeds threshold {thresholds['max_violation_rate']:.2%}"
        )
    if "min_completeness" in thresholds and completeness < thresholds["min_completeness"]:
        breaches.append(
            f"Completeness {completeness:.2%} below threshold {thresholds['min_completeness']:.2%}"
        )
    if "min_accuracy" in thresholds and accuracy < thresholds["min_accuracy"]:
        breaches.append(f"Accuracy {accuracy:.2%} below threshold {thresholds['min_accuracy']:.2%}")
    for name, field_threshold in (thresholds.get("field_thresholds") or {}).items():
        minimum = (field_threshold or {}).get("min_score")
        if minimum is not None and name in field_scores and field_scores[name] < minimum:
            breaches.append(
                f"Field '{name}' score {field_scores[name]:.2f} below threshold {minimum:.2f}"
            )
    return breaches
