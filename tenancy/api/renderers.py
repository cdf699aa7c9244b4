"""Every API response body goes through `tenancy.sanitize.sanitize_value` before encoding."""

from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from tenancy.sanitize import sanitize_value


class SanitizingJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(sanitize_value(data), accepted_media_type, renderer_context)


class SanitizingBrowsableAPIRenderer(BrowsableAPIRenderer):
    def get_default_renderer(self, view):
        return SanitizingJSONRenderer()
