"""A steward, a viewer and a steward of another space on a contract's page, in Chromium."""

import json

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract
from tenancy.models import Role
from tests import factories
from tests.contracts.admin.contract_graph import contract_with_parts

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def contract(space, other_space):
    with scopes_disabled():
        factories.OwnerFactory(organization=space.organization, id="maria", name="Maria Chen")
        factories.OwnerFactory(organization=other_space.organization, id="mario",
                               name="Mario Other")
        return contract_with_parts(space)


def _member(space, role, username):
    return factories.MembershipFactory(
        space=space, role=role, user=factories.UserFactory(username=username)
    ).user


def _editor(page, name):
    return page.locator(f"textarea[name={name}]")


def test_a_steward_fixes_a_bad_rule_and_adds_an_owner_in_a_role(
    browser_page, sign_in, space, contract
):
    page = browser_page
    _member(space, Role.STEWARD, "priya")
    sign_in(page, "priya", PASSWORD)
    page.goto(f"/admin/contracts/datacontract/{contract.pk}/change/")
    rules = _editor(page, "validation_rules_data")

    rules.fill('{"fare": {"greater_than_or_equal_to": {"threshold": 1}},}')
    page.click("input[name=_continue]")
    expect(page.locator(".pycharter-json-status-error")).to_contain_text("Not valid JSON. Line 1")
    expect(page.locator(".errornote")).to_have_count(0)  # the browser kept the form
    expect(rules).to_be_focused()

    rules.fill('{"fare": {"max_lenght": {"threshold": 3}}}')
    page.click("input[name=_continue]")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-validation_rules_data .errorlist")).to_have_text(
        "Field “fare”, rule “max_lenght”: unknown validation"
    )

    _editor(page, "validation_rules_data").fill(
        '{"fare": {"greater_than_or_equal_to": {"threshold": 1}}}'
    )
    page.click("select#id_it_sme + .select2 .select2-selection")
    page.keyboard.type("mar")
    expect(page.locator(".select2-results__option")).to_have_text(["Maria Chen"])
    page.click(".select2-results__option >> text=Maria Chen")
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator("select#id_it_sme + .select2")).to_contain_text("Maria Chen")
    with scopes_disabled():
        saved = DataContract.objects.select_related("validation_rules").get(pk=contract.pk)
        assert saved.validation_rules.rules == {"fare": {"greater_than_or_equal_to":
                                                         {"threshold": 1}}}
        assert list(OWNERSHIP_ROLE_LINKS["it_sme"].objects.values_list("owner_id", flat=True)) \
            == ["maria"]


def test_the_format_button_pretty_prints_the_json(browser_page, sign_in, space, contract):
    page = browser_page
    _member(space, Role.STEWARD, "priya")
    sign_in(page, "priya", PASSWORD)
    page.goto(f"/admin/contracts/datacontract/{contract.pk}/change/")
    governance = _editor(page, "governance_rules")

    governance.fill('{"sensitivity": "confidential", "pii_fields": ["email"]}')
    page.locator(".field-governance_rules").get_by_role("button", name="Format").click()

    assert json.loads(governance.input_value()) == {"sensitivity": "confidential",
                                                    "pii_fields": ["email"]}
    assert governance.input_value().startswith('{\n  "sensitivity": "confidential",')


def test_a_viewer_reads_the_contract_and_cannot_edit_it(browser_page, sign_in, space, contract):
    page = browser_page
    _member(space, Role.VIEWER, "vera")
    sign_in(page, "vera", PASSWORD)

    page.goto(f"/admin/contracts/datacontract/{contract.pk}/change/")

    expect(page.locator("h1")).to_have_text("View data contract")
    expect(page.locator("pre.pycharter-json").first).to_contain_text('"booking_id"')
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(page.locator(".object-tools")).not_to_contain_text("Activate")


def test_a_steward_of_another_space_cannot_open_the_contract(
    browser_page, sign_in, other_space, contract
):
    page = browser_page
    _member(other_space, Role.STEWARD, "nora")
    sign_in(page, "nora", PASSWORD)

    response = page.goto(f"/admin/contracts/datacontract/{contract.pk}/change/")

    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("bookings")
