"""`import_data violations`: streamed, checked row by row, written in bulk, all rows or none.

On PostgreSQL the rows go through COPY, elsewhere through bulk_create; these tests
run on both. `other_tenant` holds a contract named like this space's in another
organization, with a violation, and every test asserts it did not change.
"""

import json
from datetime import UTC, datetime

import pytest

from quality.bulk import violations as violations_module
from quality.models import QualityViolation, ViolationCount
from tenancy.models import AuditLogEntry
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

HEADER = (
    "contract_name,contract_version,schema_id,record_identifier,record_data,field_name,"
    "error_type,error_message,severity,check_timestamp\n"
)
GOOD_ROWS = (
    'flights,1.0.0,user,user_1,"{""age"": -3}",age,validation_error,age must be >= 0,warning,'
    "2026-11-21T06:00:00+00:00\n"
    "flights,1.0.0,user,user_2,,user_id,missing_field,required field is missing,critical,"
    "2026-11-21 07:30:00\n"
)
RECORDS = [
    {"contract_name": "flights", "contract_version": "1.0.0", "schema_id": "user",
     "record_identifier": "user_1", "record_data": {"age": -3}, "field_name": "age",
     "error_type": "validation_error", "error_message": "age must be >= 0",
     "severity": "warning", "check_timestamp": "2026-11-21T06:00:00+00:00"},
    {"contract_name": "flights", "contract_version": "1.0.0", "schema_id": "user",
     "record_identifier": "user_2", "field_name": "user_id", "error_type": "missing_field",
     "error_message": "required field is missing", "severity": "critical",
     "check_timestamp": "2026-11-21 07:30:00"},
]
EXPECTED = [
    ("user_1", "user", {"age": -3}, "age", "validation_error", "age must be >= 0", "warning",
     "open", "medium", datetime(2026, 11, 21, 6, 0, tzinfo=UTC)),
    ("user_2", "user", None, "user_id", "missing_field", "required field is missing", "critical",
     "open", "medium", datetime(2026, 11, 21, 7, 30, tzinfo=UTC)),
]


def _violations(contract):
    return list(
        QualityViolation.objects.filter(data_contract=contract).order_by("record_identifier")
        .values_list("record_identifier", "schema_id", "record_data", "field_name", "error_type",
                     "error_message", "severity", "status", "priority", "check_timestamp")
    )


def _space_violation_count(space):
    return QualityViolation.objects.filter(space=space).count()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("violations.csv", HEADER + GOOD_ROWS),
        ("violations.json", json.dumps(RECORDS, indent=2)),
        ("violations.jsonl", "".join(json.dumps(record) + "\n" for record in RECORDS)),
    ],
)
def test_violations_stream_into_the_space_contract(
    name, content, run, write_file, space, space_argument, flights, other_tenant, rows_of,
    other_space,
):
    # given two violations of flights 1.0.0, a name the other space also has
    path = write_file(name, content)

    # when they are imported
    result = run("import_data", "violations", str(path), "--space", space_argument, "--json")

    # then both belong to this space's flights, and the other tenant is untouched
    assert result.status == 0
    assert (result.summary["rows"], result.summary["new"], result.summary["skipped"]) == (2, 2, 0)
    assert _violations(flights) == EXPECTED
    assert set(QualityViolation.objects.filter(data_contract=flights)
               .values_list("space", flat=True)) == {space.pk}
    assert rows_of(other_space) == other_tenant


def test_the_import_is_one_audit_entry_for_the_batch(run, write_file, space, space_argument,
                                                     flights):
    # given two violations
    path = write_file("violations.csv", HEADER + GOOD_ROWS)

    # when they are imported
    run("import_data", "violations", str(path), "--space", space_argument)

    # then one entry records the bulk write, attributed to the command
    assert list(AuditLogEntry.objects.filter(action="quality.qualityviolation.imported")
                .values_list("space", "actor_name", "object_repr", "changes")) == [
        (space.pk, "command:import_data", "2 quality violations",
         {"count": 2, "skipped": 0, "file": str(path)}),
    ]


