"""The Workspace section: organizations, spaces, who is a member of which, who administers.

Everyone sees the workspace rows of their own spaces. Managing them is narrower than
editing contracts: space admins manage the members of their space, organization
admins every space of their organization (and who else administers it); stewards
and viewers only read. Django's own User admin stays as it is.
"""


from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from tenancy.admin_base import ReadOnlyAdminMixin, TenantModelAdmin
from tenancy.audit_labels import action_title, audit_entries_named
from tenancy.memberships import membership_delete, membership_save
from tenancy.models import (
    ApiToken,
    AuditLogEntry,
    Membership,
    Organization,
    OrganizationAdmin,
    Space,
)
from tenancy.selectors import audit_entries_visible, audit_values_visible, organization_users
from tenancy.tokens import api_token_create, api_token_revoke


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


UNKNOWN_ACCOUNT = ("Choose an account of this organization: a member of one of its spaces or "
                   "one of its admins.")


class WorkspaceUserForm(forms.ModelForm):
    """Names a user already in the organization (a member of one of its spaces or one of its
    admins): nobody browses, adds or probes the accounts of other organizations. Superusers
    name any account, to bring a new one in."""

    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), to_field_name="username", label="user",
        error_messages={"invalid_choice": UNKNOWN_ACCOUNT},
        help_text="An account of this organization.",
    )
    #: The organizations whose accounts the form offers (set per request by the admin); None
    #: offers every account.
    organization_ids = ()
    #: The form's space or organization field: the chosen user must already belong to its
    #: organization.
    tenant_field = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = self._accounts(self.organization_ids)

    def _accounts(self, organization_ids):
        if organization_ids is None:
            return get_user_model().objects.order_by("username")
        return organization_users(organization_ids=organization_ids)

    def clean(self):
        cleaned = super().clean()
        user, tenant = cleaned.get("user"), cleaned.get(self.tenant_field)
        if user is None or tenant is None or self.organization_ids is None:
            return cleaned
        organization_id = tenant.pk if isinstance(tenant, Organization) else tenant.organization_id
        if not self._accounts([organization_id]).filter(pk=user.pk).exists():
            self.add_error("user", UNKNOWN_ACCOUNT)
        return cleaned


# The admin adds the space or organization field in the request's scope: a scoped manager
# cannot list choices when this module is imported.


class MembershipForm(WorkspaceUserForm):
    tenant_field = "space"

    class Meta:
        model = Membership
        fields = ["user", "role"]


class OrganizationAdminForm(WorkspaceUserForm):
    tenant_field = "organization"

    class Meta:
        model = OrganizationAdmin
        fields = ["user"]


class WorkspaceUserAdminMixin:
    """Gives the form the organizations whose accounts the request's user may name."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.organization_ids = (
            None if request.user.is_superuser else self.user_organization_ids(request)
        )
        return form


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
class MembershipModelAdmin(WorkspaceUserAdminMixin, TenantModelAdmin):
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

    def save_model(self, request, obj, form, change):
        membership_save(membership=obj, actor=request.user)

    def delete_model(self, request, obj):
        membership_delete(membership=obj, actor=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            membership_delete(membership=membership, actor=request.user)

    def user_organization_ids(self, request):
        return set(Space.objects.filter(id__in=request.tenant_access.managed_space_ids)
                   .values_list("organization_id", flat=True))

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
class OrganizationAdminModelAdmin(WorkspaceUserAdminMixin, AdministeredOrganizationsMixin,
                                  TenantModelAdmin):
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

    def user_organization_ids(self, request):
        return request.tenant_access.administered_organization_ids

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
        sources = audit_values_visible(access=request.tenant_access, field="source")
        return [(source or "-", source or "(none)") for source in sources]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(source="" if self.value() == "-" else self.value())
        return queryset


class AuditObjectTypeFilter(admin.SimpleListFilter):
    """The kind of object; the search box then finds it by name."""

    title = "object type"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        ids = audit_values_visible(access=request.tenant_access, field="content_type")
        # get_for_id is cached per process: no query per type.
        return sorted(((str(pk), str(ContentType.objects.get_for_id(pk).name)) for pk in ids),
                      key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(content_type_id=self.value())
        return queryset


class AuditActorFilter(admin.SimpleListFilter):
    title = "actor"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        actors = audit_values_visible(access=request.tenant_access, field="actor_name")
        return [(actor, actor) for actor in actors]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(actor_name=self.value())
        return queryset


class AuditActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = audit_values_visible(access=request.tenant_access, field="action")
        return sorted(((code, action_title(code)) for code in codes),
                      key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


class AuditChangeList(ChangeList):
    """Names the page's entries once (one query per related model) for the action column."""

    def get_results(self, request):
        super().get_results(request)
        named = audit_entries_named(self.result_list)
        for item in named:
            item.entry.named = item
        self.result_list = [item.entry for item in named]


