"""Safe loading of contract files (YAML and JSON) into plain data.

Contract files come from outside: uploads, pipelines, other teams' repositories.
Loading therefore refuses anything that is not plain JSON-like data, is larger
than the caller allows, or is not UTF-8, and it turns every failure into a
`DocumentError` that names the file, line and field instead of a traceback.

YAML goes through libyaml (`yaml.CSafeLoader`: no Python objects, nesting capped
at 1000 levels, parsed once) with four refusals on top: aliases (so that a few
hundred bytes cannot expand into gigabytes, the "billion laughs"), merge keys
(they need aliases to be useful), duplicate keys (the last would silently win)
and keys that are not strings (`on:` or `yes:` would silently become booleans).
Timestamps stay the text that was written, as they are in JSON, so that a
document survives a round trip unchanged.

Text that decodes yet cannot be stored (a NUL character, a lone surrogate) is
refused with its field, by the check every import shares (`tenancy.safe_text`).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from tenancy.safe_text import unsafe_text_find

from .errors import DocumentError, FieldPath, SourceLocation, format_field

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NON_JSON_TAGS = (
    _TIMESTAMP_TAG,
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
)


@dataclass(frozen=True)
class LoadedDocument:
    """The data of one file, with where each field was written (YAML only)."""

    path: PurePath
    data: Any
    locations: Mapping[FieldPath, SourceLocation] = field(default_factory=dict)

    def location_of(self, field_path: FieldPath) -> SourceLocation | None:
        """The line of `field_path`, or of its nearest enclosing field that has one."""
        for end in range(len(field_path), -1, -1):
            location = self.locations.get(field_path[:end])
            if location is not None:
                return location
        return None

    def error(self, field_path: FieldPath, message: str) -> DocumentError:
        """A `DocumentError` about `field_path` of this document."""
        return DocumentError(
            self.path, self.location_of(field_path), format_field(field_path) or None, message
        )


def load_document(path: Path, *, max_bytes: int) -> LoadedDocument:
    """Read and load one YAML or JSON file of at most `max_bytes` bytes."""
    try:
        with path.open("rb") as file:
            content = file.read(max_bytes + 1)
    except OSError as error:
        raise DocumentError(path, None, None, f"cannot read the file: {error.strerror}") from None
    return load_document_bytes(content, path=path, max_bytes=max_bytes)


def load_document_bytes(content: bytes, *, path: PurePath, max_bytes: int) -> LoadedDocument:
    """Load the bytes of a YAML or JSON document (an upload, say) named `path`.

    The format follows the suffix of `path`; `max_bytes` is the caller's limit.
    """
    if len(content) > max_bytes:
        raise DocumentError(
            path, None, None, f"the file is larger than the limit of {max_bytes} bytes"
        )
    suffix = path.suffix.lower()
    if suffix not in YAML_SUFFIXES + JSON_SUFFIXES:
        raise DocumentError(
            path, None, None, f"unsupported file type {suffix!r}: expected .yaml, .yml or .json"
        )
    text = decode_utf8(content, path)
    if suffix in JSON_SUFFIXES:
        document = LoadedDocument(path, _load_json(text, path))
    else:
        document = _load_yaml(text, path)
    unsafe = unsafe_text_find(document.data)
    if unsafe is not None:
        field_path, message = unsafe
        raise document.error(field_path, message)
    return document


def decode_utf8(content: bytes, path: PurePath) -> str:
    """The text of `content`, or a DocumentError naming the line of the first bad byte."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in content:
        raise DocumentError(
            path,
            None,
            None,
            "the file is not UTF-8 (it looks like UTF-16 or UTF-32): save it as UTF-8",
        )
    content = content.removeprefix(codecs.BOM_UTF8)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = content.rfind(b"\n", 0, error.start) + 1
        location = SourceLocation(
            content.count(b"\n", 0, error.start) + 1, error.start - line_start + 1
        )
        raise DocumentError(
            path,
            location,
            None,
            f"the file is not UTF-8 (byte 0x{content[error.start]:02x}): save it as UTF-8",
        ) from None


