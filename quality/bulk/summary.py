"""The outcome of one import: what was written, or every reason why nothing was."""

from __future__ import annotations

from dataclasses import dataclass, field

from quality.bulk.errors import ImportProblem

#: Problems kept and shown; the rest are counted ("and N more").
MAXIMUM_REPORTED_PROBLEMS = 50


@dataclass
class ImportSummary:
    """Counts of an import and its problems. Any problem means nothing was written.

    `new`, `updated`, `unchanged` and `skipped` count rows written or left alone by a
    successful import; they stay 0 when it fails. `rows` counts the records read.
    """

    resource: str
    path: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: ImportProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAXIMUM_REPORTED_PROBLEMS:
            self.problems.append(problem)

    def forget_counts(self) -> None:
        """Nothing was written after all (the transaction was rolled back)."""
        self.new = self.updated = self.unchanged = self.skipped = 0

    @property
    def unreported_problem_count(self) -> int:
        return self.problem_count - len(self.problems)

    def problem_lines(self) -> list[str]:
        """The reported problems, one per line, then "and N more" when some were left out."""
        lines = [str(problem) for problem in self.problems]
        if self.unreported_problem_count:
            lines.append(f"and {self.unreported_problem_count} more")
        return lines

    def as_json(self) -> dict:
        return {
            "resource": self.resource,
            "file": self.path,
            "written": self.ok,
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "error_count": self.problem_count,
            "errors": [problem.as_json() for problem in self.problems],
            "more_errors": self.unreported_problem_count,
        }
