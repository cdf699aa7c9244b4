"""Making records safe to store: text, types, depth and size."""

import json
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from quality.engine import sanitize_record


def test_text_is_made_valid_utf8_without_nul():
    record = {"name": "ab\x00c", "bad": "x\udcff\ud800y", "ok": "é 😀"}
    assert sanitize_record(record) == {"name": "ab\ufffdc", "bad": "x\ufffd\ufffdy", "ok": "é 😀"}


def test_non_json_values_become_json():
    record = {
        "raw": b"caf\xc3\xa9 \xff",
        "when": datetime(2024, 3, 5, 12, 0),
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "amount": Decimal("1.5"),
        "missing": float("nan"),
        "huge": 10**30,
        "tags": ("a", "b"),
        1: "numeric key",
    }
    cleaned = sanitize_record(record)
    assert cleaned == {
        "raw": "café \ufffd",
        "when": "2024-03-05T12:00:00",
        "id": "12345678-1234-5678-1234-567812345678",
        "amount": "1.5",
        "missing": "nan",
        "huge": "1000000000000000000000000000000",
        "tags": ["a", "b"],
        "1": "numeric key",
    }
    json.dumps(cleaned, allow_nan=False).encode("utf-8")


def test_depth_is_capped_and_marked():
    deep = []
    for _ in range(100_000):
        deep = [deep]
    cleaned = sanitize_record({"deep": deep}, max_depth=3)
    assert cleaned == {"deep": [["…[truncated]"]], "_truncated": True}


def test_size_is_capped_and_marked():
    record = {"notes": "x" * 10_000, "more": list(range(1000))}
    cleaned = sanitize_record(record, max_bytes=1000)
    assert cleaned["_truncated"] is True
    assert cleaned["notes"].endswith("…[truncated]")
    assert len(json.dumps(cleaned, ensure_ascii=False).encode("utf-8")) < 1100


def test_a_small_clean_record_is_unchanged():
    record = {
        "user_id": "u1",
        "age": 42,
        "score": 0.5,
        "active": True,
        "notes": None,
        "tags": ["a"],
    }
    assert sanitize_record(record) == record


def test_a_value_that_is_not_a_record_is_kept_under_value():
    assert sanitize_record(["a", 1]) == {"_value": ["a", 1]}
