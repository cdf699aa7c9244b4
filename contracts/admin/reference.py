"""An organization's reference data: the owners, systems and domains its contracts link to."""

from django.contrib import admin
from django.db import models, transaction
from django.urls import reverse
from django.utils.html import format_html

from contracts.admin.forms import ReferenceEntityForm
from contracts.admin.import_export import TenantImportExportMixin
from contracts.admin.widgets import PrettyJSONField
from contracts.models import Domain, Owner, System
from contracts.resources import DomainResource, OwnerResource, SystemResource
from contracts.services.contract_edit import reference_entity_save
from contracts.services.reference import reference_entity_delete, reference_entity_delete_refusal
from tenancy.admin_base import TenantModelAdmin


class ReferenceEntityAdmin(TenantImportExportMixin, TenantModelAdmin):
    form = ReferenceEntityForm
    space_path = None
    organization_path = "organization"
    list_select_related = ("organization",)
    formfield_overrides = {models.JSONField: {"form_class": PrettyJSONField}}
    #: The contracts list's filter that finds this entity's contracts.
    contract_filter = None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")

    def get_readonly_fields(self, request, obj=None):
        # Links of other contracts point at it: it cannot move to another organization.
        return ("organization",) if obj is not None else ()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organizations = request.tenant_access.editable_organization_ids
        if len(organizations) == 1:
            initial.setdefault("organization", organizations[0])
        return initial

    @admin.display(description="contracts")
    def contracts(self, entity):
        return format_html(
            '<a href="{}?{}={}">Contracts</a>',
            reverse("admin:contracts_datacontract_changelist"), self.contract_filter, entity.pk,
        )

    def save_model(self, request, obj, form, change):
        reference_entity_save(entity=obj)

    # Links from other spaces' contracts point at an entity: the service decides who may
    # delete it, and the confirmation says why not instead of offering the button.
    delete_confirmation_template = "admin/contracts/reference_delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/contracts/reference_delete_selected_confirmation.html"
    )

    def get_deleted_objects(self, objs, request):
        objs = list(objs)
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        refusals = [refusal for entity in objs
                    if (refusal := reference_entity_delete_refusal(actor=request.user,
                                                                   entity=entity))]
        return to_delete, model_count, {*perms_needed, *refusals}, protected

    def delete_model(self, request, obj):
        reference_entity_delete(actor=request.user, entity=obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for entity in queryset:
            reference_entity_delete(actor=request.user, entity=entity)


@admin.register(Owner)
class OwnerAdmin(ReferenceEntityAdmin):
    resource_classes = [OwnerResource]
    list_display = ("id", "name", "email", "team", "organization", "contracts")
    list_filter = ("organization", "team")
    search_fields = ("id", "name", "email", "team")
    fields = ("id", "name", "email", "team", "additional_info", "organization")
    contract_filter = "owner"

    def get_readonly_fields(self, request, obj=None):
        # Link tables of every PyCharter client refer to owners by this id.
        readonly = super().get_readonly_fields(request, obj)
        return ("id", *readonly) if obj is not None else readonly


@admin.register(System)
class SystemAdmin(ReferenceEntityAdmin):
    resource_classes = [SystemResource]
    list_display = ("name", "app_id", "provider_type", "is_active", "organization", "contracts")
    list_filter = ("organization", "provider_type", "is_active")
    search_fields = ("name", "app_id", "description")
    fields = ("name", "app_id", "description", "provider_type", "is_active", "config",
              "organization")
    contract_filter = "system"


@admin.register(Domain)
class DomainAdmin(ReferenceEntityAdmin):
    resource_classes = [DomainResource]
    list_display = ("name", "description", "organization", "contracts")
    list_filter = ("organization",)
    search_fields = ("name", "description")
    fields = ("name", "description", "organization")
    contract_filter = "domain"
