"""Refreshing the violations a check finds again: message, severity, snapshot, time.

A re-run of a check finds every violation of the last one again, so its refresh is
as large as the first run's insert, and it must cost no more. On PostgreSQL the
rows go in batches into a temporary table (COPY) and one `UPDATE ... FROM` applies
each batch; a thread of this process runs each batch on the check's own connection
(same transaction) while the next records are checked, as the first run's COPY
stores new rows while the next ones are checked. Elsewhere (SQLite) `bulk_update`.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

from django.db import DatabaseError, connection

from quality.models import QualityViolation

BATCH_ROWS = 20_000
BULK_UPDATE_BATCH = 2_000
REFRESHED_COLUMNS = ("error_message", "severity", "record_data")
STAGING_TABLE = "quality_check_refresh"


def violation_refreshes(*, checked_at, before_batch):
    """A context manager whose `add((id, message, severity, record JSON text))` gives a
    violation its new values, `checked_at` as check and update time, and clears its
    not-found flag. `before_batch()` frees the connection (ends an open COPY)."""
    if connection.vendor == "postgresql":
        return _StagedRefreshes(checked_at=checked_at, before_batch=before_batch)
    return _BulkUpdateRefreshes(checked_at=checked_at)


class _StagedRefreshes:
    def __init__(self, *, checked_at, before_batch):
        self.checked_at = checked_at
        self.before_batch = before_batch
        self.rows = []
        self.count = 0
        self.executor = None
        self.running = None
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(column)} = staged.{quote(column)}"
                                for column in REFRESHED_COLUMNS)
        self.update = (
            f"UPDATE {quote(QualityViolation._meta.db_table)} AS violation SET {assignments}, "
            f"check_timestamp = %(checked_at)s, updated_at = %(checked_at)s, "
            f"not_found_since = NULL FROM {STAGING_TABLE} AS staged "
            f"WHERE violation.id = staged.id"
        )

    def add(self, row):
        self.rows.append(row)
        self.count += 1
        if len(self.rows) >= BATCH_ROWS:
            self._start_batch()

    def _start_batch(self):
        # In this order: a batch still running may be waiting for the open COPY to end.
        self.before_batch()
        self._wait()
        if self.executor is None:
            self.executor = ThreadPoolExecutor(max_workers=1)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {STAGING_TABLE} (id uuid, error_message text, "
                    f"severity varchar(50), record_data jsonb) ON COMMIT DROP"
                )
        rows, self.rows = self.rows, []
        # The thread uses psycopg's connection directly (thread-safe), not Django's wrapper.
        self.running = self.executor.submit(self._apply, connection.connection, rows)

    def _apply(self, database, rows):
        with database.cursor() as cursor:
            cursor.execute(f"TRUNCATE {STAGING_TABLE}")
            with cursor.copy(f"COPY {STAGING_TABLE} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(self.update, {"checked_at": self.checked_at})

    def _wait(self):
        if self.running is not None:
            running, self.running = self.running, None
            running.result()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, *exception):
        try:
            if exception_type is None:
                if self.rows:
                    self._start_batch()
                self.before_batch()
                self._wait()
            elif self.running is not None:
                # Let the batch end before the transaction rolls back.
                with suppress(DatabaseError):
                    self.before_batch()
                self.running.exception()
        finally:
            if self.executor is not None:
                self.executor.shutdown()
        if exception_type is None and self.executor is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {STAGING_TABLE}")


class _BulkUpdateRefreshes:
    def __init__(self, *, checked_at):
        self.checked_at = checked_at
        self.rows = []
        self.count = 0

    def add(self, row):
        self.rows.append(row)
        self.count += 1
        if len(self.rows) >= BULK_UPDATE_BATCH:
            self._apply()

    def _apply(self):
        violations = [
            QualityViolation(id=violation_id, error_message=message, severity=severity,
                             record_data=json.loads(record_json), check_timestamp=self.checked_at,
                             updated_at=self.checked_at, not_found_since=None)
            for violation_id, message, severity, record_json in self.rows
        ]
        QualityViolation.objects.bulk_update(
            violations, [*REFRESHED_COLUMNS, "check_timestamp", "updated_at", "not_found_since"],
        )
        self.rows.clear()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, *exception):
        if exception_type is None and self.rows:
            self._apply()
