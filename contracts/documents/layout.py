"""What a document said that the columns cannot: its layout and its unmapped keys.

A database row cannot tell a key written as `null`, an empty list or an empty
block from one that was never written, nor the order the keys were written in;
and PyCharter fills NOT NULL columns (titles, versions) that a document leaves
out. So that exporting a contract gives back the document that was imported, the
parser records in the bundle's `document_extra`:

- `layout`: for each block of the document, the keys it wrote, in order;
- `unmapped`: for each block without a JSON column of its own, the keys that have
  no column, with their values (nothing is dropped).

Blocks are named by where they sit in a whole contract document (`contract` is
its top level). Metadata keys without a column live in `MetadataPart.extra`
instead, because metadata_records has a JSON column for them.

A bundle without a layout (one built in the admin, say) is exported in
PyCharter's canonical order, writing only keys that hold something.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

LAYOUT = "layout"
UNMAPPED = "unmapped"

CONTRACT_BLOCK = "contract"
VERSIONS_BLOCK = "versions"
SCHEMA_BLOCK = "schema"
COERCION_RULES_BLOCK = "coercion_rules"
VALIDATION_RULES_BLOCK = "validation_rules"
METADATA_BLOCK = "metadata"
OWNERSHIP_BLOCK = "metadata.ownership"
LINEAGE_BLOCK = "metadata.lineage"

#: The contract's parts, as the document (and its `versions` block) names them.
PART_BLOCKS = (SCHEMA_BLOCK, COERCION_RULES_BLOCK, VALIDATION_RULES_BLOCK, METADATA_BLOCK)

#: PyCharter's seed folder: file names (without suffix) of the contracts list, of the
#: artifact lists by the part they hold, and of the reference entities. An artifact
#: entry names its contract with SEED_LINK_KEYS.
SEED_CONTRACTS_FILE = "contracts"
SEED_ARTIFACT_FILES = {
    "schemas": SCHEMA_BLOCK,
    "coercion_rules": COERCION_RULES_BLOCK,
    "validation_rules": VALIDATION_RULES_BLOCK,
    "metadata": METADATA_BLOCK,
}
SEED_REFERENCE_FILES = ("owners", "systems", "domains")
SEED_LINK_KEYS = ("contract_name", "contract_version")


def default_title(contract_name: str, part_block: str) -> str:
    """The title PyCharter gives a part whose document did not name one."""
    return f"{contract_name}_{part_block}"


class DocumentExtraRecorder:
    """Collects `document_extra` while one bundle is parsed."""

    def __init__(self) -> None:
        self._layout: dict[str, list[str]] = {}
        self._unmapped: dict[str, dict[str, Any]] = {}

    def record_keys(self, block: str, keys: Iterable[str]) -> None:
        self._layout[block] = list(keys)

    def record_unmapped(self, block: str, key: str, value: Any) -> None:
        self._unmapped.setdefault(block, {})[key] = value

    def as_dict(self) -> dict[str, Any]:
        document_extra: dict[str, Any] = {LAYOUT: self._layout}
        if self._unmapped:
            document_extra[UNMAPPED] = self._unmapped
        return document_extra


def written_keys(document_extra: Mapping[str, Any], block: str) -> tuple[str, ...]:
    """The keys `block` was written with, in order (empty when no layout was recorded)."""
    return tuple(document_extra.get(LAYOUT, {}).get(block, ()))


def unmapped_keys(document_extra: Mapping[str, Any], block: str) -> dict[str, Any]:
    """The keys of `block` that have no column, with their values."""
    return dict(document_extra.get(UNMAPPED, {}).get(block, {}))


_NOTHING = object()


def arrange_block(
    values: Mapping[str, Any], *, written: Iterable[str], defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """Build a block's dict: the keys it was written with first, in their order, then
    the other keys whose value says something (differs from its default).

    `values` has every key the bundle can write for the block; a written key is
    written back even when it holds its default (a `null`, an empty list).
    """
    block = {key: values[key] for key in written if key in values}
    for key, value in values.items():
        if key not in block and value != defaults.get(key, _NOTHING):
            block[key] = value
    return block
