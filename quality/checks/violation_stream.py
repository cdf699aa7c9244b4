"""New violations of a quality check, stored in PostgreSQL by a thread of their own.

The check is bound by the CPU of this process; storing a violation is bound by the
database (its trigger, its indexes, its foreign keys). To overlap the two, the check
hands rows over in batches and a thread of this process runs the COPY on the same
connection (psycopg connections are thread-safe) and waits for PostgreSQL. The COPY
is ended and started again every `CHUNK_ROWS` rows with the table's deferrable
foreign keys checked at once, so that PostgreSQL checks them chunk by chunk while
the check goes on, not all of them at commit, after the check is done.
"""

import queue
import threading
from contextlib import suppress

from django.db import DatabaseError, connection

from quality.models import QualityViolation

BATCH_ROWS = 1_000
"""Rows handed to the thread at once."""
QUEUED_BATCHES = 64
"""Batches waiting for the thread at most: the check waits when PostgreSQL falls behind."""
CHUNK_ROWS = 20_000
"""Rows per COPY statement: their foreign keys are checked as it ends."""


class ViolationStream:
    """`add` a row in `columns` order (JSON as text); `pause` until every row added is
    stored and the connection is free; used as a context manager."""

    def __init__(self, columns) -> None:
        quote = connection.ops.quote_name
        self.statement = (
            f"COPY {quote(QualityViolation._meta.db_table)} "
            f"({', '.join(quote(column) for column in columns)}) FROM STDIN"
        )
        self.batch = []
        self.batches = queue.Queue(maxsize=QUEUED_BATCHES)
        self.thread = None
        self.failure = None

    def add(self, row) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH_ROWS:
            self._hand_over()

    def _hand_over(self) -> None:
        if self.failure is not None:
            raise self.failure
        if self.thread is None:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.thread = threading.Thread(
                target=self._store, args=(connection.connection,), name="violation-copy"
            )
            self.thread.start()
        batch, self.batch = self.batch, []
        self.batches.put(batch)

    def _store(self, database) -> None:
        batch = ()
        try:
            with database.cursor() as cursor:
                batch = self.batches.get()
                while batch is not None:
                    with cursor.copy(self.statement) as copy:
                        stored = 0
                        while batch is not None and stored < CHUNK_ROWS:
                            for row in batch:
                                copy.write_row(row)
                            stored += len(batch)
                            batch = self.batches.get()
        except BaseException as error:  # handed to the check, which raises it
            self.failure = error
            while batch is not None:  # the check may still be handing batches over
                batch = self.batches.get()

    def pause(self) -> None:
        if self.batch:
            self._hand_over()
        self._stop()

    def _stop(self) -> None:
        if self.thread is None:
            return
        self.batches.put(None)
        self.thread.join()
        self.thread = None
        if self.failure is not None:
            raise self.failure
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def __enter__(self):
        return self

    def __exit__(self, exception_type, *exception) -> None:
        if exception_type is None:
            self.pause()
        else:
            with suppress(DatabaseError):  # the transaction may be aborted: it rolls back
                self._stop()
