"""Change pages show no dark header bar that belongs to nothing, above the Save row or elsewhere,
and the contract's name as written.

With E2E_SCREENSHOTS=1 the test also saves what it saw to tests/e2e/screenshots/.
"""

import os
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from tenancy.models import Role
from tests import factories
from tests.contracts.admin.contract_graph import contract_with_parts

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).parent / "screenshots"

# What a person sees just above the Save row: the first element with a background, from the
# top of the painting order down, at points across the gap between the form and the row.
# Header bars among the page's h2/legend/caption: their text and height. How the page
# spells the contract's name.
MEASURE = """() => {
  const row = document.querySelector('.submit-row');
  row.scrollIntoView({block: 'center'});
  const box = row.getBoundingClientRect();
  const painted = [];
  for (const x of [box.left + 8, (box.left + box.right) / 2, box.right - 8]) {
    for (const above of [2, 6, 12]) {
      const shown = document.elementsFromPoint(x, box.top - above).find((element) => {
        const background = getComputedStyle(element).backgroundColor;
        return background !== 'rgba(0, 0, 0, 0)' && background !== 'transparent';
      });
      const bar = shown && shown.closest('h1, h2, h3, legend, caption, thead');
      painted.push(bar ? `${bar.tagName} ${bar.innerText.trim()}` : null);
    }
  }
  const bars = [...document.querySelectorAll('#content h2, #content legend, #content caption')]
    .filter((bar) => bar.offsetParent !== null)
    .map((bar) => ({text: bar.innerText.trim(), height: bar.getBoundingClientRect().height}));
  const spellings = document.body.innerText.match(/flight_bookings/gi) || [];
  return {painted, bars, spellings: [...new Set(spellings)]};
}"""


@pytest.fixture
def steward(space):
    return factories.MembershipFactory(
        space=space, role=Role.STEWARD, user=factories.UserFactory(username="priya")
    ).user


@pytest.fixture
def contract(space):
    with scopes_disabled():
        return contract_with_parts(space, name="flight_bookings")


def _violation_page(contract):
    with scopes_disabled():
        violation = factories.QualityViolationFactory(data_contract=contract)
    return f"/admin/quality/qualityviolation/{violation.pk}/change/"


PAGES = {
    "contract": lambda contract: f"/admin/contracts/datacontract/{contract.pk}/change/",
    "violation": _violation_page,
}


@pytest.mark.parametrize("page_name", list(PAGES))
def test_no_header_bar_shows_above_the_save_row(
    page_name, browser_page, sign_in, steward, contract
):
    page = browser_page
    address = PAGES[page_name](contract)
    sign_in(page, "priya", PASSWORD)

    page.goto(address)

    measured = page.evaluate(MEASURE)
    if os.environ.get("E2E_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{page_name}_change_page_1400.png"),
                        full_page=True)
    assert measured["painted"] == [None] * 9
    assert [bar for bar in measured["bars"] if not bar["text"]] == []
    assert [bar["text"] for bar in measured["bars"] if bar["height"] > 80] == []
    # Identifiers as written, whatever the stylesheet does to headings and captions.
    assert measured["spellings"] == ["flight_bookings"]
