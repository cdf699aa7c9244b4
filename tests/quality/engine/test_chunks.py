"""A file checked chunk by chunk, in worker processes or in this one, gives the same answers
as one pass over its records: metrics, unreadable lines, failing records and their lines."""

import json

import pytest

from quality.engine import ChunkRules, MetricsAccumulator, checked_chunks, chunks, compile_contract

SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "name": {"type": "string", "maxLength": 5},
    },
    "required": ["name"],
}


def _lines():
    lines = []
    for number in range(120):
        record = {"id": f"r{number}", "age": number % 7 - 1, "name": "ab"}
        if number % 11 == 0:
            del record["id"]  # named by its position in the file
        if number % 13 == 0:
            record["name"] = "far too long"
        if number % 17 == 0:
            record["name"] = "a\u0000b"  # text no database stores
        lines.append(json.dumps(record))
        if number % 19 == 0:
            lines.append("")  # a blank line: no record, but a line
        if number % 23 == 0:
            lines.append('{"id": "broken", ')  # unreadable: a problem of its line
        if number % 29 == 0:
            lines.append("[1, 2]")  # not an object
    return "\ufeff" + "\n".join(lines) + "\n"


def _everything(path, workers):
    metrics = MetricsAccumulator()
    problems, failures, before = [], [], 0
    rules = ChunkRules(contract=compile_contract(SCHEMA), record_id_field="id")
    for chunk in checked_chunks(path, "jsonl", rules, workers=workers):
        metrics.merge(chunk.metrics)
        problems += chunk.problems
        failures += [(before + index, identifier, record_json, severity, errors)
                     for index, identifier, record_json, severity, errors in chunk.failures]
        before += chunk.count
    return metrics.result(), problems, failures, before


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(_lines(), encoding="utf-8")
    return path


def test_chunks_in_workers_give_the_answers_of_one_pass(data_file, monkeypatch):
    one_pass = _everything(data_file, workers=1)
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 256)
    monkeypatch.setattr(chunks, "PARALLEL_MINIMUM_BYTES", 0)
    monkeypatch.setattr(chunks, "CHUNK_RECORDS", 7)

    in_small_chunks = _everything(data_file, workers=1)
    with monkeypatch.context() as only_workers:
        only_workers.setattr(chunks, "iter_records", None)  # workers read their own ranges
        in_workers = _everything(data_file, workers=2)

    assert in_workers == one_pass
    assert in_small_chunks == one_pass
    metrics, problems, failures, count = one_pass
    assert count == 120 + 6 + 5
    assert [line for line, _ in problems][:3] == [3, 4, 29]
    assert {identifier for _, identifier, *_ in failures} >= {None, "r13"}
    assert any("line 21, field 'name'" in error.message
               for *_, errors in failures for error in errors)
