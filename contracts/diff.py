"""What changed between two versions of a contract, and whether the change breaks consumers.

Plain Python without Django, so that the rules can be read and tested on their own.

A change is breaking when data that the old version accepted may be refused by the
new one, or when a field that consumers read disappears: a removed field, a newly
required field, a narrowed type or enum, a tighter rule (a smaller `max_length`, a
larger `minimum`), a removed coercion. A new optional field, a looser rule or a new
description is not. Where the diff cannot tell (a changed `pattern`, a changed
`anyOf`), it says breaking: a steward signs off on a false alarm rather than
missing a real break.

Validation rules and coercions are compared as they apply, whether written inline
on a schema property (PyCharter's `validations` / `coercion`) or in the top-level
rule sets, so moving a rule from one place to the other is not a change.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "schema"
COERCION_RULES = "coercion_rules"
VALIDATION_RULES = "validation_rules"
COMPONENTS = (SCHEMA, COERCION_RULES, VALIDATION_RULES)

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"

#: The parts of a semantic version a release raises, as `suggested_bump` names them.
MAJOR = "major"
MINOR = "minor"
PATCH = "patch"

#: Keywords that only describe: changing them never refuses data.
ANNOTATION_KEYWORDS = frozenset(
    {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
     "$comment", "$schema", "$id", "version"}
)
#: PyCharter's inline rules, compared with the rule sets instead.
INLINE_RULE_KEYWORDS = frozenset({"coercion", "validations"})
#: A larger value accepts less.
LOWER_BOUND_KEYWORDS = frozenset(
    {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"}
)
#: A smaller value accepts less.
UPPER_BOUND_KEYWORDS = frozenset(
    {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"}
)
#: Handled by the object and array walks.
STRUCTURE_KEYWORDS = frozenset({"properties", "required", "items"})

#: Validation rules whose parameter is a lower bound: (parameter, value when left out).
LOWER_BOUND_RULES = {
    "min_length": ("threshold", None),
    "greater_than_or_equal_to": ("threshold", None),
    "is_positive": ("threshold", 0),
}
#: Validation rules whose parameter is an upper bound.
UPPER_BOUND_RULES = {
    "max_length": ("threshold", None),
    "less_than_or_equal_to": ("threshold", None),
}
#: Validation rules whose parameter lists the values allowed.
ALLOWED_VALUES_RULES = {"only_allow": "allowed_values"}


@dataclass(frozen=True)
class ContractTerms:
    """What data is checked against in one contract version: its schema and its rule sets."""

    schema: Mapping[str, Any] = field(default_factory=dict)
    coercion_rules: Mapping[str, Any] = field(default_factory=dict)
    validation_rules: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One difference: where (component, field), what (`subject`: a keyword, rule or
    coercion; "field" for the field itself), how (added / removed / changed), and
    whether it breaks consumers."""

    component: str
    field: str
    subject: str
    kind: str
    before: Any
    after: Any
    breaking: bool
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON value, as a sign-off records the changes it accepted."""
        return {
            "component": self.component,
            "field": self.field,
            "subject": self.subject,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "breaking": self.breaking,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class ContractDiff:
    changes: tuple[Change, ...] = ()

    @property
    def breaking_changes(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)

    @property
    def is_breaking(self) -> bool:
        return bool(self.breaking_changes)

    @property
    def suggested_bump(self) -> str:
        """The part of the version that releasing these changes raises: major when they
        break consumers, minor when they add or loosen (a new optional field, a wider
        rule), patch when they only describe (titles, descriptions)."""
        if self.is_breaking:
            return MAJOR
        if any(not _describes_only(change) for change in self.changes):
            return MINOR
        return PATCH


def contract_diff(old: ContractTerms, new: ContractTerms) -> ContractDiff:
    """Every change from `old` to `new`: schema first, then coercions, then validations."""
    return ContractDiff(
        (
            *_schema_changes(old.schema or {}, new.schema or {}, ""),
            *_coercion_changes(_coercions(old), _coercions(new)),
            *_validation_changes(_validations(old), _validations(new)),
        )
    )


def _describes_only(change: Change) -> bool:
    return change.component == SCHEMA and change.subject in ANNOTATION_KEYWORDS


# The schema ------------------------------------------------------------------------------


def _schema_changes(old: Mapping, new: Mapping, path: str) -> Iterator[Change]:
    """The changes of one (sub)schema at `path` ("" for the whole schema)."""
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    for keyword in _ordered_union(old, new):
        if keyword in STRUCTURE_KEYWORDS or keyword in INLINE_RULE_KEYWORDS:
            continue
        if old.get(keyword, _MISSING) == new.get(keyword, _MISSING):
            continue
        yield _keyword_change(path, keyword, old.get(keyword, _MISSING), new.get(keyword, _MISSING))
    yield from _property_changes(old, new, path)
    old_items, new_items = old.get("items", _MISSING), new.get("items", _MISSING)
    if old_items == new_items:
        return
    if isinstance(old_items, Mapping | _Missing) and isinstance(new_items, Mapping | _Missing):
        yield from _schema_changes(_mapping(old_items), _mapping(new_items), f"{path}[]")
    else:
        yield _keyword_change(path, "items", old_items, new_items)


def _property_changes(old: Mapping, new: Mapping, path: str) -> Iterator[Change]:
    old_properties = _mapping(old.get("properties"))
    new_properties = _mapping(new.get("properties"))
    old_required = _required(old)
    new_required = _required(new)
    for name in _ordered_union(old_properties, new_properties):
        field_path = f"{path}.{name}" if path else str(name)
        if name not in new_properties:
            yield _schema_change(field_path, "field", REMOVED, old_properties[name], None, True,
                                 "field removed")
        elif name not in old_properties:
            required = name in new_required
            yield _schema_change(
                field_path, "field", ADDED, None, new_properties[name], required,
                "new required field" if required else "new optional field",
            )
        else:
            was_required, is_required = name in old_required, name in new_required
            if was_required != is_required:
                yield _schema_change(
                    field_path, "required", CHANGED, was_required, is_required, is_required,
                    "now required" if is_required else "no longer required",
                )
            yield from _schema_changes(old_properties[name], new_properties[name], field_path)


def _keyword_change(path: str, keyword: str, before: Any, after: Any) -> Change:
    kind = ADDED if before is _MISSING else REMOVED if after is _MISSING else CHANGED
    shown_before = None if before is _MISSING else before
    shown_after = None if after is _MISSING else after
    breaking, explanation = _keyword_verdict(keyword, kind, before, after)
    return _schema_change(path, keyword, kind, shown_before, shown_after, breaking, explanation)


def _keyword_verdict(keyword: str, kind: str, before: Any, after: Any) -> tuple[bool, str]:
    """(breaking, explanation) for a keyword that was added, removed or changed."""
    if keyword in ANNOTATION_KEYWORDS:
        return False, f"{keyword} {kind}"
    if keyword == "type":
        return _type_verdict(before, after)
    if keyword == "enum":
        return _allowed_values_verdict("enum", before, after)
    if keyword == "const":
        if kind == REMOVED:
            return False, "const removed (any value accepted)"
        return True, f"const: only {_show(after)} accepted"
    if keyword in LOWER_BOUND_KEYWORDS:
        return _bound_verdict(keyword, before, after, larger_is_tighter=True)
    if keyword in UPPER_BOUND_KEYWORDS:
        return _bound_verdict(keyword, before, after, larger_is_tighter=False)
    if keyword == "multipleOf":
        return _multiple_of_verdict(before, after)
    if keyword == "uniqueItems":
        tighter = after is True and before is not True
        return tighter, "items must now be unique" if tighter else "items may now repeat"
    if keyword == "additionalProperties":
        if after is False:
            return True, "unknown keys are now refused"
        if before is False:
            return False, "unknown keys are now accepted"
    if kind == REMOVED:
        return False, f"{keyword} removed (looser)"
    return True, f"{keyword} {kind}: may accept less"


def _type_verdict(before: Any, after: Any) -> tuple[bool, str]:
    old_types, new_types = _types(before), _types(after)
    shown = f"type: {_show_types(old_types)} → {_show_types(new_types)}"
    if new_types is None:
        return False, f"{shown} (wider)"
    if old_types is None:
        return True, f"{shown} (narrower)"
    lost = sorted(name for name in old_types if not _type_accepts(new_types, name))
    if lost:
        return True, f"{shown} (no longer accepts {', '.join(lost)})"
    return False, f"{shown} (wider)"


def _types(value: Any) -> frozenset[str] | None:
    """The types a `type` keyword allows; None when any type is allowed."""
    if value is _MISSING or value is None:
        return None
    if isinstance(value, list):
        return frozenset(str(name) for name in value)
    return frozenset({str(value)})


def _type_accepts(types: frozenset[str], name: str) -> bool:
    return name in types or (name == "integer" and "number" in types)


def _show_types(types: frozenset[str] | None) -> str:
    return "any" if types is None else " | ".join(sorted(types))


def _allowed_values_verdict(subject: str, before: Any, after: Any) -> tuple[bool, str]:
    """A list of allowed values (`enum`, `only_allow`): dropping a value accepts less."""
    if after is _MISSING or after is None:
        return False, f"{subject} removed (any value accepted)"
    if before is _MISSING or before is None:
        return True, f"{subject} added: only {_show_values(after)}"
    old_values, new_values = _keyed(before), _keyed(after)
    dropped = [value for key, value in old_values.items() if key not in new_values]
    added = [value for key, value in new_values.items() if key not in old_values]
    parts = []
    if dropped:
        parts.append(f"no longer allows {_show_values(dropped)}")
    if added:
        parts.append(f"now also allows {_show_values(added)}")
    return bool(dropped), f"{subject}: {'; '.join(parts) or 'reordered'}"


def _bound_verdict(
    subject: str, before: Any, after: Any, *, larger_is_tighter: bool
) -> tuple[bool, str]:
    if after is _MISSING or after is None:
        return False, f"{subject} {_show(before)} removed (looser)"
    if before is _MISSING or before is None:
        return True, f"{subject} {_show(after)} added (tighter)"
    if not (_is_number(before) and _is_number(after)):
        return True, f"{subject}: {_show(before)} → {_show(after)}"
    tighter = after > before if larger_is_tighter else after < before
    verdict = "tighter" if tighter else "looser"
    return tighter, f"{subject}: {_show(before)} → {_show(after)} ({verdict})"


def _multiple_of_verdict(before: Any, after: Any) -> tuple[bool, str]:
    if after is _MISSING:
        return False, f"multipleOf {_show(before)} removed (looser)"
    if before is _MISSING:
        return True, f"multipleOf {_show(after)} added (tighter)"
    # Every multiple of the old divisor is a multiple of the new one when it divides it.
    looser = (
        _is_number(before) and _is_number(after) and after != 0
        and math.isclose(before / after, round(before / after))
    )
    verdict = "looser" if looser else "tighter"
    return not looser, f"multipleOf: {_show(before)} → {_show(after)} ({verdict})"


def _schema_change(path, subject, kind, before, after, breaking, explanation) -> Change:
    return Change(SCHEMA, path, subject, kind, before, after, breaking, explanation)


# Coercions and validation rules ----------------------------------------------------------


def _coercion_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    """A coercion converts raw values before any check. Adding one accepts more raw input;
    removing or replacing one may refuse values the old one converted."""
    for name in _ordered_union(old, new):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is None:
            yield Change(COERCION_RULES, name, str(after), ADDED, None, after, False,
                         f"coercion {after} added")
        elif after is None:
            yield Change(COERCION_RULES, name, str(before), REMOVED, before, None, True,
                         f"coercion {before} removed: raw values are no longer converted")
        else:
            yield Change(COERCION_RULES, name, str(after), CHANGED, before, after, True,
                         f"coercion: {before} → {after}")


def _validation_changes(old: dict[str, dict], new: dict[str, dict]) -> Iterator[Change]:
    for name in _ordered_union(old, new):
        old_rules, new_rules = old.get(name, {}), new.get(name, {})
        for rule in _ordered_union(old_rules, new_rules):
            if rule not in new_rules:
                yield Change(VALIDATION_RULES, name, rule, REMOVED, old_rules[rule], None, False,
                             f"rule {rule} removed (looser)")
            elif rule not in old_rules:
                yield Change(VALIDATION_RULES, name, rule, ADDED, None, new_rules[rule], True,
                             f"rule {rule} added (tighter)")
            elif old_rules[rule] != new_rules[rule]:
                breaking, explanation = _rule_verdict(rule, old_rules[rule], new_rules[rule])
                yield Change(VALIDATION_RULES, name, rule, CHANGED, old_rules[rule],
                             new_rules[rule], breaking, explanation)


def _rule_verdict(rule: str, before: Any, after: Any) -> tuple[bool, str]:
    before, after = _mapping(before), _mapping(after)
    if rule in LOWER_BOUND_RULES or rule in UPPER_BOUND_RULES:
        parameter, default = {**LOWER_BOUND_RULES, **UPPER_BOUND_RULES}[rule]
        if set(before) | set(after) <= {parameter}:
            return _bound_verdict(
                f"{rule} {parameter}",
                before.get(parameter, default), after.get(parameter, default),
                larger_is_tighter=rule in LOWER_BOUND_RULES,
            )
    if rule in ALLOWED_VALUES_RULES:
        parameter = ALLOWED_VALUES_RULES[rule]
        if set(before) | set(after) <= {parameter}:
            return _allowed_values_verdict(
                rule, before.get(parameter, _MISSING), after.get(parameter, _MISSING)
            )
    return True, f"rule {rule}: {_show(before)} → {_show(after)}"


def _coercions(terms: ContractTerms) -> dict[str, Any]:
    coercions = {
        name: _mapping(definition)["coercion"]
        for name, definition in _fields(terms.schema)
        if "coercion" in _mapping(definition)
    }
    coercions.update(_mapping(terms.coercion_rules))
    return coercions


def _validations(terms: ContractTerms) -> dict[str, dict]:
    validations: dict[str, dict] = {}
    for name, definition in _fields(terms.schema):
        inline = _mapping(_mapping(definition).get("validations"))
        if inline:
            validations[name] = dict(inline)
    for name, rules in _mapping(terms.validation_rules).items():
        validations[name] = {**validations.get(name, {}), **_mapping(rules)}
    return validations


def _fields(schema: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every property of a schema with its dotted name, nested objects included."""
    for name, definition in _mapping(_mapping(schema).get("properties")).items():
        yield f"{prefix}{name}", definition
        yield from _fields(definition, f"{prefix}{name}.")


# Helpers ---------------------------------------------------------------------------------

class _Missing:
    """A keyword or parameter that is not written (unlike one written as null)."""

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def _mapping(value: Any) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _required(schema: Mapping) -> frozenset:
    required = schema.get("required")
    return frozenset(required) if isinstance(required, list) else frozenset()


def _ordered_union(first: Mapping, second: Mapping) -> list:
    """Keys of `first` in order, then those only `second` has: the order a reader expects."""
    return [*first, *(key for key in second if key not in first)]


def _keyed(values: Any) -> dict[str, Any]:
    """Values by a key that tells them apart (JSON values may be unhashable)."""
    items = values if isinstance(values, list) else [values]
    return {json.dumps(value, sort_keys=True, default=str): value for value in items}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Any) -> str:
    return json.dumps(value, default=str) if value is not _MISSING else "nothing"


def _show_values(values: Any) -> str:
    return ", ".join(_show(value) for value in (values if isinstance(values, list) else [values]))
