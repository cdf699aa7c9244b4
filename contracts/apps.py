from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from contracts import audit_labels, checks  # noqa: F401  (registers the system checks)

        audit_labels.register()
