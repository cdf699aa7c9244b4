"""Importing quality violations in bulk: streamed, checked row by row, written all or none.

A pipeline can push millions of violations at once, so the file is never read
whole: records stream from the readers, each is checked (its contract resolved
within the space through a dictionary loaded once; choices, lengths, JSON objects,
timestamps), and the rows are written inside one transaction: on PostgreSQL into
one COPY ... FROM STDIN that stays open while the file is read, elsewhere with
bulk_create in batches. The first bad row stops the writing; the rest of the file
is still read so that every problem is counted, and the transaction is rolled
back: a file with any bad row writes nothing.

A row with an `id` names a violation of the space (an export read back): it is
left as it is and counted as skipped, because triage (status, assignee,
resolution) keeps its own history and is done in the admin. Other rows are new
violations. Bulk writes bypass `save()`, so one audit entry records the batch.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from contracts.models import DataContract
from contracts.resources import column_problems
from quality.bulk.errors import ImportFileError, ImportProblem
from quality.bulk.readers import RecordProblem, import_file_open, records_read
from quality.bulk.summary import ImportSummary
from quality.models import Priority, QualityViolation, ResolutionReason, Severity, ViolationStatus
from quality.services.violation_counts import violation_counts_recount
from tenancy.audit import audit_record_batch

#: The columns of a violations file, in export order.
COLUMNS = (
    "id", "contract_name", "contract_version", "schema_id", "schema_version",
    "record_identifier", "record_data", "field_name", "error_type", "error_message",
    "severity", "status", "priority", "rule", "check_timestamp", "resolved_at", "resolved_by",
    "resolution_reason", "resolution_note", "additional_metadata",
)
#: An export also names each violation's assignee; an import reads past it, since who
#: works on a violation is triage's to change.
EXPORTED_COLUMNS = (*COLUMNS, "assignee")
REQUIRED_COLUMNS = ("contract_name", "contract_version", "schema_id")
#: The columns a checked row fills, in order: COPY's column list and the model's attnames.
WRITTEN_COLUMNS = (
    "data_contract_id", "space_id", "schema_id", "schema_version", "record_identifier",
    "record_data", "field_name", "error_type", "error_message", "severity", "status",
    "priority", "rule", "check_timestamp", "resolved_at", "resolved_by", "resolution_reason",
    "resolution_note", "additional_metadata",
)
JSON_COLUMNS = ("record_data", "additional_metadata")
#: A violation keeps a size-capped snapshot of its record, not the record itself.
MAXIMUM_JSON_CHARACTERS = 64 * 1024
#: Rows per bulk_create batch, where there is no COPY.
BATCH_ROWS = 10_000
#: Rows with an id looked up in one query (they pause the COPY).
NAMED_BATCH_ROWS = 1_000
#: Rows between two progress reports.
PROGRESS_ROWS = 10_000

Progress = Callable[[int, int], None]


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _unstorable(text: str) -> bool:
    """PostgreSQL refuses NUL characters, and unpaired surrogates are not UTF-8."""
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _has_unstorable_text(value) -> bool:
    if isinstance(value, str):
        return _unstorable(value)
    if isinstance(value, dict):
        return any(_unstorable(key) or _has_unstorable_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_unstorable_text(item) for item in value)
    return False


def _as_text(value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid("expected text: quote the value")
    return str(value)


def _text(maximum_length: int | None, required: bool = False):
    def convert(value):
        if value is None or value == "":
            if required:
                raise _Invalid("a value is required")
            return None
        if value.__class__ is not str:
            value = _as_text(value)
        if maximum_length is not None and len(value) > maximum_length:
            raise _Invalid(f"the text is longer than {maximum_length} characters")
        if _unstorable(value):
            raise _Invalid("the text holds a NUL character or an unpaired surrogate")
        return value
    return convert


def _choice(choices, default=None):
    allowed = frozenset(choices)
    expected = ", ".join(choices)

    def convert(value):
        if value is None or value == "":
            return default
        if value.__class__ is not str or value not in allowed:
            raise _Invalid(f"{value!r} is not one of {expected}")
        return value
    return convert


def _timestamp(default=None):
    def convert(value):
        if value is None or value == "":
            return default
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise _Invalid(
                "not a date and time: expected ISO 8601, e.g. 2026-11-21T06:32:24+00:00"
            ) from None
        if parsed.tzinfo is None:
            parsed = timezone.make_aware(parsed)
        return parsed.isoformat()
    return convert


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _json_object(value):
    """The object as JSON text (COPY's input for jsonb), from JSON text or a parsed object."""
    if value is None or value == "":
        return None
    if value.__class__ is str:
        text = value
        try:
            value = _DECODER.decode(text)
        except ValueError as error:
            message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            raise _Invalid(f"not valid JSON: {message}") from None
        except RecursionError:
            raise _Invalid("the JSON is nested too deeply") from None
        storable = "\\u" not in text or not _has_unstorable_text(value)
    else:
        storable = not _has_unstorable_text(value)
        text = json.dumps(value, ensure_ascii=False) if value.__class__ is dict else None
    if value.__class__ is not dict:
        raise _Invalid("expected a JSON object ({...})")
    if len(text) > MAXIMUM_JSON_CHARACTERS:
        raise _Invalid(f"the JSON is longer than {MAXIMUM_JSON_CHARACTERS} characters")
    if not storable:
        raise _Invalid("the JSON holds a NUL character or an unpaired surrogate")
    return text


def _max_length(name):
    return QualityViolation._meta.get_field(name).max_length


class ViolationCleaner:
    """Turns one record of a violations file into the values of a new violation.

    The space's contracts are loaded once into a dictionary; a contract of another
    space is reported exactly like one that does not exist.
    """

    def __init__(self, *, space, checked_at: datetime) -> None:
        self.space_id = str(space.pk)
        self.contract_ids = {
            (name, version): str(contract_id)
            for name, version, contract_id in DataContract.objects.filter(space=space)
            .values_list("name", "version", "id")
        }
        # (column, converter) in WRITTEN_COLUMNS order after data_contract_id, space_id.
        self.converters = (
            ("schema_id", _text(_max_length("schema_id"), required=True)),
            ("schema_version", _text(_max_length("schema_version"))),
            ("record_identifier", _text(_max_length("record_identifier"))),
            ("record_data", _json_object),
            ("field_name", _text(_max_length("field_name"))),
            ("error_type", _text(_max_length("error_type"))),
            ("error_message", _text(None)),
            ("severity", _choice(Severity.values)),
            ("status", _choice(ViolationStatus.values, ViolationStatus.OPEN.value)),
            ("priority", _choice(Priority.values, Priority.MEDIUM.value)),
            ("rule", _text(_max_length("rule"))),
            ("check_timestamp", _timestamp(checked_at.isoformat())),
            ("resolved_at", _timestamp()),
            ("resolved_by", _text(_max_length("resolved_by"))),
            ("resolution_reason", _choice(ResolutionReason.values)),
            ("resolution_note", _text(None)),
            ("additional_metadata", _json_object),
        )

    def _contract_id(self, record, problems):
        name, version = record.get("contract_name"), record.get("contract_version")
        missing = [
            column for column, value in (("contract_name", name), ("contract_version", version))
            if value is None or value == ""
        ]
        for column in missing:
            problems.append((column, "a value is required"))
        if missing:
            return None
        try:
            key = (name if name.__class__ is str else _as_text(name),
                   version if version.__class__ is str else _as_text(version))
        except _Invalid as invalid:
            problems.append(("contract_name", invalid.message))
            return None
        contract_id = self.contract_ids.get(key)
        if contract_id is None:
            problems.append(
                ("contract_name", f"no contract {key[0]!r} version {key[1]!r} in this space")
            )
        return contract_id

    def clean(self, record) -> tuple[tuple | None, list[tuple[str, str]]]:
        """(the row in WRITTEN_COLUMNS order, or None; [(column, problem), ...])."""
        problems = []
        values = [self._contract_id(record, problems), self.space_id]
        for column, convert in self.converters:
            try:
                values.append(convert(record.get(column)))
            except _Invalid as invalid:
                problems.append((column, invalid.message))
        return (None, problems) if problems else (tuple(values), problems)


class CopyWriter:
    """Streams new violations into PostgreSQL with COPY ... FROM STDIN, in the open transaction.

    Used as a context manager; `add` takes a row in `columns` order (WRITTEN_COLUMNS
    unless told), its JSON
    columns as JSON text, its timestamps as datetimes or ISO 8601 text (what
    `ViolationCleaner.clean` returns; the quality-check runner writes the same way).

    The COPY stays open from row to row, and psycopg's queued writer sends the data
    from a thread: PostgreSQL stores rows while the next ones are read and checked.
    `pause` ends it, so that the connection can run a query; the next row opens another.
    """

    def __init__(self, columns=WRITTEN_COLUMNS) -> None:
        quote = connection.ops.quote_name
        self.statement = (
            f"COPY {quote(QualityViolation._meta.db_table)} "
            f"({', '.join(quote(column) for column in columns)}) FROM STDIN"
        )
        self.open_copy = None
        self.copy = None

    def add(self, row) -> None:
        if self.open_copy is None:
            self.open_copy = ExitStack()
            cursor = self.open_copy.enter_context(connection.cursor()).cursor
            self.copy = self.open_copy.enter_context(
                cursor.copy(self.statement, writer=QueuedLibpqWriter(cursor))
            )
        self.copy.write_row(row)

    def pause(self) -> None:
        if self.open_copy is not None:
            open_copy, self.open_copy = self.open_copy, None
            open_copy.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception) -> None:
        if self.open_copy is not None:
            self.open_copy.__exit__(*exception)


