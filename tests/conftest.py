"""Shared fixtures: two tenants everywhere, so every test can assert the other saw nothing."""

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from tenancy.models import Role
from tests import factories


@pytest.fixture
def unscoped():
    """Set-up code in tests writes across tenants; the code under test never does."""
    with scopes_disabled():
        yield


@pytest.fixture
def organization(db):
    return factories.OrganizationFactory(name="Cathay Data", slug="cathay-data")


@pytest.fixture
def space(organization):
    return factories.SpaceFactory(organization=organization, name="Flights", slug="flights")


@pytest.fixture
def other_organization(db):
    return factories.OrganizationFactory(name="Other Corp", slug="other-corp")


@pytest.fixture
def other_space(other_organization):
    return factories.SpaceFactory(organization=other_organization, name="Other", slug="other")


@pytest.fixture
def steward(space):
    return factories.MembershipFactory(space=space, role=Role.STEWARD).user


@pytest.fixture
def viewer(space):
    return factories.MembershipFactory(space=space, role=Role.VIEWER).user


@pytest.fixture
def other_steward(other_space):
    return factories.MembershipFactory(space=other_space, role=Role.STEWARD).user


@pytest.fixture
def requires_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://...")
