from django.contrib.admin.apps import AdminConfig


class GovernanceAdminConfig(AdminConfig):
    default_site = "pycharter_site.admin_site.GovernanceAdminSite"

    def ready(self):
        super().ready()
        from pycharter_site import checks  # noqa: F401  (registers the system checks)
