"""What is wrong with an import file, said so that a person can find it and fix it.

Pipeline engineers read these in a command's output (or its JSON summary), so each
problem names the file, the line (or row) and the field, and never carries a
Python traceback.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong with an import file: where it is and why it is wrong.

    `line` is where the record starts in the file's text; `row` counts records
    (1 is the first record after a CSV header); `column` is a byte column.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [self.path]
        if self.line is not None:
            where.append(f"line {self.line}" if self.column is None
                         else f"line {self.line}, column {self.column}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"

    def as_json(self) -> dict:
        return asdict(self)


class ImportFileError(Exception):
    """A problem that stops reading the file (encoding, syntax, size, columns)."""

    def __init__(self, problem: ImportProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))
