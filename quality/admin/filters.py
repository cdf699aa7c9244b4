"""List filters for the violations list: fast on millions of rows, limited to the user's spaces."""

from contextlib import suppress
from datetime import datetime, time, timedelta

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date

from contracts.models import DataContract
from quality.models import CLOSED_STATUSES, ViolationStatus
from quality.selectors import UNRESOLVED_STATUSES, space_member_choices, violation_recent_values

NEEDS_WORK = "unresolved"
CLOSED = "closed"


class StatusFilter(admin.SimpleListFilter):
    """Each status, plus "needs work" (open, acknowledged or assigned) and "closed"."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(NEEDS_WORK, "Needs work"), (CLOSED, "Closed"), *ViolationStatus.choices]

    def queryset(self, request, queryset):
        statuses = self.statuses(self.value())
        if statuses is None:
            return queryset
        if len(statuses) == 1:
            return queryset.filter(status=statuses[0])
        return queryset.filter(status__in=statuses)


    @staticmethod
    def statuses(value):
        """The statuses `value` stands for, or None when it is not one of the choices."""
        if value == NEEDS_WORK:
            return list(UNRESOLVED_STATUSES)
        if value == CLOSED:
            return list(CLOSED_STATUSES)
        if value in ViolationStatus.values:
            return [value]
        return None


class ValuesRelatedFilter(admin.RelatedFieldListFilter):
    """Django's filter by a related object, its choices read as values (`label_fields`) and
    named by `label`: every violation list offers all the user's contracts and spaces, and
    building each object took longer than reading it."""

    label_fields = ("name",)

    @staticmethod
    def label(*values):
        return " ".join(values)

    def field_choices(self, field, request, model_admin):
        related = field.related_model._default_manager.all()
        if ordering := self.field_admin_ordering(field, request, model_admin):
            related = related.order_by(*ordering)
        rows = related.values_list("pk", *self.label_fields)
        return [(pk, self.label(*values)) for pk, *values in rows]


class ContractFilter(ValuesRelatedFilter):
    label_fields = ("name", "version")
    label = staticmethod(DataContract.label)


class AssigneeFilter(admin.SimpleListFilter):
    """Me, nobody, or one of the people who work in the user's spaces (never anyone else)."""

    title = "assignee"
    parameter_name = "assignee"
    ME = "me"
    NOBODY = "nobody"

    def lookups(self, request, model_admin):
        members = space_member_choices(space_ids=request.tenant_access.space_ids)
        return [
            (self.ME, "Me"),
            (self.NOBODY, "Nobody"),
            *[(str(user_id), username) for user_id, username in members],
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == self.ME:
            return queryset.filter(assignee=request.user)
        if value == self.NOBODY:
            return queryset.filter(assignee__isnull=True)
        try:
            return queryset.filter(assignee_id=value)
        except (ValueError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error


class RecentValuesFilter(admin.SimpleListFilter):
    """Exact match on a text column, offering the values of the newest violations (of the
    chosen contract, when one is chosen): see `violation_recent_values`. The filters of
    this kind on one list share one query."""

    contract_parameter = "data_contract__id__exact"

    def lookups(self, request, model_admin):
        if not hasattr(request, "recent_violation_values"):
            request.recent_violation_values = self._recent_values(request, model_admin)
        values = request.recent_violation_values[self.parameter_name]
        if self.value() is not None and self.value() not in values:
            values = sorted([*values, self.value()])
        return [(value, value) for value in values]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.parameter_name: self.value()})

    def _recent_values(self, request, model_admin):
        contract_id = None
        # A bad contract id is the contract filter's to report.
        with suppress(ValidationError):
            if value := request.GET.get(self.contract_parameter):
                contract_id = DataContract._meta.pk.to_python(value)
        field_names = [list_filter.parameter_name for list_filter in model_admin.list_filter
                       if isinstance(list_filter, type)
                       and issubclass(list_filter, RecentValuesFilter)]
        return violation_recent_values(space_ids=request.tenant_access.space_ids,
                                       contract_id=contract_id, field_names=field_names)


class FieldNameFilter(RecentValuesFilter):
    title = "field"
    parameter_name = "field_name"


class ErrorTypeFilter(RecentValuesFilter):
    title = "error type"
    parameter_name = "error_type"


class CheckDateRangeFilter(admin.ListFilter):
    """Violations found by checks between two dates (inclusive, in the site's time zone)."""

    title = "check date"
    template = "admin/quality/filters/date_range.html"
    since_parameter = "checked_since"
    until_parameter = "checked_until"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.dates = {}
        for name in self.expected_parameters():
            if name not in params:
                continue
            value = params.pop(name)[-1]
            self.used_parameters[name] = value
            if not value:
                continue
            try:
                parsed = parse_date(value)
            except ValueError:
                parsed = None
            if parsed is None:
                raise IncorrectLookupParameters(f"{value!r} is not a date (YYYY-MM-DD).")
            self.dates[name] = parsed

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.since_parameter, self.until_parameter]

    def queryset(self, request, queryset):
        # Bounds on the column itself (not on its date) so that the indexes serve.
        if self.since_parameter in self.dates:
            queryset = queryset.filter(
                check_timestamp__gte=_start_of_day(self.dates[self.since_parameter])
            )
        if self.until_parameter in self.dates:
            queryset = queryset.filter(
                check_timestamp__lt=_start_of_day(
                    self.dates[self.until_parameter] + timedelta(days=1)
                )
            )
        return queryset

    def choices(self, changelist):
        expected = self.expected_parameters()
        yield {
            "since_parameter": self.since_parameter,
            "until_parameter": self.until_parameter,
            "since": self.used_parameters.get(self.since_parameter, ""),
            "until": self.used_parameters.get(self.until_parameter, ""),
            "selected": bool(self.dates),
            "kept_parameters": [
                (name, value)
                for name, values in sorted(changelist.filter_params.items())
                if name not in expected
                for value in values
            ],
            "reset_query_string": changelist.get_query_string(remove=expected),
        }


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


# The list's parameters that ViolationCount answers, and the column each filters.
COUNTED_PARAMETERS = {
    "severity__exact": "severity",
    "data_contract__id__exact": "data_contract_id",
    FieldNameFilter.parameter_name: "field_name",
    ErrorTypeFilter.parameter_name: "error_type",
    "space__id__exact": "space_id",
}
#: Parameters that choose how the list shows, not which violations.
DISPLAY_PARAMETERS = ("o", "p", "e", "all", "_facets", "_popup", "_to_field")


def violation_count_lookups(parameters):
    """The lookups on ViolationCount that count the violations the list shows for
    `parameters` (the query string, as lists), or None when a filter or a search has no
    counterpart there (then the list counts the violations)."""
    lookups = {}
    for name, values in parameters.items():
        value = values[-1] if values else ""
        if name in DISPLAY_PARAMETERS or (name == "q" and not value.strip()):
            continue
        if name == StatusFilter.parameter_name:
            statuses = StatusFilter.statuses(value)
            if statuses is None:
                return None
            lookups["status__in"] = statuses
        elif name == AssigneeFilter.parameter_name and value == AssigneeFilter.NOBODY:
            lookups["is_assigned"] = False
        elif name in COUNTED_PARAMETERS:
            lookups[COUNTED_PARAMETERS[name]] = value
        else:
            return None
    return lookups