def test_a_violation_without_a_timestamp_is_checked_at_the_import(
    run, write_file, space_argument, flights
):
    # given a violation without check_timestamp, status or priority
    path = write_file("violations.csv", "contract_name,contract_version,schema_id\n"
                                        "flights,1.0.0,user\n")
    before = datetime.now(UTC)

    # when it is imported
    run("import_data", "violations", str(path), "--space", space_argument)

    # then it is open, of medium priority, checked at the time of the import
    violation = QualityViolation.objects.get(data_contract=flights)
    assert (violation.status, violation.priority) == ("open", "medium")
    assert before <= violation.check_timestamp <= datetime.now(UTC)


def test_rows_with_an_id_of_the_space_are_skipped_and_left_as_they_are(
    run, write_file, space_argument, flights
):
    # given a violation a steward resolved, and a file naming it (an export read back)
    existing = factories.QualityViolationFactory(data_contract=flights, status="resolved",
                                                 record_identifier="user_9")
    path = write_file("violations.csv", HEADER.replace("contract_name", "id,contract_name", 1)
                      + f"{existing.pk},flights,1.0.0,user,user_9,,age,x,reopened?,info,\n"
                      + "," + GOOD_ROWS.splitlines(keepends=True)[0])

    # when the file is imported
    result = run("import_data", "violations", str(path), "--space", space_argument, "--json")

    # then the named violation is skipped and unchanged; the other row is new
    assert (result.summary["new"], result.summary["skipped"]) == (1, 1)
    existing_after = QualityViolation.objects.get(pk=existing.pk)
    assert (existing_after.status, existing_after.error_message, existing_after.updated_at) == (
        "resolved", existing.error_message, existing.updated_at
    )


def test_an_id_of_another_space_reads_like_an_id_that_does_not_exist(
    run, write_file, space, space_argument, flights, other_tenant, rows_of, other_space
):
    # given the id of the other space's violation, and an id that exists nowhere
    theirs = QualityViolation.objects.get(space=other_space).pk
    nowhere = "00000000-0000-4000-8000-000000000000"
    path = write_file("violations.csv", f"id,contract_name,contract_version,schema_id\n"
                                        f"{theirs},flights,1.0.0,user\n"
                                        f"{nowhere},flights,1.0.0,user\n")

    # when the file is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then both are unknown in the same words, and nothing changed in either space
    assert result.stderr.splitlines()[:2] == [
        f"{path}, line 2, field id: no violation with id '{theirs}' in this space",
        f"{path}, line 3, field id: no violation with id '{nowhere}' in this space",
    ]
    assert _space_violation_count(space) == 0
    assert rows_of(other_space) == other_tenant


def test_a_contract_of_another_space_reads_like_one_that_does_not_exist(
    run, write_file, space, space_argument, other_tenant, rows_of, other_space
):
    # given violations of flights, which only the other space has, and of a contract of no space
    path = write_file("violations.csv", "contract_name,contract_version,schema_id\n"
                                        "flights,1.0.0,user\n"
                                        "nothing,1.0.0,user\n")

    # when the file is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then both read the same, and nothing is written anywhere
    assert result.stderr.splitlines()[:2] == [
        f"{path}, line 2, field contract_name: no contract 'flights' version '1.0.0' in this space",
        f"{path}, line 3, field contract_name: no contract 'nothing' version '1.0.0' in this space",
    ]
    assert _space_violation_count(space) == 0
    assert rows_of(other_space) == other_tenant


