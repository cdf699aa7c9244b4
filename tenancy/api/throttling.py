"""Each API token has its own request budget (setting PYCHARTER_API_TOKEN_RATE)."""

from rest_framework.throttling import SimpleRateThrottle

from tenancy.models import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
