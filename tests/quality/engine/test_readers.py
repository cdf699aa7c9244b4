"""Streaming records from CSV, JSON and JSON Lines: bad data is a problem record, never raises."""

import io
import json

import pytest

from quality.engine import RecordProblem, iter_records, readers


def records_of(tmp_path, content: bytes, data_format: str):
    path = tmp_path / f"data.{data_format}"
    path.write_bytes(content)
    return list(iter_records(path, data_format))


def problems(items):
    return [(index, item.message) for index, item in items if isinstance(item, RecordProblem)]


@pytest.fixture(params=["orjson", "standard library"])
def json_lines_parser(request, monkeypatch):
    """JSON Lines are read with orjson when installed; both ways must give the same answers."""
    if request.param == "orjson":
        pytest.importorskip("orjson")
    else:
        monkeypatch.setattr(readers, "orjson", None)
    return request.param


def test_json_lines_yields_objects_and_skips_blank_lines(tmp_path, json_lines_parser):
    content = b'\xef\xbb\xbf{"a": 1}\n\n  \n{"a": "x", "b": null}\r\n{"a": 3}'
    assert records_of(tmp_path, content, "jsonl") == [
        (0, {"a": 1}),
        (1, {"a": "x", "b": None}),
        (2, {"a": 3}),
    ]


def test_json_lines_bad_lines_are_problems(tmp_path, json_lines_parser):
    content = (
        b'{"a": 1}\n[1, 2]\n{"a": \xff}\n{"a": "\xff"}\n{"a": 1} extra\n'
        + b"[" * 100_000
        + b'\n{"a": 2'
    )
    items = records_of(tmp_path, content, "jsonl")
    assert items[0] == (0, {"a": 1})
    assert problems(items) == [
        (1, "a record must be a JSON object, found an array"),
        (2, "not valid UTF-8: byte 0xff at offset 6 of the record"),
        (3, "not valid UTF-8: byte 0xff at offset 7 of the record"),
        (4, "not valid JSON: Extra data at column 10"),
        (5, "record nested too deeply"),
        (6, "not valid JSON: Expecting ',' delimiter at column 8"),
    ]
    assert items[2][1].excerpt == '{"a": \ufffd}\n'


def test_json_lines_take_what_the_standard_library_takes(tmp_path, json_lines_parser):
    # NaN, a lone surrogate escape and an integer beyond 64 bits are what PyCharter's
    # runner (json.loads) reads
    content = b'{"a": NaN, "b": "\\ud800", "c": 123456789012345678901234567890}\n'
    ((index, record),) = records_of(tmp_path, content, "jsonl")
    assert record["a"] != record["a"]
    assert (record["b"], record["c"]) == ("\ud800", 123456789012345678901234567890)


def test_json_lines_oversized_record_is_a_problem_and_reading_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAXIMUM_RECORD_BYTES", 64)
    content = b'{"a": "' + b"x" * 500 + b'"}\n{"a": 2}\n'
    items = records_of(tmp_path, content, "jsonl")
    assert problems(items) == [(0, "record larger than 64 bytes")]
    assert items[1] == (1, {"a": 2})


def test_json_array_is_streamed_item_by_item(tmp_path):
    content = b' [\n{"a": 1},\n{"a": [1, {"b": "],}"}]} , {"a": "\\u00e9\\"x"}\n]\n'
    assert records_of(tmp_path, content, "json") == [
        (0, {"a": 1}),
        (1, {"a": [1, {"b": "],}"}]}),
        (2, {"a": 'é"x'}),
    ]


def test_json_array_does_not_load_the_file_whole():
    # given a 4 MB array behind a stream that counts what is read
    class CountingStream(io.BytesIO):
        bytes_read = 0

        def read(self, size=-1):
            chunk = super().read(size)
            CountingStream.bytes_read += len(chunk)
            return chunk

    item = json.dumps({"name": "x" * 100}).encode()
    stream = CountingStream(b"[" + b",".join([item] * 40_000) + b"]")
    # when the first record is taken
    first = next(iter_records(stream, "json"))
    # then only a chunk was read
    assert first == (0, {"name": "x" * 100})
    assert CountingStream.bytes_read <= 2 * readers.CHUNK_SIZE


def test_json_array_items_across_chunk_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CHUNK_SIZE", 7)
    records = [{"name": "é" * (index % 5), "escaped": '\\"', "index": index} for index in range(50)]
    content = json.dumps(records).encode()
    assert records_of(tmp_path, content, "json") == list(enumerate(records))


def test_json_array_bad_items_are_problems_and_the_rest_is_read(tmp_path):
    content = (
        b'[{"a": 1}, 7, {"a": nope}, {"a": "\xff"}, '
        + b"[" * 50_000
        + b"]" * 50_000
        + b', {"a": 2},]'
    )
    items = records_of(tmp_path, content, "json")
    assert items[0] == (0, {"a": 1})
    assert problems(items) == [
        (1, "a record must be a JSON object, found a number"),
        (2, "not valid JSON"),
        (3, "not valid UTF-8: the record has bytes that cannot be decoded"),
        (4, "record nested too deeply"),
    ]
    assert items[-1] == (5, {"a": 2})


def test_json_array_truncated_file_ends_with_a_problem(tmp_path):
    items = records_of(tmp_path, b'[{"a": 1}, {"a": "unfinished', "json")
    assert items[0] == (0, {"a": 1})
    assert problems(items) == [(1, "the file ends inside a record (truncated)")]
    assert problems(records_of(tmp_path, b'[{"a": 1},', "json")) == [
        (1, "the file ends inside the array (truncated)")
    ]


def test_json_file_with_one_object_or_no_array(tmp_path):
    assert records_of(tmp_path, b'{"a": 1}', "json") == [(0, {"a": 1})]
    assert records_of(tmp_path, b"  ", "json") == []
    assert records_of(tmp_path, b"[]", "json") == []
    assert problems(records_of(tmp_path, b'"text"', "json")) == [
        (0, "a JSON file must hold an array of objects")
    ]


def test_csv_empty_cells_are_empty_values(tmp_path):
    content = b'\xef\xbb\xbfuser_id,age,notes\r\nu1,42,"said ""hi"",\nthen left"\r\n\r\nu2,,\n'
    assert records_of(tmp_path, content, "csv") == [
        (0, {"user_id": "u1", "age": "42", "notes": 'said "hi",\nthen left'}),
        (1, {"user_id": "u2", "age": "", "notes": ""}),
    ]


def test_csv_ragged_and_undecodable_rows_are_problems(tmp_path):
    content = b"a,b\n1,2\n1,2,3\n1\n\xff,2\n3,4\n"
    items = records_of(tmp_path, content, "csv")
    assert problems(items) == [
        (1, "row has 3 cells, the header has 2"),
        (2, "row has 1 cells, the header has 2"),
        (3, "not valid UTF-8: byte 0xff at offset 0 of a line"),
    ]
    assert items[-1] == (4, {"a": "3", "b": "4"})


def test_csv_oversized_row_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAXIMUM_RECORD_BYTES", 32)
    items = records_of(tmp_path, b"a,b\n" + b"x" * 100 + b",1\n5,6\n", "csv")
    assert problems(items) == [(0, "record larger than 32 bytes")]
    assert items[-1] == (1, {"a": "5", "b": "6"})


def test_csv_empty_file_and_header_only(tmp_path):
    assert records_of(tmp_path, b"", "csv") == []
    assert records_of(tmp_path, b"a,b\n", "csv") == []


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        list(iter_records(tmp_path / "x.xml", "xml"))
