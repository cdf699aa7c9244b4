"""Importing a file through a django-import-export resource, in one transaction.

For reference data, contracts and links: files of at most a few thousand rows,
read whole (within the size limit) into a tablib Dataset. The rows then go through
the resource as they do in the admin, with the library's transaction: a file with
any bad row writes nothing. Each problem is reported with the line its row starts on.
"""

from __future__ import annotations

from collections.abc import Callable

import tablib
from django.core.exceptions import ValidationError

from quality.bulk.errors import ImportFileError, ImportProblem
from quality.bulk.readers import RecordProblem, import_file_open, records_read
from quality.bulk.summary import ImportSummary

Progress = Callable[[int, int], None]


def _messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]


def resource_file_import(*, resource, resource_name: str, path, file_format: str,
                         max_bytes: int, progress: Progress | None = None) -> ImportSummary:
    """Import the records of a file through `resource` (built for one space): all or none.

    `progress(rows done, rows)` is called after each row.
    """
    summary = ImportSummary(resource=resource_name, path=str(path))
    try:
        with import_file_open(path, max_bytes=max_bytes) as binary:
            columns, records = records_read(binary, file_format, path)
            lines, records_by_line = [], []
            for row, (line, record) in enumerate(records, 1):
                if isinstance(record, RecordProblem):
                    summary.add(ImportProblem(str(path), record.message, line=line, row=row,
                                              field=record.field))
                else:
                    lines.append(line)
                    records_by_line.append(record)
    except ImportFileError as error:
        summary.add(error.problem)
        return summary
    summary.rows = len(lines) + summary.problem_count
    if columns is None:
        columns = list(dict.fromkeys(key for record in records_by_line for key in record))
    for message in resource.column_problems(columns):
        summary.add(ImportProblem(str(path), message, line=1 if file_format == "csv" else None))
    if not summary.ok:
        return summary

    dataset = tablib.Dataset(
        *[[record.get(column) for column in columns] for record in records_by_line],
        headers=columns,
    )
    result = resource.import_data(
        dataset, dry_run=False, raise_errors=False, use_transactions=True,
        rollback_on_validation_errors=True,
        row_location=lambda row: f"line {lines[row - 1]}",
        progress=(lambda row: progress(row, len(lines))) if progress else None,
    )
    _add_problems(summary, result, resource, path, lines)
    if summary.ok:
        totals = result.totals
        summary.new, summary.updated = totals["new"], totals["update"]
        if resource.skipped_row_outcome == "skipped":
            summary.skipped = totals["skip"]
        else:
            summary.unchanged = totals["skip"]
    return summary


def _add_problems(summary, result, resource, path, lines) -> None:
    """The result's errors, in the order of the rows, each with its line and column."""
    problems = [ImportProblem(str(path), message)
                for error in result.base_errors for message in _messages(error.error)]
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            problems.extend(
                ImportProblem(str(path), message, line=lines[invalid.number - 1],
                              row=invalid.number, field=resource.column_of(key))
                for message in messages
            )
    for number, errors in result.row_errors():
        problems.extend(
            ImportProblem(str(path), message, line=lines[number - 1], row=number)
            for error in errors for message in _messages(error.error)
        )
    for problem in sorted(problems, key=lambda problem: problem.row or 0):
        summary.add(problem)
