"""One sanitizer for everything the site shows or sends: API responses and the admin's JSON.

Values come from files and pipelines nobody vetted. `sanitize_value` walks any
nested value and returns plain JSON that every client can decode:

- bytes become `{"$base64": "...", "$bytes": <length>}` (cut bytes also carry
  `"$truncated": true`);
- lone surrogates (undecodable UTF-8 smuggled in by `surrogateescape`) and NUL
  characters become U+FFFD;
- strings longer than `max_length` are cut and end with a marker that gives the
  original length;
- integers beyond 64 bits, NaN and infinities, dates, UUIDs and other objects become text;
- nesting deeper than `max_depth` is replaced by a marker.
"""

import base64
import json
import math
import re
from datetime import date, datetime, time

MAX_STRING_LENGTH = 10_000
MAX_BINARY_BYTES = 64 * 1024
MAX_DEPTH = 32
LARGEST_EXACT_INTEGER = 2**63 - 1
REPLACEMENT_CHARACTER = "\ufffd"
BINARY_KEY = "$base64"
BINARY_LENGTH_KEY = "$bytes"
BINARY_TRUNCATED_KEY = "$truncated"
DEPTH_MARKER = "…[nested too deep]"
UNSAFE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def safe_text(text):
    """The text with lone surrogates and NUL characters replaced by U+FFFD."""
    if text.isascii() and "\x00" not in text:
        return text
    return UNSAFE_CHARACTERS.sub(REPLACEMENT_CHARACTER, text)


def truncation_marker(original_length):
    return f"…[truncated, {original_length} characters]"


TRUNCATION_MARKER = re.compile(r"…\[truncated, \d+ characters\]")


def sanitize_text(text, *, max_length=MAX_STRING_LENGTH):
    # Nearly every text is short plain ASCII: answered without a copy or a regular expression.
    if len(text) <= max_length and text.isascii() and "\x00" not in text:
        return text
    text = safe_text(text)
    # A text cut before keeps its marker: sanitizing twice changes nothing more.
    if len(text) <= max_length or TRUNCATION_MARKER.fullmatch(text, max_length):
        return text
    return text[:max_length] + truncation_marker(len(text))


def sanitize_value(value, *, max_length=MAX_STRING_LENGTH, max_binary_bytes=MAX_BINARY_BYTES,
                   max_depth=MAX_DEPTH):
    """A JSON-safe copy of `value` (see the module docstring for what changes)."""
    return _clean(value, 0, max_length, max_binary_bytes, max_depth)


# Checked on every value of every response: the type tuples are built once, here.
_BINARY_TYPES = (bytes, bytearray, memoryview)
_TIME_TYPES = (datetime, date, time)
_SEQUENCE_TYPES = (list, tuple, set, frozenset)


def _clean(value, depth, max_length, max_binary_bytes, max_depth):
    # Short plain ASCII text, None, booleans and 64-bit integers, nearly every value of a
    # response, are answered without a further call (a third of a page's sanitizing time);
    # everything else, subclasses included, takes the general path.
    kind = type(value)
    if kind is str:
        if len(value) <= max_length and value.isascii() and "\x00" not in value:
            return value
        return sanitize_text(value, max_length=max_length)
    if value is None or kind is bool:
        return value
    if kind is int and -LARGEST_EXACT_INTEGER <= value <= LARGEST_EXACT_INTEGER:
        return value
    return _clean_other(value, depth, max_length, max_binary_bytes, max_depth)


def _clean_other(value, depth, max_length, max_binary_bytes, max_depth):
    if isinstance(value, str):
        return sanitize_text(value, max_length=max_length)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) <= LARGEST_EXACT_INTEGER:
            return value
        # Beyond 64 bits clients lose digits; Python refuses to print the longest ones.
        if value.bit_length() < 10_000:
            return str(value)
        return f"<integer of {value.bit_length()} bits>"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        if depth >= max_depth:
            return DEPTH_MARKER
        if _is_binary_marker(value, max_binary_bytes):
            return value
        depth += 1
        # Keys too: the same few names on every row of a page.
        return {
            (key if type(key) is str and len(key) <= max_length and key.isascii()
             and "\x00" not in key
             else sanitize_text(key if type(key) is str else str(key), max_length=max_length)):
                _clean(item, depth, max_length, max_binary_bytes, max_depth)
            for key, item in value.items()
        }
    if isinstance(value, _SEQUENCE_TYPES):
        if depth >= max_depth:
            return DEPTH_MARKER
        depth += 1
        return [_clean(item, depth, max_length, max_binary_bytes, max_depth) for item in value]
    if isinstance(value, _BINARY_TYPES):
        data = bytes(value)
        cleaned = {
            BINARY_KEY: base64.b64encode(data[:max_binary_bytes]).decode("ascii"),
            BINARY_LENGTH_KEY: len(data),
        }
        if len(data) > max_binary_bytes:
            cleaned[BINARY_TRUNCATED_KEY] = True
        return cleaned
    if isinstance(value, _TIME_TYPES):
        return value.isoformat()
    return sanitize_text(str(value), max_length=max_length)


def _is_binary_marker(value, max_binary_bytes):
    """A dict this module made from bytes: its base64 text is kept whole."""
    return (
        isinstance(value, dict)
        and isinstance(value.get(BINARY_KEY), str)
        and isinstance(value.get(BINARY_LENGTH_KEY), int)
        and set(value) <= {BINARY_KEY, BINARY_LENGTH_KEY, BINARY_TRUNCATED_KEY}
        and value[BINARY_KEY].isascii()
        and len(value[BINARY_KEY]) <= 4 * -(-max_binary_bytes // 3)
    )


def json_display(value):
    """`value` sanitized and pretty-printed, for read-only JSON in the admin."""
    return json.dumps(sanitize_value(value), indent=2, ensure_ascii=False)
