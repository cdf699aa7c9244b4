"""The session and the signed-in user, read by plain SQL on every request, as Django reads them."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from pycharter_site.authentication import AccountBackend
from pycharter_site.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_with_its_data():
    store = SessionStore()
    store["answer"] = 42
    store.save()

    assert SessionStore(store.session_key)["answer"] == 42


def test_an_expired_or_unknown_session_reads_as_a_new_empty_one():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))

    expired = SessionStore(store.session_key)
    assert "answer" not in expired
    assert expired.session_key is None
    assert "answer" not in SessionStore("x" * 32)


def test_the_signed_in_user_is_read_with_every_field_and_refused_once_deactivated():
    user = get_user_model().objects.create_user("ada", email="ada@example.com",
                                                password="correct horse battery")
    backend = AccountBackend()

    read = backend.get_user(user.pk)
    assert (read.pk, read.username, read.email, read.password, read.is_active) == (
        user.pk, "ada", "ada@example.com", user.password, True)
    assert read.date_joined == user.date_joined

    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None
    assert backend.get_user(user.pk + 1000) is None


def test_a_signed_in_page_survives_and_signing_out_ends_the_session(client, steward):
    client.force_login(steward)
    assert client.get("/admin/").status_code == 200

    client.post("/admin/logout/")

    assert client.get("/admin/").status_code == 302
