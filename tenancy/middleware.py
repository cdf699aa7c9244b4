"""Enter the tenant scope of whoever makes the request, for the whole request.

Django renders template responses inside `get_response`, so pages are rendered
within the scope too. The rights are computed once and kept on the request as
`request.tenant_access` for permission checks. A request that presents an API
token acts for the token (its space, read-only unless it may write) instead of a
browser session; `request.api_token` is the token, or None.
"""

from tenancy.audit import audit_actor
from tenancy.scoping import Access, access_for, access_scope
from tenancy.tokens import ApiTokenInvalid, api_token_authenticate, presented_secret, token_access


class TenantScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_token = None
        request.api_token_invalid = False
        secret = presented_secret(request)
        if secret is None:
            request.tenant_access = access_for(request.user)
            actor = audit_actor(user=request.user, source="web")
        else:
            try:
                request.api_token = api_token_authenticate(secret)
            except ApiTokenInvalid:
                request.api_token_invalid = True
                request.tenant_access = Access()
                actor = audit_actor(name="api-token:invalid", source="api")
            else:
                token = request.api_token
                request.tenant_access = token_access(token)
                actor = audit_actor(user=token.created_by, name=f"api-token:{token.name}",
                                    source="api")
        with access_scope(request.tenant_access), actor:
            return self.get_response(request)
