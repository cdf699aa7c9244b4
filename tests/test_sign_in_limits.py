"""The admin sign-in is rate limited: 5 wrong passwords per username and address lock it."""

from django.urls import reverse

from tests import factories

LOGIN_URL = reverse("admin:login")
PASSWORD = "correct horse battery staple"


def _sign_in(client, username, password, address="192.0.2.10"):
    return client.post(LOGIN_URL, {"username": username, "password": password,
                                   "next": reverse("admin:index")}, REMOTE_ADDR=address)


def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_even_when_right(db, client):
    user = factories.UserFactory(username="steward")

    wrong = [_sign_in(client, user.username, f"guess {number}").status_code
             for number in range(5)]
    locked = _sign_in(client, user.username, PASSWORD)

    # the fifth failure already answers with the lockout page
    assert wrong == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.text
    assert "5 times from this address, so it is locked for\n    15 minutes" in locked.text
    assert "_auth_user_id" not in client.session


def test_a_lockout_holds_one_username_from_one_address_only(db, client):
    user = factories.UserFactory(username="steward")
    other = factories.UserFactory(username="admin")
    for number in range(5):
        _sign_in(client, user.username, f"guess {number}")

    other_user = _sign_in(client, other.username, PASSWORD)
    client.logout()
    other_address = _sign_in(client, user.username, PASSWORD, address="192.0.2.20")

    assert other_user.status_code == 302
    assert other_address.status_code == 302


def test_a_successful_sign_in_clears_the_count(db, client):
    user = factories.UserFactory(username="steward")
    for number in range(4):
        _sign_in(client, user.username, f"guess {number}")
    _sign_in(client, user.username, PASSWORD)
    client.logout()

    for number in range(4):
        _sign_in(client, user.username, f"guess again {number}")
    signed_in = _sign_in(client, user.username, PASSWORD)

    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_code_that_signs_in_without_a_request_is_not_counted(db, client):
    user = factories.UserFactory(username="steward")

    assert client.login(username=user.username, password=PASSWORD)
    assert not client.login(username=user.username, password="wrong")
