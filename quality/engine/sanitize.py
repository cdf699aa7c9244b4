"""Making a record safe to store and show: valid UTF-8 text, JSON types, bounded depth and size.

Records come from files nobody vetted. Before one is written to the database (a
violation keeps the record it is about) or rendered, ``sanitize_record`` turns it
into something PostgreSQL's ``jsonb`` and a browser accept: lone surrogates and
NUL characters replaced by U+FFFD, bytes decoded, non-JSON values as text,
nesting and total size capped, with ``_truncated: true`` when anything was cut.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from typing import Any

from tenancy.sanitize import UNSAFE_CHARACTERS, safe_text

DEFAULT_MAXIMUM_BYTES = 64 * 1024
DEFAULT_MAXIMUM_DEPTH = 16
TRUNCATED_KEY = "_truncated"
TRUNCATION_MARK = "…[truncated]"
LARGEST_SAFE_INTEGER = 2**63 - 1
"""Integers beyond a 64-bit signed integer are stored as text."""


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
