"""The record check of a contract, generated as one straight-line Python function.

Checking records is the hot loop of a quality run: a million records, every field.
Looping over field plans costs, per field, a closure call, attribute lookups and
loop steps; generating one function per contract (as ``dataclasses`` and
``namedtuple`` generate their methods) removes them and skips the calls whose
result is known: a coercion or type conversion given a value of the class it
returns unchanged. The generated code only calls the compiled parts of each
``PropertyPlan`` in the order ``PropertyPlan.check`` does, so both give the same
answers; the tests run every contract through this function.

Values repeat (statuses, ages, names), and a field's outcome depends on its value
alone, so each field remembers the outcome (converted value or error) of up to
``REMEMBERED_VALUES`` small integers and short strings, and reuses it: a field error is
immutable and may be shared by records. Values whose coercion depends on the
current time ("now", "today", a time of day) are never remembered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from quality.engine.datetimes import depends_on_current_time
from quality.engine.results import (
    MISSING_FIELD,
    TYPE_ERROR,
    VALIDATION_ERROR,
    FieldError,
    FieldFailure,
    RecordResult,
)
from quality.engine.schema import (
    ABSENT,
    EMPTY_MESSAGE,
    MAXIMUM_MESSAGE_LENGTH,
    MISSING_MESSAGE,
    PropertyPlan,
    coercion_failure,
    unexpected_failure,
)

REMEMBERED_VALUES = 10_000
"""Outcomes remembered per field; past that, new values are checked and not remembered."""
WORTH_REMEMBERING_RECORDS = 2 * REMEMBERED_VALUES
"""A field whose remembered outcomes fill up within this many records repeats few values
(an id, an e-mail address, a timestamp): it stops looking values up at all."""
REMEMBERED_TEXT_LENGTH = 256
REMEMBERED_INTEGER = 2**63
"""Only short texts and 64-bit integers are remembered, so memory stays small whatever the file."""
REMEMBERED_RESULT_CLASSES = frozenset({str, int, float, bool, type(None), datetime, date, UUID})
"""Only immutable results are remembered: records must not share a list or a dict."""
TIME_DEPENDENT_COERCIONS = frozenset({"coerce_to_datetime", "coerce_to_nullable_datetime"})
"""Their answer for "now", "today" or a time of day depends on when they run: such
values are not remembered (``depends_on_current_time``)."""


def generate_record_check(
    plans: Sequence[PropertyPlan], forbid_unknown: bool
) -> Callable[[dict], RecordResult]:
    """One function checking a record (a dict) against every property plan."""
    namespace: dict[str, Any] = {
        "ABSENT": ABSENT,
        "FieldError": FieldError,
        "FieldFailure": FieldFailure,
        "RecordResult": RecordResult,
        "MISSING_FIELD": MISSING_FIELD,
        "MISSING_MESSAGE": MISSING_MESSAGE,
        "EMPTY_MESSAGE": EMPTY_MESSAGE,
        "TYPE_ERROR": TYPE_ERROR,
        "VALIDATION_ERROR": VALIDATION_ERROR,
        "MAXIMUM_MESSAGE_LENGTH": MAXIMUM_MESSAGE_LENGTH,
        "coercion_failure": coercion_failure,
        "unexpected_failure": unexpected_failure,
        "KNOWN_NAMES": frozenset(plan.name for plan in plans),
        "REMEMBERED_VALUES": REMEMBERED_VALUES,
        "REMEMBERED_TEXT_LENGTH": REMEMBERED_TEXT_LENGTH,
        "REMEMBERED_INTEGER": REMEMBERED_INTEGER,
        "REMEMBERED_RESULT_CLASSES": REMEMBERED_RESULT_CLASSES,
        "depends_on_current_time": depends_on_current_time,
        "WORTH_REMEMBERING_RECORDS": WORTH_REMEMBERING_RECORDS,
        "checked_records": 0,
    }
    remember_flags = [f"remember_{position}" for position in range(len(plans))]
    lines = [
        "def check_record(record):",
        f"    global checked_records{''.join(', ' + flag for flag in remember_flags)}",
        "    checked_records += 1",
        "    get = record.get",
        "    converted = {}",
        "    errors = []",
    ]
    for position, plan in enumerate(plans):
        lines.extend(_field_lines(position, plan, namespace))
    if forbid_unknown:
        lines += [
            "    for key in record:",
            '        if key not in KNOWN_NAMES and record[key] != "":',
            "            errors.append(",
            '                FieldError(str(key), VALIDATION_ERROR, "extra field not permitted")',
            "            )",
        ]
    lines.append("    return RecordResult(converted, errors)")
    exec(compile("\n".join(lines), "<quality engine record check>", "exec"), namespace)  # noqa: S102
    return namespace["check_record"]


def _field_lines(position: int, plan: PropertyPlan, namespace: dict[str, Any]) -> list[str]:
    """The code checking one field; its plan's parts enter the namespace as ``part_position``."""

    def bound(part: str, value: Any) -> str:
        identifier = f"{part}_{position}"
        namespace[identifier] = value
        return identifier

    name = bound("name", plan.name)
    outcomes = bound("outcomes", {})
    remember = bound("remember", True)
    lines = [f"    value = get({name}, ABSENT)", "    if value is ABSENT:"]
    if plan.required:
        lines.append(f"        errors.append(FieldError({name}, MISSING_FIELD, MISSING_MESSAGE))")
    else:
        lines.append(f"        converted[{name}] = {bound('default', plan.default)}()")
    if plan.empty_is_missing:
        lines.append('    elif value == "":')
        if plan.required:
            lines += [
                f"        converted[{name}] = value",
                f"        errors.append(FieldError({name}, MISSING_FIELD, EMPTY_MESSAGE))",
            ]
        else:
            lines.append(f"        converted[{name}] = {bound('default', plan.default)}()")
    timeless = ""
    if plan.coercion_name in TIME_DEPENDENT_COERCIONS:
        timeless = " and not depends_on_current_time(value)"
    lines += [
        "    else:",
        "        original = value",
        f"        remembered = {remember} and ((",
        "            value.__class__ is str",
        f"            and len(value) <= REMEMBERED_TEXT_LENGTH{timeless}",
        "        ) or (",
        "            value.__class__ is int",
        "            and -REMEMBERED_INTEGER <= value <= REMEMBERED_INTEGER",
        "        ))",
        f"        known = {outcomes}.get(value, ABSENT) if remembered else ABSENT",
        "        if known.__class__ is FieldError:",
        f"            converted[{name}] = original",
        "            errors.append(known)",
        "        elif known is not ABSENT:",
        f"            converted[{name}] = known",
        "        else:",
    ]
    body = [
        "try:",
        *("    " + line for line in _pipeline_lines(plan, bound)),
        f"    converted[{name}] = value",
        "    if remembered and value.__class__ in REMEMBERED_RESULT_CLASSES"
        f" and len({outcomes}) < REMEMBERED_VALUES:",
        f"        {outcomes}[original] = value",
        f"        if len({outcomes}) == REMEMBERED_VALUES:",
        f"            {remember} = checked_records > WORTH_REMEMBERING_RECORDS",
        "except FieldFailure as failure:",
        f"    converted[{name}] = original",
        f"    error = FieldError({name}, failure.error_type,"
        " failure.message[:MAXIMUM_MESSAGE_LENGTH])",
        "    errors.append(error)",
        f"    if remembered and len({outcomes}) < REMEMBERED_VALUES:",
        f"        {outcomes}[original] = error",
        f"        if len({outcomes}) == REMEMBERED_VALUES:",
        f"            {remember} = checked_records > WORTH_REMEMBERING_RECORDS",
        "except Exception as error:",
        f"    converted[{name}] = original",
        f"    errors.append(unexpected_failure({name}, error))",
    ]
    return lines + [" " * 12 + line for line in body]


