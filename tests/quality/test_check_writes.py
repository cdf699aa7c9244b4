"""How a check stores its violations: new ones streamed in chunks while the file is read,
known ones refreshed in batches; whatever the batch sizes, every violation is written once."""

import pytest

from quality.checks import refresh, violation_stream
from quality.models import QualityMetric, QualityViolation
from tests.quality.test_quality_check import VALID, _check, _contract, _jsonl

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(violation_stream, "BATCH_ROWS", 2)
    monkeypatch.setattr(violation_stream, "CHUNK_ROWS", 3)
    monkeypatch.setattr(refresh, "BATCH_ROWS", 4)
    monkeypatch.setattr(refresh, "BULK_UPDATE_BATCH", 4)


def _members(numbers, age):
    return [{**VALID, "card_number": f"m{number}", "age": age} for number in numbers]


def test_a_rerun_refreshes_every_violation_over_many_batches(space, tmp_path, small_batches):
    _contract(space)
    first = _check(space, _jsonl(tmp_path, [VALID, *_members(range(11), "-4")]), expect_exit=1)

    second = _check(space, _jsonl(tmp_path, _members(range(11), "-5"), name="again.jsonl"),
                    expect_exit=1)

    assert first["violations"]["opened"] == 11
    assert (second["violations"]["opened"], second["violations"]["updated"]) == (0, 11)
    latest = QualityMetric.objects.get(pk=second["quality_metric_id"]).check_timestamp
    violations = QualityViolation.objects.all()
    assert len(violations) == 11
    assert {violation.check_timestamp for violation in violations} == {latest}
    assert all("-5" in violation.error_message for violation in violations)
    assert {violation.record_data["age"] for violation in violations} == {"-5"}


def test_a_run_that_opens_some_and_refreshes_others_writes_each_once(space, tmp_path,
                                                                     small_batches):
    _contract(space)
    _check(space, _jsonl(tmp_path, _members(range(9), "-4")), expect_exit=1)
    # Known and new violations alternate, so that writing and refreshing take turns.
    records = [member for number in range(9)
               for member in (*_members([number], "-4"), *_members([f"new{number}"], "-4"))]

    summary = _check(space, _jsonl(tmp_path, records, name="mixed.jsonl"), expect_exit=1)

    assert (summary["violations"]["opened"], summary["violations"]["updated"]) == (9, 9)
    identifiers = list(QualityViolation.objects.values_list("record_identifier", flat=True))
    assert sorted(identifiers) == sorted(
        [f"m{number}" for number in range(9)] + [f"mnew{number}" for number in range(9)]
    )
