"""Fixtures of the quality admin tests: a contract in each tenant and signed-in browsers."""

import pytest

from tenancy.models import Role
from tests import factories
from tests.quality.admin.helpers import signed_in


@pytest.fixture
def contract(unscoped, space):
    return factories.DataContractFactory(space=space, name="flights", status="active")


@pytest.fixture
def foreign_violation(unscoped, other_space):
    """A violation of the other organization, with names found nowhere else."""
    return factories.QualityViolationFactory(
        data_contract__space=other_space, data_contract__name="zz_foreign_contract",
        record_identifier="zz_foreign_record", field_name="zz_foreign_field",
        error_type="zz_foreign_type",
    )


@pytest.fixture
def steward_client(steward):
    return signed_in(steward)


@pytest.fixture
def viewer_client(viewer):
    return signed_in(viewer)


@pytest.fixture
def colleague(unscoped, space):
    """A second steward of the space, someone to assign violations to."""
    return factories.MembershipFactory(space=space, role=Role.STEWARD,
                                       user__username="colleague").user
