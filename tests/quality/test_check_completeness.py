"""A quality check closes work only on complete data and never passes on empty input."""

import io
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from quality.models import QualityMetric, QualityViolation
from tenancy.models import AuditLogEntry
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

RECORDS = [
    {"user_id": "u1", "age": 30},
    {"user_id": "u2", "age": -4},
    {"user_id": "u3", "age": "old"},
]
GOOD = [{"user_id": "u1", "age": 30}]
NO_RECORDS = "{path} holds no records: a check of nothing cannot pass."


@pytest.fixture
def contract(unscoped, space):
    contract = factories.DataContractFactory(space=space, name="users")
    contract.schema = factories.SchemaFactory(data_contract=contract)
    contract.save()
    return contract


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _jsonl(tmp_path, records, name="users.jsonl"):
    return _write(tmp_path, name, "".join(json.dumps(record) + "\n" for record in records))


def _check(space, path, *extra):
    """(exit code, --json summary) of one run of the command."""
    output = io.StringIO()
    arguments = ["run_quality_check", "users", str(path), "--json", "--record-id", "user_id",
                 "--space", f"{space.organization.slug}/{space.slug}", *extra]
    try:
        call_command(*arguments, stdout=output)
    except SystemExit as exit_info:
        return exit_info.code, json.loads(output.getvalue())
    return 0, json.loads(output.getvalue())


def _statuses(contract):
    return sorted(QualityViolation.objects.filter(data_contract=contract)
                  .values_list("record_identifier", "status"))


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("truncated.json", '[{"user_id": "u1", "age": 30}, {broken',
         "line 1: the file ends inside a record (truncated)"),
        ("undecodable.jsonl", b'{"user_id": "u1", "age": 30}\n{"user_id": "\xff"}\n',
         "line 2: not valid UTF-8: byte 0xff at offset 13 of the record"),
    ],
)
def test_a_check_that_could_not_read_all_of_its_file_is_incomplete_and_resolves_nothing(
    name, content, reason, contract, space, tmp_path
):
    _check(space, _jsonl(tmp_path, RECORDS))

    path = _write(tmp_path, name, content)

    code, summary = _check(space, path)

    assert code == 1
    assert summary["complete"] is False
    assert summary["incomplete_reasons"] == [f"{path}, {reason}"]
    assert summary["violations"]["resolved"] == 0
    assert _statuses(contract) == [("record_1", "open"), ("u2", "open"), ("u3", "open")]
    metric = QualityMetric.objects.get(pk=summary["quality_metric_id"])
    assert metric.is_complete is False


def test_a_complete_check_resolves_only_the_open_violations_nobody_took_on(
    contract, space, steward, tmp_path
):
    _check(space, _jsonl(tmp_path, [*RECORDS, {"user_id": "u4", "age": -1},
                                    {"user_id": "u5", "age": -1}]))
    violations = {violation.record_identifier: violation
                  for violation in QualityViolation.objects.filter(data_contract=contract)}
    violations["u3"].status = "acknowledged"
    violations["u3"].save()
    violations["u4"].assignee = steward
    violations["u4"].save()
    violations["u5"].status = "assigned"
    violations["u5"].assignee = steward
    violations["u5"].save()

    code, summary = _check(space, _jsonl(tmp_path, GOOD, name="fixed.jsonl"))

    assert (code, summary["complete"]) == (0, True)
    assert (summary["violations"]["resolved"], summary["violations"]["not_found"]) == (1, 3)
    assert _statuses(contract) == [("u2", "resolved"), ("u3", "acknowledged"), ("u4", "open"),
                                   ("u5", "assigned")]
    flagged = QualityViolation.objects.filter(data_contract=contract,
                                              not_found_since__isnull=False)
    assert sorted(flagged.values_list("record_identifier", flat=True)) == ["u3", "u4", "u5"]
    assert QualityViolation.objects.get(pk=violations["u5"].pk).assignee == steward


def test_a_taken_on_violation_found_again_loses_its_not_found_flag(contract, space, tmp_path):
    _check(space, _jsonl(tmp_path, RECORDS))
    QualityViolation.objects.filter(record_identifier="u2").update(status="acknowledged")
    _check(space, _jsonl(tmp_path, GOOD, name="fixed.jsonl"))

    _check(space, _jsonl(tmp_path, RECORDS, name="again.jsonl"))

    violation = QualityViolation.objects.get(record_identifier="u2")
    assert (violation.status, violation.not_found_since) == ("acknowledged", None)


