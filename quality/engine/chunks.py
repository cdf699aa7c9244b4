"""Checking a file chunk by chunk, on every core for a large JSON Lines file.

A quality check is bound by the CPU: reading, coercing and checking each record. A
JSON Lines file splits at line ends, so worker processes (forked: the compiled
contract is inherited, not sent) check byte ranges of it side by side, and the
chunks come back in file order, each with its partial metrics and its failing
records only. Other inputs (CSV, a JSON array, a file object, a small file) are
checked in this process, cut into chunks of the same shape, so that a caller reads
one kind of result whatever the input. The answers are the same either way.

A failing record comes back as ``(index within the chunk, identifier, record JSON,
severity, errors)``; its identifier is None when the record has none, for the
caller names it by its position in the file (``record_<index>``), which only the
caller knows. Lines are counted from the file's start in both cases.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from quality.engine.metrics import MetricsAccumulator
from quality.engine.readers import (
    ReadPosition,
    RecordProblem,
    iter_records,
    json_lines_range_records,
    refuse_other_encodings,
)
from quality.engine.results import VALIDATION_ERROR, FieldError, own_identifier
from quality.engine.sanitize import (
    safe_text,
    sanitized_json,
    storable_at_a_glance,
    unstorable_text,
)

CHUNK_RECORDS = 10_000
"""Records per chunk read in this process."""
CHUNK_BYTES = 4 * 1024 * 1024
"""Bytes per chunk of a JSON Lines file checked by the workers (about 20,000 records)."""
PARALLEL_MINIMUM_BYTES = 4 * CHUNK_BYTES
"""Smaller files are checked in this process: starting workers would cost more."""
SCAN_BYTES = 64 * 1024
IDENTIFIER_MAXIMUM_LENGTH = 255


@dataclass(slots=True)
class CheckedChunk:
    """What a chunk of records gave: how many records it held, their metrics, the lines
    and messages of the ones that could not be read, and the failing records."""

    count: int = 0
    read_records: int = 0
    identified: bool = False
    metrics: MetricsAccumulator = field(default_factory=MetricsAccumulator)
    problems: list[tuple[int, str]] = field(default_factory=list)
    failures: list[tuple[int, str | None, str, str, list[FieldError]]] = field(
        default_factory=list
    )


@dataclass(frozen=True, slots=True)
class ChunkRules:
    """How a chunk is checked: the compiled contract and the caller's choices."""

    contract: Any
    record_id_field: str | None = None
    record_data_max_bytes: int = 16 * 1024
    keep_failures: bool = True
    """False when only the metrics are wanted."""


def checked_chunks(
    source: Any, data_format: str, rules: ChunkRules, workers: int | None = None
) -> Iterator[CheckedChunk]:
    """The chunks of ``source`` (a path or a binary file), checked, in file order.

    ``workers`` defaults to the cores this process may use; 1 checks in this process.
    """
    workers = workers if workers is not None else len(os.sched_getaffinity(0))
    if (
        workers > 1
        and data_format == "jsonl"
        and isinstance(source, str | os.PathLike)
        and os.path.getsize(source) >= PARALLEL_MINIMUM_BYTES
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        yield from _checked_in_workers(os.fspath(source), rules, workers)
        return
    position = ReadPosition()
    records = iter_records(source, data_format, position)
    chunk = CheckedChunk()
    for _, record in records:
        _check_into(chunk, record, position.line, rules)
        if chunk.count >= CHUNK_RECORDS:
            yield chunk
            chunk = CheckedChunk()
    if chunk.count:
        yield chunk


def _check_into(chunk: CheckedChunk, record: Any, line: int, rules: ChunkRules) -> None:
    index = chunk.count
    result = rules.contract.check(record)
    chunk.count += 1
    if record.__class__ is RecordProblem:
        chunk.problems.append((line, record.message))
    else:
        if not storable_at_a_glance(record):
            result.errors.extend(unstorable_text_errors(record, result, line))
        if not chunk.identified:
            chunk.identified = (
                rules.record_id_field is None
                or record.get(rules.record_id_field) not in (None, "")
            )
        chunk.read_records += 1
    chunk.metrics.add(result)
    if not result.errors or not rules.keep_failures:
        return
    if record.__class__ is RecordProblem:
        identifier = None
        record_json = sanitized_json({"_raw": safe_text(record.excerpt)})
    else:
        identifier = own_identifier(record, rules.record_id_field)
        if identifier is not None:
            identifier = safe_text(identifier[:IDENTIFIER_MAXIMUM_LENGTH])
        record_json = sanitized_json(record, max_bytes=rules.record_data_max_bytes)
    chunk.failures.append((index, identifier, record_json, result.severity, result.errors))


def unstorable_text_errors(record: dict, result: Any, line: int) -> list[FieldError]:
    """Fields whose text no database stores become violations that name line and field."""
    errors = []
    failed = None
    for name, value in record.items():
        problem = unstorable_text(name) or unstorable_text(value)
        if problem is None:
            continue
        if failed is None:
            failed = {error.field for error in result.errors}
        field_name = safe_text(name)
        if field_name not in failed:
            errors.append(FieldError(
                field_name, VALIDATION_ERROR,
                f"line {line}, field {field_name!r}: the value holds {problem}, which cannot be "
                f"stored; the record shows it as U+FFFD",
            ))
    return errors


# Workers ----------------------------------------------------------------------------

_RULES: ChunkRules | None = None
"""The rules of the running parallel check, inherited by the forked workers."""


def _checked_in_workers(path: str, rules: ChunkRules, workers: int) -> Iterator[CheckedChunk]:
    global _RULES
    with open(path, "rb") as binary:
        refuse_other_encodings(binary)
    _RULES = rules
    # What is garbage now is collected here, not in a worker (where the finalizer of a
    # database connection would speak on the parent's socket); the rest stays shared.
    gc.collect()
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            running: deque = deque()
            for byte_range in _line_ranges(path):
                running.append(pool.apply_async(_check_range, (path, *byte_range)))
                if len(running) > 2 * workers:
                    yield running.popleft().get()
            while running:
                yield running.popleft().get()
    finally:
        gc.unfreeze()
        _RULES = None


def _line_ranges(path: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, lines before start) of chunks of about CHUNK_BYTES ending at a line end."""
    with open(path, "rb") as binary:
        start = lines_before = 0
        while True:
            binary.seek(start)
            data = binary.read(CHUNK_BYTES)
            if not data:
                return
            end = start + len(data)
            lines = data.count(b"\n")
            if len(data) == CHUNK_BYTES and not data.endswith(b"\n"):
                cut = data.rfind(b"\n")
                if cut >= 0:
                    end = start + cut + 1
                    lines = data.count(b"\n", 0, cut + 1)
                else:  # a line longer than a chunk: the chunk runs to its end
                    while piece := binary.read(SCAN_BYTES):
                        found = piece.find(b"\n")
                        if found >= 0:
                            end += found + 1
                            lines += 1
                            break
                        end += len(piece)
            yield start, end, lines_before
            start, lines_before = end, lines_before + lines


def _check_range(path: str, start: int, end: int, lines_before: int) -> CheckedChunk:
    rules = _RULES
    position = ReadPosition(lines_before)
    chunk = CheckedChunk()
    with open(path, "rb") as binary:
        binary.seek(start)
        for _, record in json_lines_range_records(binary, end - start, position,
                                                  at_start=start == 0):
            _check_into(chunk, record, position.line, rules)
    return chunk
