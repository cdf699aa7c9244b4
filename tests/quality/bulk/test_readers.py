"""The import readers: record by record in bounded memory, with the line of every record."""

import io
import json

import pytest

from quality.bulk import readers
from quality.bulk.errors import ImportFileError
from quality.bulk.readers import RecordProblem, records_read


class GeneratedFile(io.RawIOBase):
    """A file whose bytes are produced on demand, counting how many were read."""

    def __init__(self, parts):
        self.parts = iter(parts)
        self.pending = b""
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.pending:
            self.pending = next(self.parts, None)
            if self.pending is None:
                self.pending = b""
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.bytes_read += size
        return size


def _records(content, file_format):
    columns, records = records_read(io.BytesIO(content), file_format, "data")
    return columns, list(records)


def test_a_json_array_of_a_million_items_yields_its_first_items_after_one_chunk():
    # given a JSON array of a million violations, about 90 MB, made as it is read
    item = b'{"contract_name": "flights", "schema_id": "user", "record_data": {"age": -3}},\n'
    raw = GeneratedFile([b"[\n", *(item for _ in range(1_000_000))])
    _, records = records_read(io.BufferedReader(raw), "json", "violations.json")

    # when its first two records are read
    first, second = next(records), next(records)

    # then they come with their lines, after at most the first chunk of the file was read
    assert (first[0], second[0]) == (2, 3)
    assert first[1]["record_data"] == {"age": -3}
    assert raw.bytes_read <= readers.CHUNK_BYTES + 8192


def test_a_csv_of_a_million_rows_yields_its_first_rows_after_one_buffer():
    # given a CSV of a million rows, made as it is read
    raw = GeneratedFile([b"contract_name,schema_id\n",
                         *(b"flights,user\n" for _ in range(1_000_000))])
    columns, records = records_read(io.BufferedReader(raw), "csv", "violations.csv")

    # when the first row is read
    line, record = next(records)

    # then it is there, with its line, after one buffer of the file was read
    assert (columns, line, record) == (
        ["contract_name", "schema_id"], 2, {"contract_name": "flights", "schema_id": "user"}
    )
    assert raw.bytes_read <= 64 * 1024


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 5, 8, 13])
def test_json_items_cut_anywhere_by_chunks_read_whole(chunk_bytes, monkeypatch):
    # given items with escapes, numbers, literals and multi-byte characters, in tiny chunks
    monkeypatch.setattr(readers, "CHUNK_BYTES", chunk_bytes)
    items = [
        {"a": 12345, "b": -0.5e3, "c": True, "d": None},
        {"text": "quote \" and \\u00e9 é and 🐍", "list": [1, [2, {"x": False}]]},
        {"z": 10},
    ]
    content = ("[\n  " + ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in items)
               + "\n]\n").encode()

    # when the array is read
    _, records = _records(content, "json")

    # then every item is read whole, with the line it starts on
    assert records == [(2, items[0]), (3, items[1]), (4, items[2])]


def test_a_json_item_that_is_not_an_object_is_a_problem_of_that_record():
    # when an array holding a list and an object is read
    _, records = _records(b'[[1, 2],\n {"a": 1}]', "json")

    # then the list is a problem of its record and the object is read
    assert records == [(1, RecordProblem("expected an object of column: value")), (2, {"a": 1})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "data: the file is empty: expected a JSON array of objects"),
        (b'{"a": 1}', "data, line 1, column 1: expected a JSON array of objects: [{...}, {...}]"),
        (b'[{"a": 1}] []', "data, line 1, column 12: not valid JSON: text after the end of the "
                           "array"),
        (b'[{"a": 1} {"b": 2}]', "data, line 1, column 11: not valid JSON: expected ',' or ']' "
                                 "after an item"),
        (b'[{"a": 1},\n {"a": 2, "a": 3}]', "data, line 2, column 2: the key 'a' is written "
                                            "twice in one object"),
        (b'[{"a": NaN}]', "data, line 1, column 2: NaN is not valid JSON"),
        (b'[{"a": 1},', "data, line 1, column 11: not valid JSON: the text ends early (is the "
                        "file truncated?)"),
        (b'[{"a": "unfinished', "data, line 1, column 19: not valid JSON: the text ends early "
                                "(is the file truncated?)"),
    ],
)
def test_json_that_cannot_be_read_is_refused_with_its_place(content, message):
    # when a broken JSON file is read
    with pytest.raises(ImportFileError) as caught:
        _records(content, "json")

    # then the error says where and why
    assert str(caught.value) == message


def test_a_json_record_longer_than_the_limit_is_refused(monkeypatch):
    # given a limit of 100 characters per record, read in chunks of 10 bytes
    monkeypatch.setattr(readers, "MAXIMUM_RECORD_CHARACTERS", 100)
    monkeypatch.setattr(readers, "CHUNK_BYTES", 10)

    # when a record of 200 characters is read
    with pytest.raises(ImportFileError) as caught:
        _records(b'[{"a": "' + b"x" * 200 + b'"}]', "json")

    # then it is refused
    assert str(caught.value).endswith("the record is longer than 100 characters")


def test_a_csv_cell_over_several_lines_keeps_the_line_its_row_starts_on():
    # when a CSV whose second row has a cell of three lines is read
    columns, records = _records(b'a,b\n1,x\n2,"one\ntwo\nthree"\n3,y\n', "csv")

    # then each row has its first line
    assert [(line, record["a"]) for line, record in records] == [(2, "1"), (3, "2"), (6, "3")]


def test_blank_csv_lines_are_skipped():
    # when a CSV with blank lines is read
    _, records = _records(b"a\n1\n\n2\n\n", "csv")

    # then the blank lines are not records
    assert records == [(2, {"a": "1"}), (4, {"a": "2"})]


def test_an_unclosed_csv_quote_is_refused_with_its_line():
    # when a CSV whose last cell opens a quote is read
    with pytest.raises(ImportFileError) as caught:
        _records(b'a,b\n1,"open\n', "csv")

    # then the line of the row is named
    assert str(caught.value) == "data, line 2: not valid CSV: unexpected end of data"


@pytest.mark.parametrize("file_format", ["csv", "json", "jsonl"])
def test_utf16_is_refused(file_format):
    # when a UTF-16 file (with its byte order mark) is read
    with pytest.raises(ImportFileError) as caught:
        _records('[{"a": 1}]\n'.encode("utf-16"), file_format)

    # then the encoding is named
    assert str(caught.value) == (
        "data: the file is not UTF-8 (it looks like UTF-16 or UTF-32): save it as UTF-8"
    )


def test_json_lines_skip_blank_lines_and_keep_line_numbers():
    # when JSON Lines with a blank line and a duplicate key are read
    _, records = _records(b'{"a": 1}\n\n{"a": 2, "a": 3}\n{"a": 4}\r\n', "jsonl")

    # then each record has its line, and the duplicate key is a problem of its record only
    assert records == [
        (1, {"a": 1}), (3, RecordProblem("the key 'a' is written twice")), (4, {"a": 4})
    ]


def test_a_yaml_item_that_is_not_a_mapping_is_a_problem_of_that_record():
    # when a YAML list of a mapping and a text is read
    _, records = _records(b"- a: 1\n- just text\n", "yaml")

    # then the text is a problem of its record
    assert records == [(1, {"a": 1}), (2, RecordProblem("expected a mapping of column: value"))]
