"""Small SVG charts drawn on the server, for numbers stewards would rather see than read.

Each builder returns the geometry a template draws (`admin/quality/charts/`), in
SVG user units; no JavaScript, nothing fetched, works offline.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.template.defaultfilters import floatformat
from django.urls import NoReverseMatch, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from quality.admin.filters import NEEDS_WORK
from tenancy.moments import short_moment, site_time

BAR_ROW_HEIGHT = 22
BAR_HEIGHT = 14
BAR_LABEL_WIDTH = 240
BAR_AREA_WIDTH = 200
BAR_VALUE_GAP = 6
BAR_CHART_WIDTH = BAR_LABEL_WIDTH + BAR_AREA_WIDTH + 60
LABEL_CHARACTERS = 38

TREND_WIDTH = 560
TREND_HEIGHT = 190
TREND_LEFT = 40
TREND_RIGHT = 64
TREND_TOP = 12
TREND_BOTTOM = 28
TREND_HOVER_RADIUS = 9
TREND_TICKS = 5
TREND_DATE_TICKS = 6
# A scale step a reader takes in at a glance: the axis uses the smallest that gives at
# most TREND_TICKS lines.
NICE_STEPS = (1, 2, 5, 10, 20, 25, 50)


@dataclass(frozen=True)
class Bar:
    """One bar: `tone` picks its colour (critical, warning, info, good or neutral)."""

    label: str
    value: float
    display: str
    url: str = ""
    tone: str = "neutral"


@dataclass(frozen=True)
class PlacedBar:
    """A bar where it is drawn: its row starts at `y`; text sits on `text_y`."""

    bar: Bar
    short_label: str
    y: float
    bar_y: float
    text_y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    title: str
    rows: list
    width: int
    height: int
    label_width: int
    track_width: int
    value_x: int
    bar_height: int


def bar_chart(*, title, bars, maximum=None):
    """Horizontal bars scaled to `maximum` (default: the largest value)."""
    largest = maximum if maximum is not None else max((bar.value for bar in bars), default=0)
    rows = []
    for index, bar in enumerate(bars):
        width = round(BAR_AREA_WIDTH * bar.value / largest, 1) if largest else 0
        y = index * BAR_ROW_HEIGHT
        rows.append(
            PlacedBar(
                bar=bar,
                short_label=_shorten(bar.label),
                y=y,
                bar_y=y + (BAR_ROW_HEIGHT - BAR_HEIGHT) / 2,
                text_y=y + BAR_ROW_HEIGHT - 7,
                width=width,
            )
        )
    return BarChart(
        title=title,
        rows=rows,
        width=BAR_CHART_WIDTH,
        height=max(len(rows), 1) * BAR_ROW_HEIGHT,
        label_width=BAR_LABEL_WIDTH,
        track_width=BAR_AREA_WIDTH,
        value_x=BAR_LABEL_WIDTH + BAR_AREA_WIDTH + BAR_VALUE_GAP,
        bar_height=BAR_HEIGHT,
    )


def contract_status_chart(tallies):
    changelist = _url("admin:contracts_datacontract_changelist")
    return bar_chart(
        title="Contracts by status",
        bars=[
            Bar(
                label=tally.label,
                value=tally.count,
                display=str(tally.count),
                url=_with_query(changelist, {"status__exact": tally.key}) if tally.key else "",
                tone={"active": "good", "deprecated": "warning"}.get(tally.key, "neutral"),
            )
            for tally in tallies.items
        ],
    )


def severity_chart(tallies):
    changelist = _url("admin:quality_qualityviolation_changelist")
    return bar_chart(
        title="Violations that need work, by severity",
        bars=[
            Bar(
                label=tally.label,
                value=tally.count,
                display=str(tally.count),
                url=(
                    _with_query(changelist, {"status": NEEDS_WORK, "severity__exact": tally.key})
                    if tally.key else ""
                ),
                tone=tally.key or "neutral",
            )
            for tally in tallies.items
        ],
    )


def field_score_chart(field_scores, *, title="Field scores", with_contract=False):
    """Scores are 0-100, shown as "42.0 / 100" so that the number says what it is out of;
    below 80 reads as a warning, below 50 as critical."""
    change = "admin:quality_qualitymetric_change"
    return bar_chart(
        title=title,
        maximum=100,
        bars=[
            Bar(
                label=(
                    f"{field.check.data_contract} · {field.field_name}"
                    if with_contract and field.check.data_contract_id
                    else field.field_name
                ),
                value=max(0.0, min(100.0, field.score)),
                display=f"{field.score:.1f} / 100",
                url=_url(change, field.check.pk) if with_contract else "",
                tone=_score_tone(field.score),
            )
            for field in field_scores
        ],
    )


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    score: float
    check: object


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis: `position` is y on the score axis, x on the dates."""

    position: float
    label: str


@dataclass(frozen=True)
class ScoreTrend:
    title: str
    points: list
    polyline: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    score_ticks: list
    date_ticks: list
    threshold: float | None
    threshold_y: float | None
    axis_label_x: int
    date_y: int
    hover_radius: int
    points_svg: str


