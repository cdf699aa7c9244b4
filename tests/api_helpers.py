"""Signing in to the API in tests: real tokens through the real middleware."""

from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from tenancy.tokens import api_token_create
from tests.factories import MembershipFactory


def token_secret(space, *, can_write=True, role="steward", user=None):
    """The secret of a fresh token of `space` created by a member with `role`."""
    with scopes_disabled():
        if user is None:
            user = MembershipFactory(space=space, role=role).user
        _, secret = api_token_create(space=space, name=f"pipeline-{user.username}",
                                     created_by=user, can_write=can_write)
    return secret


def token_client(space, *, can_write=True, role="steward", user=None):
    """An APIClient that sends a fresh token of `space` created by a member with `role`."""
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {token_secret(space, can_write=can_write, role=role, user=user)}"
    )
    return client


def results(response):
    """The rows of a list response, paginated or not."""
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body
