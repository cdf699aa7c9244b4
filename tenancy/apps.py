from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import (
            post_delete,
            post_save,
            pre_delete,
            pre_migrate,
            pre_save,
        )
        from django.utils.module_loading import autodiscover_modules

        from tenancy import audit, checks, shared  # noqa: F401  (checks registers system checks)
        from tenancy.database import create_schema

        pre_migrate.connect(create_schema, dispatch_uid="tenancy.create_schema")
        pre_save.connect(audit.before_save, dispatch_uid="tenancy.audit.before_save")
        post_save.connect(audit.after_save, dispatch_uid="tenancy.audit.after_save")
        pre_delete.connect(audit.before_delete, dispatch_uid="tenancy.audit.before_delete")
        post_delete.connect(audit.after_delete, dispatch_uid="tenancy.audit.after_delete")
        for model in apps.get_models():
            if model._meta.app_label in audit.AUDITED_APPS:
                post_delete.connect(
                    shared.delete_attached, sender=model,
                    dispatch_uid=f"tenancy.shared.delete_attached.{model._meta.label}",
                )
        # Every app's `jobs` module registers its kinds of background work.
        autodiscover_modules("jobs")