def test_bad_values_are_named_by_line_and_field_and_nothing_is_written(
    run, write_file, space, space_argument, flights
):
    # given one good row and one bad value on each following row
    header = ("contract_name,contract_version,schema_id,record_data,error_type,status,severity,"
              "check_timestamp,resolution_reason\n")
    path = write_file("violations.csv", header + (
        "flights,1.0.0,user,,,,,,\n"
        "flights,1.0.0,user,,,urgent!,,,\n"
        "flights,1.0.0,user,,,,fatal,,\n"
        'flights,1.0.0,user,"{""age"": ",,,,,\n'
        "flights,1.0.0,user,[1],,,,,\n"
        "flights,1.0.0,user,,,,,yesterday,\n"
        f"flights,1.0.0,user,,{'e' * 101},,,,\n"
        "flights,1.0.0,,,,,,,\n"
        "flights,1.0.0,user,,,,,,tired\n"
        ",,user,,,,,,\n"
    ))

    # when it is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then each problem is named by its line and field, and no violation was written
    assert result.stderr.splitlines() == [
        f"{path}, line 3, field status: 'urgent!' is not one of open, acknowledged, assigned, "
        "resolved, ignored",
        f"{path}, line 4, field severity: 'fatal' is not one of critical, warning, info",
        f"{path}, line 5, field record_data: not valid JSON: Expecting value",
        f"{path}, line 6, field record_data: expected a JSON object ({{...}})",
        f"{path}, line 7, field check_timestamp: not a date and time: expected ISO 8601, "
        "e.g. 2026-11-21T06:32:24+00:00",
        f"{path}, line 8, field error_type: the text is longer than 100 characters",
        f"{path}, line 9, field schema_id: a value is required",
        f"{path}, line 10, field resolution_reason: 'tired' is not one of false_positive, "
        "fixed_at_source, data_corrected, accepted_risk, no_longer_found, other",
        f"{path}, line 11, field contract_name: a value is required",
        f"{path}, line 11, field contract_version: a value is required",
        f"CommandError: Nothing was imported: 10 errors in {path}.",
    ]
    assert _space_violation_count(space) == 0


def test_a_bad_row_after_batches_were_written_still_writes_nothing(
    run, write_file, space, space_argument, flights, monkeypatch
):
    # given batches of two rows, and a bad row after three batches were written
    monkeypatch.setattr(violations_module, "BATCH_ROWS", 2)
    rows = "flights,1.0.0,user\n" * 6 + "flights,1.0.0,\n"
    path = write_file("violations.csv", "contract_name,contract_version,schema_id\n" + rows)

    # when the file is imported
    result = run("import_data", "violations", str(path), "--space", space_argument, "--json")

    # then the whole file is rolled back
    assert (result.status, result.summary["written"], result.summary["new"]) == (1, False, 0)
    assert _space_violation_count(space) == 0


def test_latin1_bytes_after_written_batches_write_nothing(
    run, write_file, space, space_argument, flights, monkeypatch
):
    # given batches of two rows, and a Latin-1 byte on the eighth line
    monkeypatch.setattr(violations_module, "BATCH_ROWS", 2)
    text = "contract_name,contract_version,schema_id,error_message\n" + (
        "flights,1.0.0,user,ok\n" * 6 + "flights,1.0.0,user,café\n"
    )
    path = write_file("violations.csv", text.encode("latin-1"))

    # when the file is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then the byte is named and the rows already written are rolled back
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 8, column 23: the file is not UTF-8 (byte 0xe9): save it as UTF-8"
    )
    assert _space_violation_count(space) == 0


def test_a_truncated_json_array_writes_nothing(run, write_file, space, space_argument, flights):
    # given a JSON array of violations cut after its first item
    path = write_file("violations.json", json.dumps(RECORDS, indent=2)[:400])

    # when it is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then the file is named as truncated, and nothing is written
    assert result.stderr.splitlines()[0].endswith(
        "not valid JSON: the text ends early (is the file truncated?)"
    )
    assert _space_violation_count(space) == 0


def test_a_bad_json_line_is_a_problem_of_its_record(
    run, write_file, space, space_argument, flights
):
    # given JSON Lines whose second line is broken and third is not an object
    path = write_file("violations.jsonl", json.dumps(RECORDS[0]) + '\n{"contract_name": \n[1]\n')

    # when it is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then each bad line is named, and nothing is written
    assert result.stderr.splitlines()[:2] == [
        f"{path}, line 2: not valid JSON: Expecting value (column 19)",
        f"{path}, line 3: expected an object of column: value",
    ]
    assert _space_violation_count(space) == 0


def test_unknown_fields_of_a_json_record_are_named(
    run, write_file, space, space_argument, flights
):
    # given a record with a misspelt field
    path = write_file("violations.jsonl", json.dumps({**RECORDS[1], "severty": "info"}) + "\n")

    # when it is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then the field is named with the ones expected
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 1: unknown fields 'severty': expected id, contract_name, contract_version, "
        "schema_id, schema_version, record_identifier, record_data, field_name, error_type, "
        "error_message, severity, status, priority, rule, check_timestamp, resolved_at, "
        "resolved_by, resolution_reason, resolution_note, additional_metadata"
    )
    assert _space_violation_count(space) == 0