class _DuplicateJsonKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateJsonKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _load_json(text: str, path: PurePath) -> Any:
    try:
        return json.loads(
            text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg}"
        if error.pos >= len(text.rstrip()):
            message += " (the text ends early: is the file truncated?)"
        raise DocumentError(
            path, SourceLocation(error.lineno, error.colno), None, message
        ) from None
    except _DuplicateJsonKey as error:
        raise DocumentError(
            path, None, error.key, "this key is written twice in the same object"
        ) from None
    except ValueError as error:
        raise DocumentError(path, None, None, str(error)) from None
    except RecursionError:
        raise DocumentError(path, None, None, "the document is nested too deeply") from None


def _mark_location(mark: yaml.Mark) -> SourceLocation:
    return SourceLocation(mark.line + 1, mark.column + 1)


class _ContractYamlLoader(yaml.CSafeLoader):
    """libyaml's safe loader with the refusals described in the module docstring.

    libyaml composes the node tree in C; an alias there is the anchored node itself,
    so `_node_locations` finds aliases as nodes met twice, before anything is built.
    """

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise ConstructorError(
                    None,
                    None,
                    f"the key {key_node.value!r} is read as {type(key).__name__}: quote it",
                    key_node.start_mark,
                )
            if key in seen:
                raise ConstructorError(
                    None, None, f"the key {key!r} is written twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_undefined(self, node: Node) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise ConstructorError(
            None,
            None,
            f"the tag {tag} is not allowed: a contract document holds plain data only",
            node.start_mark,
        )


_ContractYamlLoader.yaml_implicit_resolvers = {
    first_character: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP_TAG]
    for first_character, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag in (None, *_NON_JSON_TAGS):
    _ContractYamlLoader.add_constructor(_tag, _ContractYamlLoader.construct_undefined)


def _load_yaml(text: str, path: PurePath) -> LoadedDocument:
    loader = _ContractYamlLoader(text)
    try:
        root = loader.get_single_node()
        locations = _node_locations(root) if root is not None else {}
        data = loader.construct_document(root) if root is not None else None
    except _AliasFound:
        raise DocumentError(
            path, _first_alias_location(text), None,
            "aliases (*name) are not allowed in a contract document: write the value out",
        ) from None
    except yaml.MarkedYAMLError as error:
        if error.problem == "exceeded maximum nesting depth":
            raise DocumentError(path, None, None, "the document is nested too deeply") from None
        raise DocumentError(path, _error_location(error), None, _error_message(error)) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise DocumentError(
            path,
            SourceLocation(line),
            None,
            f"the character {chr(error.character)!r} is not allowed in YAML",
        ) from None
    except RecursionError:
        raise DocumentError(path, None, None, "the document is nested too deeply") from None
    finally:
        loader.dispose()
    return LoadedDocument(path, data, locations)


class _AliasFound(Exception):
    """A node reached twice while walking the composed tree."""


def _first_alias_location(text: str) -> SourceLocation | None:
    """Where the first alias is written; scanned again only to report it."""
    loader = _ContractYamlLoader(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.AliasToken):
                return _mark_location(token.start_mark)
    finally:
        loader.dispose()
    return None


def _error_location(error: yaml.MarkedYAMLError) -> SourceLocation | None:
    mark = error.problem_mark or error.context_mark
    return _mark_location(mark) if mark is not None else None


def _error_message(error: yaml.MarkedYAMLError) -> str:
    if isinstance(error, ConstructorError):
        return error.problem
    if error.context:
        return f"not valid YAML: {error.problem} ({error.context})"
    return f"not valid YAML: {error.problem}"


def _node_locations(root: Node) -> dict[FieldPath, SourceLocation]:
    """Where each field was written: a key's own line, or a list item's.

    Raises _AliasFound for an alias: a node reached a second time.
    """
    locations: dict[FieldPath, SourceLocation] = {(): _mark_location(root.start_mark)}
    pending: list[tuple[FieldPath, Node]] = [((), root)]
    seen: set[int] = set()
    while pending:
        path, node = pending.pop()
        if id(node) in seen:
            raise _AliasFound
        seen.add(id(node))
        if isinstance(node, MappingNode):
            children = [((*path, key.value), key, value) for key, value in node.value]
        elif isinstance(node, SequenceNode):
            children = [((*path, index), item, item) for index, item in enumerate(node.value)]
        else:
            continue
        for child_path, marked, child in children:
            locations[child_path] = _mark_location(marked.start_mark)
            pending.append((child_path, child))
    return locations
