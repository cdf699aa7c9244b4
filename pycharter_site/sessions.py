"""Sessions kept in the database as Django keeps them, read by plain SQL composed once a
process: every signed-in request reads its session, and the ORM took longer to compose
that query than PostgreSQL to answer it."""

import functools

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from tenancy.raw_reads import instance_from, quoted_column, quoted_table, selected_columns


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        now = Session._meta.get_field("expire_date").get_db_prep_value(
            timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(_session_sql(), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return instance_from(Session, iter(row))


@functools.cache
def _session_sql():
    return (
        f"SELECT {selected_columns('s', Session)}"
        f" FROM {quoted_table(Session)} s"
        f" WHERE s.{quoted_column(Session, 'session_key')} = %s"
        f" AND s.{quoted_column(Session, 'expire_date')} > %s"
    )
