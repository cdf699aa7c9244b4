"""Owners, systems and domains: an organization's own, edited by its stewards."""

import pytest
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from contracts.models import OWNERSHIP_ROLE_LINKS, Domain, Owner, System
from contracts.services.reference import owner_upsert, reference_entity_delete
from tenancy.models import AuditLogEntry
from tests import factories
from tests.contracts.admin.contract_graph import (
    contract_with_parts,
    link_domain,
    link_owner,
    link_system,
)

pytestmark = pytest.mark.usefixtures("unscoped")


def _listed(response):
    return [str(entity) for entity in response.context["cl"].result_list]


@pytest.mark.parametrize(
    ("model_name", "factory"),
    [("owner", factories.OwnerFactory), ("system", factories.SystemFactory),
     ("domain", factories.DomainFactory)],
)
def test_stewards_see_their_organizations_reference_data_only(
    model_name, factory, steward_client, space, other_space
):
    ours = factory(organization=space.organization, name="Ours")
    theirs = factory(organization=other_space.organization, name="Theirs")

    listed = steward_client.get(reverse(f"admin:contracts_{model_name}_changelist"))
    shown = steward_client.get(reverse(f"admin:contracts_{model_name}_change",
                                       args=[quote(ours.pk)]))
    hidden = steward_client.get(reverse(f"admin:contracts_{model_name}_change",
                                        args=[quote(theirs.pk)]))

    assert _listed(listed) == [str(ours)]
    assert shown.status_code == 200
    assert hidden.status_code == 404


def test_a_steward_adds_an_owner_to_their_organization(steward_client, space):
    add_page = steward_client.get(reverse("admin:contracts_owner_add"))

    response = steward_client.post(reverse("admin:contracts_owner_add"), {
        "id": "maria_chen", "name": "Maria Chen", "email": "maria@example.com",
        "team": "revenue", "additional_info": "", "organization": space.organization_id,
    })

    assert add_page.context["adminform"].form.initial["organization"] == space.organization_id
    assert response.status_code == 302
    owner = Owner.objects.get(pk="maria_chen")
    assert (owner.name, owner.organization_id) == ("Maria Chen", space.organization_id)


def test_an_owner_id_of_another_organization_cannot_be_taken_over(
    steward_client, space, other_space
):
    factories.OwnerFactory(organization=other_space.organization, id="lincoln_mak",
                           name="Lincoln Mak")

    response = steward_client.post(reverse("admin:contracts_owner_add"), {
        "id": "lincoln_mak", "name": "Impostor", "organization": space.organization_id,
    })

    assert response.context["adminform"].form.errors == {
        "id": ["The owner id “lincoln_mak” is not available; choose another id."]
    }
    owner = Owner.objects.get(pk="lincoln_mak")
    assert (owner.name, owner.organization_id) == ("Lincoln Mak", other_space.organization_id)


def test_reference_data_cannot_be_added_to_another_organization(
    steward_client, other_space
):
    response = steward_client.post(reverse("admin:contracts_domain_add"), {
        "name": "Revenue", "organization": other_space.organization_id,
    })

    assert list(response.context["adminform"].form.errors) == ["organization"]
    assert not Domain.objects.exists()


def test_a_system_is_renamed_in_place(steward_client, space):
    system = factories.SystemFactory(organization=space.organization, name="RES")

    response = steward_client.post(reverse("admin:contracts_system_change", args=[system.pk]), {
        "name": "RES-CORE", "app_id": "APP1", "description": "", "provider_type": "other",
        "is_active": "on", "config": "",
    })

    assert response.status_code == 302
    assert list(System.objects.values_list("pk", "name")) == [(system.pk, "RES-CORE")]


def test_a_viewer_reads_reference_data_and_cannot_add_any(viewer_client, space):
    factories.OwnerFactory(organization=space.organization, name="Maria")

    listed = viewer_client.get(reverse("admin:contracts_owner_changelist"))
    add_page = viewer_client.get(reverse("admin:contracts_owner_add"))

    assert _listed(listed) == ["Maria"]
    assert add_page.status_code == 403


