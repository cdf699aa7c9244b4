"""Reads of tenancy data that the admin, commands and API share."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from tenancy.models import Organization, OrganizationAdmin

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


def organization_users(*, organization_ids):
    """Accounts already in these organizations: members of any of their spaces and their
    admins. Nobody names an account of another organization, nor learns that it exists."""
    ids = list(organization_ids)
    members = get_user_model().objects.filter(
        Q(space_memberships__space__organization_id__in=ids)
        | Q(administered_organizations__organization_id__in=ids)
    )
    return get_user_model().objects.filter(pk__in=members.values("pk")).order_by("username")
