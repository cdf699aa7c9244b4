"""Reading import files record by record, in bounded memory, with the line of every record.

Files come from pipelines and spreadsheets, so they are read as they are written
and refused with a problem that names the file and line, never a traceback:

- `csv`: UTF-8 (a byte order mark is dropped), the first line names the columns;
  the csv module reads lines decoded one at a time, so a byte that is not UTF-8
  is reported with its line, and a cell a CSV export escaped (`'=...`) reads back.
- `json`: one array of objects, streamed item by item (never loaded whole).
- `jsonl`: one object per line; a bad line is a problem of that record only.
- `yaml`: a list of mappings, loaded whole through the contract loader's safe YAML
  (no aliases, no tags); for reference data, whose files are small.

Memory is bounded by the largest record (`MAXIMUM_RECORD_CHARACTERS`), not the file.
A record whose text cannot be stored (an escaped NUL or lone surrogate) is a problem
of that record, with its field (`tenancy.safe_text`).
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from contracts.documents.errors import DocumentError, format_field
from contracts.documents.loading import load_document_bytes
from contracts.resources import unescape_formula
from quality.bulk.errors import ImportFileError, ImportProblem
from tenancy.safe_text import unsafe_text_find

FORMATS = ("csv", "json", "jsonl", "yaml")
SUFFIX_FORMATS = {
    ".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".yaml": "yaml", ".yml": "yaml",
}
CHUNK_BYTES = 1024 * 1024
MAXIMUM_RECORD_CHARACTERS = 16 * 1024 * 1024
WHITESPACE = re.compile(r"[ \t\n\r]*")

#: (line where the record starts, the record as column -> value, or why it cannot be read)
Record = tuple[int, "dict[str, Any] | RecordProblem"]


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A record that cannot be read; the rest of the file can."""

    message: str
    field: str | None = None


def file_format_of(path) -> str | None:
    """The format a file's suffix names, or None."""
    return SUFFIX_FORMATS.get(PurePath(path).suffix.lower())


def _fatal(path, message, line=None, column=None) -> ImportFileError:
    return ImportFileError(ImportProblem(str(path), message, line=line, column=column))


@contextmanager
def import_file_open(path, *, max_bytes: int) -> Iterator[IO[bytes]]:
    """The file opened for binary reading; refused before any parsing when over `max_bytes`."""
    try:
        if os.stat(path).st_size > max_bytes:
            raise _fatal(path, f"the file is larger than the limit of {max_bytes} bytes")
        binary = open(path, "rb")  # noqa: SIM115  (closed by the with below)
    except OSError as error:
        raise _fatal(path, f"cannot read the file: {error.strerror}") from None
    with binary:
        yield binary


def records_read(binary: IO[bytes], file_format: str, path) -> tuple[list[str] | None,
                                                                     Iterator[Record]]:
    """(the columns a CSV header names, else None; the records of the file, streamed).

    Problems that stop the reading (encoding, syntax) raise ImportFileError, either
    here or while iterating.
    """
    if file_format == "csv":
        return _csv_records(binary, path)
    if file_format == "json":
        return None, _JsonArrayItems(_decoded_chunks(binary, path), path).records()
    if file_format == "jsonl":
        return None, _json_lines_records(binary, path)
    if file_format == "yaml":
        return None, _yaml_records(binary, path)
    raise ValueError(f"unknown format {file_format!r}: expected one of {', '.join(FORMATS)}")