def test_an_entity_links_to_its_contracts(steward_client, space):
    factories.OwnerFactory(organization=space.organization, id="maria")

    response = steward_client.get(reverse("admin:contracts_owner_changelist"))

    assert f'{reverse("admin:contracts_datacontract_changelist")}?owner=maria' in response.text


# Deleting reference data that other spaces' contracts link to -------------------------------


@pytest.fixture
def cargo(organization):
    """A second space of the organization, where the steward is no member."""
    return factories.SpaceFactory(organization=organization, name="Cargo", slug="cargo")


@pytest.fixture
def shared_owner(space, cargo, other_space):
    """An owner of the organization holding every role on a contract of each of its spaces;
    the other organization has a look-alike linked in its own space."""
    owner = factories.OwnerFactory(organization=space.organization, id="lincoln_mak",
                                   name="Lincoln Mak")
    theirs = factories.OwnerFactory(organization=other_space.organization, id="theirs")
    for contract_space, name, linked in [(space, "flight_bookings", owner),
                                         (cargo, "cargo_manifests", owner),
                                         (other_space, "their_orders", theirs)]:
        contract = contract_with_parts(contract_space, name=name)
        for role in OWNERSHIP_ROLE_LINKS:
            link_owner(contract, role, linked)
    return owner


def _owner_links(space):
    return sum(
        link_model.objects.filter(metadata_record__data_contract__space=space).count()
        for link_model in OWNERSHIP_ROLE_LINKS.values()
    )


def _audit_entries(space):
    return sorted(AuditLogEntry.objects.filter(space=space).values_list("action", flat=True))


def test_a_steward_cannot_delete_an_owner_that_another_spaces_contracts_link_to(
    steward_client, shared_owner, space, cargo, other_space
):
    cargo_audit, other_audit = _audit_entries(cargo), _audit_entries(other_space)
    url = reverse("admin:contracts_owner_delete", args=[quote(shared_owner.pk)])

    page = steward_client.get(url)
    response = steward_client.post(url, {"post": "yes"})

    assert page.status_code == 200
    assert "cargo_manifests" not in page.text
    assert "Yes, I’m sure" not in page.text
    assert page.context["perms_lacking"] == {
        "The owner “Lincoln Mak” is linked to contracts in spaces you cannot edit, so you may "
        "not delete it; an organization admin can."
    }
    assert response.status_code == 403
    assert Owner.objects.filter(pk="lincoln_mak").exists()
    assert (_owner_links(space), _owner_links(cargo), _owner_links(other_space)) == (5, 5, 5)
    assert (_audit_entries(cargo), _audit_entries(other_space)) == (cargo_audit, other_audit)


def test_the_delete_action_refuses_owners_that_another_spaces_contracts_link_to(
    steward_client, shared_owner, space, cargo
):
    unlinked = factories.OwnerFactory(organization=space.organization, id="unlinked")
    changelist = reverse("admin:contracts_owner_changelist")
    selection = {"action": "delete_selected",
                 "_selected_action": [shared_owner.pk, unlinked.pk]}

    page = steward_client.post(changelist, selection)
    response = steward_client.post(changelist, {**selection, "post": "yes"})

    assert "cargo_manifests" not in page.text
    assert list(page.context["perms_lacking"]) == [
        "The owner “Lincoln Mak” is linked to contracts in spaces you cannot edit, so you may "
        "not delete it; an organization admin can."
    ]
    assert response.status_code == 403
    assert sorted(Owner.objects.values_list("pk", flat=True)) == [
        "lincoln_mak", "theirs", "unlinked"
    ]
    assert (_owner_links(space), _owner_links(cargo)) == (5, 5)


