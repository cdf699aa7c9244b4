"""Typed reading of a loaded document, one field at a time.

Every check the parser makes goes through a `DocumentNode`, which knows the file
and the field path of the value it holds, so that a wrong type, a missing key or
a bad version is reported with the file, line and field where it was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import semver

from .bundle import CONTRACT_STATUSES
from .errors import DocumentError, FieldPath
from .loading import LoadedDocument


def describe(value: Any) -> str:
    """Name a JSON value's type for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"true/false ({value})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


@dataclass(frozen=True)
class DocumentNode:
    """A value of a loaded document at `path`."""

    document: LoadedDocument
    path: FieldPath
    value: Any

    @classmethod
    def root(cls, document: LoadedDocument) -> DocumentNode:
        return cls(document, (), document.data)

    def error(self, message: str) -> DocumentError:
        return self.document.error(self.path, message)

    def child(self, key: str | int) -> DocumentNode:
        return DocumentNode(self.document, (*self.path, key), self.value[key])

    def without(self, *keys: str) -> DocumentNode:
        """The same mapping without `keys` (already read by the caller)."""
        mapping = self.mapping()
        return DocumentNode(
            self.document,
            self.path,
            {key: value for key, value in mapping.items() if key not in keys},
        )

    def mapping(self, expected: str = "a mapping") -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self.error(f"expected {expected}, got {describe(self.value)}")
        return self.value

    def items(self, expected: str = "a mapping") -> Iterator[tuple[str, DocumentNode]]:
        for key in self.mapping(expected):
            yield key, self.child(key)

    def elements(self, expected: str = "a list") -> Iterator[DocumentNode]:
        if not isinstance(self.value, list):
            raise self.error(f"expected {expected}, got {describe(self.value)}")
        for index in range(len(self.value)):
            yield self.child(index)

    def optional_child(self, key: str) -> DocumentNode | None:
        return self.child(key) if key in self.mapping() else None

    def required_child(self, key: str) -> DocumentNode:
        if key not in self.mapping():
            raise self.document.error((*self.path, key), "this field is required")
        return self.child(key)

    def text(self) -> str:
        """Non-empty text."""
        if not isinstance(self.value, str):
            raise self.error(f"expected text, got {describe(self.value)}")
        if not self.value.strip():
            raise self.error("expected text, got an empty string")
        return self.value

    def optional_text(self) -> str | None:
        """Text or null (an empty string is kept: it is what was written)."""
        if self.value is not None and not isinstance(self.value, str):
            raise self.error(f"expected text or null, got {describe(self.value)}")
        return self.value

    def optional_mapping(self) -> dict[str, Any] | None:
        return None if self.value is None else self.mapping("a mapping or null")

    def version(self) -> str:
        """A semantic version `X.Y.Z` (pre-release and build suffixes allowed), as text."""
        if isinstance(self.value, int | float) and not isinstance(self.value, bool):
            raise self.error(
                f'a version must be text like "1.0.0", got the number {self.value!r}: quote it'
            )
        text = self.text()
        if not semver.Version.is_valid(text):
            raise self.error(f'{text!r} is not a semantic version X.Y.Z (for example "1.0.0")')
        return text

    def status(self) -> str | None:
        status = self.optional_text()
        if status is not None and status not in CONTRACT_STATUSES:
            raise self.error(
                f"status must be one of {', '.join(CONTRACT_STATUSES)}; got {status!r}"
            )
        return status

    def names(self, what: str) -> tuple[str, ...]:
        """A list of distinct non-empty texts (owner ids, system or domain names)."""
        names: list[str] = []
        for element in self.elements(f"a list of {what}"):
            name = element.text()
            if name in names:
                raise element.error(f"{name!r} is listed twice")
            names.append(name)
        return tuple(names)
