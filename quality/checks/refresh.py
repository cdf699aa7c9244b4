"""Refreshing the violations a check finds again: message, severity, snapshot, time.

A re-run of a check finds every violation of the last one again, so the refresh is
as large as the first run's insert. On PostgreSQL the new values stream into a
temporary table with COPY and one `UPDATE ... FROM` applies them all (per-row or
CASE-per-batch updates make a re-run many times slower than the first run).
Elsewhere (SQLite) `bulk_update` in batches.
"""

import json

from django.db import connection

from quality.models import QualityViolation

BATCH = 2_000
REFRESHED_COLUMNS = ("error_message", "severity", "record_data")
STAGING_TABLE = "quality_check_refresh"


def violations_refresh(rows, *, checked_at):
    """Give each violation of `rows` (id, message, severity, record JSON text) its new
    values, `checked_at` as check and update time, and clear its not-found flag."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _refresh_with_copy(rows, checked_at)
    else:
        _refresh_in_batches(rows, checked_at)


def _refresh_with_copy(rows, checked_at):
    quote = connection.ops.quote_name
    table = quote(QualityViolation._meta.db_table)
    assignments = ", ".join(f"{quote(column)} = staged.{quote(column)}"
                            for column in REFRESHED_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING_TABLE} (id uuid, error_message text, "
            f"severity varchar(50), record_data jsonb) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {STAGING_TABLE} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} AS violation SET {assignments}, check_timestamp = %s, "
            f"updated_at = %s, not_found_since = NULL FROM {STAGING_TABLE} AS staged "
            f"WHERE violation.id = staged.id",
            [checked_at, checked_at],
        )
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")


def _refresh_in_batches(rows, checked_at):
    for start in range(0, len(rows), BATCH):
        violations = [
            QualityViolation(id=violation_id, error_message=message, severity=severity,
                             record_data=json.loads(record_json), check_timestamp=checked_at,
                             updated_at=checked_at, not_found_since=None)
            for violation_id, message, severity, record_json in rows[start:start + BATCH]
        ]
        QualityViolation.objects.bulk_update(
            violations, [*REFRESHED_COLUMNS, "check_timestamp", "updated_at", "not_found_since"],
        )
