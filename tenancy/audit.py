"""The audit log: who changed what, recorded in the same transaction as the change.

Every save and delete of a model in the tenant apps is recorded field by field,
whatever path made it (admin, import, command, API), by the receivers below. Bulk
writes that bypass `save()` (bulk_create, queryset.update, COPY) record one entry
for the batch through `audit_record_batch`. The actor comes from the context:
the request's user (middleware) or the command that runs (SpaceCommand).
"""

import datetime
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models.fields.files import FieldFile

from tenancy.models import AuditLogEntry
from tenancy.tenants import tenant_ids

AUDITED_APPS = frozenset({"tenancy", "contracts", "quality"})
# History of its own kind: recording these again would only repeat them.
UNAUDITED_MODELS = frozenset({"tenancy.AuditLogEntry", "quality.ViolationTransition",
                              "tenancy.Job"})


@dataclass(frozen=True)
class AuditActor:
    user: object | None
    name: str
    source: str


SYSTEM_ACTOR = AuditActor(None, "system", "")
_current_actor = ContextVar("audit_actor", default=SYSTEM_ACTOR)


@contextmanager
def audit_actor(*, user=None, name=None, source=""):
    """Attribute the changes made inside the block to `user` (or a named process)."""
    if user is not None and not user.is_authenticated:
        user = None
    actor_name = name or (user.get_username() if user is not None else "anonymous")
    token = _current_actor.set(AuditActor(user, actor_name, source))
    try:
        yield
    finally:
        _current_actor.reset(token)


def _json_value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or None
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    return str(value)


def _field_values(instance):
    return {
        field.attname: _json_value(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
    }


def _is_audited(model):
    return model._meta.app_label in AUDITED_APPS and model._meta.label not in UNAUDITED_MODELS


def _record(*, instance, action, changes, space_id, organization_id):
    actor = _current_actor.get()
    model = type(instance)
    AuditLogEntry.objects.create(
        actor=actor.user,
        actor_name=actor.name,
        source=actor.source,
        organization_id=organization_id,
        space_id=space_id,
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        action=f"{model._meta.app_label}.{model._meta.model_name}.{action}",
        changes=changes,
    )


def audit_record_batch(*, model, action, space, count, details=None):
    """One entry for a bulk write of `count` rows of `model` in `space`."""
    actor = _current_actor.get()
    AuditLogEntry.objects.create(
        actor=actor.user, actor_name=actor.name, source=actor.source,
        organization_id=space.organization_id, space_id=space.pk,
        content_type=ContentType.objects.get_for_model(model),
        object_id="", object_repr=f"{count} {model._meta.verbose_name_plural}",
        action=f"{model._meta.app_label}.{model._meta.model_name}.{action}",
        changes=details or {"count": count},
    )


def before_save(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender) or instance._state.adding:
        instance._audit_before = None
        return
    instance._audit_before = (
        sender._base_manager.filter(pk=instance.pk).values(
            *[field.attname for field in sender._meta.concrete_fields]
        ).first()
    )


def after_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    after = _field_values(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        changes = {name: [None, value] for name, value in after.items() if value is not None}
        action = "created"
    else:
        before = {name: _json_value(value) for name, value in before.items()}
        changes = {
            name: [before.get(name), value]
            for name, value in after.items()
            if before.get(name) != value and name != "updated_at"
        }
        if not changes:
            return
        action = "updated"
    space_id, organization_id = tenant_ids(instance)
    _record(instance=instance, action=action, changes=changes, space_id=space_id,
            organization_id=organization_id)


def before_delete(sender, instance, **kwargs):
    if _is_audited(sender):
        instance._audit_tenant = tenant_ids(instance)


def after_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    space_id, organization_id = getattr(instance, "_audit_tenant", (None, None))
    changes = {name: [value, None] for name, value in _field_values(instance).items()
               if value is not None}
    _record(instance=instance, action="deleted", changes=changes, space_id=space_id,
            organization_id=organization_id)
