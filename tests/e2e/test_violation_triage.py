"""A steward resolves two violations at once in Chromium, giving a reason and a note."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from quality.models import QualityViolation, ViolationTransition
from tenancy.models import Role
from tests import factories

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def _row(page, violation):
    return page.locator("#result_list tbody tr").filter(
        has=page.locator(f'input[name="_selected_action"][value="{violation.pk}"]')
    )


def test_a_steward_bulk_resolves_two_violations_with_a_reason_and_a_note(
    browser_page, sign_in, space, other_space
):
    with scopes_disabled():
        factories.MembershipFactory(space=space, role=Role.STEWARD,
                                    user=factories.UserFactory(username="priya"))
        contract = factories.DataContractFactory(space=space, name="flight_bookings")
        first, second, untouched = [
            factories.QualityViolationFactory(data_contract=contract,
                                              record_identifier=f"booking_{number}")
            for number in (1, 2, 3)
        ]
        foreign = factories.QualityViolationFactory(data_contract__space=other_space,
                                                    record_identifier="someone_elses")
    page = browser_page
    sign_in(page, "priya", PASSWORD)

    page.goto("/admin/quality/qualityviolation/")
    expect(page.locator("#result_list")).not_to_contain_text("someone_elses")
    _row(page, first).locator('input[name="_selected_action"]').check()
    _row(page, second).locator('input[name="_selected_action"]').check()
    page.select_option("select[name=action]", "resolve_violations")
    page.click("button[name=index]")

    expect(page.locator("h1")).to_have_text("Resolve violations")
    expect(page.locator("#content-main")).to_contain_text("Resolve 2 violations")
    page.select_option("select[name=reason]", "fixed_at_source")
    page.fill("textarea[name=note]", "The booking feed was repaired upstream.")
    page.click("input[name=apply]")

    expect(page.locator(".messagelist")).to_contain_text("Resolved 2 violations.")
    expect(_row(page, first).locator(".field-status_badge")).to_have_text("Resolved")
    expect(_row(page, second).locator(".field-status_badge")).to_have_text("Resolved")
    expect(_row(page, untouched).locator(".field-status_badge")).to_have_text("Open")
    with scopes_disabled():
        resolved = QualityViolation.objects.filter(pk__in=[first.pk, second.pk])
        assert set(resolved.values_list("status", "resolution_reason", "resolution_note",
                                        "resolved_by")) == {
            ("resolved", "fixed_at_source", "The booking feed was repaired upstream.", "priya")
        }
        assert ViolationTransition.objects.filter(to_status="resolved").count() == 2
        assert QualityViolation.objects.get(pk=untouched.pk).status == "open"
        assert QualityViolation.objects.get(pk=foreign.pk).status == "open"
