"""Who may call the API: anyone who reaches a space reads; writes need a space to edit.

Each write also checks the one space or organization it changes (`require_editable_*`).
"""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission


def request_access(request):
    return request._request.tenant_access


class TenantAccessPermission(BasePermission):
    message = "This token or account reaches no space, or may only read."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        access = request_access(request)
        if request.method in SAFE_METHODS:
            return bool(access.space_ids)
        return access.can_edit_anything


def require_editable_space(request, space_id):
    if not request_access(request).can_edit_space(space_id):
        raise PermissionDenied("This token or account may only read this space.")


def require_editable_organization(request, organization_id):
    if not request_access(request).can_edit_organization(organization_id):
        raise PermissionDenied("This token or account may only read this organization's data.")
