"""Making a record safe to store and show: valid UTF-8 text, JSON types, bounded depth and size.

Records come from files nobody vetted. Before one is written to the database (a
violation keeps the record it is about) or rendered, ``sanitize_record`` turns it
into something PostgreSQL's ``jsonb`` and a browser accept: lone surrogates and
NUL characters replaced by U+FFFD, bytes decoded, non-JSON values as text,
nesting and total size capped, with ``_truncated: true`` when anything was cut.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time
from typing import Any

from tenancy.sanitize import UNSAFE_CHARACTERS, safe_text

try:
    import orjson
except ImportError:  # optional: only makes the common records faster to look at
    orjson = None

DEFAULT_MAXIMUM_BYTES = 64 * 1024
DEFAULT_MAXIMUM_DEPTH = 16
TRUNCATED_KEY = "_truncated"
TRUNCATION_MARK = "…[truncated]"
LARGEST_SAFE_INTEGER = 2**63 - 1
"""Integers beyond a 64-bit signed integer are stored as text."""
LARGEST_VALUE_COST = 24
"""What ``sanitize_record`` counts at most for a value beyond its JSON text (a number)."""
ENCODED_NUL = b"\\u0000"


def sanitize_record(
    record: Any,
    max_bytes: int = DEFAULT_MAXIMUM_BYTES,
    max_depth: int = DEFAULT_MAXIMUM_DEPTH,
) -> dict:
    """A JSON-safe copy of ``record`` of at most about ``max_bytes`` of UTF-8 JSON.

    A record that is not a dict is kept under ``_value``.
    """
    budget = _Budget(max_bytes)
    cleaned = _clean(record, 0, max_depth, budget)
    if not isinstance(cleaned, dict):
        cleaned = {"_value": cleaned}
    if budget.truncated:
        cleaned[TRUNCATED_KEY] = True
    return cleaned


def sanitized_json(record: Any, max_bytes: int = DEFAULT_MAXIMUM_BYTES) -> str:
    """``sanitize_record(record, max_bytes)`` as JSON text.

    Most records need no change: a flat object of text, booleans, nulls, 64-bit
    integers and finite floats, small enough to keep whole and without a character
    a database refuses, is encoded as it is in one pass of orjson's C code.
    """
    if orjson is not None and record.__class__ is dict and _plain_values(record.values()):
        try:
            encoded = orjson.dumps(record)
        except TypeError:  # a lone surrogate, a key that is not text
            pass
        else:
            if (ENCODED_NUL not in encoded
                    and len(encoded) + LARGEST_VALUE_COST * len(record) < max_bytes):
                return encoded.decode()
    return json.dumps(sanitize_record(record, max_bytes), ensure_ascii=False, default=str)


def _plain_values(values) -> bool:
    for value in values:
        kind = value.__class__
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if not -LARGEST_SAFE_INTEGER <= value <= LARGEST_SAFE_INTEGER:
                return False
        elif kind is not float or not math.isfinite(value):
            return False
    return True


def storable_at_a_glance(record: Any) -> bool:
    """True when no text anywhere in ``record`` can be one that no database accepts
    (one pass of orjson's C code); False only means: ask ``unstorable_text``."""
    if orjson is None:
        return False
    try:
        encoded = orjson.dumps(record)
    except TypeError:  # a lone surrogate, or anything else orjson does not encode
        return False
    return ENCODED_NUL not in encoded


class _Budget:
    def __init__(self, maximum_bytes: int):
        self.remaining = maximum_bytes
        self.truncated = False

    def take_text(self, text: str) -> str:
        encoded = text.encode("utf-8")
        cost = len(encoded) + 2
        if cost <= self.remaining:
            self.remaining -= cost
            return text
        self.truncated = True
        keep = max(self.remaining - 2 - len(TRUNCATION_MARK.encode("utf-8")), 0)
        self.remaining = 0
        return encoded[:keep].decode("utf-8", "ignore") + TRUNCATION_MARK

    def take(self, cost: int) -> bool:
        if cost <= self.remaining:
            self.remaining -= cost
            return True
        self.truncated = True
        self.remaining = 0
        return False


def _clean(value: Any, depth: int, max_depth: int, budget: _Budget) -> Any:
    if value is None or isinstance(value, bool):
        return value if budget.take(5) else None
    if isinstance(value, int):
        if -LARGEST_SAFE_INTEGER <= value <= LARGEST_SAFE_INTEGER:
            return value if budget.take(20) else None
        try:
            text = str(value)
        except ValueError:  # more digits than Python converts
            text = f"<integer of {value.bit_length()} bits>"
        return budget.take_text(text)
    if isinstance(value, float):
        if not math.isfinite(value):
            return budget.take_text(str(value))
        return value if budget.take(24) else None
    if isinstance(value, str):
        return budget.take_text(safe_text(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return budget.take_text(safe_text(bytes(value).decode("utf-8", "replace")))
    if isinstance(value, datetime | date | time):
        return budget.take_text(value.isoformat())
    if isinstance(value, dict | list | tuple | set | frozenset):
        if depth >= max_depth:
            budget.truncated = True
            return TRUNCATION_MARK
        if isinstance(value, dict):
            cleaned_dict = {}
            for key, item in value.items():
                if budget.remaining <= 0:
                    budget.truncated = True
                    break
                cleaned_key = budget.take_text(safe_text(str(key)))
                cleaned_dict[cleaned_key] = _clean(item, depth + 1, max_depth, budget)
            return cleaned_dict
        cleaned_list = []
        for item in value:
            if budget.remaining <= 0:
                budget.truncated = True
                break
            cleaned_list.append(_clean(item, depth + 1, max_depth, budget))
        return cleaned_list
    return budget.take_text(safe_text(str(value)))


def unstorable_text(value: Any, depth: int = 0) -> str | None:
    """What in ``value`` (text, or text nested in lists and dicts) no database accepts:
    "a NUL character", "an unpaired surrogate", or None when it is all storable.

    Looks no deeper than ``sanitize_record`` keeps.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return "a NUL character"
        if not value.isascii() and UNSAFE_CHARACTERS.search(value):
            return "an unpaired surrogate"
        return None
    if isinstance(value, dict):
        items = (part for pair in value.items() for part in pair)
    elif isinstance(value, list):
        items = iter(value)
    else:
        return None
    if depth >= DEFAULT_MAXIMUM_DEPTH:
        return None
    for item in items:
        found = unstorable_text(item, depth + 1)
        if found:
            return found
    return None
