"""Enter the signed-in user's tenant scope for the whole request.

Django renders template responses inside `get_response`, so pages are rendered
within the scope too. The user's rights are computed once and kept on the
request as `request.tenant_access` for permission checks; the user is the actor of
every audit log entry the request records.
"""

from tenancy.audit import audit_actor
from tenancy.scoping import access_for, access_scope


class TenantScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant_access = access_for(request.user)
        with access_scope(request.tenant_access), audit_actor(user=request.user, source="web"):
            return self.get_response(request)
