"""System checks that make forgotten tenancy a startup error, not a leak."""

from django.apps import apps
from django.core import checks

TENANT_APPS = ("tenancy", "contracts", "quality")


@checks.register(checks.Tags.models)
def tenant_models_are_scoped(app_configs=None, **kwargs):
    """tenancy.E001: every model of the tenant apps has a scoped default manager."""
    errors = []
    for model in apps.get_models():
        if model._meta.app_label not in TENANT_APPS:
            continue
        manager = model._default_manager
        if not hasattr(manager, "with_scopes_disabled"):
            errors.append(
                checks.Error(
                    f"{model._meta.label} has no scoped default manager.",
                    hint="Use tenancy.scoping.space_scoped_manager() or "
                    "organization_scoped_manager() for `objects`.",
                    obj=model,
                    id="tenancy.E001",
                )
            )
    return errors