def test_an_automatic_resolution_is_one_audit_entry_naming_the_check_and_count(
    contract, space, other_space, tmp_path
):
    _check(space, _jsonl(tmp_path, RECORDS))

    _code, summary = _check(space, _jsonl(tmp_path, GOOD, name="fixed.jsonl"))

    entry = AuditLogEntry.objects.get(action="quality.qualityviolation.auto_resolved")
    assert (entry.space_id, entry.object_repr) == (space.pk, "2 quality violations")
    assert entry.changes == {"count": 2, "metric": summary["quality_metric_id"],
                             "reason": "no_longer_found"}
    assert AuditLogEntry.objects.filter(space=other_space,
                                        action__startswith="quality.").count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", NO_RECORDS),
        ("header.csv", b"user_id,age\n", NO_RECORDS),
        ("empty.json", b"[]", NO_RECORDS),
        ("blank.jsonl", b"\n\n", NO_RECORDS),
        ("utf16.csv", "user_id,age\nu1,30\n".encode("utf-16"),
         "{path}: the file is UTF-16 encoded (byte order mark); save it as UTF-8"),
        ("utf16.json", '[{"user_id": "u1"}]'.encode("utf-16-le"),
         "{path}: the file starts with NUL bytes: it is UTF-16 or binary, not UTF-8 text; "
         "save it as UTF-8"),
    ],
)
def test_an_empty_or_unreadable_file_is_an_error_that_writes_and_resolves_nothing(
    name, content, message, contract, space, tmp_path
):
    _check(space, _jsonl(tmp_path, RECORDS))
    before = QualityMetric.objects.count()

    path = _write(tmp_path, name, content)

    with pytest.raises(CommandError) as error:
        _check(space, path)

    assert str(error.value) == message.format(path=path)
    assert error.value.returncode == 2
    assert QualityMetric.objects.count() == before
    assert _statuses(contract) == [("u2", "open"), ("u3", "open")]


def test_a_record_id_field_no_record_has_is_an_error_before_anything_is_written(
    contract, space, tmp_path
):
    with pytest.raises(CommandError) as error:
        _check(space, _jsonl(tmp_path, RECORDS), "--record-id", "booking_id")

    assert str(error.value) == (
        f"no record of {tmp_path / 'users.jsonl'} has the record id field 'booking_id'."
    )
    assert error.value.returncode == 2
    assert (QualityMetric.objects.count(), QualityViolation.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    "line",
    [
        '{"user_id": "u\\u0000x", "age": 3, "name": "a\\u0000b"}',
        '{"user_id": "u\\ud800x", "age": 3, "name": "a\\udc00b"}',
    ],
)
def test_unstorable_text_becomes_a_violation_naming_line_and_field(line, contract, space,
                                                                   tmp_path):
    path = _write(tmp_path, "text.jsonl", '{"user_id": "u1", "age": 1}\n' + line + "\n")

    code, summary = _check(space, path)

    assert code == 1
    violations = {violation.field_name: violation
                  for violation in QualityViolation.objects.filter(data_contract=contract)}
    assert set(violations) == {"name", "user_id"}
    assert {violation.record_identifier for violation in violations.values()} == {"u\ufffdx"}
    problem = "a NUL character" if "0000" in line else "an unpaired surrogate"
    assert violations["name"].error_message == (
        f"line 2, field 'name': the value holds {problem}, which cannot be stored; the record "
        "shows it as U+FFFD"
    )
    assert violations["name"].record_data["name"] == "a\ufffdb"


def test_rows_other_tools_insert_may_repeat_an_identity_but_tracked_ones_may_not(contract):
    fields = {"data_contract": contract, "record_identifier": "u1", "field_name": "age",
              "error_type": "type_error"}
    factories.QualityViolationFactory(**fields)
    factories.QualityViolationFactory(**fields)
    factories.QualityViolationFactory(**fields, tracked_by_checks=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.QualityViolationFactory(**fields, tracked_by_checks=True)

    assert QualityViolation.objects.filter(data_contract=contract).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_checks_of_one_contract_at_once_open_each_violation_once(
    requires_postgresql, contract, space, tmp_path
):
    records = [{"user_id": f"u{number}", "age": -1} for number in range(3000)]
    path = _jsonl(tmp_path, records)
    barrier = threading.Barrier(2)
    codes = []

    def run():
        barrier.wait()
        try:
            codes.append(_check(space, path)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert codes == [1, 1]
    assert QualityViolation.objects.filter(data_contract=contract).count() == 3000
    assert QualityMetric.objects.filter(data_contract=contract).count() == 2
