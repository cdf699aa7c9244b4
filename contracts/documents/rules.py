"""Inline per-property rules and top-level rules, merged with no silent precedence.

PyCharter lets a schema property carry its own `coercion` and `validations`, and a
contract carry top-level `coercion_rules` and `validation_rules` too. Which set
PyCharter applies depends on its release; the site applies both, so the same field
having a different coercion, or the same validation with different parameters, in
the two places is a conflict that the steward must resolve, never one settled
silently.

Rule names are not checked here: the quality engine owns what they mean.
Fields of nested objects are named with dots (`metadata.source`), as PyCharter's
top-level validation rules name them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import DocumentError, FieldPath, format_field
from .nodes import describe

#: Builds the error for a field path given in whole-contract-document terms
#: (`("schema", "properties", "age", "coercion")`, `("coercion_rules", "rules", "age")`),
#: so that a caller holding the source documents can name the file and line.
ErrorFactory = Callable[[FieldPath, str], DocumentError]


def plain_error(field_path: FieldPath, message: str) -> DocumentError:
    """An error naming the field only, for rules that come from the database."""
    return DocumentError(None, None, format_field(field_path), message)


@dataclass(frozen=True)
class MergedRules:
    """The rules that apply, with every conflict found (an empty tuple when none): the
    same field with a different coercion, or the same validation with different
    parameters, inline in the schema and in the top-level rules.

    Order: the top-level rules as written, then the inline ones they do not repeat,
    because validations run in the order written and the first failure wins.
    """

    coercions: dict[str, str] = field(default_factory=dict)
    validations: dict[str, dict[str, Any]] = field(default_factory=dict)
    conflicts: tuple[DocumentError, ...] = ()


def inline_rules(
    schema_data: Mapping[str, Any], *, error_at: ErrorFactory = plain_error
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """The `coercion` and `validations` written on the schema's properties, by field."""
    coercions: dict[str, str] = {}
    validations: dict[str, dict[str, Any]] = {}
    pending: list[tuple[FieldPath, str, Any]] = [(("schema",), "", schema_data)]
    while pending:
        path, prefix, schema = pending.pop(0)
        properties = schema.get("properties") if isinstance(schema, Mapping) else None
        if not isinstance(properties, Mapping):
            continue
        for name, definition in properties.items():
            field_name = f"{prefix}{name}"
            property_path = (*path, "properties", name)
            if not isinstance(definition, Mapping):
                continue
            if "coercion" in definition:
                coercion = definition["coercion"]
                if not isinstance(coercion, str) or not coercion:
                    raise error_at(
                        (*property_path, "coercion"),
                        f"a coercion is the name of a coercion, got {describe(coercion)}",
                    )
                coercions[field_name] = coercion
            if "validations" in definition:
                validations[field_name] = _validation_mapping(
                    definition["validations"], (*property_path, "validations"), error_at
                )
            pending.append((property_path, f"{field_name}.", definition))
    return coercions, validations


def merge_rules(
    schema_data: Mapping[str, Any] | None,
    coercion_rules: Mapping[str, str] | None,
    validation_rules: Mapping[str, Mapping[str, Any]] | None,
    *,
    error_at: ErrorFactory = plain_error,
) -> MergedRules:
    """Merge a schema's inline rules with the top-level rules, collecting conflicts."""
    inline_coercions, inline_validations = inline_rules(schema_data or {}, error_at=error_at)
    conflicts: list[DocumentError] = []

    coercions = dict(coercion_rules or {})
    for field_name, inline in inline_coercions.items():
        top_level = coercions.setdefault(field_name, inline)
        if top_level != inline:
            conflicts.append(
                error_at(
                    ("coercion_rules", "rules", field_name),
                    f"field {field_name!r} has coercion {top_level!r} here but "
                    f"{inline!r} inline in the schema",
                )
            )

    validations = {name: dict(rules) for name, rules in (validation_rules or {}).items()}
    for field_name, inline_set in inline_validations.items():
        merged = validations.setdefault(field_name, {})
        for rule, inline in inline_set.items():
            if rule not in merged:
                merged[rule] = inline
            elif (merged[rule] or {}) != (inline or {}):
                conflicts.append(
                    error_at(
                        ("validation_rules", "rules", field_name, rule),
                        f"field {field_name!r}, rule {rule!r}: parameters {merged[rule]!r} "
                        f"here differ from {inline!r} inline in the schema",
                    )
                )
    return MergedRules(coercions, validations, tuple(conflicts))


def _validation_mapping(value: Any, path: FieldPath, error_at: ErrorFactory) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise error_at(
            path, f"validations map a rule name to its parameters, got {describe(value)}"
        )
    return dict(value)
