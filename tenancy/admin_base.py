"""Base classes for every admin of a tenant model: rights come from memberships.

Rows are already limited to the user's spaces by the request's scope (see
`tenancy.middleware`); these classes add who may change what: viewers read,
stewards and space admins edit in their spaces, organization admins in all the
spaces of their organization. Querysets are sealed, so a list or page that
would lazily load a relation per row fails in tests instead of going slow.
"""

from django.contrib import admin

from tenancy.models import Space


def _access(request):
    return request.tenant_access


class TenantAdminMixin:
    """For models owned by a space (`space_path` leads to it) or an organization."""

    #: Path from the model to its space, e.g. "data_contract__space"; None for organization data.
    space_path = "space"
    #: Path from the model to its organization, for reference data.
    organization_path = None

    def get_queryset(self, request):
        return super().get_queryset(request).seal()

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and bool(_access(request).space_ids)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, None)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def _may_edit(self, request, obj):
        access = _access(request)
        if not (request.user.is_active and request.user.is_staff and access.can_edit_anything):
            return False
        if obj is None:
            return True
        if self.organization_path:
            return access.can_edit_organization(self._tenant_id(obj, self.organization_path))
        return access.can_edit_space(self._tenant_id(obj, self.space_path))

    @staticmethod
    def _tenant_id(obj, path):
        """The id at the end of `path` (e.g. data_contract__space -> space id) without a query
        when the path is a direct foreign key."""
        parts = path.split("__")
        target = obj
        for part in parts[:-1]:
            target = getattr(target, part)
        return getattr(target, f"{parts[-1]}_id")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        access = _access(request)
        if db_field.related_model is Space:
            kwargs["queryset"] = Space.objects.filter(id__in=access.editable_space_ids)
        elif db_field.name == "organization":
            from tenancy.models import Organization

            kwargs["queryset"] = Organization.objects.filter(
                id__in=access.editable_organization_ids
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TenantModelAdmin(TenantAdminMixin, admin.ModelAdmin):
    """The ModelAdmin every tenant model's admin is built on (checked by tenancy.E002)."""


class TenantTabularInline(TenantAdminMixin, admin.TabularInline):
    pass


class TenantStackedInline(TenantAdminMixin, admin.StackedInline):
    pass
