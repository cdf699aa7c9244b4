"""The versions of contracts' parts and the sign-offs: to browse and read, never to edit."""

import pytest
from django.urls import reverse

from contracts.models import BreakingChangeSignOff
from tests.contracts.admin.contract_graph import contract_with_parts

pytestmark = pytest.mark.usefixtures("unscoped")

PART_ADMINS = ["schema", "coercionruleset", "validationruleset", "metadatarecord"]


def _part(contract, model_name):
    return {
        "schema": contract.schema,
        "coercionruleset": contract.coercion_rules,
        "validationruleset": contract.validation_rules,
        "metadatarecord": contract.metadata_record,
    }[model_name]


@pytest.mark.parametrize("model_name", PART_ADMINS)
def test_parts_are_listed_for_the_users_spaces_only(model_name, steward_client, space,
                                                    other_space):
    ours = contract_with_parts(space)
    theirs = contract_with_parts(other_space, name="theirs")

    listed = steward_client.get(reverse(f"admin:contracts_{model_name}_changelist"))
    hidden = steward_client.get(reverse(f"admin:contracts_{model_name}_change",
                                        args=[_part(theirs, model_name).pk]))

    assert [part.data_contract_id for part in listed.context["cl"].result_list] == [ours.pk]
    assert hidden.status_code == 404


@pytest.mark.parametrize("model_name", PART_ADMINS)
def test_a_part_is_read_only_even_for_a_steward(model_name, steward_client, space):
    contract = contract_with_parts(space)
    change_url = reverse(f"admin:contracts_{model_name}_change",
                         args=[_part(contract, model_name).pk])

    page = steward_client.get(change_url)
    post = steward_client.post(change_url, {"title": "Changed"})
    add = steward_client.get(reverse(f"admin:contracts_{model_name}_add"))

    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert (post.status_code, add.status_code) == (403, 403)
    assert _part(contract, model_name).__class__.objects.get().title != "Changed"


def test_a_schema_is_shown_pretty_printed_with_a_link_to_its_contract(steward_client, space):
    contract = contract_with_parts(space)

    page = steward_client.get(reverse("admin:contracts_schema_change", args=[contract.schema.pk]))

    assert '<pre class="pycharter-json">{\n  &quot;type&quot;: &quot;object&quot;' in page.text
    assert reverse("admin:contracts_datacontract_change", args=[contract.pk]) in page.text


def test_sign_offs_are_listed_for_the_users_spaces_only(steward_client, space, other_space,
                                                        steward):
    for tenant_space in (space, other_space):
        BreakingChangeSignOff.objects.create(
            data_contract=contract_with_parts(tenant_space), compared_with_version="0.9.0",
            signed_off_by=steward, signed_off_by_name="priya",
            breaking_changes=[{"component": "schema", "field": "cabin",
                               "explanation": "field removed"}],
        )

    listed = steward_client.get(reverse("admin:contracts_breakingchangesignoff_changelist"))
    sign_off = listed.context["cl"].result_list[0]
    page = steward_client.get(reverse("admin:contracts_breakingchangesignoff_change",
                                      args=[sign_off.pk]))

    assert [item.data_contract.space_id for item in listed.context["cl"].result_list] == [
        space.pk
    ]
    assert "field removed" in page.text
    assert 'name="_save"' not in page.text
