"""What a check says about one record: its field errors, its coerced values, its severity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MISSING_FIELD = "missing_field"
TYPE_ERROR = "type_error"
VALIDATION_ERROR = "validation_error"

RECORD_FIELD = "_record"
"""Pseudo-field that carries a problem of the record as a whole (unreadable, not an object)."""

IDENTIFIER_FIELDS = ("id", "_id", "record_id", "uuid")

CRITICAL_ERROR_COUNT = 5
WARNING_ERROR_COUNT = 2


@dataclass(frozen=True, slots=True)
class FieldError:
    """One violation: the field that failed, how (``missing_field`` / ``type_error`` /
    ``validation_error``) and a message for the steward."""

    field: str
    error_type: str
    message: str


class FieldFailure(Exception):
    """Raised inside a compiled field check; the contract turns it into a ``FieldError``.

    An exception rather than a return value keeps the common path (a value that
    passes) free of any test per step.
    """

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(slots=True)
class RecordResult:
    """The outcome of checking one record.

    ``coerced`` holds every schema property as the contract sees it: after
    coercion and type conversion, with defaults for absent optional fields; a
    field that failed keeps the value it had when it failed. Keys the schema does
    not name are not carried. ``errors`` has at most one error per field.
    """

    coerced: dict[str, Any]
    errors: list[FieldError]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def severity(self) -> str:
        """PyCharter's record severity: more than 5 errors critical, more than 2 warning."""
        count = len(self.errors)
        if count > CRITICAL_ERROR_COUNT:
            return "critical"
        if count > WARNING_ERROR_COUNT:
            return "warning"
        return "info"


def record_identifier(record: Any, index: int, field: str | None = None) -> str:
    """How a violation names its record: the first of id, _id, record_id, uuid that is
    present and not empty (or the explicitly named field), else ``record_<index>``."""
    identifier = own_identifier(record, field) if isinstance(record, dict) else None
    return f"record_{index}" if identifier is None else identifier


def own_identifier(record: dict, field: str | None = None) -> str | None:
    """The identifier the record carries (see ``record_identifier``), or None."""
    for name in (field,) if field else IDENTIFIER_FIELDS:
        value = record.get(name)
        if value is not None and value != "":
            return str(value)
    return None
