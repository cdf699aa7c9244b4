"""The Workspace section: organizations, spaces, who is a member of which, who administers.

Everyone sees the workspace rows of their own spaces. Managing them is narrower than
editing contracts: space admins manage the members of their space, organization
admins every space of their organization (and who else administers it); stewards
and viewers only read. Django's own User admin stays as it is.
"""


from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from tenancy.admin_base import ReadOnlyAdminMixin, TenantModelAdmin, audit_change_rows
from tenancy.models import (
    AuditLogEntry,
    Membership,
    Organization,
    OrganizationAdmin,
    Space,
)
from tenancy.selectors import audit_entries_visible


class AdministeredOrganizationsMixin:
    """Workspace admins an organization admin uses before their organization has a space:
    visible to them, with the organization field offering the organizations they administer."""

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        user = request.user
        return user.is_active and user.is_staff and bool(
            request.tenant_access.administered_organization_ids
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "organization":
            field.queryset = Organization.objects.filter(
                id__in=request.tenant_access.administered_organization_ids
            )
        return field


class UsernameField(forms.ModelChoiceField):
    """A user named by their username: nobody browses the list of every account."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=get_user_model().objects.all(),
            to_field_name="username",
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
            error_messages={"invalid_choice": "No account has this username."},
            help_text="The username of an existing account.",
            **kwargs,
        )


# The admin adds the space or organization field in the request's scope: a scoped manager
# cannot list choices when this module is imported.


class MembershipForm(forms.ModelForm):
    user = UsernameField(label="user")

    class Meta:
        model = Membership
        fields = ["user", "role"]


class OrganizationAdminForm(forms.ModelForm):
    user = UsernameField(label="user")

    class Meta:
        model = OrganizationAdmin
        fields = ["user"]


@admin.register(Organization)
class OrganizationModelAdmin(AdministeredOrganizationsMixin, TenantModelAdmin):
    space_path = None
    list_display = ("name", "slug", "space_count")
    search_fields = ("name", "slug")
    fields = ("name", "slug")

    def get_queryset(self, request):
        visible = Q(spaces__id__in=request.tenant_access.space_ids)
        return super().get_queryset(request).annotate(
            space_count=Count("spaces", filter=visible, distinct=True)
        )

    @admin.display(description="spaces you see", ordering="space_count")
    def space_count(self, organization):
        return organization.space_count

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        administered = request.tenant_access.administered_organization_ids
        return bool(administered) if obj is None else obj.pk in administered

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Space)
class SpaceModelAdmin(AdministeredOrganizationsMixin, TenantModelAdmin):
    space_path = None
    list_display = ("name", "organization", "is_default", "member_count", "contract_count")
    list_filter = ("organization", "is_default")
    search_fields = ("name", "slug", "description")
    list_select_related = ("organization",)
    fields = ("organization", "name", "slug", "description", "is_default")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization").annotate(
            member_count=Count("memberships", distinct=True),
            contract_count=Count("data_contracts", distinct=True),
        )

    @admin.display(description="members", ordering="member_count")
    def member_count(self, space):
        return space.member_count

    @admin.display(description="contract versions", ordering="contract_count")
    def contract_count(self, space):
        return space.contract_count

    def get_readonly_fields(self, request, obj=None):
        # The default space receives every row other tools write without one, whatever
        # their organization: only a superuser may move it.
        readonly = [] if request.user.is_superuser else ["is_default"]
        return [*readonly, "organization"] if obj is not None else readonly

    def has_add_permission(self, request):
        return bool(request.tenant_access.administered_organization_ids)

    def has_change_permission(self, request, obj=None):
        managed = request.tenant_access.managed_space_ids
        return bool(managed) if obj is None else obj.pk in managed

    def has_delete_permission(self, request, obj=None):
        administered = request.tenant_access.administered_organization_ids
        return bool(administered) if obj is None else obj.organization_id in administered


@admin.register(Membership)
class MembershipModelAdmin(TenantModelAdmin):
    form = MembershipForm
    fields = ("space", "user", "role")
    list_display = ("user", "user_email", "space", "role", "created_at")
    list_filter = ("role", "space")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "space")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "space")

    @admin.display(description="email", ordering="user__email")
    def user_email(self, membership):
        return membership.user.email

    def get_readonly_fields(self, request, obj=None):
        return ("space", "user") if obj is not None else ()

    def has_add_permission(self, request):
        return bool(request.tenant_access.managed_space_ids)

    def has_change_permission(self, request, obj=None):
        managed = request.tenant_access.managed_space_ids
        return bool(managed) if obj is None else obj.space_id in managed

    has_delete_permission = has_change_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "space":
            managed = request.tenant_access.managed_space_ids
            field.queryset = field.queryset.filter(id__in=managed)
        return field


@admin.register(OrganizationAdmin)
class OrganizationAdminModelAdmin(AdministeredOrganizationsMixin, TenantModelAdmin):
    form = OrganizationAdminForm
    fields = ("organization", "user")
    space_path = None
    organization_path = "organization"
    list_display = ("user", "organization", "created_at")
    list_filter = ("organization",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "organization")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organization")

    def get_readonly_fields(self, request, obj=None):
        return ("organization", "user") if obj is not None else ()

    def has_add_permission(self, request):
        return bool(request.tenant_access.administered_organization_ids)

    def has_change_permission(self, request, obj=None):
        administered = request.tenant_access.administered_organization_ids
        return bool(administered) if obj is None else obj.organization_id in administered

    has_delete_permission = has_change_permission


# The audit log ---------------------------------------------------------------------------

class AuditSpaceFilter(admin.SimpleListFilter):
    title = "space"
    parameter_name = "space"

    def lookups(self, request, model_admin):
        spaces = Space.objects.filter(id__in=request.tenant_access.space_ids).select_related(
            "organization"
        ).order_by("organization__name", "name")
        return [(str(space.pk), f"{space.organization.name} / {space.name}") for space in spaces]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(space_id=self.value())
        return queryset


class AuditSourceFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        sources = audit_entries_visible(
            access=request.tenant_access, queryset=AuditLogEntry.objects.all()
        ).order_by(
            "source").values_list("source", flat=True).distinct()
        return [(source or "-", source or "(none)") for source in sources]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(source="" if self.value() == "-" else self.value())
        return queryset


@admin.register(AuditLogEntry)
class AuditLogEntryModelAdmin(ReadOnlyAdminMixin, TenantModelAdmin):
    """The audit log of the spaces the user sees: read-only for everyone, superusers too."""

    space_path = None
    list_display = ("created_at", "actor_name", "source", "action", "object_link", "space",
                    "changed_fields")
    list_filter = ("action", AuditSpaceFilter, AuditSourceFilter, "created_at")
    search_fields = ("object_repr", "object_id", "actor_name")
    search_help_text = "The object (its name or id) or the actor."
    list_select_related = ("space", "content_type")
    date_hierarchy = None
    list_per_page = 100
    show_full_result_count = False
    fields = ("created_at", "actor_name", "source", "action", "organization", "space",
              "content_type", "object_id", "object_link", "changes_table")
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related(
            "space", "organization", "content_type"
        )
        return audit_entries_visible(access=request.tenant_access, queryset=queryset)

    @admin.display(description="object", ordering="object_repr")
    def object_link(self, entry):
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        if model is None or not entry.object_id or model not in self.admin_site._registry:
            return entry.object_repr
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                          args=[quote(entry.object_id)], current_app=self.admin_site.name)
        except NoReverseMatch:
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)

    @admin.display(description="fields")
    def changed_fields(self, entry):
        return ", ".join(entry.changes or {}) or "—"

    @admin.display(description="changes")
    def changes_table(self, entry):
        from django.template.loader import render_to_string

        return render_to_string("admin/tenancy/audit_changes.html",
                                {"changes": audit_change_rows(entry.changes)})


from tenancy import admin_jobs  # noqa: E402, F401  (registers the jobs admin)
