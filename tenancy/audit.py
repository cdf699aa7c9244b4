"""The audit log: who did what, recorded in the same transaction as the change.

Two kinds of entry, told apart by their action code:

- **Domain entries** say what someone did, in the words of the domain
  (`quality.violation.resolved`, `contracts.contract.activated`, `contracts.link.added`).
  Every service that writes records exactly one per object it acts on, through
  `audit_log` (or `audit_log_rows` for many rows at once, `audit_record_batch` for an
  import counted as a whole).
- **Field entries** (`<app>.<model>.created|updated|deleted`) record a row's fields
  before and after, whatever path saved or deleted it, through the model signal
  receivers below.

They never repeat each other: inside a service (`@audited`) the field entries are held
back until the service returns; a domain entry takes in the held-back field changes
of its own object (and drops those of the rows it `covers`, such as the link row a
named `contracts.link.added` stands for). What is left is written as field entries:
the parts the service changed along the way (a contract's schema, the metadata record
that mirrors its status).

The actor is the user a service is given (`actor=`, `author=`), else the context's:
the request's user (middleware), the command that runs (SpaceCommand), or else the
process's own name (`command:<name>` under manage.py).
"""

import datetime
import functools
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.fields.files import FieldFile

from tenancy.models import AuditLogEntry
from tenancy.tenants import tenant_ids

AUDITED_APPS = frozenset({"tenancy", "contracts", "quality"})
# History of its own kind: recording these again would only repeat them.
UNAUDITED_MODELS = frozenset({"tenancy.AuditLogEntry", "quality.ViolationTransition",
                              "tenancy.Job"})
BATCH_SIZE = 500


@dataclass(frozen=True)
class AuditActor:
    user: object | None
    name: str
    source: str


def process_name():
    """What acts when no user does: `command:<name>` under manage.py, else the program."""
    path = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("python")
    # `python -m package` runs package/__main__.py: the package is the program.
    program = path.parent.name if path.name == "__main__.py" else path.name
    if program == "manage.py" and len(sys.argv) > 1:
        return f"command:{sys.argv[1]}"
    return f"process:{program}"


_current_actor = ContextVar("audit_actor", default=None)


def current_actor():
    """The context's actor: the request's user or the command, else this process."""
    actor = _current_actor.get()
    if actor is None:
        name = process_name()
        return AuditActor(None, name, name)
    return actor


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


def _resolved_actor(actor):
    """`actor` as given to a service (a user, a process name or None) -> AuditActor."""
    context = current_actor()
    if actor is None:
        return context
    if isinstance(actor, str):
        return AuditActor(None, actor, context.source)
    if not actor.is_authenticated:
        return context
    return AuditActor(actor, actor.get_username(), context.source)


@dataclass
class _Operation:
    """The field entries a running service has made so far, by (content type id, object id)."""

    actor: AuditActor
    pending: dict = field(default_factory=dict)

    def hold(self, entry):
        key = (entry.content_type_id, entry.object_id)
        held = self.pending.get(key)
        if held is None or entry.action.endswith(".deleted"):
            self.pending[key] = entry
            return
        # Saved twice in one service: one entry from the first value to the last.
        changes = dict(held.changes)
        for name, (before, after) in entry.changes.items():
            changes[name] = [held.changes[name][0] if name in held.changes else before, after]
        held.changes = {name: change for name, change in changes.items()
                        if change[0] != change[1]}

    def take(self, content_type_id, object_id):
        return self.pending.pop((content_type_id, str(object_id)), None)


_current_operation = ContextVar("audit_operation", default=None)


