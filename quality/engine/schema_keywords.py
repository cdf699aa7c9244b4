"""JSON Schema keywords beyond the type, as PyCharter's model enforces them.

Two kinds, run in this order after the type: the keywords PyCharter hands to
pydantic as field constraints (``minLength``, ``maxLength``, ``pattern`` and the
``email`` / ``uuid`` formats searched with Rust regex semantics, ``minimum`` and
the other number bounds, ``minItems`` / ``maxItems``), enforced only when the
property's ``type`` names strings, numbers or arrays; then PyCharter's "after"
checks, which run on null too: ``enum``, ``const``, ``pattern`` with ``re.match``,
``uniqueItems``, then the validation rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from quality.engine.results import VALIDATION_ERROR, FieldFailure
from quality.engine.schema_types import declared_types
from quality.engine.validations import VALIDATION_FACTORIES

Check = Callable[[Any], Any]

BOUND_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
NUMBER_CLASSES = (int, float)

EMAIL_FORMAT_PATTERN = r"^[^@]+@[^@]+\.[^@]+$"
UUID_FORMAT_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
FORMAT_PATTERNS = {"email": EMAIL_FORMAT_PATTERN, "uuid": UUID_FORMAT_PATTERN}


def constraint_checks(schema: dict) -> list[Check]:
    """The keywords PyCharter hands to pydantic as field constraints, one check each."""
    types = declared_types(schema)
    checks: list[Check] = []
    if "string" in types:
        if "minLength" in schema or "maxLength" in schema:
            checks.append(_string_length(schema.get("minLength"), schema.get("maxLength")))
        pattern = FORMAT_PATTERNS.get(schema.get("format"), schema.get("pattern"))
        if pattern is not None:
            checks.append(_string_search(pattern))
    if types & {"number", "integer"}:
        if any(keyword in schema for keyword in BOUND_KEYWORDS):
            checks.append(_number_bounds(*(schema.get(keyword) for keyword in BOUND_KEYWORDS)))
        if "multipleOf" in schema:
            checks.append(_multiple_of(schema["multipleOf"]))
    if "array" in types:
        if "minItems" in schema:
            checks.append(_items_at_least(schema["minItems"]))
        if "maxItems" in schema:
            checks.append(_items_at_most(schema["maxItems"]))
    return checks


def _string_length(minimum: int | None, maximum: int | None) -> Check:
    def check(value: Any) -> Any:
        if value.__class__ is str:
            if minimum is not None and len(value) < minimum:
                raise FieldFailure(
                    VALIDATION_ERROR, f"String should have at least {minimum} characters"
                )
            if maximum is not None and len(value) > maximum:
                raise FieldFailure(
                    VALIDATION_ERROR, f"String should have at most {maximum} characters"
                )
        return value

    return check


def rust_pattern(pattern: str) -> re.Pattern:
    """A Python pattern that finds what pydantic's Rust regex finds: there ``$`` (outside a
    character class) is the very end of the text, not also before a final newline."""
    translated = []
    escaped = in_class = False
    for character in pattern:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "[" and not in_class:
            in_class = True
        elif character == "]" and in_class:
            in_class = False
        elif character == "$" and not in_class:
            translated.append(r"\Z")
            continue
        translated.append(character)
    return re.compile("".join(translated))


def _string_search(pattern: str) -> Check:
    compiled = rust_pattern(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str) and not compiled.search(value):
            raise FieldFailure(VALIDATION_ERROR, f"String should match pattern '{pattern}'")
        return value

    return check


def _number_bounds(
    minimum: float | None,
    maximum: float | None,
    exclusive_minimum: float | None,
    exclusive_maximum: float | None,
) -> Check:
    """``minimum`` / ``maximum`` / ``exclusiveMinimum`` / ``exclusiveMaximum`` in one check.

    Each test is written "not (value within bound)" so that NaN, which compares
    false, fails as it does in pydantic.
    """

    def check(value: Any) -> Any:
        if isinstance(value, NUMBER_CLASSES):
            if minimum is not None and not value >= minimum:
                raise _bound_failure("greater than or equal to", minimum, value)
            if maximum is not None and not value <= maximum:
                raise _bound_failure("less than or equal to", maximum, value)
            if exclusive_minimum is not None and not value > exclusive_minimum:
                raise _bound_failure("greater than", exclusive_minimum, value)
            if exclusive_maximum is not None and not value < exclusive_maximum:
                raise _bound_failure("less than", exclusive_maximum, value)
        return value

    return check


def _bound_failure(relation: str, limit: float, value: Any) -> FieldFailure:
    return FieldFailure(VALIDATION_ERROR, f"Input should be {relation} {limit}, found {value!r}")


def _multiple_of(divisor: float) -> Check:
    message = f"Input should be a multiple of {divisor}"

    def check(value: Any) -> Any:
        if isinstance(value, int) and isinstance(divisor, int):
            if value % divisor:
                raise FieldFailure(VALIDATION_ERROR, f"{message}, found {value!r}")
        elif isinstance(value, int | float) and math.isfinite(value):
            # pydantic-core's float test: a remainder within |value| / 1e9 of 0 or of the
            # divisor passes; so does infinity, whose remainder is NaN and compares false.
            remainder = math.fmod(value, divisor)
            threshold = abs(value) / 1e9
            if abs(remainder) > threshold and abs(remainder - divisor) > threshold:
                raise FieldFailure(VALIDATION_ERROR, f"{message}, found {value!r}")
        return value

    return check


def _items_at_least(limit: int) -> Check:
    def check(value: Any) -> Any:
        if len(value) < limit:
            raise FieldFailure(
                VALIDATION_ERROR, f"List should have at least {limit} item(s), not {len(value)}"
            )
        return value

    return check


def _items_at_most(limit: int) -> Check:
    def check(value: Any) -> Any:
        if len(value) > limit:
            raise FieldFailure(
                VALIDATION_ERROR, f"List should have at most {limit} item(s), not {len(value)}"
            )
        return value

    return check


def _enum_after(values: list) -> Check:
    def check(value: Any) -> Any:
        if value not in values:
            raise FieldFailure(VALIDATION_ERROR, f"Value must be one of {values}, got {value}")
        return value

    return check


def _const_after(constant: Any) -> Check:
    def check(value: Any) -> Any:
        if value != constant:
            raise FieldFailure(VALIDATION_ERROR, f"Value must be exactly {constant}, got {value}")
        return value

    return check


def _pattern_after(pattern: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str) and not compiled.match(value):
            raise FieldFailure(
                VALIDATION_ERROR, f"Value must match pattern '{pattern}', got '{value}'"
            )
        return value

    return check


def _unique_items_after(value: Any) -> Any:
    if isinstance(value, list):
        try:
            distinct = len(set(value))
        except TypeError:
            raise FieldFailure(
                VALIDATION_ERROR, "Array items cannot be compared for uniqueness"
            ) from None
        if len(value) != distinct:
            raise FieldFailure(VALIDATION_ERROR, "Array must contain unique items")
    return value


def validation_rule_checks(rules: Sequence[tuple[str, dict | None]]) -> list[Check]:
    """The validation rules of a field, compiled (their parameters are already checked)."""
    return [VALIDATION_FACTORIES[name](**(parameters or {})) for name, parameters in rules]


def after_checks(schema: dict, rules: Sequence[tuple[str, dict | None]]) -> list[Check]:
    checks: list[Check] = []
    if schema.get("enum"):
        checks.append(_enum_after(list(schema["enum"])))
    if "const" in schema:
        checks.append(_const_after(schema["const"]))
    if "pattern" in schema:
        checks.append(_pattern_after(schema["pattern"]))
    if schema.get("type") == "array" and schema.get("uniqueItems") is True:
        checks.append(_unique_items_after)
    checks.extend(validation_rule_checks(rules))
    return checks
