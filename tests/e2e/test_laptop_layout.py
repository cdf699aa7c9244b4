"""The steward's lists fit a 1400 px laptop screen: every column in view, the toolbar beside
the title rather than over it.

With E2E_SCREENSHOTS=1 the tests also save what they saw to tests/e2e/screenshots/.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from quality.models import Alert, AlertKind
from tenancy.models import Role
from tests import factories

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).parent / "screenshots"

LISTS = {
    "contracts": "/admin/contracts/datacontract/",
    "violations": "/admin/quality/qualityviolation/",
    "alerts": "/admin/quality/alert/",
    "audit log": "/admin/tenancy/auditlogentry/",
}

# Where each list's table, header cells, title and toolbar end, in CSS pixels.
MEASURE = """() => {
    const box = (element) => {
        const rect = element.getBoundingClientRect();
        return {left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom,
                text: element.innerText.trim()};
    };
    const table = document.querySelector("#result_list");
    const tools = document.querySelector(".object-tools");
    const title = document.querySelector("#content > h1");
    return {
        viewport: document.documentElement.clientWidth,
        pageWidth: document.documentElement.scrollWidth,
        table: box(table),
        container: box(table.closest(".results") || table.parentElement),
        headers: [...table.querySelectorAll("thead th")].map(box),
        title: title && box(title),
        tools: tools && tools.offsetParent && box(tools),
    };
}"""


@pytest.fixture
def steward_with_a_busy_organization(space):
    """An organization admin whose organization has two spaces, long contract names, long
    violation and alert messages, and an audit log."""
    with scopes_disabled():
        user = factories.UserFactory(username="priya", first_name="Priya",
                                     last_name="Natarajan")
        factories.OrganizationAdminFactory(organization=space.organization, user=user)
        second_space = factories.SpaceFactory(organization=space.organization,
                                              name="Loyalty and customer programmes")
        factories.MembershipFactory(space=space, role=Role.STEWARD,
                                    user__username="colleague_with_a_long_username")
        now = timezone.now()
        contracts = []
        for number, target in enumerate([space, second_space] * 3):
            contract = factories.DataContractFactory(
                space=target, status="active",
                name=f"customer_loyalty_programme_enrolments_{number}",
                description="Enrolments of members in the loyalty programme, one row each.",
            )
            record = factories.MetadataRecordFactory(
                data_contract=contract,
                governance_rules={"quality_thresholds": {"min_overall_score": 90}},
            )
            contract.metadata_record = record
            contract.save()
            contracts.append(contract)
        for day, score in enumerate([96.2, 94.8, 91.5, 88.9, 93.4, 97.1, 95.5, 89.7]):
            factories.QualityMetricFactory(
                data_contract=contracts[0], overall_score=score,
                passed="true" if score >= 90 else "false",
                field_scores={"member_email": score - 8, "enrolled_at": 99.0},
                check_timestamp=now - timedelta(days=8 - day),
            )
        for number in range(30):
            factories.QualityViolationFactory(
                data_contract=contracts[number % len(contracts)],
                record_identifier=f"enrolment-2024-{number:06d}-{'x' * 12}",
                field_name="member_email_address_as_given_at_enrolment",
                error_type="validation_error",
                error_message="member_email_address_as_given_at_enrolment must match the "
                              "pattern of an e-mail address (rule: email_format)",
                severity="critical" if number % 3 else "warning",
                check_timestamp=now - timedelta(hours=number),
            )
        for contract in contracts:
            Alert.objects.create(
                organization=space.organization, space=contract.space, data_contract=contract,
                kind=AlertKind.QUALITY_CHECK_FAILED, severity="critical",
                message=f"{contract} failed its quality check: overall_score 88.90 is below "
                        "the minimum 90.00; violation_rate 0.1100 is above the maximum 0.0500",
            )
    return user


def _save_screenshot(page, name, element=None):
    if os.environ.get("E2E_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(exist_ok=True)
    target = element if element is not None else page
    options = {} if element is not None else {"full_page": True}
    target.screenshot(path=str(SCREENSHOTS / name), **options)


def _overlap(first, second):
    return not (first["right"] <= second["left"] or second["right"] <= first["left"]
                or first["bottom"] <= second["top"] or second["bottom"] <= first["top"])


@pytest.mark.parametrize("list_name", list(LISTS))
def test_no_column_of_a_list_overflows_a_1400_px_screen(
    list_name, browser_page, sign_in, steward_with_a_busy_organization
):
    page = browser_page
    sign_in(page, "priya", PASSWORD)

    page.goto(LISTS[list_name])

    _save_screenshot(page, f"{list_name.replace(' ', '_')}_list_1400.png")
    measured = page.evaluate(MEASURE)
    viewport = measured["viewport"]
    assert viewport == 1400
    assert measured["pageWidth"] <= viewport
    assert measured["table"]["right"] <= min(viewport, measured["container"]["right"] + 0.5)
    assert len(measured["headers"]) >= 5
    outside = [header["text"] for header in measured["headers"]
               if header["right"] > viewport or header["left"] < 0]
    assert outside == []
    if measured["tools"]:
        assert not _overlap(measured["title"], measured["tools"])


def test_the_contract_page_and_its_trend_fit_a_1400_px_screen(
    browser_page, sign_in, steward_with_a_busy_organization
):
    page = browser_page
    sign_in(page, "priya", PASSWORD)
    page.goto(LISTS["contracts"] + "?q=enrolments_0")
    page.click("#result_list tbody tr th a")
    page.wait_for_load_state()

    width = page.evaluate("() => [document.documentElement.clientWidth,"
                          " document.documentElement.scrollWidth]")
    trend = page.locator("svg.quality-trend")
    box = trend.bounding_box()
    assert width[1] <= width[0] == 1400
    assert box["x"] + box["width"] <= 1400
    assert page.locator(".quality-trend__threshold text").text_content() == "min 90"
    empty_bars = page.evaluate("""() => [...document.querySelectorAll(
        "#content h2, #content .module > caption, #content legend")]
        .filter((bar) => bar.offsetParent !== null && !bar.innerText.trim())
        .map((bar) => bar.parentElement.outerHTML.slice(0, 300))""")
    assert empty_bars == []
    _save_screenshot(page, "contract_page_1400.png")
    _save_screenshot(page, "score_trend_1400.png",
                     page.locator(".quality-figure").filter(has=trend))
