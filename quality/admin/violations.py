"""The stewards' violation triage: the list, bulk steps, a violation's page, incidents, my work;
import and export of the list, and a quality check run from a contract's page."""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm, ImportForm

from contracts.admin.export_jobs import ExportJobMixin
from contracts.admin.import_export import (
    PendingImportConfirmForm,
    PendingImportMixin,
    editable_spaces,
)
from contracts.admin.import_jobs import ImportJobMixin
from contracts.resources import FORMATS
from quality import views
from quality.admin.base import QualityModelAdmin
from quality.admin.filters import (
    AssigneeFilter,
    CheckDateRangeFilter,
    ContractFilter,
    ErrorTypeFilter,
    FieldNameFilter,
    StatusFilter,
    ValuesRelatedFilter,
    violation_count_lookups,
)
from quality.admin.run_check import run_check_view
from quality.admin.triage import TRIAGE_STEPS, safe_return_url, triage_response
from quality.engine.sanitize import safe_text
from quality.models import QualityViolation, Severity, ViolationStatus
from quality.resources import QualityViolationResource
from quality.selectors import violation_count_total, violation_history
from quality.services.triage import violation_prioritize
from tenancy.markup import escaped
from tenancy.models import Space
from tenancy.moments import short_moment
from tenancy.sanitize import json_display

RULE_SOURCES = (
    "data_contract__schema",
    "data_contract__coercion_rules",
    "data_contract__validation_rules",
)


def _triage_action(step):
    description = f"{step.verb} selected violations{'…' if step.asks else ''}"

    @admin.action(description=description, permissions=["change"])
    def action(model_admin, request, queryset):
        return model_admin.triage(request, queryset, step)

    action.__name__ = step.action_name
    return action


# The columns the list shows: reading and decoding whole rows (records are JSON) would take
# most of the page's time.
LIST_COLUMNS = (
    "record_identifier", "field_name", "error_type", "error_message", "severity", "status",
    "not_found_since", "priority", "check_timestamp", "data_contract__name",
    "data_contract__version", "assignee__username", "assignee__first_name",
    "assignee__last_name", "space__name",
)
MESSAGE_CHARACTERS = 90
# The badges' labels, looked up once: Django's `get_FOO_display` builds the choices' dict
# again for each call. A value outside the choices (a pipeline's) shows as it is.
SEVERITY_LABELS = dict(Severity.choices)
STATUS_LABELS = dict(ViolationStatus.choices)


class ViolationChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).only(*LIST_COLUMNS)


class ViolationImportForm(ImportForm):
    """The library's import form, and the space the rows go to (one of the user's editable
    spaces; shown only when there are several)."""

    space = forms.ModelChoiceField(queryset=Space.objects.none(), label="Into space",
                                   empty_label=None)
    field_order = ["space", "resource", "import_file", "format"]

    def limit_spaces(self, spaces):
        field = self.fields["space"]
        field.queryset = spaces
        space_ids = list(spaces.values_list("id", flat=True))
        if len(space_ids) == 1:
            field.widget = forms.HiddenInput()
            field.initial = space_ids[0]
            if self.is_bound and not self.data.get(self.add_prefix("space")):
                self.data = self.data.copy()
                self.data[self.add_prefix("space")] = str(space_ids[0])


class ViolationConfirmImportForm(PendingImportConfirmForm):
    """Carries the chosen space from the preview to the import (checked again there)."""

    space = forms.ModelChoiceField(queryset=Space.objects.none(), widget=forms.HiddenInput)


