"""`run_quality_check`: PyCharter-compatible checks of data files, kept as metrics and
violations."""

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from contracts.documents.parsing import parse_contract_file
from contracts.services import contract_import
from quality.models import Alert, QualityMetric, QualityViolation, ViolationTransition
from tenancy.scoping import space_scope

pytestmark = pytest.mark.usefixtures("unscoped")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pycharter"

VALID = {"card_number": "c1", "full_name": "Ada", "email": "ada@example.com", "age": "36",
         "membership": "Student", "joined_at": "2024-03-05T10:00:00Z"}


def _contract(space, thresholds=None, tmp_path=None, owners=True):
    path = FIXTURES / "member_contract.yaml"
    if thresholds is not None or not owners:
        document = yaml.safe_load(path.read_text())
        if thresholds is not None:
            document["metadata"]["governance_rules"]["quality_thresholds"] = thresholds
        if not owners:
            # Owner ids are global (the ERD's key): a second organization names none.
            del document["metadata"]["ownership"]
        path = tmp_path / "contract.yaml"
        path.write_text(yaml.safe_dump(document))
    # A draft: the template names none of the owners that activation needs.
    bundle = replace(parse_contract_file(path, max_bytes=10**6).bundles[0], status="draft")
    with space_scope(space):
        return contract_import(space=space, bundle=bundle).contract


def _jsonl(tmp_path, records, name="data.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def _check(space, path, *extra, expect_exit=None):
    output = io.StringIO()
    arguments = ["run_quality_check", "library_members", str(path), "--json",
                 "--record-id", "card_number",
                 "--space", f"{space.organization.slug}/{space.slug}", *extra]
    if expect_exit is None:
        call_command(*arguments, stdout=output)
    else:
        with pytest.raises(SystemExit) as exit_info:
            call_command(*arguments, stdout=output)
        assert exit_info.value.code == expect_exit
    return json.loads(output.getvalue())


def _records():
    return [
        {**VALID, "card_number": "u1"},
        {**VALID, "card_number": "u2", "age": "-4"},
        {**VALID, "card_number": "u3", "email": "not-an-email", "age": "N/A"},
        {**VALID, "card_number": "u4"},
    ]


def test_a_check_records_one_metric_and_one_violation_per_failing_field(space, tmp_path):
    _contract(space)

    summary = _check(space, _jsonl(tmp_path, _records()), expect_exit=1)

    assert (summary["record_count"], summary["valid_count"], summary["invalid_count"]) == (4, 2, 2)
    assert summary["violation_count"] == 3
    assert summary["accuracy"] == 0.5 and summary["violation_rate"] == 0.5
    assert summary["violations"] == {"opened": 3, "updated": 0, "reopened": 0, "resolved": 0,
                                     "not_found": 0}
    violations = {
        (violation.record_identifier, violation.field_name): violation
        for violation in QualityViolation.objects.all()
    }
    assert set(violations) == {("u2", "age"), ("u3", "email"), ("u3", "age")}
    assert violations[("u3", "age")].error_type == "type_error"
    assert violations[("u2", "age")].error_type == "validation_error"
    assert violations[("u2", "age")].record_data["age"] == "-4"
    assert {violation.space_id for violation in violations.values()} == {space.pk}
    metric = QualityMetric.objects.get()
    assert (metric.passed, metric.record_count, metric.violation_count) == ("false", 4, 3)


def test_a_clean_file_passes_and_exits_zero(space, tmp_path):
    _contract(space)

    summary = _check(space, _jsonl(tmp_path, [VALID, {**VALID, "card_number": "u2"}]))

    assert summary["passed"] is True
    assert summary["overall_score"] == 100.0
    assert Alert.objects.count() == 0


def test_a_rerun_updates_known_violations_instead_of_duplicating_them(space, tmp_path):
    _contract(space)
    path = _jsonl(tmp_path, _records())
    _check(space, path, expect_exit=1)

    summary = _check(space, path, expect_exit=1)

    assert summary["violations"] == {"opened": 0, "updated": 3, "reopened": 0, "resolved": 0,
                                     "not_found": 0}
    assert QualityViolation.objects.count() == 3
    assert QualityMetric.objects.count() == 2


def test_a_full_rerun_resolves_what_it_no_longer_finds_and_leaves_ignored_alone(space, tmp_path):
    _contract(space)
    _check(space, _jsonl(tmp_path, _records()), expect_exit=1)
    ignored = QualityViolation.objects.get(record_identifier="u3", field_name="email")
    ignored.status = "ignored"
    ignored.save()

    summary = _check(space, _jsonl(tmp_path, [VALID], name="fixed.jsonl"))

    assert summary["violations"]["resolved"] == 2
    resolved = QualityViolation.objects.filter(status="resolved")
    assert {violation.resolved_by for violation in resolved} == {"quality-check"}
    assert {violation.resolution_reason for violation in resolved} == {"no_longer_found"}
    assert QualityViolation.objects.get(pk=ignored.pk).status == "ignored"
    assert ViolationTransition.objects.filter(to_status="resolved",
                                              actor_name="quality-check").count() == 2


def test_a_partial_run_resolves_nothing(space, tmp_path):
    _contract(space)
    _check(space, _jsonl(tmp_path, _records()), expect_exit=1)

    summary = _check(space, _jsonl(tmp_path, [VALID], name="part.jsonl"), "--partial")

    assert summary["violations"]["resolved"] == 0
    assert QualityViolation.objects.filter(status="open").count() == 3


def test_a_resolved_violation_found_again_is_reopened(space, tmp_path):
    _contract(space)
    path = _jsonl(tmp_path, _records())
    _check(space, path, expect_exit=1)
    _check(space, _jsonl(tmp_path, [VALID], name="fixed.jsonl"))

    summary = _check(space, path, expect_exit=1)

    assert summary["violations"]["reopened"] == 3
    assert QualityViolation.objects.filter(status="open", resolved_by=None).count() == 3


def test_thresholds_from_the_metadata_decide_and_a_failure_raises_an_alert(space, tmp_path):
    _contract(space, thresholds={"min_overall_score": 80}, tmp_path=tmp_path)
    records = [{**VALID, "card_number": f"u{number}"} for number in range(9)] + [
        {**VALID, "card_number": "bad", "age": "-1"}
    ]

    passing = _check(space, _jsonl(tmp_path, records))
    failing = _check(space, _jsonl(tmp_path, _records(), name="worse.jsonl"), expect_exit=1)

    assert passing["passed"] is True and passing["threshold_breaches"] == []
    assert failing["passed"] is False
    assert failing["threshold_breaches"] == ["Overall score 75.00 below threshold 80.00"]
    alert = Alert.objects.get()
    assert (alert.kind, alert.organization_id, alert.space_id) == (
        "quality_check_failed", space.organization_id, space.pk
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("undecodable.jsonl", b'{"card_number": "u1"}\n\xff\xfe{"broken": "\xc3"}\n'),
        ("not_objects.json", b'[{"card_number": "u1"}, 42, "text", null, [1, 2]]'),
        ("truncated.json", b'[{"card_number": "u1"}, {"card_number": "u2", "na'),
        ("ragged.csv",
         b"card_number,full_name,email\nu1,Ada\nu2,Bob,bob@example.com,extra,cells\n"),
        ("deep.jsonl",
         b'{"card_number": "deep", "full_name": ' + b"[" * 5000 + b"]" * 5000 + b"}\n"),
        ("huge.jsonl", b'{"card_number": "huge", "full_name": "' + b"x" * 2_000_000 + b'"}\n'),
    ],
)
def test_bad_data_becomes_violations_never_a_traceback(name, content, space, tmp_path):
    _contract(space)
    path = tmp_path / name
    path.write_bytes(content)

    summary = _check(space, path, expect_exit=1)

    assert summary["invalid_count"] >= 1
    for violation in QualityViolation.objects.all():
        assert len(json.dumps(violation.record_data)) < 20_000


