"""The one error type of the contract-document layer.

Stewards and pipeline engineers read these messages in the admin, in a command's
output and in API responses, so each one names the file, the line (and column)
and the field that is wrong, and never carries a Python traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceLocation:
    """A 1-based line and column in a document's text (column unknown for some errors)."""

    line: int
    column: int | None = None

    def __str__(self) -> str:
        if self.column is None:
            return f"line {self.line}"
        return f"line {self.line}, column {self.column}"


def format_field(path: Sequence[str | int]) -> str:
    """Render a field path the way a person reads it: `metadata.ownership.bu_sme[0]`."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else step
    return text


class DocumentError(ValueError):
    """A contract document (or a file of one) that cannot be read as written.

    `path` is the file (or the name an upload was given), `location` where in its
    text when known, `field` the dotted field path when the error is about a field.
    """

    def __init__(
        self,
        path: str | PurePath | None,
        location: SourceLocation | None,
        field: str | None,
        message: str,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.location = location
        self.field = field
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [self.path or "<document>"]
        if self.location is not None:
            where.append(str(self.location))
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"
