"""The contract list and the one page per contract where a steward works on it.

The page edits the contract with its current parts (schema, coercion rules,
validation rules, metadata record) and links (owners by role, systems by role,
domains), lists the versions of each part across the contract's versions, and leads
to the lifecycle steps: new version, activate, deprecate, compare.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from contracts.admin import views
from contracts.admin.contract_import import contract_file_import_view
from contracts.admin.filters import DomainFilter, OwnerFilter, SystemFilter
from contracts.admin.forms import (
    CONTENT_FIELDS,
    METADATA_FIELDS,
    DataContractForm,
    NewVersionForm,
)
from contracts.admin.import_export import ContractImportExportMixin
from contracts.admin.widgets import json_block
from contracts.documents.bundle import OWNERSHIP_ROLES, SYSTEM_ROLES
from contracts.models import DataContract, MetadataRecord, Status
from contracts.resources import DataContractResource, OwnershipLinkResource, SystemLinkResource
from contracts.selectors import (
    COMPONENT_MODELS,
    CURRENT_COMPONENTS,
    contract_filter_by_owner_text,
    contract_history_parts,
    contract_links_get,
    contract_list_with_quality,
    contract_page_get,
    contract_reviews,
    contract_versions,
)
from contracts.services.contract_edit import (
    contract_create,
    contract_delete,
    contract_update,
    metadata_domains_set,
    metadata_owners_set,
    metadata_systems_set,
)
from tenancy.admin_base import TenantModelAdmin
from tenancy.moments import short_moment

STATUS_BADGE = '<span class="pycharter-status pycharter-status-{}">{}</span>'

CONTRACT_FIELDSET = ("Contract", {"fields": ("name", "version", "space", "status_badge",
                                             "description")})
LOCKED_NOTE = ("Locked: consumers rely on this version. Create a new version to change "
               "its schema or rules.")


def _status_html(status):
    return format_html(STATUS_BADGE, status or "draft", Status(status or "draft").label)


class ContractChangeList(ChangeList):
    """The list's contracts carry their latest quality (`contract_list_with_quality`); a
    contract's own page does without those subqueries."""

    def get_queryset(self, request, exclude_parameters=None):
        self.root_queryset = contract_list_with_quality(self.model_admin.get_queryset(request))
        return super().get_queryset(request, exclude_parameters)


