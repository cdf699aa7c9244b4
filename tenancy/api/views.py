"""What every API view shares: objects by id with one 404, and the organization a write is for."""

from django.core.exceptions import ValidationError
from rest_framework import exceptions

from tenancy.api.errors import NOT_FOUND
from tenancy.api.permissions import request_access
from tenancy.models import Organization


def object_or_404(queryset, **lookups):
    """The one row of the (scoped) queryset matching `lookups`: another space's row, a
    missing one and a malformed id all answer the same 404."""
    try:
        found = queryset.filter(**lookups).first()
    except (ValidationError, ValueError):
        found = None
    if found is None:
        raise exceptions.NotFound(NOT_FOUND)
    return found


def editable_organization(request, slug=None):
    """The organization a reference-data write is for: `slug`, or the only one the caller
    edits."""
    organizations = Organization.objects.filter(
        id__in=request_access(request).editable_organization_ids
    ).order_by("slug")
    if slug:
        return object_or_404(organizations, slug=slug)
    candidates = list(organizations[:2])
    if len(candidates) != 1:
        raise exceptions.ValidationError(
            {"organization": ["Name the organization (its slug): you edit several."]}
            if candidates else {"organization": ["You edit no organization."]}
        )
    return candidates[0]


def actor_name(request):
    """Who rows written by this request name as their writer: the token, or the user."""
    token = getattr(request._request, "api_token", None)
    return f"api-token:{token.name}" if token is not None else request.user.get_username()


def schema_generation(view):
    """True while drf-spectacular inspects the view outside any request's scope."""
    return getattr(view, "swagger_fake_view", False)