def test_a_csv_without_the_required_columns_is_refused(run, write_file, space, space_argument):
    # given a CSV that names no contract
    path = write_file("violations.csv", "schema_id,field_name\nuser,age\n")

    # when it is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then the missing columns are named
    assert result.stderr.splitlines()[0] == (
        f"{path}, line 1: missing columns 'contract_name', 'contract_version': the file must "
        "have contract_name, contract_version, schema_id"
    )


def test_only_the_first_50_problems_are_listed(run, write_file, space, space_argument, flights):
    # given 120 rows without a schema id
    path = write_file("violations.csv", "contract_name,contract_version,schema_id\n"
                      + "flights,1.0.0,\n" * 120)

    # when it is imported
    result = run("import_data", "violations", str(path), "--space", space_argument, "--json")

    # then 50 are listed and 70 more counted
    assert (len(result.summary["errors"]), result.summary["more_errors"],
            result.summary["error_count"]) == (50, 70, 120)


def test_yaml_is_refused_for_violations(run, write_file, space_argument):
    # given violations as YAML
    path = write_file("violations.yaml", "- contract_name: flights\n")

    # when it is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then the command says which formats stream
    assert result.stderr == (
        "CommandError: violations are streamed from csv, json or jsonl; YAML cannot be streamed.\n"
    )


def test_a_file_of_violations_over_the_size_limit_is_refused(
    run, write_file, space, space_argument, flights, settings
):
    # given a limit of 100 bytes and a larger file
    settings.PYCHARTER_MAX_IMPORT_BYTES = 100
    path = write_file("violations.csv", HEADER + GOOD_ROWS)

    # when it is imported
    result = run("import_data", "violations", str(path), "--space", space_argument)

    # then it is refused and nothing is written
    assert result.stderr.splitlines()[0] == (
        f"{path}: the file is larger than the limit of 100 bytes"
    )
    assert _space_violation_count(space) == 0


def test_a_progress_bar_of_bytes_is_drawn_on_a_terminal(
    run, write_file, space_argument, flights, terminal
):
    # given a file of violations
    path = write_file("violations.csv", HEADER + GOOD_ROWS)

    # when it is imported on a terminal
    result = run("import_data", "violations", str(path), "--space", space_argument,
                 stdout=terminal)

    # then the bar counts the file's bytes
    size = path.stat().st_size
    assert "violations: 100%" in result.stderr
    assert f"{size}/{size}" in result.stderr


def test_on_postgresql_copied_rows_get_the_database_defaults(
    requires_postgresql, run, write_file, space, space_argument, flights
):
    # given two violations (written by COPY on PostgreSQL)
    path = write_file("violations.csv", HEADER + GOOD_ROWS)

    # when they are imported
    run("import_data", "violations", str(path), "--space", space_argument)

    # then the database filled the ids and timestamps, and the rows read back as imported
    rows = QualityViolation.objects.filter(data_contract=flights)
    assert all(row.id and row.created_at and row.updated_at for row in rows)
    assert _violations(flights) == EXPECTED


def test_imported_violations_are_counted_and_a_refused_file_counts_nothing(
    run, write_file, space, space_argument, flights, other_tenant, other_space
):
    def counts(**filters):
        return sorted(ViolationCount.objects.filter(**filters).values_list(
            "field_name", "severity", "status", "count"))

    theirs = counts(space=other_space)
    bad = write_file("bad.csv", HEADER + GOOD_ROWS + "flights,9.9.9,user,u,,age,x,m,info,\n")

    refused = run("import_data", "violations", str(bad), "--space", space_argument)
    imported = run("import_data", "violations", str(write_file("good.csv", HEADER + GOOD_ROWS)),
                   "--space", space_argument)

    assert (refused.status, imported.status) == (1, 0)
    assert counts(space=space) == [("age", "warning", "open", 1),
                                   ("user_id", "critical", "open", 1)]
    assert counts(space=other_space) == theirs
