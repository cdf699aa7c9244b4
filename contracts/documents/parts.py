"""Reading each block of a contract document into its part of the bundle.

The same blocks appear in the three shapes PyCharter users write (a whole
contract, split files, a seed folder), so each is read here once. Columns the
document leaves out get PyCharter's defaults (the contract's version, a title made
from the contract's name), and the recorder keeps what the document wrote, so the
serializer can give the same document back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bundle import (
    OWNERSHIP_ROLES,
    SYSTEM_ROLES,
    CoercionRulesPart,
    DomainEntry,
    MetadataPart,
    OwnerEntry,
    SchemaPart,
    SystemEntry,
    ValidationRulesPart,
)
from .layout import (
    COERCION_RULES_BLOCK,
    LINEAGE_BLOCK,
    METADATA_BLOCK,
    OWNERSHIP_BLOCK,
    SCHEMA_BLOCK,
    VALIDATION_RULES_BLOCK,
    DocumentExtraRecorder,
    default_title,
)
from .nodes import DocumentNode


@dataclass(frozen=True)
class ContractIdentity:
    """The contract a part belongs to, for the defaults of the part's columns."""

    name: str
    version: str


def parse_schema(node: DocumentNode, identity: ContractIdentity) -> SchemaPart:
    """A JSON Schema, kept whole; its `title` and `version` also fill the columns."""
    schema_data = node.mapping("a JSON Schema (a mapping)")
    title_node = node.optional_child("title")
    version_node = node.optional_child("version")
    properties = node.optional_child("properties")
    if properties is not None:
        for _name, definition in properties.items("a mapping of field name to its JSON Schema"):
            if not isinstance(definition.value, bool):
                definition.mapping("a JSON Schema (a mapping)")
    return SchemaPart(
        title=title_node.text() if title_node else default_title(identity.name, SCHEMA_BLOCK),
        version=version_node.version() if version_node else identity.version,
        schema_data=schema_data,
    )


def parse_coercion_rules(
    node: DocumentNode, identity: ContractIdentity, recorder: DocumentExtraRecorder
) -> CoercionRulesPart:
    """`title`, `description`, `version`, `rules: {field: coercion name}`."""
    columns, rules_node = _rules_block(node, identity, recorder, COERCION_RULES_BLOCK)
    rules = {}
    if rules_node is not None:
        for field_name, coercion in rules_node.items("a mapping of field to coercion name"):
            rules[field_name] = coercion.text()
    return CoercionRulesPart(**columns, rules=rules)


def parse_validation_rules(
    node: DocumentNode, identity: ContractIdentity, recorder: DocumentExtraRecorder
) -> ValidationRulesPart:
    """`title`, `description`, `version`, `rules: {field: {rule name: parameters}}`."""
    columns, rules_node = _rules_block(node, identity, recorder, VALIDATION_RULES_BLOCK)
    rules = {}
    if rules_node is not None:
        for field_name, field_rules in rules_node.items("a mapping of field to its rules"):
            rules[field_name] = field_rules.mapping("a mapping of rule name to its parameters")
    return ValidationRulesPart(**columns, rules=rules)


def _rules_block(
    node: DocumentNode, identity: ContractIdentity, recorder: DocumentExtraRecorder, block: str
) -> tuple[dict[str, Any], DocumentNode | None]:
    recorder.record_keys(block, node.mapping(f"{block} (a mapping)"))
    columns: dict[str, Any] = {
        "title": default_title(identity.name, block),
        "version": identity.version,
        "description": None,
    }
    rules_node = None
    for key, child in node.items():
        if key == "title":
            columns["title"] = child.text()
        elif key == "version":
            columns["version"] = child.version()
        elif key == "description":
            columns["description"] = child.optional_text()
        elif key == "rules":
            rules_node = child
        else:
            recorder.record_unmapped(block, key, child.value)
    return columns, rules_node


