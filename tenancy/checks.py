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


@checks.register(checks.Tags.admin)
def tenant_admins_use_the_tenant_base(app_configs=None, **kwargs):
    """tenancy.E002: every admin of a tenant model is built on tenancy's admin base."""
    from django.contrib import admin

    from tenancy.admin_base import TenantAdminMixin

    errors = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in TENANT_APPS and not isinstance(model_admin, TenantAdminMixin):
            errors.append(
                checks.Error(
                    f"The admin of {model._meta.label} is not built on TenantModelAdmin.",
                    hint="Subclass tenancy.admin_base.TenantModelAdmin.",
                    obj=model_admin,
                    id="tenancy.E002",
                )
            )
    return errors