def score_trend_chart(checks, *, threshold=None):
    """The overall score of `checks`, oldest first, as a line on an axis that fits the
    scores (and `threshold`, the contract's minimum overall score, drawn as a line).

    A check's place follows its time, so a gap between checks shows as one; checks
    without a score are left out.
    """
    scored = [check for check in checks if check.overall_score is not None]
    plot_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    values = [check.overall_score for check in scored]
    if threshold is not None:
        values.append(threshold)
    low, high, step = _score_axis(values)

    def y_of(score):
        score = max(low, min(high, score))
        return round(TREND_TOP + plot_height * (high - score) / (high - low), 1)

    times = [check.check_timestamp.timestamp() for check in scored]
    span = (times[-1] - times[0]) if times else 0

    def x_of(index):
        if not span:
            fraction = index / (len(scored) - 1) if len(scored) > 1 else 0.5
        else:
            fraction = (times[index] - times[0]) / span
        return round(TREND_LEFT + plot_width * fraction, 1)

    points = [
        TrendPoint(x=x_of(index), y=y_of(check.overall_score), score=check.overall_score,
                   check=check)
        for index, check in enumerate(scored)
    ]
    ticks = []
    value = low
    while value <= high + 1e-9:
        ticks.append(Tick(position=y_of(value), label=_number(value)))
        value += step
    return ScoreTrend(
        title=f"Overall score (0-100) of the last {len(scored)} checks"
              + (f"; minimum {_number(threshold)}" if threshold is not None else ""),
        points=points,
        polyline=" ".join(f"{point.x},{point.y}" for point in points),
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        left=TREND_LEFT,
        right=TREND_WIDTH - TREND_RIGHT,
        top=TREND_TOP,
        bottom=TREND_TOP + plot_height,
        score_ticks=ticks,
        date_ticks=_date_ticks(points),
        threshold=threshold,
        threshold_y=y_of(threshold) if threshold is not None else None,
        axis_label_x=TREND_LEFT - 6,
        date_y=TREND_HEIGHT - 8,
        hover_radius=TREND_HOVER_RADIUS,
        points_svg=_points_svg(points),
    )


def _points_svg(points):
    """Each check's dot, with its time, score and outcome on hover. Built here rather than in
    the template: a template loop over twenty checks took a tenth of a contract's page."""
    groups = []
    for point in points:
        passed = point.check.passed
        outcome = {"false": ", failed", "true": ", passed"}.get(passed, "")
        title = (f"{short_moment(point.check.check_timestamp)}: overall score "
                 f"{floatformat(point.score, 1)}{outcome}")
        failed = " quality-trend__point--failed" if passed == "false" else ""
        groups.append(
            f'<g class="quality-trend__hover"><title>{escape(title)}</title>'
            f'<circle class="quality-trend__target" cx="{point.x}" cy="{point.y}" '
            f'r="{TREND_HOVER_RADIUS}"/>'
            f'<circle class="quality-trend__point{failed}" cx="{point.x}" cy="{point.y}" '
            f'r="3.5"/></g>'
        )
    return mark_safe("\n".join(groups))


def minimum_overall_score(contract):
    """The contract's `governance_rules.quality_thresholds.min_overall_score`, if it is a
    number (the metadata the contract's page has loaded already)."""
    record = contract.metadata_record if contract.metadata_record_id else None
    governance = (record.governance_rules if record is not None else None) or {}
    thresholds = governance.get("quality_thresholds") if isinstance(governance, dict) else None
    value = thresholds.get("min_overall_score") if isinstance(thresholds, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _score_axis(values):
    """(lowest, highest, step) of a 0-100 axis around `values`: whole steps, a margin of
    about a tenth of the range, 100 at most and 0 at least."""
    if not values:
        return 0.0, 100.0, 25.0
    low, high = min(values), max(values)
    margin = max((high - low) * 0.1, 1.0)
    low, high = max(0.0, low - margin), min(100.0, high + margin)
    for step in NICE_STEPS:
        axis_low = math.floor(low / step) * step
        axis_high = math.ceil(high / step) * step
        if (axis_high - axis_low) / step <= TREND_TICKS - 1:
            break
    if axis_high == axis_low:
        axis_low = max(0.0, axis_high - step)
    return float(axis_low), float(axis_high), float(step)


def _date_ticks(points):
    """At most TREND_DATE_TICKS dates under the line, evenly spread over its time; with the
    hour when the checks span less than two days."""
    if not points:
        return []
    first, last = points[0], points[-1]
    start, end = first.check.check_timestamp, last.check.check_timestamp
    if start == end:
        return [Tick(position=first.x, label=date_format(site_time(start), "M j"))]
    label_format = "M j" if end - start >= timedelta(days=2) else "M j H:i"
    ticks = []
    for index in range(TREND_DATE_TICKS):
        fraction = index / (TREND_DATE_TICKS - 1)
        label = date_format(site_time(start + (end - start) * fraction), label_format)
        if not ticks or ticks[-1].label != label:
            ticks.append(Tick(position=round(first.x + (last.x - first.x) * fraction, 1),
                              label=label))
    return ticks


def _number(value):
    return f"{value:g}"


def _score_tone(score):
    if score < 50:
        return "critical"
    if score < 80:
        return "warning"
    return "good"


def _shorten(label):
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _url(name, *args):
    """The admin URL, or "" when that admin is not installed (e.g. a contracts admin)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _with_query(url, parameters):
    return f"{url}?{urlencode(parameters)}" if url else ""

