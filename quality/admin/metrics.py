"""Quality checks' results: facts, read-only for everyone."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join

from quality.admin.base import QualityModelAdmin, ReadOnlyAdminMixin
from quality.admin.charts import field_score_chart
from quality.models import QualityMetric
from quality.selectors import field_score_list


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("passed", "Passed"), ("failed", "Failed")]

    def queryset(self, request, queryset):
        if self.value() == "passed":
            return queryset.filter(passed="true")
        if self.value() == "failed":
            return queryset.filter(passed="false")
        return queryset


class CompletenessFilter(admin.SimpleListFilter):
    title = "input read"
    parameter_name = "complete"

    def lookups(self, request, model_admin):
        return [("yes", "All of it"), ("no", "Incomplete")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_complete=self.value() == "yes")
        return queryset


@admin.register(QualityMetric)
class QualityMetricAdmin(ReadOnlyAdminMixin, QualityModelAdmin):
    list_display = (
        "check_timestamp",
        "data_contract",
        "schema_version",
        "score",
        "outcome",
        "is_complete",
        "record_count",
        "invalid_count",
        "violation_count",
    )
    list_filter = (OutcomeFilter, CompletenessFilter, "data_contract",
                   ("check_timestamp", admin.DateFieldListFilter), "space")
    list_select_related = ("data_contract", "space")
    search_fields = ("data_contract__name", "=schema_id")
    search_help_text = "Contract name, or the exact schema id."
    ordering = ("-check_timestamp",)
    fieldsets = (
        (None, {"fields": ("data_contract", "schema_id", "schema_version", "space",
                           "check_timestamp", "created_by")}),
        ("Scores", {"fields": ("overall_score", "outcome", "accuracy", "completeness",
                               "violation_rate", "field_score_bars")}),
        ("Records", {"fields": ("is_complete", "incomplete_reasons", "record_count",
                                "valid_count", "invalid_count", "violation_count")}),
        ("Thresholds", {"fields": ("breaches", "additional_metadata")}),
    )

    class Media:
        css = {"all": ("pycharter/quality.css",)}

    @admin.display(description="score", ordering="overall_score")
    def score(self, check):
        return "—" if check.overall_score is None else f"{check.overall_score:.1f}"

    @admin.display(description="passed", boolean=True, ordering="passed")
    def outcome(self, check):
        return None if check.passed is None else check.has_passed

    @admin.display(description="what could not be read")
    def incomplete_reasons(self, check):
        reasons = (check.additional_metadata or {}).get("incomplete_reasons")
        if check.is_complete or not isinstance(reasons, list):
            return "—"
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{}</li>", ((reason,) for reason in reasons)
        ))

    @admin.display(description="field scores")
    def field_score_bars(self, check):
        scores = field_score_list(checks=[check])
        if not scores:
            return "—"
        return render_to_string("admin/quality/charts/bar_chart.html",
                                {"chart": field_score_chart(scores)})

    @admin.display(description="threshold breaches")
    def breaches(self, check):
        if not check.threshold_breaches:
            return "None"
        if not isinstance(check.threshold_breaches, list):
            return format_html("<code>{}</code>", check.threshold_breaches)
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{}</li>", ((breach,) for breach in check.threshold_breaches)
        ))
