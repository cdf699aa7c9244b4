"""Template tags that put quality on admin pages: the dashboard and a contract's quality.

They are the hook for templates that no quality view renders (the admin index,
the contracts admin's change page): each calls one selector and draws its charts.
"""

from django import template

from quality.admin.charts import (
    contract_status_chart,
    field_score_chart,
    minimum_overall_score,
    score_trend_chart,
    severity_chart,
)
from quality.selectors import contract_quality_summary, dashboard_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def quality_dashboard(context):
    """The dashboard of the signed-in user's spaces."""
    return dashboard_summary(access=context["request"].tenant_access)


@register.simple_tag
def contract_quality(contract):
    return contract_quality_summary(contract=contract)


@register.inclusion_tag("admin/quality/charts/bar_chart.html")
def contract_status_bars(tallies):
    return {"chart": contract_status_chart(tallies)}


@register.inclusion_tag("admin/quality/charts/bar_chart.html")
def severity_bars(tallies):
    return {"chart": severity_chart(tallies)}


@register.inclusion_tag("admin/quality/charts/bar_chart.html")
def field_score_bars(field_scores, title="Field scores of the latest check",
                     with_contract=False):
    return {"chart": field_score_chart(field_scores, title=title, with_contract=with_contract)}


@register.inclusion_tag("admin/quality/charts/score_trend.html")
def score_trend(checks, contract=None):
    """The trend of `checks`, with `contract`'s minimum overall score as a line."""
    threshold = minimum_overall_score(contract) if contract is not None else None
    return {"chart": score_trend_chart(checks, threshold=threshold)}
