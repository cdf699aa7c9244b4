"""URL configuration: the steward admin is the site; pipelines use the API under /api/."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from pycharter_site.health import health
from tenancy.views import attachment_download

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("attachments/<uuid:attachment_id>/", attachment_download, name="attachment-download"),
    path("admin/", admin.site.urls),
    path("api/", include("pycharter_site.api_urls")),
    path("health/", health, name="health"),
    # Browsers ask for /favicon.ico on every page that names no icon (the API, attachments).
    # Lazy, and not permanent: the static file's hashed name changes with each release.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("pycharter/favicon.ico"),
                                             permanent=False)),
]
