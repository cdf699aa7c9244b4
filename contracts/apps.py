from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from contracts import audit_labels, checks  # noqa: F401  (registers the system checks)

        audit_labels.register()

    def integrity_problems(self):
        """What `manage.py check_integrity` lists for this app: names breaking the rules."""
        from contracts.validators import name_report_lines

        return [f"bad name: {line}" for line in name_report_lines(self.apps)]