@admin.register(AuditLogEntry)
class AuditLogEntryModelAdmin(ReadOnlyAdminMixin, TenantModelAdmin):
    """The audit log of the spaces the user sees: read-only for everyone, superusers too."""

    space_path = None
    list_display = ("created_at", "actor_name", "source", "object_link", "sentence", "space")
    list_filter = (AuditObjectTypeFilter, AuditActorFilter, AuditActionFilter, AuditSpaceFilter,
                   AuditSourceFilter, "created_at")
    search_fields = ("object_repr", "object_id", "actor_name")
    search_help_text = "The object (its name or id) or the actor."
    list_select_related = ("space", "content_type")
    date_hierarchy = None
    list_per_page = 100
    show_full_result_count = False
    fields = ("created_at", "actor_name", "source", "sentence", "action", "organization",
              "space", "content_type", "object_id", "object_link", "changes_table")
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related(
            "space", "organization", "content_type"
        )
        return audit_entries_visible(access=request.tenant_access, queryset=queryset)

    def get_changelist(self, request, **kwargs):
        return AuditChangeList

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

    @admin.display(description="what", ordering="action")
    def sentence(self, entry):
        return format_html('<span title="{}">{}</span>', entry.action, self._named(entry).sentence)

    @admin.display(description="changes")
    def changes_table(self, entry):
        from django.template.loader import render_to_string

        return render_to_string("admin/tenancy/audit_changes.html",
                                {"changes": self._named(entry).rows})

    @staticmethod
    def _named(entry):
        """The entry in words: named with its page on the list, on its own on its page."""
        if not hasattr(entry, "named"):
            entry.named = audit_entries_named([entry])[0]
        return entry.named


@admin.register(ApiToken)
class ApiTokenModelAdmin(TenantModelAdmin):
    """Tokens for pipelines: the secret is shown once, on creation; afterwards only its prefix.

    Stewards and space admins create tokens for their spaces; a token is never edited,
    only revoked (kept, so its history stays readable).
    """

    fields = ("space", "name", "can_write", "expires_at")
    list_display = ("name", "space", "prefix", "can_write", "expires_at", "last_used_at",
                    "revoked_at", "created_by")
    list_filter = ("space", "can_write")
    search_fields = ("name", "prefix")
    list_select_related = ("space", "created_by")
    actions = ["revoke_tokens"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("space", "created_by")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("space", "name", "can_write", "expires_at", "prefix", "last_used_at",
                "revoked_at", "created_by")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token, secret = api_token_create(
            space=obj.space, name=obj.name, created_by=request.user, can_write=obj.can_write,
            expires_at=obj.expires_at,
        )
        obj.pk, obj.prefix, obj.secret_hash = token.pk, token.prefix, token.secret_hash
        obj._state.adding = False
        self.message_user(
            request,
            f"The secret of {token.name}: {secret} (copy it now: it is not shown again).",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke_tokens(self, request, queryset):
        editable = request.tenant_access.editable_space_ids
        tokens = [token for token in queryset if token.space_id in editable]
        for token in tokens:
            api_token_revoke(token=token)
        self.message_user(request, f"Revoked {len(tokens)} token(s).", messages.SUCCESS)
from tenancy import admin_jobs  # noqa: E402, F401  (registers the jobs admin)
