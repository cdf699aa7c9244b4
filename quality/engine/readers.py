"""Streaming records out of CSV, JSON (one top-level array) and JSON Lines files.

``iter_records`` yields ``(index, record)`` with ``record`` a dict, or a
``RecordProblem`` when that record cannot be read: bytes that are not UTF-8, a
ragged CSV row, an item that is not an object, invalid or truncated JSON, a
record nested too deeply or larger than ``MAXIMUM_RECORD_BYTES``. Bad data never
raises; memory stays bounded by the largest record, not the file.

JSON Lines are parsed with orjson when it is installed (about twice as fast as the
standard library), with the standard library's answers for whatever orjson refuses.

Whole-file problems raise ``InputError`` instead: a file in another encoding than
UTF-8 (UTF-16 or UTF-32, told by its byte order mark or by NUL bytes at its start)
or whose CSV header cannot be read. ``ReadPosition`` tells the line the latest
record started on, for messages that name it.

An empty CSV cell is kept as ``""``, the empty value a JSON file would hold: the
contract decides what an empty value means (``schema``), the same for every format.
"""

from __future__ import annotations

import codecs
import csv
import functools
import json
import json.scanner
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

try:
    import orjson
except ImportError:  # optional: only makes JSON Lines faster to read
    orjson = None

FORMATS = ("csv", "json", "jsonl")
MAXIMUM_RECORD_BYTES = 16 * 1024 * 1024
CHUNK_SIZE = 1024 * 1024
EXCERPT_CHARACTERS = 200
BYTE_ORDER_MARK = b"\xef\xbb\xbf"

WHITESPACE = re.compile(r"[ \t\n\r]*")
STRUCTURE = re.compile(r'["\[\]{},]')
STRING_REST = re.compile(r'(?:[^"\\]|\\.)*', re.DOTALL)
ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


UTF16_BYTE_ORDER_MARKS = (b"\xff\xfe", b"\xfe\xff")
UTF32_BYTE_ORDER_MARKS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
ENCODING_SNIFF_BYTES = 4


class InputError(ValueError):
    """The file as a whole cannot be read as records (wrong encoding, unreadable header)."""