def audited(service):
    """Run `service` as one audited operation: its field entries are held back so that its
    domain entries can take them in (see the module docstring). The actor is its `actor`
    or `author` argument, else the context's."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        outer = _current_operation.get()
        actor = kwargs.get("actor", kwargs.get("author"))
        operation = _Operation(_resolved_actor(actor) if actor is not None or outer is None
                               else outer.actor)
        token = _current_operation.set(operation)
        try:
            result = service(*args, **kwargs)
        except BaseException:
            _current_operation.reset(token)
            # Outside a transaction what was saved stays saved, and so does its record.
            if outer is None and not connection.in_atomic_block:
                _write(operation.pending.values())
            raise
        _current_operation.reset(token)
        if outer is not None:
            for entry in operation.pending.values():
                outer.hold(entry)
        else:
            _write(operation.pending.values())
        return result

    wrapper.audited = True
    return wrapper


def _write(entries):
    AuditLogEntry.objects.bulk_create(list(entries), batch_size=BATCH_SIZE)


def _acting():
    operation = _current_operation.get()
    return operation.actor if operation is not None else current_actor()


def _entry(*, actor, action, content_type_id, object_id, object_repr, changes, space_id,
           organization_id):
    return AuditLogEntry(
        actor=actor.user, actor_name=actor.name, source=actor.source,
        organization_id=organization_id, space_id=space_id, content_type_id=content_type_id,
        object_id=str(object_id), object_repr=str(object_repr)[:255], action=action,
        changes=changes,
    )


def audit_log(*, action, instance, actor=None, changes=None, space=None, covers=(),
              when_changed=False):
    """Record that `actor` did `action` (a domain code, e.g. "contracts.contract.activated")
    to `instance`, in the running transaction. Returns the entry.

    `changes` ({name: [before, after]}) adds to the field changes the service made to
    `instance`, which this entry takes in. The field entries of `covers` (rows, or models
    for all their rows) are dropped: this entry says what they were. With `when_changed`,
    nothing is recorded when no field changed. The tenant is `space`'s, else the instance's.
    """
    operation = _current_operation.get()
    content_type_id = ContentType.objects.get_for_model(type(instance)).pk
    folded = {}
    if operation is not None:
        held = operation.take(content_type_id, instance.pk)
        folded = held.changes if held is not None else {}
        for covered in covers:
            if isinstance(covered, type):
                covered_type = ContentType.objects.get_for_model(covered).pk
                for key in [key for key in operation.pending if key[0] == covered_type]:
                    del operation.pending[key]
            else:
                operation.take(ContentType.objects.get_for_model(type(covered)).pk, covered.pk)
    changes = {**folded, **(changes or {})}
    if when_changed and not changes:
        return None
    if space is not None:
        space_id, organization_id = space.pk, space.organization_id
    else:
        space_id, organization_id = tenant_ids(instance)
    entry = _entry(
        actor=_resolved_actor(actor) if actor is not None else _acting(), action=action,
        content_type_id=content_type_id, object_id=instance.pk, object_repr=instance,
        changes=changes, space_id=space_id, organization_id=organization_id,
    )
    entry.save()
    return entry


def audit_log_rows(*, action, model, rows, actor=None):
    """One domain entry for each of many rows of `model` written at once (a bulk UPDATE):
    `rows` are (object id, object repr, space id, organization id, changes). One INSERT per
    batch, whatever the number of rows."""
    content_type_id = ContentType.objects.get_for_model(model).pk
    resolved = _resolved_actor(actor) if actor is not None else _acting()
    _write(
        _entry(actor=resolved, action=action, content_type_id=content_type_id,
               object_id=object_id, object_repr=object_repr, changes=changes,
               space_id=space_id, organization_id=organization_id)
        for object_id, object_repr, space_id, organization_id, changes in rows
    )


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
    model = type(instance)
    entry = _entry(
        actor=_acting(), action=f"{model._meta.app_label}.{model._meta.model_name}.{action}",
        content_type_id=ContentType.objects.get_for_model(model).pk, object_id=instance.pk,
        object_repr=instance, changes=changes, space_id=space_id,
        organization_id=organization_id,
    )
    operation = _current_operation.get()
    if operation is not None:
        operation.hold(entry)
    else:
        entry.save()


def audit_record_batch(*, model, action, space, count, details=None, actor=None, record=True):
    """One entry for a bulk write of `count` rows of `model` in `space` (an import counted
    as a whole); the field entries its rows made in the running service are dropped.
    `record=False` only drops them (an import that wrote nothing)."""
    content_type_id = ContentType.objects.get_for_model(model).pk
    operation = _current_operation.get()
    if operation is not None:
        for key in [key for key in operation.pending if key[0] == content_type_id]:
            del operation.pending[key]
    if not record:
        return
    _entry(
        actor=_resolved_actor(actor) if actor is not None else _acting(),
        action=f"{model._meta.app_label}.{model._meta.model_name}.{action}",
        content_type_id=content_type_id, object_id="",
        object_repr=f"{count} {model._meta.verbose_name_plural}",
        changes=details or {"count": count},
        space_id=space.pk, organization_id=space.organization_id,
    ).save()


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
