"""Where alerts go: a space's channels and routing, edited by its stewards, and every delivery,
read-only, failed ones easy to find and retry."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract
from quality.admin.base import QualityModelAdmin
from quality.alerting.outbox import deliveries_retry
from quality.alerting.routing import DEFAULT_ROUTES
from quality.engine.sanitize import safe_text
from quality.models import AlertChannel, AlertDelivery, AlertKind, AlertRouting, DeliveryStatus

ROLE_LABELS = {"business_owners": "Business owners", "bu_sme": "BU SME",
               "it_application_owners": "IT application owners", "it_sme": "IT SME",
               "support_lead": "Support lead"}
ROLE_CHOICES = [(role, ROLE_LABELS.get(role, role)) for role in OWNERSHIP_ROLE_LINKS]


def _json_html(value):
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return format_html('<pre class="quality-json">{}</pre>', safe_text(text))


class AlertChannelForm(forms.ModelForm):
    """The model's clean checks the config against the kind's schema; this checks that a
    channel limited to one contract is limited to a contract of its own space."""

    class Meta:
        model = AlertChannel
        # `space` and `data_contract` too, added by the admin in the request's scope: a scoped
        # manager cannot list choices when this module is imported.
        fields = ("name", "kind", "is_active", "config")
        widgets = {"config": forms.Textarea(attrs={"rows": 8, "cols": 80,
                                                   "class": "vLargeTextField"})}

    def _post_clean(self):
        """The model checks the config against the kind; when the kind or the JSON itself was
        refused already, what it would say about an empty config only misleads."""
        refused = {name: self._errors[name].copy() if name in self._errors else None
                   for name in ("kind", "config")}
        super()._post_clean()
        if any(refused.values()):
            for name, errors in refused.items():
                if errors:
                    self._errors[name] = errors
                else:
                    self._errors.pop(name, None)

    def clean(self):
        cleaned = super().clean()
        space, contract = cleaned.get("space"), cleaned.get("data_contract")
        if space is not None and contract is not None and contract.space_id != space.pk:
            self.add_error("data_contract", f"{contract} is not a contract of {space}.")
        return cleaned


@admin.register(AlertChannel)
class AlertChannelAdmin(QualityModelAdmin):
    form = AlertChannelForm
    fields = ("space", "data_contract", "name", "kind", "is_active", "config")
    list_display = ("name", "kind", "is_active", "data_contract", "space", "created_at")
    list_filter = ("kind", "is_active", "space")
    list_select_related = ("space", "data_contract")
    search_fields = ("name",)
    ordering = ("name",)

    class Media:
        css = {"all": ("pycharter/quality.css",)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "data_contract":
            kwargs["queryset"] = DataContract.objects.filter(
                space_id__in=request.tenant_access.editable_space_ids
            ).order_by("name", "version")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _route_field(kind):
    return f"route_{kind}"


class _AlertRoutingFormBase(forms.ModelForm):
    class Meta:
        model = AlertRouting
        fields = ()  # `space` is added by the admin in the request's scope

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        routes = DEFAULT_ROUTES if self.instance._state.adding else self.instance.routes
        for kind in AlertKind:
            self.fields[_route_field(kind.value)].initial = routes.get(kind.value, [])

    def clean(self):
        cleaned = super().clean()
        self.instance.routes = {
            kind.value: cleaned.get(_route_field(kind.value), []) for kind in AlertKind
        }
        return cleaned


#: One set of role checkboxes per alert kind; what is ticked becomes the routes.
AlertRoutingForm = type("AlertRoutingForm", (_AlertRoutingFormBase,), {
    _route_field(kind.value): forms.MultipleChoiceField(
        label=kind.label, choices=ROLE_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The contract's owners in these roles receive this kind of alert.",
    )
    for kind in AlertKind
})


@admin.register(AlertRouting)
class AlertRoutingAdmin(QualityModelAdmin):
    form = AlertRoutingForm
    list_display = ("space", "routes_summary")
    list_filter = ("space",)
    list_select_related = ("space",)
    ordering = ("space__name",)
    fields = ("space", *(_route_field(kind.value) for kind in AlertKind))

    @admin.display(description="routes")
    def routes_summary(self, routing):
        return "; ".join(f"{kind}: {', '.join(roles)}"
                         for kind, roles in sorted(routing.routes.items())) or "—"


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(QualityModelAdmin):
    space_path = "alert__space"
    list_display = ("created_at", "status_badge", "channel", "alert", "attempts",
                    "last_error", "delivered_at", "alert_space")
    list_filter = ("status", "channel__kind", "alert__space")
    list_select_related = ("channel", "alert", "alert__space")
    search_fields = ("last_error", "channel__name")
    ordering = ("-created_at",)
    actions = ["retry_deliveries"]
    fields = ("alert", "channel", "status", "attempts", "last_error", "recipients_display",
              "delivered_at", "created_at")
    readonly_fields = fields

    class Media:
        css = {"all": ("pycharter/quality.css",)}

    def has_add_permission(self, request, obj=None):
        return False  # deliveries are made when an alert is raised

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # kept so that failures are seen, never lost

    def has_retry_permission(self, request):
        """Whoever may edit in a space may retry its deliveries (checked per delivery below)."""
        return self._may_edit(request, None)

    @admin.action(description="Retry selected deliveries", permissions=["retry"])
    def retry_deliveries(self, request, queryset):
        """A new round of attempts for each selected delivery not yet delivered, sent by the
        workers, as `manage.py deliver_alerts` does in its own process."""
        queued = deliveries_retry(deliveries=queryset.filter(
            alert__space_id__in=request.tenant_access.editable_space_ids
        ), actor=request.user)
        if not queued:
            self.message_user(request, "No selected delivery needed a retry.", messages.WARNING)
            return
        self.message_user(request, f"Queued {queued} deliver{'y' if queued == 1 else 'ies'} "
                                   f"for a new round of attempts.", messages.SUCCESS)

    @admin.display(description="status", ordering="status")
    def status_badge(self, delivery):
        tone = {DeliveryStatus.DELIVERED: "good", DeliveryStatus.FAILED: "critical"}.get(
            delivery.status, "neutral")
        return format_html('<span class="quality-badge quality-tone--{}">{}</span>',
                           tone, delivery.get_status_display())

    @admin.display(description="space", ordering="alert__space__name")
    def alert_space(self, delivery):
        return delivery.alert.space

    @admin.display(description="recipients")
    def recipients_display(self, delivery):
        return _json_html(delivery.recipients) if delivery.recipients else "—"