def test_the_check_only_touches_its_own_space(space, other_space, tmp_path):
    _contract(space)
    _contract(other_space, tmp_path=tmp_path, owners=False)
    path = _jsonl(tmp_path, _records())
    _check(space, path, expect_exit=1)
    other_before = QualityViolation.objects.filter(space=other_space).count()

    _check(space, _jsonl(tmp_path, [VALID], name="fixed.jsonl"))

    assert other_before == 0
    assert QualityViolation.objects.filter(space=other_space).count() == 0
    assert QualityMetric.objects.filter(space=other_space).count() == 0


def test_without_an_identifier_field_records_are_named_by_position(space, tmp_path):
    _contract(space)
    output = io.StringIO()

    with pytest.raises(SystemExit):
        call_command("run_quality_check", "library_members", str(_jsonl(tmp_path, _records())),
                     "--json", "--space", f"{space.organization.slug}/{space.slug}",
                     stdout=output)

    assert set(QualityViolation.objects.values_list("record_identifier", flat=True)) == {
        "record_1", "record_2"
    }


def test_an_unknown_contract_is_a_clear_error(space, tmp_path):
    with pytest.raises(CommandError, match="No contract library_members in cathay-data/flights"):
        _check(space, _jsonl(tmp_path, [VALID]))


def test_human_output_names_the_verdict_and_counts(space, tmp_path):
    _contract(space)
    output = io.StringIO()

    with pytest.raises(SystemExit):
        call_command("run_quality_check", "library_members", str(_jsonl(tmp_path, _records())),
                     "--space", f"{space.organization.slug}/{space.slug}", stdout=output,
                     stderr=io.StringIO())

    assert "library_members 1.0.0: FAILED" in output.getvalue()
    assert "2 valid / 2 invalid of 4 records, 3 violations" in output.getvalue()
