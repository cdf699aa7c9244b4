"""URL configuration: the steward admin is the site; pipelines use the API under /api/."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from pycharter_site.health import health
from tenancy.views import attachment_download

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("attachments/<uuid:attachment_id>/", attachment_download, name="attachment-download"),
    path("admin/", admin.site.urls),
    path("api/", include("pycharter_site.api_urls")),
    path("health/", health, name="health"),
]
