"""A user of one space sees nothing of another; code that forgets tenancy fails loudly."""

import gc
import re
from pathlib import Path

import pytest
from django.core import checks
from django_scopes import ScopeError

from contracts.models import DataContract, Domain, MetadataRecord, Owner, Schema, System
from quality.models import QualityViolation
from tenancy.models import Role, Space
from tenancy.scoping import editable_space_ids, space_scope, user_scope, visible_space_ids
from tests import factories


@pytest.fixture
def two_tenants(unscoped, space, other_space):
    """A whole contract with reference data in each of two organizations."""
    for tenant_space in (space, other_space):
        contract = factories.DataContractFactory(space=tenant_space, name="flights")
        factories.SchemaFactory(data_contract=contract)
        factories.MetadataRecordFactory(data_contract=contract)
        factories.QualityViolationFactory(data_contract=contract)
        factories.OwnerFactory(organization=tenant_space.organization)
        factories.SystemFactory(organization=tenant_space.organization)
        factories.DomainFactory(organization=tenant_space.organization)


TENANT_MODELS = [DataContract, Schema, MetadataRecord, QualityViolation, Owner, System, Domain]


@pytest.mark.parametrize("model", TENANT_MODELS)
def test_a_member_of_one_space_sees_nothing_of_another(model, two_tenants, steward, space):
    from tenancy.tenants import tenant_ids

    with user_scope(steward):
        rows = list(model.objects.all())

    assert len(rows) == 1
    space_id, organization_id = tenant_ids(rows[0])
    assert organization_id == space.organization_id
    assert space_id in (space.pk, None)  # reference data belongs to the organization only


def test_a_member_cannot_fetch_another_spaces_contract_by_id(two_tenants, steward, other_space):
    with space_scope(other_space):
        foreign_id = DataContract.objects.get().pk

    with user_scope(steward), pytest.raises(DataContract.DoesNotExist):
        DataContract.objects.get(pk=foreign_id)


@pytest.mark.parametrize("model", TENANT_MODELS)
def test_querying_outside_a_scope_raises(model, db):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_an_anonymous_user_sees_nothing(two_tenants, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    with user_scope(AnonymousUser()):
        assert DataContract.objects.count() == 0
        assert Owner.objects.count() == 0


def test_an_organization_admin_sees_every_space_of_their_organization_only(
    unscoped, organization, space, other_space
):
    second_space = factories.SpaceFactory(organization=organization)
    admin = factories.OrganizationAdminFactory(organization=organization).user

    assert set(visible_space_ids(admin)) == {space.pk, second_space.pk}
    assert set(editable_space_ids(admin)) == {space.pk, second_space.pk}
    assert other_space.pk not in visible_space_ids(admin)


def test_viewers_read_and_stewards_edit(unscoped, space, viewer, steward):
    assert visible_space_ids(viewer) == [space.pk]
    assert editable_space_ids(viewer) == []
    assert editable_space_ids(steward) == [space.pk]


def test_space_admins_and_organization_admins_manage_members_stewards_do_not(
    unscoped, organization, space, steward
):
    from tenancy.scoping import access_for

    second_space = factories.SpaceFactory(organization=organization)
    space_admin = factories.MembershipFactory(space=space, role=Role.ADMIN).user
    organization_admin = factories.OrganizationAdminFactory(organization=organization).user

    assert access_for(space_admin).managed_space_ids == (space.pk,)
    assert access_for(space_admin).administered_organization_ids == ()
    assert set(access_for(organization_admin).managed_space_ids) == {space.pk, second_space.pk}
    assert access_for(organization_admin).administered_organization_ids == (organization.pk,)
    assert access_for(steward).managed_space_ids == ()


def test_space_admins_may_edit(unscoped, space):
    admin = factories.MembershipFactory(space=space, role=Role.ADMIN).user

    assert editable_space_ids(admin) == [space.pk]


def test_a_user_sees_only_their_spaces(unscoped, space, other_space, steward):
    with user_scope(steward):
        assert list(Space.objects.all()) == [space]


def test_every_tenant_model_has_a_scoped_manager():
    errors = checks.run_checks(tags=[checks.Tags.models])

    assert [error.id for error in errors if error.id.startswith("tenancy.")] == []


# Every place that turns tenancy off, with the reason it may. A new use must be added here.
ALLOWED_SCOPES_DISABLED = {
    "tenancy/scoping.py": "computes which spaces a user may see from their memberships",
    "quality/management/commands/seed_demo.py": "creates organizations and spaces themselves",
    "tenancy/commands.py": "resolves the space(s) a command names, before entering each scope",
    "tenancy/tokens.py": "resolves the API token a request presents, before entering its scope",
    "tenancy/jobs.py": "reads the space a queued job names, before entering its scope; "
                       "finds the running jobs of workers that died, in every space",
}


def test_scopes_disabled_is_used_only_where_allowed():
    root = Path(__file__).resolve().parents[2]
    users = {}
    for path in root.glob("**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/")) or "/migrations/" in relative:
            continue
        count = len(re.findall(r"scopes_disabled\(", path.read_text()))
        if count:
            users[relative] = count

    assert set(users) == set(ALLOWED_SCOPES_DISABLED)


def test_every_import_export_resource_of_a_tenant_model_is_scoped():
    errors = checks.run_checks()

    assert [error.id for error in errors if error.id == "contracts.E001"] == []


def test_a_resource_without_tenancy_is_reported():
    from import_export.resources import ModelResource

    from contracts.checks import tenant_resources_are_scoped
    from contracts.models import Owner

    class CarelessOwnerResource(ModelResource):
        class Meta:
            model = Owner

    errors = tenant_resources_are_scoped()
    del CarelessOwnerResource
    gc.collect()  # the check finds resources through __subclasses__, held weakly

    assert [error.id for error in errors] == ["contracts.E001"]
    assert "contracts.Owner without tenancy" in errors[0].msg
