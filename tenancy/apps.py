from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import pre_migrate

        from tenancy import checks  # noqa: F401  (registers the system checks)
        from tenancy.database import create_schema

        pre_migrate.connect(create_schema, dispatch_uid="tenancy.create_schema")