def _checked_start(data: bytes, path) -> bytes:
    """The first bytes of a file without a UTF-8 byte order mark; UTF-16 and UTF-32 refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise _fatal(
            path, "the file is not UTF-8 (it looks like UTF-16 or UTF-32): save it as UTF-8"
        )
    return data.removeprefix(codecs.BOM_UTF8)


def _not_utf8(path, data: bytes, error: UnicodeDecodeError, line: int) -> ImportFileError:
    line_start = data.rfind(b"\n", 0, error.start) + 1
    return _fatal(
        path,
        f"the file is not UTF-8 (byte 0x{data[error.start]:02x}): save it as UTF-8",
        line=line + data.count(b"\n", 0, error.start),
        column=error.start - line_start + 1,
    )


def _text_lines(binary: IO[bytes], path) -> Iterator[str]:
    """The file's lines decoded as UTF-8, each at most MAXIMUM_RECORD_CHARACTERS bytes."""
    number = 0
    while raw := binary.readline(MAXIMUM_RECORD_CHARACTERS + 1):
        number += 1
        if number == 1:
            raw = _checked_start(raw, path)
        if len(raw) > MAXIMUM_RECORD_CHARACTERS:
            raise _fatal(path, f"the line is longer than {MAXIMUM_RECORD_CHARACTERS} bytes",
                         line=number)
        if b"\x00" in raw:
            raise _fatal(path, "the line holds a NUL byte: the file is not UTF-8 text",
                         line=number)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _not_utf8(path, raw, error, number) from None


def _csv_records(binary, path) -> tuple[list[str], Iterator[Record]]:
    reader = csv.reader(_text_lines(binary, path), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise _fatal(path, f"not valid CSV: {error}", line=reader.line_num) from None
    if header is None:
        raise _fatal(path, "the file is empty: its first line must name the columns")
    columns = [name.strip() for name in header]
    return columns, _csv_rows(reader, columns, path)


def _csv_rows(reader, columns: list[str], path) -> Iterator[Record]:
    width = len(columns)
    previous_line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _fatal(path, f"not valid CSV: {error}", line=previous_line + 1) from None
        line, previous_line = previous_line + 1, reader.line_num
        if not cells:
            continue
        if len(cells) != width:
            yield line, RecordProblem(
                f"{len(cells)} cells where the header names {width} columns"
            )
            continue
        yield line, dict(zip(
            columns, [unescape_formula(cell) if cell[:1] == "'" else cell for cell in cells],
            strict=True,
        ))


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _refuse_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_refuse_duplicate_keys,
                            parse_constant=_refuse_constant)


def _json_lines_records(binary, path) -> Iterator[Record]:
    for line, text in enumerate(_text_lines(binary, path), 1):
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            record = _DECODER.decode(text)
        except json.JSONDecodeError as error:
            yield line, RecordProblem(f"not valid JSON: {error.msg} (column {error.colno})")
            continue
        except _DuplicateKey as error:
            yield line, RecordProblem(f"the key {error.key!r} is written twice")
            continue
        except (ValueError, RecursionError) as error:
            yield line, RecordProblem(
                "the record is nested too deeply" if isinstance(error, RecursionError)
                else str(error)
            )
            continue
        yield line, _object_or_problem(record)


def _object_or_problem(record):
    if not isinstance(record, dict):
        return RecordProblem("expected an object of column: value")
    unsafe = unsafe_text_find(record)
    if unsafe is not None:
        field_path, message = unsafe
        return RecordProblem(message, field=format_field(field_path))
    return record


