"""The owner, system and domain fields of a contract's page show its links as they were made,
from the links the page read once, and a form shown again with its errors as Django does."""

import re

import pytest
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.selectors import contract_links_get
from tests import factories
from tests.contracts.admin.contract_graph import contract_with_parts, link_owner, link_system

pytestmark = pytest.mark.usefixtures("unscoped")


def change_url(contract):
    return reverse("admin:contracts_datacontract_change", args=[contract.pk])


def _selected(html, field):
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]+)" selected>([^<]+)</option>', select)


@pytest.fixture
def contract(space):
    return contract_with_parts(space)


def test_the_links_show_selected_in_the_order_they_were_made(steward_client, space, contract):
    zeta, alpha = (factories.OwnerFactory(organization=space.organization, id=owner_id,
                                          name=name)
                   for owner_id, name in (("zeta", "Zeta Team"), ("alpha", "Alpha Team")))
    link_owner(contract, "business_owners", zeta)
    link_owner(contract, "business_owners", alpha)
    link_system(contract, "pulls_from", factories.SystemFactory(organization=space.organization,
                                                                name="RES-CORE"))

    html = steward_client.get(change_url(contract)).text

    assert _selected(html, "business_owners") == [("zeta", "Zeta Team"), ("alpha", "Alpha Team")]
    assert [label for _, label in _selected(html, "pulls_from")] == ["RES-CORE"]
    assert _selected(html, "bu_sme") == []


def test_the_link_fields_read_nothing_more_than_the_links(steward_client, space, contract):
    for role in ("business_owners", "bu_sme", "it_sme"):
        link_owner(contract, role, factories.OwnerFactory(organization=space.organization))
    form_class = steward_client.get(change_url(contract)).context["adminform"].form
    contract.current_links = contract_links_get(metadata_record=contract.metadata_record)
    form = type(form_class)(instance=contract)

    with CaptureQueriesContext(connection) as queries:
        rendered = [str(form[role]) for role in ("business_owners", "bu_sme", "it_sme")]

    assert len(queries) == 0
    assert all(' selected>' in html for html in rendered)


def test_an_option_is_the_same_as_djangos(steward_client, space, contract):
    owner = factories.OwnerFactory(organization=space.organization, name='Ops <"Support">')
    link_owner(contract, "support_lead", owner)
    form = steward_client.get(change_url(contract)).context["adminform"].form
    widget = form.fields["support_lead"].widget

    ours = widget.optgroups("support_lead", [str(owner.pk)])
    djangos = AutocompleteSelectMultiple.optgroups(widget, "support_lead", [str(owner.pk)])

    assert ours == djangos


def test_a_form_shown_again_names_what_was_chosen_not_the_links(steward_client, space,
                                                                  contract):
    linked = factories.OwnerFactory(organization=space.organization, name="Linked")
    chosen = factories.OwnerFactory(organization=space.organization, name="Chosen")
    link_owner(contract, "it_sme", linked)
    page = steward_client.get(change_url(contract))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(it_sme=[chosen.pk], schema_data="{not json")

    response = steward_client.post(change_url(contract), data)

    assert "schema_data" in response.context["adminform"].form.errors
    assert [label for _, label in _selected(response.text, "it_sme")] == ["Chosen"]


def test_a_linked_owner_of_another_organization_is_not_offered(steward_client, contract,
                                                                 other_space):
    foreign = factories.OwnerFactory(organization=other_space.organization, name="Foreign")
    link_owner(contract, "it_sme", foreign)

    html = steward_client.get(change_url(contract)).text

    assert _selected(html, "it_sme") == []
    assert "Foreign" not in html
