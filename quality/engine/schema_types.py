"""The types of PyCharter's model in lax mode: what each JSON Schema type accepts, converted.

pydantic (which PyCharter builds its model with) converts rather than rejects where
it can: ``"42"`` and ``42.0`` are integers, ``"yes"`` is a boolean, a number string is
a float, but a number is never a string. Each converter here takes a non-null value
and returns it converted, or raises ``FieldFailure`` with a type error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from quality.engine.datetimes import to_schema_date, to_schema_datetime
from quality.engine.results import TYPE_ERROR, VALIDATION_ERROR, FieldFailure

Check = Callable[[Any], Any]

# Rust's str::trim, which pydantic applies before reading a number from a string,
# trims Unicode White_Space; Python's str.strip() would also trim \x1c-\x1f.
RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
INTEGER_TEXT_PATTERN = re.compile(r"[+-]?\d(?:_?\d)*(?:\.0+)?\Z", re.ASCII)
FLOAT_TEXT_PATTERN = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)\Z", re.ASCII | re.IGNORECASE
)
MAXIMUM_INTEGER_DIGITS = 4300
BOOLEAN_TEXTS = {
    "0": False,
    "off": False,
    "f": False,
    "false": False,
    "n": False,
    "no": False,
    "1": True,
    "on": True,
    "t": True,
    "true": True,
    "y": True,
    "yes": True,
}

DESCRIBED_LENGTH = 80
JSON_TYPE_NAMES = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    list: "list",
    dict: "object",
    type(None): "null",
    bytes: "bytes",
}


def describe(value: Any) -> str:
    """``integer 42`` / ``null None``: how pydantic names the value it refused (shortened)."""
    kind = JSON_TYPE_NAMES.get(type(value), type(value).__name__)
    try:
        text = repr(value[:DESCRIBED_LENGTH] if isinstance(value, str | bytes) else value)
    except (ValueError, RecursionError):  # an integer too long to print, a list nested too deep
        text = "..."
    if len(text) > DESCRIBED_LENGTH:
        text = text[: DESCRIBED_LENGTH - 3] + "..."
    return f"{kind} {text}"


def type_failure(expected: str, value: Any) -> FieldFailure:
    return FieldFailure(TYPE_ERROR, f"expected {expected}, found {describe(value)}")


def _to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            pass
    raise type_failure("string", value)


def _to_integer(value: Any) -> int:
    if value.__class__ is int:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FieldFailure(TYPE_ERROR, f"Input should be a finite number, found {value!r}")
        if value != int(value):
            raise type_failure("integer", value)
        return int(value)
    if isinstance(value, str):
        text = value.strip(RUST_WHITESPACE)
        if len(text) <= MAXIMUM_INTEGER_DIGITS and INTEGER_TEXT_PATTERN.match(text):
            return int(text.partition(".")[0])
    raise type_failure("integer", value)


def _to_float(value: Any) -> float:
    if value.__class__ is float:
        return value
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            raise type_failure("float", value) from None
    if isinstance(value, str):
        text = value.strip(RUST_WHITESPACE)
        if not (text.startswith("_") or text.endswith("_") or "__" in text):
            text = text.replace("_", "")
            if FLOAT_TEXT_PATTERN.match(text):
                return float(text)
    raise type_failure("float", value)


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        answer = BOOLEAN_TEXTS.get(value.lower())
        if answer is not None:
            return answer
    raise type_failure("boolean", value)


def _to_null(value: Any) -> None:
    if value is not None:
        raise type_failure("null", value)


def _to_datetime(value: Any) -> datetime:
    try:
        return to_schema_datetime(value)
    except ValueError as error:
        raise FieldFailure(TYPE_ERROR, str(error)) from None


def _to_date(value: Any) -> date:
    try:
        return to_schema_date(value)
    except ValueError as error:
        raise FieldFailure(TYPE_ERROR, str(error)) from None


def _to_any_list(value: Any) -> list:
    if isinstance(value, list | tuple):
        return list(value)
    raise type_failure("list", value)


def _to_any_dict(value: Any) -> dict:
    if isinstance(value, dict):
        return dict(value)
    raise type_failure("object", value)


SIMPLE_CONVERTERS: dict[str, Check] = {
    "string": _to_string,
    "integer": _to_integer,
    "number": _to_float,
    "boolean": _to_boolean,
    "null": _to_null,
    "array": _to_any_list,
    "object": _to_any_dict,
}

UNCHANGED_CLASSES: dict[Check, type] = {
    _to_string: str,
    _to_integer: int,
    _to_float: float,
    _to_boolean: bool,
    _to_datetime: datetime,
    _to_date: date,
}
"""For the common converters, the class of the values they return unchanged: the field
check skips the call for them."""

EXACT_CLASSES = {
    "string": (str,),
    "integer": (int,),
    "number": (float,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _is_exact(type_name: str, value: Any) -> bool:
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, EXACT_CLASSES.get(type_name, ()))


def _union_converter(type_names: Sequence[str]) -> Check:
    """pydantic's smart union: a member the value already is wins, else the first that converts."""
    converters = [(name, SIMPLE_CONVERTERS[name]) for name in type_names]
    expected = " or ".join(type_names)

    def convert(value: Any) -> Any:
        for name, converter in converters:
            if _is_exact(name, value):
                return converter(value)
        for _, converter in converters:
            try:
                return converter(value)
            except FieldFailure:
                continue
        raise type_failure(expected, value)

    return convert


def value_converter(schema: dict) -> Check:
    """The converter of a value of this schema as an item or a plain field type (no
    ``enum`` / ``const``, no constraints): PyCharter's JSON-type-to-Python mapping."""
    declared = schema.get("type", "string")
    if isinstance(declared, list):
        non_null = [name for name in declared if name != "null"]
        if not non_null:
            return _to_null
        if len(non_null) > 1:
            unique = list(
                dict.fromkeys(name if name in SIMPLE_CONVERTERS else "string" for name in non_null)
            )
            return _union_converter(unique) if len(unique) > 1 else SIMPLE_CONVERTERS[unique[0]]
        declared = non_null[0]
    if declared == "string" and schema.get("format") == "date-time":
        return _to_datetime
    if declared == "string" and schema.get("format") == "date":
        return _to_date
    return SIMPLE_CONVERTERS.get(declared, _to_string)


def declared_types(schema: dict) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, list):
        return {str(name) for name in declared}
    return {str(declared)} if declared is not None else set()


def literal_converter(values: list) -> Check:
    """``enum`` / ``const`` as pydantic's Literal: equal to a listed value, which is returned.

    A string matches only a string; numbers and booleans match across (``1.0`` and
    ``True`` match ``1``), as in pydantic.
    """
    shown = " or ".join(repr(value) for value in values)
    listed_strings = frozenset(value for value in values if value.__class__ is str)

    def convert(value: Any) -> Any:
        if value.__class__ is str and value in listed_strings:
            return value
        for allowed in values:
            if isinstance(value, str) == isinstance(allowed, str) and value == allowed:
                return allowed
        raise FieldFailure(VALIDATION_ERROR, f"Input should be {shown}, found {describe(value)}")

    return convert
