"""Every triage step ever taken, across violations: read-only history."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from quality.admin.base import QualityModelAdmin, ReadOnlyAdminMixin
from quality.models import ViolationTransition


@admin.register(ViolationTransition)
class ViolationTransitionAdmin(ReadOnlyAdminMixin, QualityModelAdmin):
    space_path = "violation__space"
    list_display = ("created_at", "violation_link", "from_status", "to_status", "actor_name",
                    "assignee", "reason")
    list_filter = ("to_status", "reason", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("violation", "assignee")
    search_fields = ("=violation__record_identifier", "=actor_name")
    search_help_text = "The exact record identifier of a violation, or who made the step."
    ordering = ("-created_at",)
    fields = ("violation_link", "from_status", "to_status", "actor_name", "assignee", "reason",
              "note", "created_at")

    @admin.display(description="violation", ordering="violation__record_identifier")
    def violation_link(self, transition):
        url = reverse("admin:quality_qualityviolation_change", args=[transition.violation_id],
                      current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, transition.violation)
