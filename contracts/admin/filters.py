"""List filters of the contracts list: by domain, and by owner or system in any role."""

from django.contrib import admin

from contracts.models import Domain, Owner, System
from contracts.selectors import (
    contract_filter_by_domain,
    contract_filter_by_owner,
    contract_filter_by_system,
)


class ChoiceDropdownFilter(admin.SimpleListFilter):
    """A filter shown as a drop-down: organizations have more owners than a sidebar can list."""

    template = "admin/contracts/dropdown_filter.html"


class DomainFilter(ChoiceDropdownFilter):
    title = "domain"
    parameter_name = "domain"

    def lookups(self, request, model_admin):
        return [(str(domain.pk), domain.name) for domain in Domain.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return contract_filter_by_domain(queryset, domain_id=self.value())
        return queryset


class OwnerFilter(ChoiceDropdownFilter):
    title = "owner (any role)"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [
            (owner.pk, f"{owner.display_name} ({owner.pk})" if owner.name else owner.pk)
            for owner in Owner.objects.order_by("name", "id")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return contract_filter_by_owner(queryset, owner_id=self.value())
        return queryset


class SystemFilter(ChoiceDropdownFilter):
    title = "system (any role)"
    parameter_name = "system"

    def lookups(self, request, model_admin):
        return [(str(system.pk), system.name) for system in System.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return contract_filter_by_system(queryset, system_id=self.value())
        return queryset