class BulkCreateWriter:
    """CopyWriter's counterpart where there is no COPY (SQLite): bulk_create in batches."""

    def __init__(self, columns=WRITTEN_COLUMNS) -> None:
        self.columns = columns
        self.rows = []

    def add(self, row) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self.pause()

    def pause(self) -> None:
        if not self.rows:
            return
        violations = []
        for row in self.rows:
            values = dict(zip(self.columns, row, strict=True))
            for column in JSON_COLUMNS:
                if values[column] is not None:
                    values[column] = json.loads(values[column])
            violations.append(QualityViolation(**values))
        QualityViolation.objects.bulk_create(violations, batch_size=500)
        self.rows.clear()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, *exception) -> None:
        if exception_type is None:
            self.pause()


class _ViolationImport:
    """One run of `violation_file_import`: what each row became, and the writing."""

    def __init__(self, *, space, path, summary: ImportSummary, writer) -> None:
        self.space = space
        self.path = str(path)
        self.summary = summary
        self.writer = writer
        self.cleaner = ViolationCleaner(space=space, checked_at=timezone.now())
        self.named_rows = []
        self.first_line_by_id = {}
        self.contract_ids = set()

    def problem(self, message, *, line, row, field=None) -> None:
        self.summary.add(ImportProblem(self.path, message, line=line, row=row, field=field))

    def run(self, records, *, check_keys: bool, on_progress: Callable[[], None]) -> None:
        clean, write, summary = self.cleaner.clean, self.writer.add, self.summary
        known_columns = frozenset(COLUMNS)
        row = 0
        for line, record in records:
            row += 1
            if record.__class__ is RecordProblem:
                self.problem(record.message, line=line, row=row, field=record.field)
                continue
            if check_keys and not known_columns.issuperset(record):
                unknown = ", ".join(repr(key) for key in record if key not in known_columns)
                self.problem(f"unknown fields {unknown}: expected {', '.join(COLUMNS)}",
                             line=line, row=row)
                continue
            identifier = record.get("id")
            if identifier is not None and identifier != "":
                self.name_existing(identifier, line=line, row=row)
                continue
            values, problems = clean(record)
            if problems:
                for column, message in problems:
                    self.problem(message, line=line, row=row, field=column)
            elif summary.problem_count == 0:
                write(values)
                self.contract_ids.add(values[0])
                summary.new += 1
            if row % PROGRESS_ROWS == 0:
                on_progress()
        summary.rows = row
        self.check_named()
        on_progress()

    def name_existing(self, identifier, *, line, row) -> None:
        try:
            violation_id = uuid.UUID(str(identifier))
        except ValueError:
            self.problem(f"{identifier!r} is not a violation id (a UUID)", line=line, row=row,
                         field="id")
            return
        first_line = self.first_line_by_id.setdefault(violation_id, line)
        if first_line != line:
            self.problem(f"duplicate: line {first_line} already has id {str(violation_id)!r}",
                         line=line, row=row, field="id")
            return
        self.named_rows.append((violation_id, line, row))
        if len(self.named_rows) >= NAMED_BATCH_ROWS:
            self.check_named()

    def check_named(self) -> None:
        """Rows with an id are skipped when the space has that violation, else refused."""
        if not self.named_rows:
            return
        self.writer.pause()
        named_ids = [violation_id for violation_id, _, _ in self.named_rows]
        existing = set(
            QualityViolation.objects.filter(space=self.space, id__in=named_ids)
            .values_list("id", flat=True)
        )
        for violation_id, line, row in self.named_rows:
            if violation_id in existing:
                self.summary.skipped += 1
            else:
                self.problem(f"no violation with id {str(violation_id)!r} in this space",
                             line=line, row=row, field="id")
        self.named_rows.clear()


