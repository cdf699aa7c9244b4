"""System checks of the contracts app."""

from django.core import checks

from tenancy.checks import TENANT_APPS


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


@checks.register()
def tenant_resources_are_scoped(app_configs=None, **kwargs):
    """contracts.E001: every import-export resource of a tenant model is a TenantResource,
    which takes the space and actor and resolves references only inside that tenant."""
    from import_export.resources import ModelResource

    from contracts.resources import TenantResource

    errors = []
    for resource in _subclasses(ModelResource):
        model = getattr(resource._meta, "model", None)
        if (model is not None and model._meta.app_label in TENANT_APPS
                and not issubclass(resource, TenantResource)):
            errors.append(checks.Error(
                f"{resource.__module__}.{resource.__qualname__} imports or exports "
                f"{model._meta.label} without tenancy.",
                hint="Build it on contracts.resources.TenantResource.",
                obj=resource,
                id="contracts.E001",
            ))
    return errors
