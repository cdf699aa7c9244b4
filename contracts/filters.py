"""FilterSets of the contract graph, for the API's lists (query parameters as documented)."""

import datetime
from functools import reduce
from operator import or_

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

from contracts.documents.bundle import OWNERSHIP_ROLES, SYSTEM_ROLES
from contracts.models import DataContract, Domain, Owner, Status, System
from contracts.selectors import (
    contract_filter_by_domain,
    contract_filter_by_owner,
    contract_filter_by_system,
)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO allows."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("This moment is out of range.", code="overflow") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class ContractFilterSet(django_filters.FilterSet):
    """`owner` and `system` match any role unless `owner_role` / `system_role` names one."""

    name = django_filters.CharFilter(lookup_expr="iexact")
    name_contains = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    domain = django_filters.CharFilter(method="filter_domain", help_text="A domain's name.")
    owner = django_filters.CharFilter(method="filter_owner", help_text="An owner's id.")
    owner_role = django_filters.ChoiceFilter(
        choices=[(role, role) for role in OWNERSHIP_ROLES], method="filter_nothing"
    )
    system = django_filters.CharFilter(method="filter_system", help_text="A system's name.")
    system_role = django_filters.ChoiceFilter(
        choices=[(role, role) for role in SYSTEM_ROLES], method="filter_nothing"
    )
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = DataContract
        fields = []

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_owner / filter_system

    def filter_domain(self, queryset, name, value):
        domain_ids = Domain.objects.filter(name=value).values_list("pk", flat=True)
        return _any_of(queryset, [
            contract_filter_by_domain(queryset, domain_id=domain_id) for domain_id in domain_ids
        ])

    def filter_owner(self, queryset, name, value):
        return contract_filter_by_owner(
            queryset, owner_id=value, role=self.form.cleaned_data.get("owner_role") or None
        )

    def filter_system(self, queryset, name, value):
        role = self.form.cleaned_data.get("system_role") or None
        system_ids = System.objects.filter(name=value).values_list("pk", flat=True)
        return _any_of(queryset, [
            contract_filter_by_system(queryset, system_id=system_id, role=role)
            for system_id in system_ids
        ])


def _any_of(queryset, filtered):
    """Rows in any of `filtered` (names are unique per organization, not across them)."""
    if not filtered:
        return queryset.none()
    return reduce(or_, filtered)


class OwnerFilterSet(django_filters.FilterSet):
    team = django_filters.CharFilter(lookup_expr="iexact")
    name_contains = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Owner
        fields = []


class SystemFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="iexact")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = System
        fields = []


class DomainFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Domain
        fields = []
