"""Small SVG charts drawn on the server, for numbers stewards would rather see than read.

Each builder returns the geometry a template draws (`admin/quality/charts/`), in
SVG user units; no JavaScript, nothing fetched, works offline.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from quality.admin.filters import NEEDS_WORK

BAR_ROW_HEIGHT = 22
BAR_HEIGHT = 14
BAR_LABEL_WIDTH = 240
BAR_AREA_WIDTH = 200
BAR_VALUE_GAP = 6
BAR_CHART_WIDTH = BAR_LABEL_WIDTH + BAR_AREA_WIDTH + 60
LABEL_CHARACTERS = 38

TREND_WIDTH = 460
TREND_HEIGHT = 150
TREND_LEFT = 34
TREND_RIGHT = 10
TREND_TOP = 10
TREND_BOTTOM = 24


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
    """Scores are 0-100; below 80 reads as a warning, below 50 as critical."""
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
                display=f"{field.score:.1f}",
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
    gridlines: list
    """(y, label) of the 0, 50 and 100 lines."""
    axis_label_x: int
    date_y: int


def score_trend_chart(checks):
    """The overall score (0-100) of `checks`, oldest first, as a line; checks without a
    score are left out."""
    scored = [check for check in checks if check.overall_score is not None]
    plot_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    step = plot_width / (len(scored) - 1) if len(scored) > 1 else 0
    points = []
    for index, check in enumerate(scored):
        score = max(0.0, min(100.0, check.overall_score))
        x = TREND_LEFT + (index * step if step else plot_width / 2)
        y = TREND_TOP + plot_height * (100 - score) / 100
        points.append(TrendPoint(x=round(x, 1), y=round(y, 1), score=check.overall_score,
                                 check=check))
    return ScoreTrend(
        title=f"Overall score of the last {len(scored)} checks",
        points=points,
        polyline=" ".join(f"{point.x},{point.y}" for point in points),
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        left=TREND_LEFT,
        right=TREND_WIDTH - TREND_RIGHT,
        top=TREND_TOP,
        bottom=TREND_TOP + plot_height,
        gridlines=[(TREND_TOP + plot_height * (100 - value) / 100, str(value))
                   for value in (100, 50, 0)],
        axis_label_x=TREND_LEFT - 6,
        date_y=TREND_HEIGHT - 6,
    )


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

