"""PyCharter's validation rules, compiled into checks that raise ``FieldFailure``.

Each rule runs after the JSON Schema step, on the converted value, and follows
the rule of the same name in PyCharter 0.0.67 (``pycharter.shared.validations``,
MIT licence): every rule but ``only_allow`` lets ``None`` through, and rules let
through values of a type they do not handle. ``only_allow_if`` is accepted and
does nothing, as in PyCharter (``tests/quality/engine/pycharter_semantics.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from quality.engine.results import VALIDATION_ERROR, FieldFailure
from quality.engine.rule_specs import ParameterSpec, RuleSpec

Check = Callable[[Any], Any]

EMAIL_PATTERN = re.compile(r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")
NUMERIC_STRING_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")
NO_SPECIAL_CHARACTERS_PATTERN = re.compile(r"^[a-zA-Z0-9\s]*$")


def _fail(message: str) -> FieldFailure:
    return FieldFailure(VALIDATION_ERROR, message)


def min_length(threshold: int) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, str):
            if len(value) < threshold:
                raise _fail(
                    f"String must be at least {threshold} characters long, got {len(value)}"
                )
        elif isinstance(value, list | dict) and len(value) < threshold:
            raise _fail(f"Value must have at least {threshold} items, got {len(value)}")
        return value

    return check


def max_length(threshold: int) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, str):
            if len(value) > threshold:
                raise _fail(f"String must be at most {threshold} characters long, got {len(value)}")
        elif isinstance(value, list | dict) and len(value) > threshold:
            raise _fail(f"Value must have at most {threshold} items, got {len(value)}")
        return value

    return check


def only_allow(allowed_values: list) -> Check:
    def check(value: Any) -> Any:
        if value not in allowed_values:
            raise _fail(f"Value must be one of {allowed_values}, got {value}")
        return value

    return check


def only_allow_if(condition_field: str, condition_value: Any, allowed_values: list) -> Check:
    """Accepted for the contract to load, and enforces nothing (see the module docstring)."""
    return _accept


def _accept(value: Any) -> Any:
    return value


def greater_than_or_equal_to(threshold: float) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, int | float) and value < threshold:
            raise _fail(f"Value must be >= {threshold}, got {value}")
        return value

    return check


def less_than_or_equal_to(threshold: float) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, int | float) and value > threshold:
            raise _fail(f"Value must be <= {threshold}, got {value}")
        return value

    return check


def is_positive(threshold: float = 0) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, int | float) and value <= threshold:
            raise _fail(f"Value must be greater than {threshold}, got {value}")
        return value

    return check


def non_empty_string() -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value.strip()) == 0:
            raise _fail("String must not be empty")
        return value

    return check


def _string_matching(pattern: re.Pattern, message: str) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.match(value):
            raise _fail(message.format(value=value))
        return value

    return check


def is_email() -> Check:
    return _string_matching(EMAIL_PATTERN, "String must be a valid email address, got '{value}'")


def is_url() -> Check:
    return _string_matching(URL_PATTERN, "String must be a valid URL, got '{value}'")


def is_numeric_string() -> Check:
    return _string_matching(NUMERIC_STRING_PATTERN, "String must be numeric, got '{value}'")


def no_special_characters() -> Check:
    return _string_matching(
        NO_SPECIAL_CHARACTERS_PATTERN, "String must contain only alphanumeric characters and spaces"
    )


def matches_regex(pattern: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str) and not compiled.match(value):
            raise _fail(f"String must match pattern '{pattern}', got '{value}'")
        return value

    return check


def is_alphanumeric() -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not value.isalnum():
            raise _fail(f"String must contain only alphanumeric characters, got '{value}'")
        return value

    return check


def no_capital_characters() -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, str) and any(character.isupper() for character in value):
            raise _fail("String must not contain capital characters")
        return value

    return check


VALIDATION_FACTORIES: dict[str, Callable[..., Check]] = {
    "min_length": min_length,
    "max_length": max_length,
    "greater_than_or_equal_to": greater_than_or_equal_to,
    "less_than_or_equal_to": less_than_or_equal_to,
    "only_allow": only_allow,
    "only_allow_if": only_allow_if,
    "non_empty_string": non_empty_string,
    "is_positive": is_positive,
    "is_email": is_email,
    "is_url": is_url,
    "is_alphanumeric": is_alphanumeric,
    "is_numeric_string": is_numeric_string,
    "no_capital_characters": no_capital_characters,
    "no_special_characters": no_special_characters,
    "matches_regex": matches_regex,
}

KNOWN_VALIDATIONS: dict[str, RuleSpec] = {
    spec.name: spec
    for spec in (
        RuleSpec(
            "min_length",
            "A string (or list, dict) has at least this many characters (items)",
            (ParameterSpec("threshold", "integer", description="minimum length"),),
        ),
        RuleSpec(
            "max_length",
            "A string (or list, dict) has at most this many characters (items)",
            (ParameterSpec("threshold", "integer", description="maximum length"),),
        ),
        RuleSpec(
            "greater_than_or_equal_to",
            "A number is at least the threshold",
            (ParameterSpec("threshold", "number", description="smallest value allowed"),),
        ),
        RuleSpec(
            "less_than_or_equal_to",
            "A number is at most the threshold",
            (ParameterSpec("threshold", "number", description="largest value allowed"),),
        ),
        RuleSpec(
            "only_allow",
            "The value is one of the allowed values (null is not, unless listed)",
            (ParameterSpec("allowed_values", "list", description="the values allowed"),),
        ),
        RuleSpec(
            "only_allow_if",
            "Accepted as PyCharter accepts it; not enforced",
            (
                ParameterSpec("condition_field", "string", description="the field to look at"),
                ParameterSpec("condition_value", "any", description="the value that triggers it"),
                ParameterSpec("allowed_values", "list", description="the values then allowed"),
            ),
        ),
        RuleSpec("non_empty_string", "A string is not empty after stripping whitespace"),
        RuleSpec(
            "is_positive",
            "A number is greater than the threshold",
            (ParameterSpec("threshold", "number", required=False, description="default 0"),),
        ),
        RuleSpec("is_email", "A string is an e-mail address (name@domain.tld)"),
        RuleSpec("is_url", "A string is an http or https URL"),
        RuleSpec("is_alphanumeric", "A string has only letters and digits"),
        RuleSpec("is_numeric_string", "A string is a decimal number"),
        RuleSpec("no_capital_characters", "A string has no uppercase letters"),
        RuleSpec("no_special_characters", "A string has only letters, digits and whitespace"),
        RuleSpec(
            "matches_regex",
            "A string matches the regular expression from its start",
            (ParameterSpec("pattern", "string", description="a Python regular expression"),),
        ),
    )
}
"""Every validation name PyCharter's templates document, with its parameters."""
