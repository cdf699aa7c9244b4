"""Alerts raised by quality checks: read-only, except that stewards acknowledge them, from
the list or from the alert's own page."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from quality.admin.base import QualityModelAdmin, ReadOnlyAdminMixin
from quality.alerting.services import alert_acknowledge
from quality.models import Alert


class OpenFilter(admin.SimpleListFilter):
    title = "open"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("no", "Closed")]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(closed_at__isnull=self.value() == "yes")
        return queryset


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
        "occurrences",
        "is_open",
        "acknowledged",
    )
    list_filter = (OpenFilter, AcknowledgedFilter, "kind", "severity", "space")
    list_select_related = ("data_contract", "space", "acknowledged_by")
    search_fields = ("message",)
    ordering = ("-created_at",)
    actions = ["acknowledge_alerts"]
    fields = ("message", "kind", "severity", "organization", "space", "data_contract",
              "quality_metric", "latest_score", "occurrences", "created_at", "last_seen_at",
              "closed_at", "acknowledged_at", "acknowledged_by")
    change_form_template = "admin/quality/alert/change_form.html"

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

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/acknowledge/",
                 self.admin_site.admin_view(self.acknowledge_view),
                 name=f"{info[0]}_{info[1]}_acknowledge"),
            *super().get_urls(),
        ]

    def acknowledge_view(self, request, object_id):
        """POST from the alert's page: acknowledge it, then back to it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        alert = self.get_object(request, object_id)
        if alert is None:
            raise Http404(f"There is no alert {object_id} here.")
        if not self._may_edit(request, alert):
            raise PermissionDenied
        if alert_acknowledge(alerts=[alert], actor=request.user):
            self.message_user(request, "Alert acknowledged.", messages.SUCCESS)
        else:
            self.message_user(request, "This alert was acknowledged already.", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:quality_alert_change", args=[alert.pk],
                                            current_app=self.admin_site.name))

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context["may_acknowledge"] = (obj is not None and obj.acknowledged_at is None
                                      and self._may_edit(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="open", boolean=True, ordering="closed_at")
    def is_open(self, alert):
        return alert.closed_at is None

    @admin.display(description="severity", ordering="severity")
    def severity_badge(self, alert):
        return format_html('<span class="quality-badge quality-tone--{}">{}</span>',
                           alert.severity, alert.get_severity_display())

    @admin.display(description="acknowledged", ordering="acknowledged_at")
    def acknowledged(self, alert):
        """Who acknowledged it, in the one column a laptop screen has room for."""
        if alert.acknowledged_at is None:
            return "—"
        return alert.acknowledged_by or "yes"