def violation_file_import(*, space, path, file_format: str, max_bytes: int,
                          progress: Progress | None = None) -> ImportSummary:
    """Add the violations of a CSV, JSON or JSON Lines file to `space`: all rows or none.

    `progress(bytes read, file size)` is called every PROGRESS_ROWS rows and at the end.
    """
    summary = ImportSummary(resource="violations", path=str(path))
    try:
        with import_file_open(path, max_bytes=max_bytes) as binary, transaction.atomic():
            columns, records = records_read(binary, file_format, path)
            problems = [] if columns is None else column_problems(
                columns, expected=EXPORTED_COLUMNS, required=REQUIRED_COLUMNS
            )
            for message in problems:
                summary.add(ImportProblem(str(path), message, line=1))
            if not problems:
                size = os.fstat(binary.fileno()).st_size
                writer = CopyWriter() if connection.vendor == "postgresql" else BulkCreateWriter()
                violation_import = _ViolationImport(space=space, path=path, summary=summary,
                                                    writer=writer)
                with writer:
                    violation_import.run(
                        records, check_keys=columns is None,
                        on_progress=lambda: progress(binary.tell(), size) if progress else None,
                    )
            if summary.ok and summary.new:
                violation_counts_recount(contract_ids=violation_import.contract_ids)
                audit_record_batch(
                    model=QualityViolation, action="imported", space=space, count=summary.new,
                    details={"count": summary.new, "skipped": summary.skipped, "file": str(path)},
                )
            elif not summary.ok:
                transaction.set_rollback(True)
    except ImportFileError as error:
        summary.add(error.problem)
    except DatabaseError as error:
        summary.add(ImportProblem(str(path), f"the database refused the rows: {error}"))
    if not summary.ok:
        summary.forget_counts()
    return summary