def parse_metadata(
    node: DocumentNode, identity: ContractIdentity, recorder: DocumentExtraRecorder
) -> MetadataPart:
    """Identity and audit columns, ownership and lineage links, domains; the rest is `extra`."""
    mapping = node.mapping("metadata (a mapping)")
    recorder.record_keys(METADATA_BLOCK, mapping)
    if "domain" in mapping and "domains" in mapping:
        raise node.child("domains").error("write either domain or domains, not both")
    columns: dict[str, Any] = {
        "title": default_title(identity.name, METADATA_BLOCK),
        "version": identity.version,
    }
    links: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, child in node.items():
        if key == "title":
            columns["title"] = child.text()
        elif key == "version":
            columns["version"] = child.version()
        elif key == "status":
            columns["status"] = child.status()
        elif key in ("type", "description", "created_by", "updated_by"):
            columns[key] = child.optional_text()
        elif key == "governance_rules":
            columns["governance_rules"] = child.optional_mapping()
        elif key == "ownership":
            links["ownership"], residue = _roles(
                child, OWNERSHIP_ROLES, "owner ids", OWNERSHIP_BLOCK, recorder
            )
            if residue:
                extra["ownership"] = residue
        elif key == "lineage":
            links["lineage"], residue = _roles(
                child, SYSTEM_ROLES, "system names", LINEAGE_BLOCK, recorder
            )
            if residue:
                extra["lineage"] = residue
        elif key == "domain":
            links["domains"] = () if child.value is None else (child.text(),)
        elif key == "domains":
            links["domains"] = child.names("domain names")
        else:
            extra[key] = child.value
    return MetadataPart(**columns, **links, extra=extra)


def _roles(
    node: DocumentNode,
    roles: tuple[str, ...],
    what: str,
    block: str,
    recorder: DocumentExtraRecorder,
) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
    """Role lists become links; other keys of the block are returned to keep in `extra`.

    Ids are kept exactly as written: an owner may be a handle, a team or an email.
    """
    recorder.record_keys(block, node.mapping(f"a mapping of role to a list of {what}"))
    links: dict[str, tuple[str, ...]] = {role: () for role in roles}
    residue: dict[str, Any] = {}
    for key, child in node.items():
        if key in roles:
            links[key] = child.names(what)
        else:
            residue[key] = child.value
    return links, residue


def parse_owner(node: DocumentNode) -> OwnerEntry:
    fields = _entity_fields(node, "an owner", ("id", "name", "email", "team", "additional_info"))
    additional_info = fields.get("additional_info")
    return OwnerEntry(
        id=node.required_child("id").text(),
        name=_optional_text(fields, "name"),
        email=_optional_text(fields, "email"),
        team=_optional_text(fields, "team"),
        additional_info=additional_info.optional_mapping() if additional_info else None,
    )


def parse_system(node: DocumentNode) -> SystemEntry:
    fields = _entity_fields(node, "a system", ("name", "app_id", "description"))
    return SystemEntry(
        name=node.required_child("name").text(),
        app_id=_optional_text(fields, "app_id"),
        description=_optional_text(fields, "description"),
    )


def parse_domain(node: DocumentNode) -> DomainEntry:
    fields = _entity_fields(node, "a domain", ("name", "description"))
    return DomainEntry(
        name=node.required_child("name").text(),
        description=_optional_text(fields, "description"),
    )


def _entity_fields(
    node: DocumentNode, what: str, known: tuple[str, ...]
) -> dict[str, DocumentNode]:
    """The fields of a reference entity; a key with no column is refused, not dropped."""
    fields = dict(node.items(f"{what} (a mapping)"))
    for key, child in fields.items():
        if key not in known:
            raise child.error(f"{what} has no {key!r}; it has {', '.join(known)}")
    return fields


def _optional_text(fields: dict[str, DocumentNode], key: str) -> str | None:
    node = fields.get(key)
    return node.optional_text() if node is not None else None
