"""The quality panel the contract page includes: a score trend and field score bars, in SVG."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

INCLUDE = Template('{% include "admin/quality/contract_quality.html" with contract=contract %}')


def _render(contract):
    return INCLUDE.render(Context({"contract": contract}))


def _checks(contract, scores):
    now = timezone.now()
    return [
        factories.QualityMetricFactory(
            data_contract=contract, overall_score=score, passed="true" if score >= 60 else "false",
            field_scores={"age": score, "user_id": 100.0},
            check_timestamp=now - timedelta(days=len(scores) - index),
        )
        for index, score in enumerate(scores)
    ]


def test_the_overall_score_trend_is_a_line_over_the_last_checks(contract):
    _checks(contract, [100.0, 50.0, 0.0])

    html = _render(contract)

    # x from 34 to 450, y from 10 (100) to 126 (0): see quality.admin.charts.
    assert '<polyline class="quality-trend__line" points="34.0,10.0 242.0,68.0 450.0,126.0"/>' \
        in html
    assert html.count('class="quality-trend__point"') == 1
    assert html.count('class="quality-trend__point quality-trend__point--failed"') == 2


def test_the_latest_field_scores_are_bars_worst_first(contract):
    _checks(contract, [90.0, 25.0])

    html = _render(contract)

    age_bar = ('<rect class="quality-bars__bar quality-tone--critical" x="240" y="4.0" '
               'width="50.0" height="14"/>')
    user_id_bar = ('<rect class="quality-bars__bar quality-tone--good" x="240" y="26.0" '
                   'width="200.0" height="14"/>')
    assert age_bar in html
    assert user_id_bar in html
    assert html.index(">age<") < html.index(">user_id<")


def test_the_panel_links_to_the_violations_that_need_work(contract):
    factories.QualityViolationFactory(data_contract=contract)
    factories.QualityViolationFactory(data_contract=contract)

    html = _render(contract)

    assert (f"?data_contract__id__exact={contract.pk}&amp;status=unresolved"
            '">2 violations need work</a>') in html


def test_a_contract_never_checked_says_so(contract):
    html = _render(contract)

    assert "No quality check has been reported for this contract yet." in html
    assert "No violation needs work." in html


@pytest.mark.parametrize("check_count", [1, 30])
def test_the_panel_takes_two_queries_whatever_the_history(check_count, contract):
    _checks(contract, [80.0] * check_count)

    with CaptureQueriesContext(connection) as queries:
        _render(contract)

    assert len(queries) == 2
