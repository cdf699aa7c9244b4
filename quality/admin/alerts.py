"""Alerts raised by quality checks: read-only, except that stewards acknowledge them."""

from django.contrib import admin, messages
from django.utils.html import format_html

from quality.admin.base import QualityModelAdmin, ReadOnlyAdminMixin
from quality.alerting.services import alert_acknowledge
from quality.models import Alert


class AcknowledgedFilter(admin.SimpleListFilter):
    title = "acknowledged"
    parameter_name = "acknowledged"

    def lookups(self, request, model_admin):
        return [("no", "Not yet"), ("yes", "Yes")]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(acknowledged_at__isnull=self.value() == "no")
        return queryset


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, QualityModelAdmin):
    list_display = (
        "created_at",
        "severity_badge",
        "kind",
        "message",
        "data_contract",
        "space",
        "acknowledged",
        "acknowledged_by",
    )
    list_filter = (AcknowledgedFilter, "kind", "severity", "space")
    list_select_related = ("data_contract", "space", "acknowledged_by")
    search_fields = ("message",)
    ordering = ("-created_at",)
    actions = ["acknowledge_alerts"]
    fields = ("message", "kind", "severity", "organization", "space", "data_contract",
              "quality_metric", "created_at", "acknowledged_at", "acknowledged_by")

    class Media:
        css = {"all": ("pycharter/quality.css",)}

    def get_object_queryset(self, request):
        return super().get_object_queryset(request).select_related(
            "organization", "quality_metric"
        )

    def has_acknowledge_permission(self, request):
        """Whoever may edit in a space may acknowledge its alerts (checked per alert below);
        the alert itself stays read-only."""
        return self._may_edit(request, None)

    @admin.action(description="Acknowledge selected alerts", permissions=["acknowledge"])
    def acknowledge_alerts(self, request, queryset):
        editable = queryset.filter(space_id__in=request.tenant_access.editable_space_ids)
        acknowledged = alert_acknowledge(alerts=editable, actor=request.user)
        self.message_user(
            request,
            f"Acknowledged {acknowledged} alert{'' if acknowledged == 1 else 's'}.",
            messages.SUCCESS if acknowledged else messages.WARNING,
        )

    @admin.display(description="severity", ordering="severity")
    def severity_badge(self, alert):
        return format_html('<span class="quality-badge quality-tone--{}">{}</span>',
                           alert.severity, alert.get_severity_display())

    @admin.display(description="acknowledged", boolean=True, ordering="acknowledged_at")
    def acknowledged(self, alert):
        return alert.acknowledged_at is not None
