"""The audit log in words: action codes as sentences, ids of related rows as names.

Each app registers the sentences of its own domain actions (`register_action`) and the
words for its field and role names (`register_terms`) when it is ready, so that the
history pages can word codes of apps that tenancy does not import. A code nobody
registered still reads as words: field entries (`<app>.<model>.updated`) say which
fields changed, any other code is spelled out ("quality.violation.opened_by_check" ->
"violation opened by check").
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models


@dataclass(frozen=True)
class AuditAction:
    #: What the action is, for a list of actions ("owner, system or domain added").
    title: str
    #: changes ({field: [before, after]}, ids already named) and the entry -> a sentence.
    sentence: object


_actions = {}
_terms = {}


def register_action(code, *, title, sentence):
    """Word the domain action `code`: `sentence(changes, entry)` says what happened."""
    _actions[code] = AuditAction(title=title, sentence=sentence)


def register_terms(terms):
    """Words for field or role names ({"it_sme": "IT SME"})."""
    _terms.update(terms)


def term(name):
    return _terms.get(name, name.replace("_", " "))


def action_title(code):
    """A code in words, for a choice of actions."""
    registered = _actions.get(code)
    if registered is not None:
        return registered.title
    parts = code.split(".")
    if len(parts) != 3:
        return code.replace("_", " ").replace(".", " ")
    app_label, model_name, verb = parts
    try:
        subject = str(apps.get_model(app_label, model_name)._meta.verbose_name)
    except LookupError:
        subject = term(model_name)
    return f"{subject} {verb.replace('_', ' ')}"


def action_sentence(entry, changes):
    """What `entry` did, in words; `changes` are its changes with ids named."""
    registered = _actions.get(entry.action)
    if registered is not None:
        return registered.sentence(changes, entry)
    verb = entry.action.rsplit(".", 1)[-1]
    if verb == "updated":
        model = _model(entry.content_type_id)
        fields = ", ".join(field_label(model, name) for name in changes)
        return f"changed {fields}" if fields else "changed"
    if verb in ("created", "deleted"):
        return verb
    return action_title(entry.action)


def field_label(model, name):
    """A change's field in words: its verbose name, without the `_id` of a foreign key."""
    if model is not None:
        field = _concrete_field(model, name)
        if field is not None:
            return str(field.verbose_name)
    return term(name)


def _model(content_type_id):
    content_type = ContentType.objects.get_for_id(content_type_id)  # cached per process
    return content_type.model_class()


def _concrete_field(model, name):
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    return None


def _foreign_key(model, name):
    field = _concrete_field(model, name)
    if isinstance(field, models.ForeignKey) and name == field.attname:
        return field
    return None


def _display_name(instance):
    if isinstance(instance, get_user_model()):
        return instance.get_full_name() or instance.get_username()
    return str(instance)


@dataclass
class NamedEntry:
    """An audit entry as a page shows it: its sentence and its changes with ids named."""

    entry: object
    sentence: str
    #: [(field label, before, after)]
    rows: list


def audit_entries_named(entries):
    """`entries` in words. The ids of related rows in their changes are named with one query
    per related model, whatever the number of entries; an id the user may not see (the
    scoped managers hide it) or that no longer exists stays as written."""
    entries = list(entries)
    wanted = {}
    for entry in entries:
        model = _model(entry.content_type_id)
        if model is None:
            continue
        for name, value in _pairs(entry.changes):
            field = _foreign_key(model, name)
            if field is not None:
                wanted.setdefault(field.related_model, set()).update(
                    str(item) for item in value if item is not None
                )
    names = {}
    for related_model, ids in wanted.items():
        for instance in related_model._default_manager.filter(pk__in=ids):
            names[related_model, str(instance.pk)] = _display_name(instance)
    named = []
    for entry in entries:
        model = _model(entry.content_type_id)
        changes = {}
        rows = []
        for name, (before, after) in _pairs(entry.changes):
            field = _foreign_key(model, name) if model is not None else None
            if field is not None:
                before, after = (
                    None if value is None
                    else names.get((field.related_model, str(value)), value)
                    for value in (before, after)
                )
            changes[name] = [before, after]
            rows.append((field_label(model, name), before, after))
        named.append(NamedEntry(entry=entry, sentence=action_sentence(entry, changes),
                                rows=rows))
    return named


def _pairs(changes):
    """(name, (before, after)) of an entry's changes; free-form details of a batch count as
    values set."""
    for name, value in (changes or {}).items():
        if isinstance(value, (list, tuple)) and len(value) == 2:
            yield name, (value[0], value[1])
        else:
            yield name, (None, value)


def change_after(changes, name):
    """The value `name` took in `changes`, or None."""
    return (changes.get(name) or [None, None])[1]


def _membership(words):
    """A sentence about a member: `words` names them {user} and their new role {role}."""
    def sentence(changes, entry):
        before, after = changes.get("user_id") or [None, None]
        role = change_after(changes, "role")
        return words.format(user=after or before, role=term(role) if role else "")

    return sentence


register_action("tenancy.membership.added", title="member added",
                sentence=_membership("added member {user} as {role}"))
register_action("tenancy.membership.changed", title="member's role changed",
                sentence=_membership("changed the role of {user} to {role}"))
register_action("tenancy.membership.removed", title="member removed",
                sentence=_membership("removed member {user}"))
register_action("tenancy.comment.added", title="comment added",
                sentence=lambda changes, entry: "commented")
register_action("tenancy.annotation.added", title="annotation added",
                sentence=lambda changes, entry: "annotated")
register_action("tenancy.attachment.added", title="attachment added",
                sentence=lambda changes, entry: "attached a file")