@admin.register(QualityViolation)
class QualityViolationAdmin(ImportJobMixin, ExportJobMixin, PendingImportMixin,
                            ImportExportMixin, QualityModelAdmin):
    list_display = (
        "record_identifier",
        "data_contract",
        "field_name",
        "error_type",
        "message",
        "severity_badge",
        "status_badge",
        "assignee",
        "priority",
        "checked",
        "space",
    )
    list_display_links = ("record_identifier",)
    list_per_page = 50
    list_filter = (
        StatusFilter,
        "severity",
        ("data_contract", ContractFilter),
        AssigneeFilter,
        FieldNameFilter,
        ErrorTypeFilter,
        "priority",
        CheckDateRangeFilter,
        ("space", ValuesRelatedFilter),
    )
    list_select_related = ("data_contract", "assignee", "space")
    # A prefix match keeps to the record identifier's index (LIKE 'user_12%').
    search_fields = ("record_identifier__startswith", "error_message__icontains")
    search_help_text = (
        "Record identifiers that start with the text (e.g. user_12), or error messages that "
        "contain it (e.g. must be at least)."
    )
    ordering = ("-check_timestamp",)
    sortable_by = ("record_identifier", "severity_badge", "status_badge", "priority",
                   "checked")
    actions = [_triage_action(step) for step in TRIAGE_STEPS.values()]
    fieldsets = (
        (None, {"fields": ("record_identifier", "data_contract", "schema_version", "space",
                           "check_timestamp")}),
        ("What failed", {"fields": ("field_name", "error_type", "rule", "severity",
                                    "error_message", "rule_definition")}),
        ("Triage", {"fields": ("status", "not_found_since", "priority", "assignee",
                               "resolution_reason", "resolution_note", "resolved_by",
                               "resolved_at")}),
        ("Record", {"fields": ("record",)}),
    )
    readonly_fields = (
        "record_identifier", "data_contract", "schema_version", "space", "check_timestamp",
        "field_name", "error_type", "rule", "severity", "error_message", "rule_definition",
        "status", "not_found_since", "assignee", "resolution_reason", "resolution_note",
        "resolved_by", "resolved_at", "record",
    )

    # Import (previewed, row by row errors) and export of the filtered list.
    resource_classes = [QualityViolationResource]
    import_formats = FORMATS
    export_formats = FORMATS
    import_form_class = ViolationImportForm
    confirm_form_class = ViolationConfirmImportForm
    export_form_class = ExportForm  # the selectable-fields form builds resources without a space
    from_encoding = "utf-8-sig"
    import_export_change_list_template = (
        "admin/quality/qualityviolation/change_list_import_export.html"
    )

    class Media:
        css = {"all": ("pycharter/quality.css",)}

    def has_add_permission(self, request, obj=None):
        return False  # quality checks find violations; stewards triage them

    def has_import_permission(self, request):
        """Importing adds violations to a space the user may edit (chosen on the form)."""
        return self._may_edit(request, None)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def has_run_check_permission(self, request):
        """Whoever may edit in a space may check its contracts (checked per contract)."""
        return self._may_edit(request, None)

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.limit_spaces(editable_spaces(request))
        return form

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.fields["space"].queryset = editable_spaces(request)
        return form

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        return {"space": cleaned.get("space"), "actor": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        # The rows come from the list (the user's spaces, filtered), not from the resource.
        return {"space": None, "actor": request.user}

    def get_export_queryset(self, request):
        """The filtered list, with every column the file has (the list reads only a few)."""
        return (super().get_export_queryset(request).defer(None)
                .select_related("data_contract", "assignee"))

    def has_delete_permission(self, request, obj=None):
        return False  # resolving or ignoring keeps the history that deleting would lose

    def get_list_display(self, request):
        """The space column only tells something to those who see several spaces."""
        if len(request.tenant_access.space_ids) > 1:
            return self.list_display
        return tuple(column for column in self.list_display if column != "space")

    def get_changelist(self, request, **kwargs):
        return ViolationChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0,
                      allow_empty_first_page=True):
        """Counted from the violation counts when the filters allow it: at millions of
        violations, counting the rows would take longer than the rest of the page."""
        lookups = violation_count_lookups(dict(request.GET.lists()))
        known_count = None if lookups is None else violation_count_total(lookups=lookups)
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page,
                              known_count=known_count)

    def get_object_queryset(self, request):
        return super().get_object_queryset(request).select_related(*RULE_SOURCES)

    def save_model(self, request, obj, form, change):
        if "priority" in form.changed_data:
            violation_prioritize(violations=[obj], priority=obj.priority)

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context["transitions"] = violation_history(violation=obj)
        context["changelist_url"] = reverse(
            "admin:quality_qualityviolation_changelist", current_app=self.admin_site.name
        )
        context["triage_steps"] = (
            [step for step in TRIAGE_STEPS.values() if obj.status in step.from_statuses]
            if self.has_change_permission(request, obj) else []
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("incidents/", self.admin_site.admin_view(self.incidents_view),
                 name=f"{prefix}_incidents"),
            path("my-work/", self.admin_site.admin_view(self.my_work_view),
                 name=f"{prefix}_my_work"),
            path("run-check/<path:contract_id>/", self.admin_site.admin_view(self.run_check_view),
                 name=f"{prefix}_run_check"),
            *super().get_urls(),
        ]

    def incidents_view(self, request):
        return views.incidents_page(request, model_admin=self)

    def my_work_view(self, request):
        return views.my_work_page(request, model_admin=self)

    def run_check_view(self, request, contract_id):
        return run_check_view(request, contract_id, model_admin=self)

    def triage(self, request, queryset, step):
        """A bulk action: `step` on the selected violations, then back to where it started
        (the list with its filters, or the violation's page)."""
        return_url = safe_return_url(request, request.POST.get("next"),
                                     request.get_full_path())
        hidden_fields = [
            ("action", step.action_name),
            ("select_across", request.POST.get("select_across", "0")),
            ("next", return_url),
            *[("_selected_action", pk)
              for pk in request.POST.getlist(ACTION_CHECKBOX_NAME)],
        ]
        return triage_response(request, model_admin=self, step=step, violations=queryset,
                               hidden_fields=hidden_fields, return_url=return_url)

    @admin.display(description="severity", ordering="severity")
    def severity_badge(self, violation):
        return mark_safe(
            f'<span class="quality-badge quality-tone--{escaped(violation.severity or "neutral")}">'
            f'{escaped(SEVERITY_LABELS.get(violation.severity, violation.severity) or "—")}</span>'
        )

    @admin.display(description="status", ordering="status")
    def status_badge(self, violation):
        badge = mark_safe(
            f'<span class="quality-badge quality-status--{escaped(violation.status)}">'
            f'{escaped(STATUS_LABELS.get(violation.status, violation.status))}</span>'
        )
        if violation.not_found_since is None:
            return badge
        return format_html(
            '{} <span class="quality-badge quality-tone--warning" title="Since {}">not found in '
            'the latest check</span>', badge, f"{violation.not_found_since:%Y-%m-%d %H:%M}",
        )

    @admin.display(description="checked", ordering="check_timestamp")
    def checked(self, violation):
        """Date and time in the fewest characters: the list has many columns to fit."""
        if violation.check_timestamp is None:
            return "—"
        return short_moment(violation.check_timestamp)

    @admin.display(description="error message")
    def message(self, violation):
        """The start of the message; all of it on hover."""
        text = safe_text(violation.error_message or "")
        if not text:
            return "—"
        shown = text if len(text) <= MESSAGE_CHARACTERS else text[: MESSAGE_CHARACTERS - 1] + "…"
        return mark_safe(f'<span class="quality-message" title="{escaped(text)}">'
                         f"{escaped(shown)}</span>")

    @admin.display(description="record")
    def record(self, violation):
        if violation.record_data is None:
            return "—"
        return format_html('<pre class="quality-json">{}</pre>',
                           json_display(violation.record_data))

    @admin.display(description="what the contract says about this field")
    def rule_definition(self, violation):
        """The field's JSON Schema property, coercion and validation rules, from the
        contract's current components; the failed rule first among the validations."""
        contract = violation.data_contract
        field_name = violation.field_name
        if contract is None or not field_name:
            return "—"
        definition = {}
        if contract.schema is not None:
            properties = (contract.schema.schema_data or {}).get("properties") or {}
            if field_name in properties:
                definition["schema"] = properties[field_name]
        if contract.coercion_rules is not None and field_name in contract.coercion_rules.rules:
            definition["coercion"] = contract.coercion_rules.rules[field_name]
        if contract.validation_rules is not None:
            validations = contract.validation_rules.rules.get(field_name)
            if isinstance(validations, dict) and violation.rule in validations:
                validations = {violation.rule: validations[violation.rule], **validations}
            if validations is not None:
                definition["validations"] = validations
        if not definition:
            return "—"
        text = json.dumps(definition, indent=2, ensure_ascii=False)
        return format_html('<pre class="quality-json">{}</pre>', safe_text(text))
