"""Shared fixtures: two tenants everywhere, so every test can assert the other saw nothing.

Django is imported inside the fixtures, so the pure-Python suites (the quality
engine, the document layer) also run with the Django plugin off.
"""

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(request):
    """Production's password hasher is slow on purpose; tests create many users."""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def unscoped():
    """Set-up code in tests writes across tenants; the code under test never does."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        yield


def _factories():
    from tests import factories

    return factories


@pytest.fixture
def organization(db):
    return _factories().OrganizationFactory(name="Cathay Data", slug="cathay-data")


@pytest.fixture
def space(organization):
    return _factories().SpaceFactory(organization=organization, name="Flights", slug="flights")


@pytest.fixture
def other_organization(db):
    return _factories().OrganizationFactory(name="Other Corp", slug="other-corp")


@pytest.fixture
def other_space(other_organization):
    return _factories().SpaceFactory(organization=other_organization, name="Other", slug="other")


def _member(space, role):
    return _factories().MembershipFactory(space=space, role=role).user


@pytest.fixture
def steward(space):
    return _member(space, "steward")


@pytest.fixture
def viewer(space):
    return _member(space, "viewer")


@pytest.fixture
def other_steward(other_space):
    return _member(other_space, "steward")


@pytest.fixture
def requires_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://...")
