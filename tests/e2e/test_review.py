"""Review before activation, in Chromium: an author asks, a second steward decides."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from contracts.models import DataContract
from tenancy.models import Role
from tests import factories
from tests.contracts.admin.contract_graph import contract_with_parts, with_required_owners

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def draft(space):
    space.requires_review = True
    space.save()
    for username in ("priya", "tom"):
        factories.MembershipFactory(space=space, role=Role.STEWARD,
                                    user=factories.UserFactory(username=username))
    with scopes_disabled():
        contract = with_required_owners(contract_with_parts(space))
        contract.created_by = "priya"
        contract.save()
        return contract


def _as(page, sign_in, username):
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)


def _open_review(page, contract):
    page.goto(f"/admin/contracts/datacontract/{contract.pk}/change/")
    page.click("text=Review")


def test_a_draft_goes_through_review_and_the_contract_page_shows_each_round(
    browser_page, sign_in, draft
):
    page = browser_page
    badge = page.locator("#contract-review h2 .pycharter-badge")

    _as(page, sign_in, "priya")
    page.goto(f"/admin/contracts/datacontract/{draft.pk}/change/")
    expect(badge).to_have_text("Not yet in review")
    _open_review(page, draft)
    page.click("button[value=request]")
    expect(page.locator(".messagelist")).to_contain_text("In review: another steward")
    expect(badge).to_have_text("In review")

    # the author cannot approve their own draft
    _open_review(page, draft)
    page.click("button[value=approve]")
    expect(page.locator(".errornote")).to_have_text(
        "priya wrote or submitted bookings 1.0.0: a second steward reviews it.")

    _as(page, sign_in, "tom")
    _open_review(page, draft)
    page.click("button[value=request_changes]")
    expect(page.locator(".errornote")).to_contain_text("Say what must change.")
    page.fill("#id_comment", "Name the IT SME.")
    page.click("button[value=request_changes]")
    expect(badge).to_have_text("Changes requested")

    _as(page, sign_in, "priya")
    _open_review(page, draft)
    expect(page.locator("#content-main")).to_contain_text("tom requested changes: Name the IT SME.")
    page.click("button[value=request]")

    _as(page, sign_in, "tom")
    _open_review(page, draft)
    page.fill("#id_comment", "Owners confirmed.")
    page.click("button[value=approve]")
    expect(badge).to_have_text("Approved")
    rounds = page.locator("#contract-review tbody tr")
    expect(rounds).to_have_count(2)
    expect(rounds.nth(0)).to_contain_text("Approved")
    expect(rounds.nth(0)).to_contain_text("Owners confirmed.")
    expect(rounds.nth(1)).to_contain_text("Changes requested")

    page.goto(f"/admin/contracts/datacontract/{draft.pk}/activate/")
    page.click("input[type=submit][value='Activate 1.0.0']")
    expect(page.locator(".messagelist")).to_contain_text("Activated")
    with scopes_disabled():
        assert DataContract.objects.get(pk=draft.pk).status == "active"
