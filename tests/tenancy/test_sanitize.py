"""The response sanitizer: any nested value in, JSON every client decodes out."""

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tenancy.sanitize import (
    MAX_BINARY_BYTES,
    MAX_DEPTH,
    _clean_other,
    json_display,
    sanitize_text,
    sanitize_value,
    truncation_marker,
)

MAX = 50

leaves = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
          | st.binary(max_size=200) | st.characters(categories=["Cs"]).map(lambda c: f"a{c}b"))
values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10) | st.integers(), children, max_size=5)
    | st.tuples(children, children),
    max_leaves=40,
)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@settings(max_examples=300, deadline=None)
@given(values)
def test_any_value_becomes_strict_utf8_json(value):
    cleaned = sanitize_value(value, max_length=MAX)

    encoded = json.dumps(cleaned, ensure_ascii=False, allow_nan=False).encode("utf-8")
    assert json.loads(encoded) == cleaned
    assert all(len(text) <= MAX + len(truncation_marker(10**9)) for text in _strings(cleaned))


@settings(max_examples=200, deadline=None)
@given(values)
def test_sanitizing_twice_changes_nothing_more(value):
    once = sanitize_value(value, max_length=MAX)

    assert sanitize_value(once, max_length=MAX) == once


@settings(max_examples=300, deadline=None)
@given(leaves | st.text(max_size=2 * MAX) | st.integers(min_value=-2**64, max_value=2**64))
def test_the_shortcuts_answer_what_the_general_path_answers(value):
    assert sanitize_value(value, max_length=MAX) == _clean_other(value, 0, MAX, MAX_BINARY_BYTES,
                                                                 MAX_DEPTH)


@given(st.text(max_size=2 * MAX) | st.integers()
       | st.characters(categories=["Cs"]).map(lambda c: f"a{c}b"))
def test_keys_are_sanitized_as_text(key):
    assert list(sanitize_value({key: None}, max_length=MAX)) == [
        sanitize_text(str(key), max_length=MAX)]


@given(st.binary(max_size=300))
def test_bytes_come_back_as_base64_with_their_length(data):
    cleaned = sanitize_value({"blob": data})["blob"]

    assert cleaned == {"$base64": base64.b64encode(data).decode("ascii"), "$bytes": len(data)}


@given(st.text(min_size=MAX + 1))
def test_an_oversize_string_is_cut_with_a_marker_giving_its_length(text):
    cleaned = sanitize_value(text, max_length=MAX)

    assert cleaned.endswith(truncation_marker(len(text)))
    assert len(cleaned) == MAX + len(truncation_marker(len(text)))


def test_lone_surrogates_nul_and_non_finite_numbers_are_made_safe():
    raw = b"caf\xe9".decode("utf-8", "surrogateescape")

    assert sanitize_value({"name": raw, "nul": "a\x00b", "score": float("nan"),
                           "big": 2**70}) == {
        "name": "caf\ufffd", "nul": "a\ufffdb", "score": "nan", "big": str(2**70)}


def test_the_admin_json_display_uses_the_same_sanitizer():
    assert json_display({"blob": b"\x00\xff"}) == (
        '{\n  "blob": {\n    "$base64": "AP8=",\n    "$bytes": 2\n  }\n}'
    )
