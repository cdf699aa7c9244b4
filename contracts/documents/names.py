"""The naming rules of PyCharter's names, without Django, so that the document parser and
the model validators apply the same ones.

Names travel into file names (`export_contract --split`), URLs and shell commands, so
contract, system and domain names are plain ASCII words; owner ids are often emails.
Display names are free text, but never hold characters that break or reorder a line.
"""

import re
import unicodedata

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
OWNER_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]*")
NAME_RULE = 'may hold only letters, digits, "_", "-" and "." and must start with a letter or digit'
OWNER_ID_RULE = (
    'may hold only letters, digits, "_", "-", ".", "@" and "+" and must start with a letter '
    "or digit"
)
DISPLAY_NAME_RULE = "may not hold control characters or characters that reorder text"

# Explicit direction marks, embeddings, overrides and isolates (Unicode bidi controls).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _unsafe_character(character):
    return character in _BIDI_CONTROLS or unicodedata.category(character) in ("Cc", "Zl", "Zp")


def quoted(value):
    """`value` in double quotes with unsafe characters escaped, so a message cannot
    reorder or break the line it is shown on."""
    return '"' + "".join(
        f"\\u{ord(character):04x}" if _unsafe_character(character) else character
        for character in str(value)
    ) + '"'


def name_problem(value):
    """Why `value` is not a contract, system or domain name, or None."""
    if isinstance(value, str) and NAME_PATTERN.fullmatch(value):
        return None
    return f"{quoted(value)} {NAME_RULE}"


def owner_id_problem(value):
    """Why `value` is not an owner id, or None."""
    if isinstance(value, str) and OWNER_ID_PATTERN.fullmatch(value):
        return None
    return f"{quoted(value)} {OWNER_ID_RULE}"


def display_name_problem(value):
    """Why `value` is not a display name (free text on one line), or None."""
    if value is None or not any(_unsafe_character(character) for character in value):
        return None
    return f"{quoted(value)} {DISPLAY_NAME_RULE}"