@dataclass(slots=True)
class ReadPosition:
    """Where the latest record yielded starts: its 1-based line in the file."""

    line: int = 0


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A record that could not be read; ``excerpt`` shows the start of its raw text."""

    message: str
    excerpt: str = ""


def iter_records(
    source: str | os.PathLike | IO[bytes], format: str, position: ReadPosition | None = None
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, dict | RecordProblem)`` for each record of a ``csv``, ``json`` or
    ``jsonl`` file, given by path or as a binary file object (which is left open).

    ``position``, when given, is updated to the line each record starts on.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    readers = {"csv": _csv_records, "json": _json_array_records, "jsonl": _json_lines_records}
    position = position if position is not None else ReadPosition()
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as binary:
            refuse_other_encodings(binary)
            yield from readers[format](binary, position)
    else:
        refuse_other_encodings(source)
        yield from readers[format](source, position)


def refuse_other_encodings(binary: IO[bytes]) -> None:
    """UTF-16 and UTF-32 files decode to garbage or nothing: refuse them by name."""
    start = binary.tell()
    head = binary.read(ENCODING_SNIFF_BYTES)
    binary.seek(start)
    if head.startswith(UTF32_BYTE_ORDER_MARKS):
        raise InputError("the file is UTF-32 encoded (byte order mark); save it as UTF-8")
    if head.startswith(UTF16_BYTE_ORDER_MARKS):
        raise InputError("the file is UTF-16 encoded (byte order mark); save it as UTF-8")
    if b"\x00" in head:
        raise InputError(
            "the file starts with NUL bytes: it is UTF-16 or binary, not UTF-8 text; save it as "
            "UTF-8"
        )


def _excerpt(text: str) -> str:
    shortened = text[:EXCERPT_CHARACTERS] + ("..." if len(text) > EXCERPT_CHARACTERS else "")
    return shortened.encode("utf-8", "replace").decode("utf-8")


def _undecodable_problem(raw: bytes, error: UnicodeDecodeError) -> RecordProblem:
    return RecordProblem(
        f"not valid UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start} of the record",
        _excerpt(raw.decode("utf-8", "replace")),
    )


def _object_or_problem(value: Any, text: str) -> Any:
    if isinstance(value, dict):
        return value
    return RecordProblem(
        f"a record must be a JSON object, found {_json_kind(value)}", _excerpt(text)
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


# JSON Lines -------------------------------------------------------------------------


def json_lines_range_records(
    binary: IO[bytes], length: int, position: ReadPosition, *, at_start: bool
) -> Iterator[tuple[int, Any]]:
    """The records of the next ``length`` bytes of a JSON Lines file, from a line's start
    (``at_start``: the file's start, where a byte order mark may be); indexes from 0."""
    return _json_lines_records(_BoundedLines(binary, length), position, at_start=at_start)


class _BoundedLines:
    """``readline`` of a binary file that stops after ``length`` bytes."""

    def __init__(self, binary: IO[bytes], length: int):
        self._binary = binary
        self._remaining = length

    def readline(self, size: int) -> bytes:
        if self._remaining <= 0:
            return b""
        line = self._binary.readline(min(size, self._remaining))
        self._remaining -= len(line)
        return line


def _json_lines_records(
    binary: IO[bytes], position: ReadPosition, at_start: bool = True
) -> Iterator[tuple[int, Any]]:
    index = 0
    first = at_start
    loads = orjson.loads if orjson is not None else None
    for line in iter(functools.partial(binary.readline, MAXIMUM_RECORD_BYTES + 1), b""):
        position.line += 1
        if first:
            line = line.removeprefix(BYTE_ORDER_MARK)
            first = False
        if len(line) > MAXIMUM_RECORD_BYTES and not line.endswith(b"\n"):
            _skip_rest_of_line(binary)
            excerpt = _excerpt(line[:EXCERPT_CHARACTERS].decode("utf-8", "replace"))
            yield index, RecordProblem(f"record larger than {MAXIMUM_RECORD_BYTES} bytes", excerpt)
            index += 1
            continue
        if line.isspace():
            continue
        if loads is not None:
            try:
                value = loads(line)
                if value.__class__ is dict:
                    yield index, value
                    index += 1
                    continue
            except orjson.JSONDecodeError:
                pass
        yield index, _parse_json_line(line)
        index += 1


def _bounded_lines(binary: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Lines of at most ``MAXIMUM_RECORD_BYTES``; a longer line is cut there, the rest
    skipped, and flagged."""
    for line in iter(functools.partial(binary.readline, MAXIMUM_RECORD_BYTES + 1), b""):
        if len(line) > MAXIMUM_RECORD_BYTES and not line.endswith(b"\n"):
            _skip_rest_of_line(binary)
            yield line, True
        else:
            yield line, False


def _skip_rest_of_line(binary: IO[bytes]) -> None:
    while True:
        rest = binary.readline(CHUNK_SIZE)
        if not rest or rest.endswith(b"\n"):
            return


def _parse_json_line(line: bytes) -> Any:
    """A line orjson did not take (or orjson is not installed): the standard library's
    answers, which are PyCharter's (NaN and Infinity accepted, lone surrogate escapes
    kept, its error messages); its C scanner first, for speed."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return _undecodable_problem(line, error)
    try:
        value, end = _SCAN_ONCE(text, 0)
        if value.__class__ is dict and (end == len(text) or text[end:].isspace()):
            return value
    except (StopIteration, ValueError, RecursionError):
        pass
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return RecordProblem(f"not valid JSON: {error.msg} at column {error.colno}", _excerpt(text))
    except RecursionError:
        return RecordProblem("record nested too deeply", _excerpt(text))
    return _object_or_problem(value, text)


# CSV --------------------------------------------------------------------------------


class _DecodedLines:
    """Text lines for the csv module, remembering whether the lines of the current row
    had bytes that are not UTF-8 or were too long (the csv module reads no further
    than the row it returns)."""

    def __init__(self, binary: IO[bytes]):
        self._lines = _bounded_lines(binary)
        self._first = True
        self.problem: str | None = None

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        line, oversized = next(self._lines)
        if self._first:
            line = line.removeprefix(BYTE_ORDER_MARK)
            self._first = False
        if oversized:
            self.problem = f"record larger than {MAXIMUM_RECORD_BYTES} bytes"
            return "\n"
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as error:
            self.problem = self.problem or (
                f"not valid UTF-8: byte 0x{line[error.start]:02x} at offset {error.start} of a line"
            )
            return line.decode("utf-8", "replace")


def _csv_records(binary: IO[bytes], position: ReadPosition) -> Iterator[tuple[int, Any]]:
    lines = _DecodedLines(binary)
    rows = csv.reader(lines)
    header = _next_row(rows)
    while isinstance(header, list) and not any(header):
        header = _next_row(rows)
    if header is None:
        return
    if isinstance(header, csv.Error) or lines.problem:
        raise InputError(
            f"line {rows.line_num}: the header row cannot be read: {lines.problem or header}"
        )
    width = len(header)
    index = 0
    while True:
        lines.problem = None
        position.line = rows.line_num + 1
        row = _next_row(rows)
        if row is None:
            return
        if lines.problem:
            yield (
                index,
                RecordProblem(
                    lines.problem, _excerpt(",".join(row) if isinstance(row, list) else "")
                ),
            )
        elif isinstance(row, csv.Error):
            yield index, RecordProblem(f"not valid CSV: {row}")
        elif not row:
            continue
        elif len(row) != width:
            yield (
                index,
                RecordProblem(
                    f"row has {len(row)} cells, the header has {width}", _excerpt(",".join(row))
                ),
            )
        else:
            yield index, dict(zip(header, row, strict=True))
        index += 1


def _next_row(rows: Iterator[list[str]]) -> list[str] | csv.Error | None:
    try:
        return next(rows)
    except StopIteration:
        return None
    except csv.Error as error:
        return error


# JSON array -------------------------------------------------------------------------


class _TextStream:
    """A growing text buffer over a binary file, decoded incrementally.

    Bytes that are not UTF-8 are kept as lone surrogates (``surrogateescape``),
    which valid UTF-8 never decodes to, so a record can tell whether its own raw
    text had any.
    """

    def __init__(self, binary: IO[bytes]):
        self._binary = binary
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.text = ""
        self.position = 0
        self.finished = False
        self.has_escaped_bytes = False
        self._first = True
        self._lines_before = 0
        self._counted_to = 0

    def line_at(self, position: int) -> int:
        """The 1-based line of ``position`` in the text; positions only move forward."""
        self._lines_before += self.text.count("\n", self._counted_to, position)
        self._counted_to = position
        return self._lines_before + 1

    def read_more(self) -> bool:
        """Append the next chunk (dropping what was consumed); False at the end of the file."""
        if self.finished:
            return False
        chunk = self._binary.read(CHUNK_SIZE)
        if self._first:
            chunk = chunk.removeprefix(BYTE_ORDER_MARK)
            self._first = False
        decoded = self._decoder.decode(chunk, final=not chunk)
        if not chunk:
            self.finished = True
        if ESCAPED_BYTE.search(decoded):
            self.has_escaped_bytes = True
        self.line_at(self.position)
        self.text = self.text[self.position :] + decoded
        self.position = 0
        self._counted_to = 0
        return bool(chunk) or bool(decoded)

    def skip_whitespace(self) -> str:
        """Move past whitespace; the next character, or "" at the end of the file."""
        while True:
            self.position = WHITESPACE.match(self.text, self.position).end()
            if self.position < len(self.text):
                return self.text[self.position]
            if not self.read_more():
                return ""


class _ItemEnd:
    """Finds where a JSON value ends (the ``,`` or ``]`` after it) across chunks,
    without parsing it: used to step over values that cannot be parsed. When the
    text runs out first, ``resume`` is where to go on once more text is appended."""

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.resume = 0

    def find(self, text: str, position: int) -> int | None:
        while True:
            if self.in_string:
                position = STRING_REST.match(text, position).end()
                if position >= len(text) or text[position] == "\\":
                    # Out of text, possibly right after a backslash that escapes what comes next.
                    self.resume = position
                    return None
                self.in_string = False
                position += 1
                continue
            found = STRUCTURE.search(text, position)
            if found is None:
                self.resume = len(text)
                return None
            character = found.group()
            position = found.end()
            if character == '"':
                self.in_string = True
            elif character in "[{":
                self.depth += 1
            elif character in "]}":
                if self.depth == 0:
                    return found.start()
                self.depth -= 1
            elif self.depth == 0:
                return found.start()


def _json_array_records(binary: IO[bytes], position: ReadPosition) -> Iterator[tuple[int, Any]]:
    stream = _TextStream(binary)
    stream.read_more()
    opening = stream.skip_whitespace()
    if opening == "":
        return
    position.line = stream.line_at(stream.position)
    if opening == "{":
        # PyCharter's loader takes a file holding one object as a list of one.
        record, _ = _next_item(stream)
        yield 0, record
        return
    if opening != "[":
        yield (
            0,
            RecordProblem("a JSON file must hold an array of objects", _excerpt(stream.text[:200])),
        )
        return
    stream.position += 1
    index = 0
    if stream.skip_whitespace() == "]":
        return
    while True:
        upcoming = stream.skip_whitespace()
        position.line = stream.line_at(stream.position)
        if upcoming == "":
            yield index, RecordProblem("the file ends inside the array (truncated)")
            return
        if upcoming == "]":
            # A trailing comma before the closing bracket ends the array.
            return
        record, separator = _next_item(stream)
        yield index, record
        index += 1
        if separator == "]":
            return
        if separator == "":
            if not isinstance(record, RecordProblem):
                yield index, RecordProblem("the file ends inside the array (truncated)")
            return


def _next_item(stream: _TextStream) -> tuple[Any, str]:
    """Parse the value at the stream's position; return it (or its problem) and the
    separator after it (``,`` / ``]``, or "" at the end of the file), consumed."""
    decoder = _DECODER
    start = stream.position
    while True:
        try:
            value, end = decoder.raw_decode(stream.text, stream.position)
        except json.JSONDecodeError:
            if _item_is_complete(stream):
                return _skip_bad_item(stream, "not valid JSON")
            if len(stream.text) - stream.position > MAXIMUM_RECORD_BYTES:
                return _skip_bad_item(stream, f"record larger than {MAXIMUM_RECORD_BYTES} bytes")
            if not stream.read_more():
                excerpt = _excerpt(stream.text[stream.position :])
                stream.position = len(stream.text)
                return RecordProblem("the file ends inside a record (truncated)", excerpt), ""
            start = stream.position
            continue
        except RecursionError:
            return _skip_bad_item(stream, "record nested too deeply")
        break
    if stream.has_escaped_bytes and ESCAPED_BYTE.search(stream.text, start, end):
        problem = RecordProblem(
            "not valid UTF-8: the record has bytes that cannot be decoded",
            _excerpt(stream.text[start:end]),
        )
        stream.position = end
        return problem, _separator(stream)
    record = value if value.__class__ is dict else _object_or_problem(value, stream.text[start:end])
    stream.position = end
    return record, _separator(stream)


def _item_is_complete(stream: _TextStream) -> bool:
    """Whether the text buffered so far holds the whole value (so a parse error is real)."""
    return _ItemEnd().find(stream.text, stream.position) is not None


def _skip_bad_item(stream: _TextStream, message: str) -> tuple[RecordProblem, str]:
    excerpt = _excerpt(stream.text[stream.position : stream.position + EXCERPT_CHARACTERS + 1])
    finder = _ItemEnd()
    position = stream.position
    while True:
        end = finder.find(stream.text, position)
        if end is not None:
            stream.position = end
            return RecordProblem(message, excerpt), _separator(stream)
        stream.position = finder.resume
        position = 0
        if not stream.read_more():
            return RecordProblem(message, excerpt), ""


def _separator(stream: _TextStream) -> str:
    character = stream.skip_whitespace()
    if character in (",", "]"):
        stream.position += 1
        return character
    if character == "":
        return ""
    # Something other than a separator: treat it as the start of the next value.
    return ","


_DECODER = json.JSONDecoder()
_SCAN_ONCE = json.scanner.make_scanner(_DECODER)
