"""The steward admin: branded, and its index grouped the way stewards think."""

import time

from django.contrib import admin
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from tenancy.selectors import admin_log_entries_visible

# Section name -> model labels, in order. Models not listed fall into "Other".
SECTIONS = {
    "Contracts": [
        "contracts.DataContract",
        "contracts.Schema",
        "contracts.CoercionRuleSet",
        "contracts.ValidationRuleSet",
        "contracts.MetadataRecord",
        "contracts.BreakingChangeSignOff",
    ],
    "Quality": [
        "quality.QualityViolation",
        "quality.QualityMetric",
        "quality.Alert",
        "quality.ViolationTransition",
        "quality.AlertChannel",
        "quality.AlertRouting",
        "quality.AlertDelivery",
    ],
    "Reference data": ["contracts.Owner", "contracts.System", "contracts.Domain"],
    "Workspace": [
        "tenancy.Organization",
        "tenancy.Space",
        "tenancy.Membership",
        "tenancy.OrganizationAdmin",
        "tenancy.AuditLogEntry",
        "auth.User",
        "auth.Group",
    ],
}

# Every page's navigation lists the models the user may open: the same list on each of their
# requests, and building it (a permission check per model, two queries for Django's own
# permissions) cost a tenth of a list page. It is kept for a short while per user and rights.
APP_LIST_SECONDS = 30
APP_LISTS_KEPT = 1000


class AppList(list):
    """One user's sections of models, kept for a while; `rendered` keeps their navigation's
    HTML for as long (see tenancy/templatetags/admin_navigation.py)."""

    def __init__(self, sections):
        super().__init__(sections)
        self.rendered = {}


class GovernanceAdminSite(admin.AdminSite):
    site_header = "PyCharter Governance"
    site_title = "PyCharter Governance"
    index_title = "Data contracts, quality and ownership"

    def get_log_entries(self, request):
        """Built when a page reads it (the index): every page's context carries it, and
        composing its query costs more than most pages' own queries."""
        return SimpleLazyObject(lambda: admin_log_entries_visible(
            user=request.user, access=request.tenant_access,
            queryset=super(GovernanceAdminSite, self).get_log_entries(request),
        ))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists = {}

    def get_app_list(self, request, app_label=None):
        """The sections of models the user may open; the same object for up to
        APP_LIST_SECONDS while their rights (spaces, roles, staff and superuser flags) stay
        the same. Callers must not change it."""
        user = request.user
        key = (user.pk, user.is_staff, user.is_superuser, request.tenant_access, app_label,
               translation.get_language())
        now = time.monotonic()
        kept = self._app_lists.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        if len(self._app_lists) >= APP_LISTS_KEPT:
            self._app_lists.clear()
        apps = AppList(self._sections(request, app_label))
        self._app_lists[key] = (now + APP_LIST_SECONDS, apps)
        return apps

    def _sections(self, request, app_label):
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        models = {model["model"]._meta.label: model for app in apps for model in app["models"]}
        sections = []
        for name, labels in SECTIONS.items():
            section_models = [models.pop(label) for label in labels if label in models]
            if section_models:
                sections.append(_section(name, section_models))
        if models:
            sections.append(_section("Other", list(models.values())))
        return sections


def _section(name, models):
    return {
        "name": name,
        "app_label": name.lower().replace(" ", "_"),
        "app_url": "",
        "has_module_perms": True,
        "models": models,
    }
