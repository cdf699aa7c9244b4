"""The quality panel the contract page includes: a score trend and field score bars, in SVG."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.timezone import localtime

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

    # x from 40 to 496, y from 12 (100) to 162 (0): see quality.admin.charts.
    assert '<polyline class="quality-trend__line" points="40.0,12.0 268.0,87.0 496.0,162.0"/>' \
        in html
    assert html.count('class="quality-trend__point"') == 1
    assert html.count('class="quality-trend__point quality-trend__point--failed"') == 2
    assert "quality-trend__threshold" not in html


def test_the_trend_axis_fits_the_scores_and_draws_the_contracts_minimum(contract):
    record = factories.MetadataRecordFactory(
        data_contract=contract,
        governance_rules={"quality_thresholds": {"min_overall_score": 90}},
    )
    contract.metadata_record = record
    contract.save()
    _checks(contract, [92.0, 95.0, 97.0])

    html = _render(contract)

    # The axis runs from 85 to 100 in steps of 5: y = 12 + 150 * (100 - score) / 15.
    assert [label for label in re.findall(
        r'text-anchor="end" dominant-baseline="middle">([\d.]+)<', html)] == \
        ["85", "90", "95", "100"]
    assert 'points="40.0,92.0 268.0,62.0 496.0,42.0"' in html
    assert ('<line x1="40" x2="496" y1="112.0" y2="112.0"/>\n'
            '    <text x="496" y="112.0" dx="4" dominant-baseline="middle">min 90</text>') in html
    assert "<title>Minimum overall score (governance rules): 90</title>" in html


def test_the_trend_has_dated_ticks_and_a_value_on_hover(contract):
    [first, _, last] = _checks(contract, [92.0, 95.0, 97.5])

    html = _render(contract)

    ticks = re.findall(r'<text class="quality-trend__axis" x="[\d.]+" y="182" '
                       r'text-anchor="\w+">([^<]+)</text>', html)
    assert ticks[0] == localtime(first.check_timestamp).strftime("%b %-d")
    assert ticks[-1] == localtime(last.check_timestamp).strftime("%b %-d")
    assert len(ticks) == 3
    hover = (f"<title>{localtime(last.check_timestamp):%Y-%m-%d %H:%M}: overall score 97.5, "
             "passed</title>")
    assert hover in html


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