def _decoded_chunks(binary, path) -> Iterator[str]:
    """The file's text in chunks of about CHUNK_BYTES, decoded as UTF-8 as it is read."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 1
    first = True
    while True:
        data = binary.read(CHUNK_BYTES)
        if first:
            data, first = _checked_start(data, path), False
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise _not_utf8(path, error.object, error, lines_before) from None
        lines_before += text.count("\n")
        if text:
            yield text
        if not data:
            return


class _JsonArrayItems:
    """Streams the items of one top-level JSON array, with the line each starts on.

    The buffer holds the text not yet parsed: at most one chunk plus the item being
    read. An item that does not parse is read further only when the error may come
    from the chunk's end (an unterminated string, or text that ends at the buffer's
    end); otherwise the error is the file's.
    """

    def __init__(self, chunks: Iterator[str], path) -> None:
        self.chunks = chunks
        self.path = path
        self.buffer = ""
        self.position = 0
        self.line = 1
        self.end_of_file = False

    def _advance(self, to: int) -> None:
        self.line += self.buffer.count("\n", self.position, to)
        self.position = to

    def _read_more(self) -> bool:
        chunk = next(self.chunks, None)
        if chunk is None:
            self.end_of_file = True
            return False
        self.buffer = self.buffer[self.position:] + chunk
        self.position = 0
        return True

    def _next_character(self) -> str:
        """The next character that is not whitespace ("" at the end of the file)."""
        while True:
            self._advance(WHITESPACE.match(self.buffer, self.position).end())
            if self.position < len(self.buffer):
                return self.buffer[self.position]
            if not self._read_more():
                return ""

    def _error(self, message: str, at: int | None = None) -> ImportFileError:
        at = self.position if at is None else at
        line = self.line + self.buffer.count("\n", self.position, at)
        line_start = self.buffer.rfind("\n", 0, at)
        column = at - line_start if line_start >= 0 or self.line == 1 else None
        return _fatal(self.path, message, line=line, column=column)

    def _truncated(self) -> ImportFileError:
        return self._error("not valid JSON: the text ends early (is the file truncated?)",
                           len(self.buffer))

    def records(self) -> Iterator[Record]:
        character = self._next_character()
        if character == "":
            raise _fatal(self.path, "the file is empty: expected a JSON array of objects")
        if character != "[":
            raise self._error("expected a JSON array of objects: [{...}, {...}]")
        self._advance(self.position + 1)
        if self._next_character() == "]":
            self._advance(self.position + 1)
            self._check_end()
            return
        while True:
            line = self.line
            yield line, _object_or_problem(self._item())
            character = self._next_character()
            if character == ",":
                self._advance(self.position + 1)
                if self._next_character() == "":
                    raise self._truncated()
                continue
            if character == "]":
                self._advance(self.position + 1)
                self._check_end()
                return
            if character == "":
                raise self._truncated()
            raise self._error("not valid JSON: expected ',' or ']' after an item")

    def _check_end(self) -> None:
        if self._next_character() != "":
            raise self._error("not valid JSON: text after the end of the array")

    def _item(self) -> Any:
        while True:
            try:
                item, end = _DECODER.raw_decode(self.buffer, self.position)
            except json.JSONDecodeError as error:
                unterminated = error.msg.startswith("Unterminated string")
                if not self.end_of_file and (unterminated or len(self.buffer) - error.pos <= 16):
                    self._read_more_of_item()
                    continue
                if unterminated or error.pos >= len(self.buffer.rstrip()):
                    raise self._truncated() from None
                raise self._error(f"not valid JSON: {error.msg}", error.pos) from None
            except _DuplicateKey as error:
                raise self._error(f"the key {error.key!r} is written twice in one object") from None
            except ValueError as error:
                raise self._error(str(error)) from None
            except RecursionError:
                raise self._error("the record is nested too deeply") from None
            if end == len(self.buffer) and not self.end_of_file and self._read_more():
                continue  # a number or literal may go on in the next chunk
            self._advance(end)
            return item

    def _read_more_of_item(self) -> None:
        if len(self.buffer) - self.position > MAXIMUM_RECORD_CHARACTERS:
            raise self._error(f"the record is longer than {MAXIMUM_RECORD_CHARACTERS} characters")
        self._read_more()


def _yaml_records(binary, path) -> Iterator[Record]:
    content = binary.read()
    try:
        document = load_document_bytes(
            content, path=PurePath(path).with_suffix(".yaml"), max_bytes=len(content)
        )
    except DocumentError as error:
        location = error.location
        raise ImportFileError(ImportProblem(
            str(path), error.message, line=location.line if location else None,
            column=location.column if location else None, field=error.field,
        )) from None
    if document.data is None:
        return
    if not isinstance(document.data, list):
        raise _fatal(path, "expected a list of records: - column: value", line=1)
    for index, item in enumerate(document.data):
        location = document.location_of((index,))
        yield location.line if location else 1, (
            item if isinstance(item, dict) else RecordProblem("expected a mapping of column: value")
        )
