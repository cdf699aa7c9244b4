"""Owners, systems and domains: an organization's own, edited by its stewards."""

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from contracts.models import Domain, Owner, System
from tests import factories

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
