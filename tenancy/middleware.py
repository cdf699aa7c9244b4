"""Enter the signed-in user's tenant scope for the whole request.

Django renders template responses inside `get_response`, so pages are rendered
within the scope too.
"""

from tenancy.scoping import user_scope


class TenantScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with user_scope(request.user):
            return self.get_response(request)
