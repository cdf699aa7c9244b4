"""Metrics of a check, accumulated one record at a time."""

import pytest

from quality.engine import FieldError, MetricsAccumulator, RecordResult


def valid(**coerced):
    return RecordResult(coerced, [])


def invalid(*errors, **coerced):
    return RecordResult(
        coerced, [FieldError(field, error_type, "message") for field, error_type in errors]
    )


@pytest.fixture
def accumulator():
    """Four records: two valid (one with a null note), one missing a required field and
    failing another, one with a type error."""
    metrics = MetricsAccumulator()
    metrics.add(valid(name="Alice", age=30, notes=None))
    metrics.add(valid(name="Bob", age=41, notes="vip"))
    metrics.add(invalid(("name", "missing_field"), ("age", "validation_error")))
    metrics.add(invalid(("age", "type_error"), name="Carol"))
    return metrics


def test_counts_and_rates(accumulator):
    # when the metrics are taken
    result = accumulator.result()
    # then counts are records, violations are field errors
    assert (result.record_count, result.valid_count, result.invalid_count) == (4, 2, 2)
    assert result.violation_count == 3
    assert result.accuracy == 0.5
    assert result.violation_rate == 0.5
    assert result.completeness == 0.75
    assert result.overall_score == 62.5
    assert result.field_violation_counts == {"name": 1, "age": 2}


def test_field_scores(accumulator):
    result = accumulator.result()
    assert result.field_scores == {
        "name": (1 - 1 / 4) * 100,
        "age": (1 - 2 / 4) * 100,
        "notes": (1 - 1 / 4) * 100,
    }


def test_without_thresholds_passed_means_every_record_valid(accumulator):
    assert accumulator.result().passed is False
    clean = MetricsAccumulator()
    clean.add(valid(name="Alice"))
    assert clean.result().passed is True
    assert clean.result().threshold_breaches == []


def test_thresholds_are_checked_and_worded(accumulator):
    # given thresholds the check misses, and one it meets
    thresholds = {
        "min_overall_score": 90,
        "min_accuracy": 0.95,
        "min_completeness": 0.5,
        "max_violation_rate": 0.05,
        "field_thresholds": {"age": {"min_score": 60}, "name": {"min_score": 10}},
    }
    # when judged
    result = accumulator.result(thresholds)
    # then each breach is listed
    assert result.threshold_breaches == [
        "Overall score 62.50 below threshold 90.00",
        "Violation rate 50.00% exceeds threshold 5.00%",
        "Accuracy 50.00% below threshold 95.00%",
        "Field 'age' score 50.00 below threshold 60.00",
    ]
    assert result.passed is False


def test_thresholds_met_pass_even_with_invalid_records(accumulator):
    result = accumulator.result({"min_accuracy": 0.5, "max_violation_rate": None})
    assert result.threshold_breaches == []
    assert result.passed is True


def test_unknown_threshold_is_refused(accumulator):
    with pytest.raises(ValueError, match="unknown threshold\\(s\\) min_accuracyy"):
        accumulator.result({"min_accuracyy": 0.9})


def test_no_records():
    result = MetricsAccumulator().result()
    assert (result.record_count, result.accuracy, result.completeness, result.overall_score) == (
        0,
        0.0,
        0.0,
        0.0,
    )
    assert result.passed is True
