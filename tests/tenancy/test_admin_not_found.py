"""Every tenant admin answers 404 for another space's object, exactly like a missing one."""

import uuid

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def steward_client(client, steward):
    client.force_login(steward)
    return client


@pytest.fixture
def foreign_contract(other_space):
    return factories.DataContractFactory(space=other_space, name="zz_foreign")


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_spaces_contract_is_not_found_on_any_of_its_pages(
    steward_client, foreign_contract, view
):
    response = steward_client.get(
        reverse(f"admin:contracts_datacontract_{view}", args=[foreign_contract.pk])
    )

    assert response.status_code == 404


def test_a_missing_contract_is_not_found_either(steward_client, space):
    response = steward_client.get(
        reverse("admin:contracts_datacontract_change", args=[uuid.uuid4()])
    )

    assert response.status_code == 404


def test_an_id_that_is_not_an_id_is_not_found(steward_client, space):
    response = steward_client.get(reverse("admin:contracts_datacontract_change", args=["x"]))

    assert response.status_code == 404


def test_another_organizations_owner_is_not_found(steward_client, space, other_organization):
    owner = factories.OwnerFactory(organization=other_organization, id="zz-team")

    response = steward_client.get(reverse("admin:contracts_owner_change", args=[quote(owner.pk)]))

    assert response.status_code == 404


def test_another_spaces_violation_history_is_not_found(steward_client, space, other_space):
    violation = factories.QualityViolationFactory(data_contract__space=other_space)

    response = steward_client.get(
        reverse("admin:quality_qualityviolation_history", args=[violation.pk])
    )

    assert response.status_code == 404


def test_another_spaces_membership_is_not_found_on_its_history_page(steward_client, other_steward,
                                                                   other_space):
    membership = other_space.memberships.get()

    response = steward_client.get(reverse("admin:tenancy_membership_history",
                                          args=[membership.pk]))

    assert response.status_code == 404


def test_the_own_spaces_contract_is_found(steward_client, space):
    contract = factories.DataContractFactory(space=space)

    response = steward_client.get(reverse("admin:contracts_datacontract_change",
                                          args=[contract.pk]))

    assert response.status_code == 200
