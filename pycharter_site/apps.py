from django.contrib.admin.apps import AdminConfig


class GovernanceAdminConfig(AdminConfig):
    default_site = "pycharter_site.admin_site.GovernanceAdminSite"
