"""Text from outside (files, uploads, forms) checked once before anything stores it.

Readers decode bytes as UTF-8 and refuse what is not; two things survive a valid
decoding yet cannot be stored: a NUL character (PostgreSQL text cannot hold it) and
a lone surrogate, half of a UTF-16 pair that JSON's `"\\ud800"` escape produces and
no database driver can encode. Every import path refuses both with the field that
holds them, so no such value reaches the database driver.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

#: (the keys and list indexes that lead to a value, why it cannot be stored)
TextProblem = tuple[tuple[str | int, ...], str]


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    if "\x00" in text:
        return "contains a NUL character"
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        return (f"contains a lone surrogate (U+{ord(surrogate.group()):04X}), which is not "
                "a character: the text was cut from a UTF-16 pair")
    return None


def printable(text: str) -> str:
    """`text` with NUL and lone surrogates written as escapes, safe to show in a message."""
    return _UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def unsafe_text_find(value: Any) -> TextProblem | None:
    """The first key or text in `value` (nested dicts and lists) that cannot be stored."""
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                return path, problem
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                if isinstance(key, str) and (problem := text_problem(key)) is not None:
                    return (*path, printable(key)), f"its name {problem}"
                pending.append(((*path, key), child))
        elif isinstance(item, list):
            pending.extend(((*path, index), child)
                           for index, child in reversed(list(enumerate(item))))
    return None
