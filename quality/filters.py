"""FilterSets of quality rows, for the API's lists (query parameters as documented)."""

import django_filters

from contracts.filters import UtcDateTimeFilter
from quality.models import Priority, QualityMetric, QualityViolation, Severity, ViolationStatus


class ViolationFilterSet(django_filters.FilterSet):
    contract = django_filters.UUIDFilter(field_name="data_contract")
    version = django_filters.CharFilter(field_name="data_contract__version")
    field = django_filters.CharFilter(field_name="field_name")
    error_type = django_filters.CharFilter()
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.MultipleChoiceFilter(choices=ViolationStatus.choices)
    assignee = django_filters.CharFilter(field_name="assignee__username",
                                         help_text="The assignee's username.")
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    checked_after = UtcDateTimeFilter(field_name="check_timestamp", lookup_expr="gte")
    checked_before = UtcDateTimeFilter(field_name="check_timestamp", lookup_expr="lt")

    class Meta:
        model = QualityViolation
        fields = []


class IncidentFilterSet(ViolationFilterSet):
    """The violations' filters pick the violations that are grouped into incidents."""

    closed = django_filters.BooleanFilter(
        method="filter_nothing",
        help_text="true: the closed incidents (resolved or ignored); else those that need work.",
    )

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by the incidents list, which groups by status


class MetricFilterSet(django_filters.FilterSet):
    contract = django_filters.UUIDFilter(field_name="data_contract")
    version = django_filters.CharFilter(field_name="data_contract__version")
    passed = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")])
    checked_after = UtcDateTimeFilter(field_name="check_timestamp", lookup_expr="gte")
    checked_before = UtcDateTimeFilter(field_name="check_timestamp", lookup_expr="lt")

    class Meta:
        model = QualityMetric
        fields = []
