from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from contracts.rule_checks import register_rule_checker
        from contracts.signals import breaking_version_activated
        from quality import audit_labels
        from quality.alerting.services import alert_breaking_version
        from quality.engine import contract_problems

        # Contracts whose rules the engine cannot run are refused when saved or imported.
        register_rule_checker(contract_problems)
        breaking_version_activated.connect(
            alert_breaking_version, dispatch_uid="quality.alert_breaking_version"
        )
        audit_labels.register()
