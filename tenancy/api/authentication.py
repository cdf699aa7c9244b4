"""API token sign-in for Django REST framework.

The token itself is resolved by `tenancy.middleware` (which enters its scope);
this class only tells DRF who the request is and refuses a bad token with 401.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        django_request = request._request
        if getattr(django_request, "api_token_invalid", False):
            raise AuthenticationFailed("Invalid, revoked or expired token.")
        token = getattr(django_request, "api_token", None)
        if token is None:
            return None
        return token.created_by, token

    def authenticate_header(self, request):
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token header."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <secret>` (or `Bearer <secret>`), created in the admin."}
