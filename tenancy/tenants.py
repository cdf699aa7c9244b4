"""Which tenant owns an object, whatever its model: for the audit log and shared resources.

Reads go through each model's base manager (not the scoped one) on purpose: they
attribute an object that is already in hand to its tenant; they never list rows.
"""

from django.core.exceptions import FieldDoesNotExist

from tenancy.models import Organization, Space

# Foreign keys that lead, directly or through their target, to the owning tenant.
TENANT_PATHS = ("space", "organization", "data_contract", "metadata_record", "violation", "alert")


def tenant_ids(instance):
    """(space id, organization id) that own `instance`, read without the scoped managers."""
    if isinstance(instance, Organization):
        return None, instance.pk
    if isinstance(instance, Space):
        return instance.pk, instance.organization_id
    for name in TENANT_PATHS:
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        target_id = getattr(instance, field.attname)
        if target_id is None:
            continue
        if field.related_model is Organization:
            return None, target_id
        target = field.related_model._base_manager.filter(pk=target_id).first()
        if target is not None:
            return tenant_ids(target)
    return None, None
