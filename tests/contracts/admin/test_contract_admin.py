"""The contract list and the one page per contract, as stewards, viewers and others see them."""

import html
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract, MetadataRecordDomain
from contracts.selectors import CLOSED_VIOLATION_STATUSES
from quality.models import CLOSED_STATUSES
from tenancy.models import Role
from tests import factories
from tests.contracts.admin.contract_graph import (
    BOOKING_SCHEMA,
    contract_with_parts,
    link_domain,
    link_owner,
    link_system,
    with_required_owners,
)

pytestmark = pytest.mark.usefixtures("unscoped")

LIST_URL = reverse("admin:contracts_datacontract_changelist")


def change_url(contract):
    return reverse("admin:contracts_datacontract_change", args=[contract.pk])


@pytest.fixture
def contract(space):
    return contract_with_parts(space)


@pytest.fixture
def other_contract(other_space):
    return contract_with_parts(other_space, name="other_bookings")


def _listed(response):
    return [(contract.name, contract.version) for contract in response.context["cl"].result_list]


def _page_post_data(response, **changes):
    """What the browser would send back for the page, with `changes` applied."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(item) for item in value]
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    return data


# The list ------------------------------------------------------------------------------


def test_the_list_shows_the_users_spaces_with_quality_columns(
    steward_client, space, contract, other_contract
):
    now = timezone.now()
    factories.QualityMetricFactory(data_contract=contract, overall_score=71.5, passed="false",
                                   check_timestamp=now)
    factories.QualityMetricFactory(data_contract=contract, overall_score=99.0, passed="true",
                                   check_timestamp=now - timedelta(days=1))
    factories.QualityViolationFactory(data_contract=contract, status="open")
    factories.QualityViolationFactory(data_contract=contract, status="assigned")
    factories.QualityViolationFactory(data_contract=contract, status="resolved")
    factories.QualityViolationFactory(data_contract=other_contract, status="open")

    response = steward_client.get(LIST_URL)

    assert response.status_code == 200
    [row] = response.context["cl"].result_list
    assert (row.name, row.open_violation_count, row.latest_score, row.latest_passed) == (
        "bookings", 2, 71.5, "false"
    )
    assert "71.5 failed" in response.text
    assert (f'{reverse("admin:quality_qualityviolation_changelist")}'
            f'?data_contract__id__exact={contract.pk}&amp;status=unresolved">2</a>'
            in response.text)
    assert "other_bookings" not in response.text


def test_a_contract_never_checked_says_so(steward_client, contract):
    response = steward_client.get(LIST_URL)

    [row] = response.context["cl"].result_list
    assert (row.open_violation_count, row.latest_score, row.last_checked_at) == (0, None, None)
    assert "never" in response.text


def test_open_violations_leave_out_the_statuses_quality_calls_closed():
    assert set(CLOSED_VIOLATION_STATUSES) == set(CLOSED_STATUSES)


def test_the_list_filters_by_owner_system_and_domain_in_any_role(
    steward_client, space, contract, other_contract
):
    owned = contract_with_parts(space, name="owned")
    owner = factories.OwnerFactory(organization=space.organization)
    link_owner(owned, "support_lead", owner)
    system = factories.SystemFactory(organization=space.organization)
    link_system(owned, "system_sources", system)
    domain = factories.DomainFactory(organization=space.organization)
    link_domain(owned, domain)

    by_owner = steward_client.get(LIST_URL, {"owner": owner.pk})
    by_system = steward_client.get(LIST_URL, {"system": system.pk})
    by_domain = steward_client.get(LIST_URL, {"domain": domain.pk})
    by_status = steward_client.get(LIST_URL, {"status__exact": "draft"})

    assert _listed(by_owner) == [("owned", "1.0.0")]
    assert _listed(by_system) == [("owned", "1.0.0")]
    assert _listed(by_domain) == [("owned", "1.0.0")]
    assert _listed(by_status) == [("bookings", "1.0.0"), ("owned", "1.0.0")]


def test_the_filters_offer_only_the_users_reference_data(steward_client, space, other_space):
    factories.OwnerFactory(organization=space.organization, id="ours", name="Our Owner")
    factories.OwnerFactory(organization=other_space.organization, id="theirs", name="Their Owner")

    response = steward_client.get(LIST_URL)

    assert "Our Owner" in response.text
    assert "Their Owner" not in response.text


def test_the_list_searches_names_descriptions_and_owners(steward_client, space, other_space):
    contract_with_parts(space, name="flight_legs")
    described = contract_with_parts(space, name="described")
    DataContract.objects.filter(pk=described.pk).update(description="Loyalty tiers of members")
    owned = contract_with_parts(space, name="owned")
    link_owner(owned, "it_sme", factories.OwnerFactory(organization=space.organization,
                                                       id="maria_chen", name="Maria Chen"))
    theirs = contract_with_parts(other_space, name="flight_theirs")
    link_owner(theirs, "it_sme", factories.OwnerFactory(organization=other_space.organization,
                                                        name="Maria Other"))

    assert _listed(steward_client.get(LIST_URL, {"q": "flight"})) == [("flight_legs", "1.0.0")]
    assert _listed(steward_client.get(LIST_URL, {"q": "loyalty"})) == [("described", "1.0.0")]
    assert _listed(steward_client.get(LIST_URL, {"q": "maria"})) == [("owned", "1.0.0")]


# The page ------------------------------------------------------------------------------


def test_the_page_shows_the_current_parts_links_and_versions(steward_client, space, contract):
    owner = factories.OwnerFactory(organization=space.organization, name="Maria Chen")
    link_owner(contract, "business_owners", owner)
    contract_with_parts(space, version="1.1.0")

    response = steward_client.get(change_url(contract))

    form = response.context["adminform"].form
    assert response.status_code == 200
    assert json.loads(form["schema_data"].value()) == BOOKING_SCHEMA
    assert form["business_owners"].value() == [owner.pk]
    assert form["bu_sme"].value() == []
    assert "Maria Chen" in response.text
    assert [version for _, version, _ in response.context["family"]] == ["1.1.0", "1.0.0"]
    [schema_title, schema_versions] = response.context["component_versions"][0]
    assert [(item.version, item.is_current) for item, _ in schema_versions] == [
        ("1.1.0", False), ("1.0.0", True)
    ]


def test_the_json_is_edited_pretty_printed(steward_client, contract):
    response = steward_client.get(change_url(contract))

    editor = re.search(r'<textarea name="validation_rules_data"[^>]*>(.*?)</textarea>',
                       response.text, re.S)
    assert html.unescape(editor.group(1)).strip().startswith(
        '{\n  "booking_id": {\n    "max_length"')
    assert "pycharter/json-editor.js" in response.text


def test_a_steward_saves_validation_rules(steward_client, contract, steward):
    page = steward_client.get(change_url(contract))
    rules = {"fare": {"greater_than_or_equal_to": {"threshold": 1}}}

    response = steward_client.post(
        change_url(contract),
        _page_post_data(page, validation_rules_data=json.dumps(rules), _continue="1"),
    )

    assert response.status_code == 302
    contract.refresh_from_db()
    contract.validation_rules.refresh_from_db()
    assert contract.validation_rules.rules == rules
    assert contract.updated_by == steward.username


def test_a_bad_rule_is_shown_on_its_field_naming_the_field_and_rule(steward_client, contract):
    page = steward_client.get(change_url(contract))

    response = steward_client.post(
        change_url(contract),
        _page_post_data(page, validation_rules_data='{"fare": {"max_lenght": {"threshold": 3}}}',
                        coercion_rules_data='{"seat": "coerce_to_string"}'),
    )

    errors = response.context["adminform"].form.errors
    assert response.status_code == 200
    assert errors == {
        "validation_rules_data": ["Field “fare”, rule “max_lenght”: unknown validation"],
        "coercion_rules_data": ["Field “seat”, rule “coercion”: the schema has no such field"],
    }
    contract.validation_rules.refresh_from_db()
    assert contract.validation_rules.rules == {"booking_id": {"max_length": {"threshold": 12}}}


def test_invalid_json_says_where(steward_client, contract):
    page = steward_client.get(change_url(contract))

    response = steward_client.post(
        change_url(contract), _page_post_data(page, governance_rules='{\n  "days": 30,\n}')
    )

    [message] = response.context["adminform"].form.errors["governance_rules"]
    assert message.startswith("Not valid JSON at line 3, column 1: ")
    assert list(response.context["adminform"].form.errors) == ["governance_rules"]


def test_a_steward_adds_an_owner_in_a_role(steward_client, space, contract):
    owner = factories.OwnerFactory(organization=space.organization)
    page = steward_client.get(change_url(contract))

    response = steward_client.post(change_url(contract),
                                   _page_post_data(page, it_sme=[owner.pk]))

    assert response.status_code == 302
    assert list(OWNERSHIP_ROLE_LINKS["it_sme"].objects.values_list("owner_id", flat=True)) == [
        owner.pk
    ]


def test_an_owner_of_another_organization_cannot_be_linked(
    steward_client, contract, other_space
):
    foreign = factories.OwnerFactory(organization=other_space.organization)
    page = steward_client.get(change_url(contract))

    response = steward_client.post(change_url(contract),
                                   _page_post_data(page, business_owners=[foreign.pk]))

    assert list(response.context["adminform"].form.errors) == ["business_owners"]
    assert not OWNERSHIP_ROLE_LINKS["business_owners"].objects.exists()


def test_an_active_contracts_rules_are_locked_and_its_owners_required(
    steward_client, space
):
    contract = with_required_owners(contract_with_parts(space, status="active"))
    page = steward_client.get(change_url(contract))
    form = page.context["adminform"].form

    response = steward_client.post(change_url(contract),
                                   _page_post_data(page, business_owners=[]))

    assert "schema_data" not in form.fields
    assert "validation_rules_data" not in form.fields
    assert "Create a new version to change" in page.text
    assert response.context["adminform"].form.errors == {
        "business_owners": ["An active contract needs at least one business owner."]
    }
    assert OWNERSHIP_ROLE_LINKS["business_owners"].objects.count() == 1


def test_a_viewer_reads_the_page_and_cannot_change_it(viewer_client, space, contract):
    link_owner(contract, "business_owners", factories.OwnerFactory(organization=space.organization,
                                                                   name="Maria Chen"))

    page = viewer_client.get(change_url(contract))
    response = viewer_client.post(change_url(contract), {"description": "Changed"})

    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}
    assert "Maria Chen" in page.text
    assert "&quot;booking_id&quot;" in page.text
    assert 'name="_save"' not in page.text
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.description == "A contract made by a test."


@pytest.mark.parametrize(
    "url_name", ["change", "history", "delete", "new_version", "activate", "deprecate"]
)
def test_another_spaces_contract_is_not_found(url_name, steward_client, other_contract):
    response = steward_client.get(
        reverse(f"admin:contracts_datacontract_{url_name}", args=[other_contract.pk])
    )

    assert response.status_code == 404


def test_an_unknown_id_is_not_found(steward_client):
    response = steward_client.get(reverse("admin:contracts_datacontract_change", args=["nope"]))

    assert response.status_code == 404


def test_the_autocomplete_offers_owners_of_the_contracts_organization_only(
    client, space, other_space, contract
):
    user = factories.MembershipFactory(space=space, role=Role.STEWARD).user
    factories.MembershipFactory(space=other_space, user=user, role=Role.VIEWER)
    factories.OwnerFactory(organization=space.organization, id="maria", name="Maria Chen")
    factories.OwnerFactory(organization=space.organization, id="tom", name="Tom Okafor")
    factories.OwnerFactory(organization=other_space.organization, id="mario", name="Mario Other")
    client.force_login(user)

    response = client.get(
        reverse("admin:contracts_datacontract_reference_autocomplete", args=[contract.pk]),
        {"term": "mar", "app_label": "contracts", "model_name": "metadatarecord",
         "field_name": "business_owners"},
    )

    assert response.json()["results"] == [{"id": "maria", "text": "Maria Chen"}]


def test_the_autocomplete_serves_only_the_link_fields(steward_client, contract):
    response = steward_client.get(
        reverse("admin:contracts_datacontract_reference_autocomplete", args=[contract.pk]),
        {"term": "", "app_label": "contracts", "model_name": "schema",
         "field_name": "data_contract"},
    )

    assert response.status_code == 403


def test_a_steward_adds_a_draft_and_continues_on_its_page(steward_client, space, steward):
    response = steward_client.post(reverse("admin:contracts_datacontract_add"), {
        "space": space.pk, "name": "orders", "version": "1.0.0", "description": "",
        "schema_data": json.dumps(BOOKING_SCHEMA),
        "validation_rules_data": '{"fare": {"greater_than_or_equal_to": {"threshold": 0}}}',
        "coercion_rules_data": "", "metadata_type": "object", "metadata_description": "",
        "governance_rules": "",
    })

    contract = DataContract.objects.get(name="orders")
    assert response.status_code == 302
    assert response.url == change_url(contract)
    assert (contract.status, contract.created_by) == ("draft", steward.username)
    assert contract.validation_rules.rules == {"fare": {"greater_than_or_equal_to":
                                                        {"threshold": 0}}}
    assert contract.metadata_record.type == "object"


def test_a_contract_cannot_be_added_to_a_space_the_user_only_reads(
    steward_client, steward, other_space
):
    factories.MembershipFactory(space=other_space, user=steward, role=Role.VIEWER)

    response = steward_client.post(reverse("admin:contracts_datacontract_add"), {
        "space": other_space.pk, "name": "orders", "version": "1.0.0",
        "schema_data": json.dumps(BOOKING_SCHEMA),
    })

    assert list(response.context["adminform"].form.errors) == ["space"]
    assert not DataContract.objects.filter(name="orders").exists()


def test_a_draft_is_deleted_with_its_parts_and_an_active_version_is_not(
    steward_client, space, contract
):
    active = contract_with_parts(space, name="published", status="active")
    link_domain(contract, factories.DomainFactory(organization=space.organization))

    deleted = steward_client.post(
        reverse("admin:contracts_datacontract_delete", args=[contract.pk]), {"post": "yes"}
    )
    refused = steward_client.get(reverse("admin:contracts_datacontract_delete", args=[active.pk]))

    assert deleted.status_code == 302
    assert list(DataContract.objects.values_list("name", flat=True)) == ["published"]
    assert not MetadataRecordDomain.objects.exists()
    assert refused.status_code == 403