@admin.register(DataContract)
class DataContractAdmin(ContractImportExportMixin, TenantModelAdmin):
    form = DataContractForm
    import_pages = (
        ("Import contracts", DataContractResource),
        ("Import ownership links", OwnershipLinkResource),
        ("Import system links", SystemLinkResource),
    )
    list_display = ("name", "version", "status_badge", "space", "open_violations",
                    "latest_quality", "last_checked")
    list_filter = ("space", "status", DomainFilter, OwnerFilter, SystemFilter)
    search_fields = ("name", "description")
    search_help_text = "Name, description, or the id or name of an owner in any role."
    list_select_related = ("space",)
    list_per_page = 50
    actions = ("new_version", "activate", "deprecate")
    change_form_template = "admin/contracts/datacontract/change_form.html"
    add_fieldsets = (
        ("Contract", {"fields": ("space", "name", "version", "description")}),
        ("JSON Schema", {"fields": ("schema_data",)}),
        ("Rules", {"fields": ("coercion_rules_data", "validation_rules_data")}),
        ("Metadata", {"fields": tuple(METADATA_FIELDS)}),
    )

    class Media:
        css = {"all": ["pycharter/contracts.css"]}

    # The list -----------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("space__organization",
                                                            *CURRENT_COMPONENTS)

    def get_changelist(self, request, **kwargs):
        return ContractChangeList

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= contract_filter_by_owner_text(queryset, text=search_term.strip())
        return results, may_have_duplicates

    @admin.display(description="status", ordering="status")
    def status_badge(self, contract):
        return _status_html(contract.status)

    @admin.display(description="open violations", ordering="open_violation_count")
    def open_violations(self, contract):
        if not contract.open_violation_count:
            return 0
        return format_html(
            '<a href="{}?data_contract__id__exact={}&amp;status=unresolved">{}</a>',
            reverse("admin:quality_qualityviolation_changelist"), contract.pk,
            contract.open_violation_count,
        )

    @admin.display(description="latest quality", ordering="latest_score")
    def latest_quality(self, contract):
        if contract.latest_passed is None and contract.latest_score is None:
            return "—"
        passed = contract.latest_passed == "true"
        score = "—" if contract.latest_score is None else f"{contract.latest_score:.1f}"
        return format_html(
            '<span class="pycharter-quality pycharter-quality-{}">{} {}</span>',
            "passed" if passed else "failed", score, "passed" if passed else "failed",
        )

    @admin.display(description="last check", ordering="last_checked_at")
    def last_checked(self, contract):
        if contract.last_checked_at is None:
            return "never"
        return short_moment(contract.last_checked_at)

    # The page -----------------------------------------------------------------------------

    def contract_or_404(self, request, object_id):
        """The contract, if the user may see it (its current parts loaded), else a 404."""
        return super().get_object(request, object_id)

    def get_object(self, request, object_id, from_field=None):
        if from_field is None:
            contract = contract_page_get(contract_id=object_id,
                                         space_ids=request.tenant_access.space_ids)
            if contract is None:
                raise Http404("No data contract matches the given id.")
        else:
            contract = super().get_object(request, object_id, from_field)
        contract.current_links = contract_links_get(metadata_record=contract.metadata_record)
        return contract

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # Django keeps declared fields the page does not show; they must not be validated.
        shown = set(form._meta.fields or ()) - set(form._meta.exclude or ())
        hidden = {name: None for name in form.declared_fields if name not in shown}
        return type(form.__name__, (form,), {"admin_site": self.admin_site, **hidden})

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        editable = self.has_change_permission(request, obj)
        if editable and obj.status == Status.DRAFT:
            parts = [
                ("JSON Schema", {"fields": ("schema_data",)}),
                ("Rules", {"fields": ("coercion_rules_data", "validation_rules_data")}),
            ]
        else:
            locked = {"description": LOCKED_NOTE} if editable else {}
            parts = [
                ("JSON Schema", {"fields": ("schema_display",), **locked}),
                ("Rules", {"fields": ("coercion_rules_display", "validation_rules_display"),
                           **locked}),
            ]
        if editable:
            links = [
                ("Metadata", {"fields": ("metadata_status", *METADATA_FIELDS)}),
                ("Ownership", {"fields": OWNERSHIP_ROLES,
                               "description": "Owners of this contract's organization, by role."}),
                ("Lineage", {"fields": SYSTEM_ROLES}),
                ("Domains", {"fields": ("domains",)}),
            ]
        else:
            links = [
                ("Metadata", {"fields": ("metadata_status", "metadata_type_display",
                                         "metadata_description_display",
                                         "governance_rules_display")}),
                ("Ownership", {"fields": ("ownership_display",)}),
                ("Lineage", {"fields": ("lineage_display",)}),
                ("Domains", {"fields": ("domains_display",)}),
            ]
        return [CONTRACT_FIELDSET, *parts, *links]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("name", "version", "space", "status_badge", "metadata_status", "schema_display",
                "coercion_rules_display", "validation_rules_display")

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None:
            editable = self.has_change_permission(request, obj)
            versions = contract_versions(contract=obj)
            context.update(
                component_versions=_component_versions_with_urls(versions.parts),
                family=versions.family,
                lifecycle_urls=self._lifecycle_urls(obj) if editable else {},
                reviews=contract_reviews(obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _lifecycle_urls(self, contract):
        urls = {
            "new_version": reverse("admin:contracts_datacontract_new_version", args=[contract.pk])
        }
        if contract.space.requires_review and contract.status == Status.DRAFT:
            urls["review"] = reverse("admin:contracts_datacontract_review", args=[contract.pk])
        if contract.status != Status.ACTIVE:
            urls["activate"] = reverse("admin:contracts_datacontract_activate",
                                       args=[contract.pk])
        if contract.status != Status.DEPRECATED:
            urls["deprecate"] = reverse("admin:contracts_datacontract_deprecate",
                                        args=[contract.pk])
        return urls

    @admin.display(description="metadata status")
    def metadata_status(self, contract):
        record = contract.metadata_record
        return _status_html(record.status) if record and record.status else "—"

    @admin.display(description="JSON Schema")
    def schema_display(self, contract):
        return json_block(contract.schema.schema_data if contract.schema else None)

    @admin.display(description="coercion rules")
    def coercion_rules_display(self, contract):
        return json_block(contract.coercion_rules.rules if contract.coercion_rules else None)

    @admin.display(description="validation rules")
    def validation_rules_display(self, contract):
        return json_block(contract.validation_rules.rules if contract.validation_rules else None)

    @admin.display(description="type")
    def metadata_type_display(self, contract):
        return (contract.metadata_record and contract.metadata_record.type) or "—"

    @admin.display(description="business description")
    def metadata_description_display(self, contract):
        return (contract.metadata_record and contract.metadata_record.description) or "—"

    @admin.display(description="governance rules")
    def governance_rules_display(self, contract):
        record = contract.metadata_record
        return json_block(record.governance_rules if record else None)

    @admin.display(description="owners by role")
    def ownership_display(self, contract):
        return _links_table(contract.current_links.owners)

    @admin.display(description="systems by role")
    def lineage_display(self, contract):
        return _links_table(contract.current_links.systems)

    @admin.display(description="domains")
    def domains_display(self, contract):
        return ", ".join(domain.name for domain in contract.current_links.domains) or "—"

    # Saving: only services ----------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        content = form.service_arguments({**CONTENT_FIELDS, **METADATA_FIELDS})
        if change:
            contract_update(contract=obj, actor=request.user,
                            description=form.cleaned_data["description"], **content)
        else:
            contract_create(contract=obj, actor=request.user, **content)

    def save_related(self, request, form, formsets, change):
        record = form.instance.metadata_record
        for role in OWNERSHIP_ROLES:
            if role in form.changed_data:
                metadata_owners_set(metadata_record=record, role=role,
                                    owners=form.cleaned_data[role], actor=request.user)
        for role in SYSTEM_ROLES:
            if role in form.changed_data:
                metadata_systems_set(metadata_record=record, role=role,
                                     systems=form.cleaned_data[role], actor=request.user)
        if "domains" in form.changed_data:
            metadata_domains_set(metadata_record=record, domains=form.cleaned_data["domains"],
                                 actor=request.user)

    def delete_model(self, request, obj):
        contract_delete(contract=obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        # A draft goes with its own parts and links, which are never deleted on their own.
        return deleted, counts, set(), protected

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == Status.DRAFT)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request, f"{obj} was added as a draft. Now name its owners, systems and domains.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(views.change_url(obj))

    # Lifecycle ----------------------------------------------------------------------------

    def history_parts(self, contract):
        return contract_history_parts(contract=contract)

    def get_urls(self):
        def contract_view(view, suffix, route="<path:object_id>/{}/"):
            return path(
                route.format(suffix),
                self.admin_site.admin_view(lambda request, **kwargs: view(self, request,
                                                                          **kwargs)),
                name=f"contracts_datacontract_{suffix.replace('-', '_')}",
            )

        return [
            path("import-contract-file/",
                 self.admin_site.admin_view(lambda request: contract_file_import_view(self,
                                                                                      request)),
                 name="contracts_datacontract_import_contract_file"),
            contract_view(views.reference_autocomplete_view, "reference-autocomplete"),
            contract_view(views.new_version_view, "new-version"),
            contract_view(views.activate_view, "activate"),
            contract_view(views.renumber_view, "renumber"),
            contract_view(views.deprecate_view, "deprecate"),
            contract_view(views.review_view, "review"),
            contract_view(views.compare_view, "compare",
                          route="<path:object_id>/{}/<path:other_id>/"),
            *super().get_urls(),
        ]

    def get_actions(self, request):
        # Contracts are deleted one draft at a time, from their page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _editable(self, request, queryset):
        """The selected contracts the user may change; tells about the others."""
        editable = [contract for contract in queryset
                    if self.has_change_permission(request, contract)]
        skipped = len(queryset) - len(editable)
        if skipped:
            self.message_user(request, f"Skipped {skipped} contract(s) you may only read.",
                              messages.WARNING)
        return editable

    @admin.action(description="Create a new version of the selected contracts…",
                  permissions=["change"])
    def new_version(self, request, queryset):
        contracts = self._editable(request, queryset)
        if not contracts:
            return None
        if "apply" in request.POST:
            form = NewVersionForm(request.POST)
            if form.is_valid():
                views.new_versions_create(self, request, contracts, form.cleaned_data["bump"])
                return None
        else:
            form = NewVersionForm()
        return views.new_version_page(self, request, contracts, form,
                                      selected_action=[contract.pk for contract in contracts])

    @admin.action(description="Activate the selected contract…", permissions=["change"])
    def activate(self, request, queryset):
        contracts = self._editable(request, queryset)
        if len(contracts) != 1:
            if contracts:
                self.message_user(
                    request, "Activate one contract at a time: each is reviewed against the "
                    "version it replaces.", messages.ERROR,
                )
            return None
        return HttpResponseRedirect(
            reverse("admin:contracts_datacontract_activate", args=[contracts[0].pk])
        )

    @admin.action(description="Deprecate the selected contracts", permissions=["change"])
    def deprecate(self, request, queryset):
        views.contracts_deprecate(self, request, self._editable(request, queryset))


def _component_versions_with_urls(parts):
    """Each part's versions with the URL of its page, titled as the page shows them."""
    return [
        (
            capfirst(COMPONENT_MODELS[component]._meta.verbose_name),
            [
                (item, reverse(
                    f"admin:contracts_{COMPONENT_MODELS[component]._meta.model_name}_change",
                    args=[item.component_id],
                ))
                for item in versions
            ],
        )
        for component, versions in parts.items()
    ]


def _links_table(links_by_role):
    return format_html(
        '<table class="pycharter-links">{}</table>',
        format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td></tr>",
            (
                (capfirst(MetadataRecord._meta.get_field(role).verbose_name),
                 ", ".join(str(target) for target in targets) or "—")
                for role, targets in links_by_role.items()
            ),
        ),
    )
