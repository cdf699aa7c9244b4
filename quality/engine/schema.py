"""The JSON Schema step as PyCharter 0.0.67 applies it, compiled into checks per field.

PyCharter does not run a JSON Schema validator on records: it turns each
property into a field of a pydantic model in lax mode and validates records with
that model. So "the schema" means what that model accepts, reproduced here
without pydantic:

* a property without ``type`` is a string; ``format: date-time`` / ``date`` are
  datetime / date types (``schema_types``); ``enum`` and ``const`` replace the type
  by the listed values;
* keywords are enforced as ``schema_keywords`` describes; keywords inside
  ``anyOf`` / ``oneOf`` are not;
* a property is required when listed in ``required`` and has no ``default``; it
  accepts null when it is not required or has a ``default``; an absent optional
  property takes its default (null, or an empty list for arrays);
* nested objects are checked property by property, unknown keys dropped (refused
  with ``additionalProperties: false``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quality.engine.coercions import COERCION_FUNCTIONS, COERCION_UNCHANGED_CLASSES
from quality.engine.results import (
    MISSING_FIELD,
    TYPE_ERROR,
    VALIDATION_ERROR,
    FieldError,
    FieldFailure,
)
from quality.engine.schema_keywords import after_checks, constraint_checks
from quality.engine.schema_types import (
    UNCHANGED_CLASSES,
    literal_converter,
    type_failure,
    value_converter,
)

Check = Callable[[Any], Any]

ABSENT = object()
"""Marks a key the record does not have (``None`` is a value: null)."""

MISSING_MESSAGE = "required field is missing"
EMPTY = ""
EMPTY_MESSAGE = "required field is empty"
MAXIMUM_MESSAGE_LENGTH = 500
"""Messages quote the offending value; a value can be megabytes long."""


@dataclass(frozen=True, slots=True)
class PropertyPlan:
    """One compiled property: whether it must be present, what an absent one becomes,
    whether an empty value (``""``) counts as no value, and how a present value is checked.

    ``check`` runs the whole pipeline on a present value; the parts it is made of
    are kept for the generated record check (``record_check``), which inlines them.
    An ``unchanged`` class is the class of values a coercion or converter returns
    as they are, so that the call can be skipped for them.
    """

    name: str
    required: bool
    empty_is_missing: bool
    default: Callable[[], Any]
    nullable: bool
    null_message: str
    coercion_name: str | None
    coerce: Check | None
    coerce_unchanged: type | None
    convert: Check
    convert_unchanged: type | None
    steps: tuple[Check, ...]
    after: tuple[Check, ...]
    check: Check


def compile_property(
    name: str,
    schema: dict,
    required: bool,
    rules: Sequence[tuple[str, dict | None]],
    coercion: str | None = None,
) -> PropertyPlan:
    """Compile one property of an object schema: its coercion (top-level fields only),
    the JSON Schema step and its validation rules, in order."""
    declared = schema.get("type")
    rules_see_model = False
    # PyCharter ignores the default of an object property.
    has_default = "default" in schema and declared != "object"
    if declared == "array":
        convert = _array_converter(schema)
        default_value = schema["default"] if has_default else []
    elif declared == "object":
        convert = object_converter(schema)
        default_value = None
        rules_see_model = True
    else:
        if "const" in schema:
            convert = literal_converter([schema["const"]])
        elif schema.get("enum"):
            convert = literal_converter(list(schema["enum"]))
        else:
            convert = value_converter(schema)
        default_value = schema.get("default")
    after = tuple(
        _on_model_instance(check) if rules_see_model else check
        for check in after_checks(schema, rules)
    )
    parts = {
        "nullable": not required or has_default,
        "null_message": f"expected {declared or 'string'}, found null None",
        "coercion_name": coercion,
        "coerce": COERCION_FUNCTIONS[coercion] if coercion else None,
        "coerce_unchanged": COERCION_UNCHANGED_CLASSES.get(coercion),
        "convert": convert,
        "convert_unchanged": UNCHANGED_CLASSES.get(convert),
        "steps": tuple(constraint_checks(schema)),
        "after": after,
    }
    required = required and not has_default
    return PropertyPlan(
        name=name,
        required=required,
        empty_is_missing=required or not forbids_empty(schema, rules),
        default=_default_of(default_value),
        check=_field_check(**parts),
        **parts,
    )


def forbids_empty(schema: dict, rules: Sequence[tuple[str, dict | None]]) -> bool:
    """Whether a rule of the property says that empty text is wrong: then an empty
    value of an optional field is checked by its rules instead of counting as absent."""
    minimum = schema.get("minLength")
    if isinstance(minimum, int) and minimum >= 1:
        return True
    for rule, parameters in rules:
        if rule == "non_empty_string":
            return True
        threshold = (parameters or {}).get("threshold") if rule == "min_length" else None
        if isinstance(threshold, int) and threshold >= 1:
            return True
    return False


class NestedModelInstance:
    """What PyCharter's after checks receive for a nested object: a pydantic model
    instance, which no rule takes for a dict (``min_length`` ignores it, ``only_allow``
    and ``enum`` never find it among their values)."""

    def __repr__(self) -> str:
        return "<nested object>"


NESTED_MODEL_INSTANCE = NestedModelInstance()


def _on_model_instance(check: Check) -> Check:
    def run(value: Any) -> Any:
        check(NESTED_MODEL_INSTANCE if value is not None else None)
        return value

    return run


def _default_of(value: Any) -> Callable[[], Any]:
    if isinstance(value, list | dict):
        return lambda: type(value)(value)
    return lambda: value


def _field_check(
    nullable: bool,
    null_message: str,
    coercion_name: str | None,
    coerce: Check | None,
    coerce_unchanged: type | None,
    convert: Check,
    convert_unchanged: type | None,
    steps: tuple[Check, ...],
    after: tuple[Check, ...],
) -> Check:
    """The check of a present value: coercion, type, constraints, after checks.

    Null is never coerced; it is accepted only by a nullable field, and the after
    checks run on it as well. A coercion that raises is a type error.
    """
    all_steps = steps + after

    def check(value: Any) -> Any:
        if coerce is not None and value is not None and value.__class__ is not coerce_unchanged:
            try:
                value = coerce(value)
            except Exception as error:
                raise coercion_failure(coercion_name, error) from None
        if value is None:
            if not nullable:
                raise FieldFailure(TYPE_ERROR, null_message)
            for step in after:
                value = step(value)
            return value
        if value.__class__ is not convert_unchanged:
            value = convert(value)
        for step in all_steps:
            value = step(value)
        return value

    return check


def coercion_failure(coercion_name: str, error: Exception) -> FieldFailure:
    return FieldFailure(TYPE_ERROR, f"coercion {coercion_name} failed: {error}")


def unexpected_failure(name: str, error: Exception) -> FieldError:
    """A check must finish, whatever the value: an error no check foresaw is a violation."""
    message = f"cannot be checked: {type(error).__name__}: {error}"
    return FieldError(name, VALIDATION_ERROR, message[:MAXIMUM_MESSAGE_LENGTH])


def _array_converter(schema: dict) -> Check:
    items = schema.get("items", {})
    if isinstance(items, dict) and items.get("type") == "object":
        convert_item = object_converter(items)
    else:
        convert_item = value_converter(items if isinstance(items, dict) else {})

    def convert(value: Any) -> list:
        if not isinstance(value, list | tuple):
            raise type_failure("list", value)
        converted = []
        for position, item in enumerate(value):
            try:
                converted.append(convert_item(item))
            except FieldFailure as failure:
                raise FieldFailure(failure.error_type, f"[{position}]: {failure.message}") from None
        return converted

    return convert


def object_converter(schema: dict) -> Check:
    """A nested object: a dict checked property by property, unknown keys dropped
    (or refused with ``additionalProperties: false``); the first failure names its path."""
    plans = compile_properties(schema)
    forbid_unknown = schema.get("additionalProperties") is False

    def convert(value: Any) -> dict:
        if not isinstance(value, dict):
            raise type_failure("object", value)
        converted, errors = check_properties(plans, value, forbid_unknown)
        if errors:
            first = errors[0]
            raise FieldFailure(first.error_type, f"{first.field}: {first.message}")
        return converted

    return convert


def inline_rules(property_schema: dict) -> list[tuple[str, dict | None]]:
    """The ``validations`` written inside a property, in order."""
    validations = property_schema.get("validations") or {}
    return list(validations.items()) if isinstance(validations, dict) else []


def compile_properties(
    schema: dict,
    rules_by_field: dict[str, list[tuple[str, dict | None]]] | None = None,
    coercion_by_field: dict[str, str] | None = None,
) -> tuple[PropertyPlan, ...]:
    """Compile the properties of an object schema. Without ``rules_by_field`` each
    property carries its inline validations (nested objects); the contract passes
    the merged inline and top-level rules and coercions of its top-level fields."""
    required = set(schema.get("required") or ())
    properties = schema.get("properties") or {}
    return tuple(
        compile_property(
            name,
            property_schema,
            name in required,
            inline_rules(property_schema)
            if rules_by_field is None
            else rules_by_field.get(name, []),
            (coercion_by_field or {}).get(name),
        )
        for name, property_schema in properties.items()
        if isinstance(property_schema, dict)
    )


def check_properties(
    plans: Sequence[PropertyPlan], record: dict, forbid_unknown: bool
) -> tuple[dict, list[FieldError]]:
    """Check every property of a record; every failing property gives one error.

    An empty value counts as no value when the plan says so (``empty_is_missing``).
    """
    converted: dict[str, Any] = {}
    errors: list[FieldError] = []
    for plan in plans:
        name = plan.name
        value = record.get(name, ABSENT)
        if value == EMPTY and plan.empty_is_missing:
            if plan.required:
                converted[name] = value
                errors.append(FieldError(name, MISSING_FIELD, EMPTY_MESSAGE))
            else:
                converted[name] = plan.default()
        elif value is not ABSENT:
            try:
                converted[name] = plan.check(value)
            except FieldFailure as failure:
                converted[name] = value
                errors.append(
                    FieldError(name, failure.error_type, failure.message[:MAXIMUM_MESSAGE_LENGTH])
                )
            except Exception as error:
                converted[name] = value
                errors.append(unexpected_failure(name, error))
        elif plan.required:
            errors.append(FieldError(name, MISSING_FIELD, MISSING_MESSAGE))
        else:
            converted[name] = plan.default()
    if forbid_unknown:
        known = {plan.name for plan in plans}
        for key in record:
            if key not in known and record[key] != EMPTY:
                errors.append(FieldError(str(key), VALIDATION_ERROR, "extra field not permitted"))
    return converted, errors
