"""Reads of tenancy data that the admin, commands and API share."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from tenancy.checks import TENANT_APPS
from tenancy.models import AuditLogEntry, Organization, OrganizationAdmin

# Entries about who belongs where: organization-wide, but not reference data.
WORKSPACE_MODELS = (Organization, OrganizationAdmin)


def audit_entries_visible(*, access, queryset):
    """Entries the user may read: organization admins every entry of their organizations;
    others the entries of their spaces and their organizations' reference data."""
    workspace_types = ContentType.objects.get_for_models(*WORKSPACE_MODELS).values()
    return queryset.filter(
        Q(organization_id__in=access.administered_organization_ids)
        | Q(space_id__in=access.space_ids)
        | (Q(space_id__isnull=True, organization_id__in=access.organization_ids)
           & ~Q(content_type__in=[content_type.pk for content_type in workspace_types]))
    )


def audit_values_visible(*, access, field):
    """The distinct values of `field` among the entries the user may read, sorted: the choices
    of the audit log's filters, so that they name nothing of another tenant."""
    return list(
        audit_entries_visible(access=access, queryset=AuditLogEntry.objects.all())
        .order_by(field).values_list(field, flat=True).distinct()
    )


def admin_log_entries_visible(*, user, access, queryset):
    """Django admin's log of actions (the index's "Recent actions") limited to objects the user
    may still read, judged by their audit entries, which carry the tenant even once the object
    is deleted: a user removed from a space no longer sees what they did there. Entries about
    objects of no tenant (accounts, groups) are for superusers only."""
    audited = audit_entries_visible(
        access=access,
        queryset=AuditLogEntry.objects.filter(content_type=OuterRef("content_type"),
                                              object_id=OuterRef("object_id")),
    )
    visible = Q(Exists(audited))
    if user.is_superuser:
        visible |= ~Q(content_type__app_label__in=TENANT_APPS)
    return queryset.filter(visible)


def organization_users(*, organization_ids):
    """Accounts already in these organizations: members of any of their spaces and their
    admins. Nobody names an account of another organization, nor learns that it exists."""
    ids = list(organization_ids)
    members = get_user_model().objects.filter(
        Q(space_memberships__space__organization_id__in=ids)
        | Q(administered_organizations__organization_id__in=ids)
    )
    return get_user_model().objects.filter(pk__in=members.values("pk")).order_by("username")
