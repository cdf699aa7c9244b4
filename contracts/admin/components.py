"""The versions of contracts' parts, and breaking-change sign-offs, to browse and read.

Parts are edited on their contract's page, where they are checked together; sign-offs
are a record and never change.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from contracts.admin.widgets import json_block
from contracts.models import (
    BreakingChangeSignOff,
    CoercionRuleSet,
    MetadataRecord,
    Schema,
    ValidationRuleSet,
)
from contracts.selectors import contract_links_get
from tenancy.admin_base import TenantModelAdmin


class ReadOnlyContractPartAdmin(TenantModelAdmin):
    space_path = "data_contract__space"
    list_display = ("title", "version", "contract", "contract_status", "created_at")
    list_filter = ("data_contract__space", "data_contract__status")
    search_fields = ("title", "version", "data_contract__name")
    list_select_related = ("data_contract__space",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("data_contract__space")

    @admin.display(description="contract", ordering="data_contract__name")
    def contract(self, part):
        contract = part.data_contract
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:contracts_datacontract_change", args=[contract.pk]), contract,
        )

    @admin.display(description="contract status", ordering="data_contract__status")
    def contract_status(self, part):
        return part.data_contract.get_status_display()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Schema)
class SchemaAdmin(ReadOnlyContractPartAdmin):
    fields = ("title", "version", "contract", "created_at", "updated_at", "schema_display")

    @admin.display(description="JSON Schema")
    def schema_display(self, schema):
        return json_block(schema.schema_data)


class RuleSetAdmin(ReadOnlyContractPartAdmin):
    fields = ("title", "version", "contract", "description", "created_at", "updated_at",
              "rules_display")

    @admin.display(description="rules")
    def rules_display(self, rule_set):
        return json_block(rule_set.rules)


@admin.register(CoercionRuleSet)
class CoercionRuleSetAdmin(RuleSetAdmin):
    pass


@admin.register(ValidationRuleSet)
class ValidationRuleSetAdmin(RuleSetAdmin):
    pass


@admin.register(MetadataRecord)
class MetadataRecordAdmin(ReadOnlyContractPartAdmin):
    list_display = ("title", "version", "contract", "status", "type", "updated_at")
    list_filter = ("data_contract__space", "status")
    fields = ("title", "version", "contract", "status", "type", "description",
              "governance_rules_display", "links_display", "created_by", "updated_by",
              "created_at", "updated_at")

    @admin.display(description="governance rules")
    def governance_rules_display(self, record):
        return json_block(record.governance_rules)

    @admin.display(description="owners, systems and domains")
    def links_display(self, record):
        links = contract_links_get(metadata_record=record)
        rows = [
            *((MetadataRecord._meta.get_field(role).verbose_name, targets)
              for role, targets in (*links.owners.items(), *links.systems.items())),
            ("domains", links.domains),
        ]
        return format_html(
            '<table class="pycharter-links">{}</table>',
            format_html_join(
                "", "<tr><th>{}</th><td>{}</td></tr>",
                ((capfirst(name), ", ".join(str(target) for target in targets) or "—")
                 for name, targets in rows),
            ),
        )


@admin.register(BreakingChangeSignOff)
class BreakingChangeSignOffAdmin(TenantModelAdmin):
    space_path = "data_contract__space"
    list_display = ("contract", "compared_with_version", "signed_off_by_name", "change_count",
                    "created_at")
    list_filter = ("data_contract__space",)
    search_fields = ("data_contract__name", "signed_off_by_name", "note")
    list_select_related = ("data_contract__space",)
    fields = ("contract", "compared_with_version", "signed_off_by_name", "created_at", "note",
              "changes_display")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("data_contract__space")

    @admin.display(description="version signed off", ordering="data_contract__name")
    def contract(self, sign_off):
        return ReadOnlyContractPartAdmin.contract(self, sign_off)

    @admin.display(description="breaking changes")
    def change_count(self, sign_off):
        return len(sign_off.breaking_changes)

    @admin.display(description="breaking changes accepted")
    def changes_display(self, sign_off):
        return format_html(
            '<table class="pycharter-diff"><tr><th>part</th><th>field</th><th>change</th></tr>'
            "{}</table>",
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((change.get("component"), change.get("field") or "(whole schema)",
                  change.get("explanation")) for change in sign_off.breaking_changes),
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
