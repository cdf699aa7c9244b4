"""Sign-ins: attempt limits (django-axes) for the sign-ins that come with a request, and
accounts read by plain SQL on every request."""

import functools

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from tenancy.raw_reads import instance_from, key_of, quoted_table, selected_columns


class SignInAttemptsBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address before any password is checked.

    Axes counts attempts by the request's address, so a sign-in without a request (code
    that calls `authenticate` itself, such as the test client's `login`) has nothing to
    count by and is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AccountBackend(ModelBackend):
    """Django's accounts and permissions; the signed-in user, read on every request, comes
    from plain SQL composed once a process instead of a query the ORM composes each time."""

    def get_user(self, user_id):
        model = get_user_model()
        with connection.cursor() as cursor:
            cursor.execute(_user_sql(), [key_of(model, user_id)])
            row = cursor.fetchone()
        if row is None:
            return None
        user = instance_from(model, iter(row))
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _user_sql():
    model = get_user_model()
    return (f"SELECT {selected_columns('u', model)} FROM {quoted_table(model)} u"
            f" WHERE u.{connection.ops.quote_name(model._meta.pk.column)} = %s")
