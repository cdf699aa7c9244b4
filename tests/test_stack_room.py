"""Requests run in a stack chunk of their own (pycharter_site/stack_room.py)."""

import sys

import pytest
from django.test import RequestFactory

from pycharter_site import stack_room


def test_the_call_returns_what_the_function_returns():
    assert stack_room.call_with_stack_room(lambda *args: sum(args), 1, 2, 3) == 6


def test_errors_go_through_unchanged():
    def fail():
        raise ValueError("no room")

    with pytest.raises(ValueError, match="no room"):
        stack_room.call_with_stack_room(fail)


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="CPython 3.13 keeps a spare chunk")
def test_the_calling_frame_reserves_more_than_a_chunk():
    # A frame larger than CPython's 16 KB chunk opens a chunk of its own for the calls below.
    assert stack_room._call.__code__.co_stacksize * 8 > 16 * 1024


def test_the_wsgi_application_serves_requests_through_it(db):
    from pycharter_site.wsgi import application

    environ = RequestFactory().get("/admin/login/", secure=True).environ
    statuses = []
    body = b"".join(application(environ, lambda status, headers: statuses.append(status)))

    assert statuses == ["200 OK"]
    assert b'name="username"' in body