def test_a_steward_deletes_an_owner_linked_in_their_space_only(
    steward_client, space, other_space
):
    owner = factories.OwnerFactory(organization=space.organization, id="maria")
    contract = contract_with_parts(space, name="flight_bookings")
    link_owner(contract, "business_owners", owner)
    factories.OwnerFactory(organization=other_space.organization, id="theirs")

    response = steward_client.post(
        reverse("admin:contracts_owner_delete", args=[quote(owner.pk)]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert list(Owner.objects.values_list("pk", flat=True)) == ["theirs"]
    assert _owner_links(space) == 0
    assert "contracts.owner.deleted" not in _audit_entries(other_space)


def test_an_organization_admin_deletes_a_shared_owner_after_counting_its_links(
    client, shared_owner, space, cargo, other_space
):
    client.force_login(factories.OrganizationAdminFactory(organization=space.organization).user)
    url = reverse("admin:contracts_owner_delete", args=[quote(shared_owner.pk)])
    other_audit = _audit_entries(other_space)

    page = client.get(url)
    response = client.post(url, {"post": "yes"})

    assert dict(page.context["model_count"]) == {
        "owners": 1, "business owners": 2, "BU SMEs": 2, "IT application owners": 2,
        "IT SMEs": 2, "support leads": 2,
    }
    assert response.status_code == 302
    assert list(Owner.objects.values_list("pk", flat=True)) == ["theirs"]
    assert (_owner_links(space), _owner_links(cargo), _owner_links(other_space)) == (0, 0, 5)
    assert _audit_entries(other_space) == other_audit


@pytest.mark.parametrize(("model", "factory", "link"), [
    (System, factories.SystemFactory,
     lambda contract, system: link_system(contract, "pulls_from", system)),
    (Domain, factories.DomainFactory, link_domain),
])
def test_systems_and_domains_that_another_spaces_contracts_link_to_are_kept_too(
    model, factory, link, steward_client, space, cargo
):
    entity = factory(organization=space.organization, name="RES")
    link(contract_with_parts(cargo, name="cargo_manifests"), entity)

    response = steward_client.post(
        reverse(f"admin:contracts_{model._meta.model_name}_delete", args=[entity.pk]),
        {"post": "yes"},
    )

    assert response.status_code == 403
    assert list(model.objects.values_list("name", flat=True)) == ["RES"]


def test_the_service_refuses_a_steward_and_lets_an_organization_admin_delete(
    steward, shared_owner, space, cargo
):
    organization_admin = factories.OrganizationAdminFactory(organization=space.organization).user

    with pytest.raises(PermissionDenied) as refused:
        reference_entity_delete(actor=steward, entity=shared_owner)
    kept = _owner_links(cargo)
    reference_entity_delete(actor=organization_admin, entity=shared_owner)

    assert str(refused.value) == (
        "The owner “Lincoln Mak” is linked to contracts in spaces you cannot edit, so you may "
        "not delete it; an organization admin can."
    )
    assert kept == 5
    assert (_owner_links(space), _owner_links(cargo)) == (0, 0)


# Owner emails ------------------------------------------------------------------------------


def test_an_email_of_another_organizations_owner_is_refused_without_saying_whose(
    steward_client, space, other_space
):
    factories.OwnerFactory(organization=other_space.organization, id="theirs",
                           email="lincoln@example.com")

    response = steward_client.post(reverse("admin:contracts_owner_add"), {
        "id": "lincoln_mak", "name": "Lincoln", "email": "lincoln@example.com",
        "organization": space.organization_id,
    })

    assert response.context["adminform"].form.errors == {
        "email": ["This email cannot be used for this owner."]
    }
    assert list(Owner.objects.values_list("pk", flat=True)) == ["theirs"]


def test_an_import_says_which_owner_of_the_organization_has_the_email(space, other_space):
    factories.OwnerFactory(organization=space.organization, id="maria",
                           email="maria@example.com")
    factories.OwnerFactory(organization=other_space.organization, id="theirs",
                           email="theirs@example.com")

    with pytest.raises(ValidationError) as ours:
        owner_upsert(organization=space.organization, owner_id="maria_chen",
                     email="maria@example.com")
    with pytest.raises(ValidationError) as theirs:
        owner_upsert(organization=space.organization, owner_id="lincoln",
                     email="theirs@example.com")

    assert ours.value.message_dict == {
        "email": ["The email “maria@example.com” is already used by the owner “maria”."]
    }
    assert theirs.value.message_dict == {"email": ["This email cannot be used for this owner."]}
    assert sorted(Owner.objects.values_list("pk", flat=True)) == ["maria", "theirs"]