def _pipeline_lines(plan: PropertyPlan, bound: Callable[[str, Any], str]) -> list[str]:
    """Coercion, null, type, constraints and after checks, as ``PropertyPlan.check`` runs them."""
    lines = []
    if plan.coerce is not None:
        skip = f" and value.__class__ is not {bound('coerce_unchanged', plan.coerce_unchanged)}"
        lines += [
            f"if value is not None{skip if plan.coerce_unchanged else ''}:",
            "    try:",
            f"        value = {bound('coerce', plan.coerce)}(value)",
            "    except Exception as error:",
            f"        raise coercion_failure({bound('coercion_name', plan.coercion_name)}, error)"
            " from None",
        ]
    after_calls = [
        f"value = {bound(f'after_{index}', check)}(value)" for index, check in enumerate(plan.after)
    ]
    lines.append("if value is None:")
    if plan.nullable:
        lines += ["    " + call for call in after_calls] or ["    pass"]
    else:
        null_message = bound("null_message", plan.null_message)
        lines.append(f"    raise FieldFailure(TYPE_ERROR, {null_message})")
    lines.append("else:")
    convert_call = f"value = {bound('convert', plan.convert)}(value)"
    if plan.convert_unchanged is not None:
        lines += [
            f"    if value.__class__ is not {bound('convert_unchanged', plan.convert_unchanged)}:",
            "        " + convert_call,
        ]
    else:
        lines.append("    " + convert_call)
    lines += [
        f"    value = {bound(f'step_{index}', check)}(value)"
        for index, check in enumerate(plan.steps)
    ]
    lines += ["    " + call for call in after_calls]
    return lines
