"""Writing bundles back as PyCharter documents: whole contract, split files, seed folder.

What comes out is what went in: the document's layout recorded at import (see
`contracts.documents.layout`) puts back the keys it wrote, in their order, with
their nulls and empty lists, and leaves out the defaults the import filled in.
A bundle without a layout is written in PyCharter's canonical order, with only
the keys that hold something.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any, Literal

import yaml

from .bundle import (
    OWNERSHIP_ROLES,
    SYSTEM_ROLES,
    CoercionRulesPart,
    ContractBundle,
    DomainEntry,
    OwnerEntry,
    ParsedDocuments,
    SystemEntry,
    ValidationRulesPart,
)
from .layout import (
    COERCION_RULES_BLOCK,
    CONTRACT_BLOCK,
    LINEAGE_BLOCK,
    METADATA_BLOCK,
    OWNERSHIP_BLOCK,
    PART_BLOCKS,
    SCHEMA_BLOCK,
    SEED_ARTIFACT_FILES,
    SEED_CONTRACTS_FILE,
    VALIDATION_RULES_BLOCK,
    VERSIONS_BLOCK,
    arrange_block,
    default_title,
    unmapped_keys,
    written_keys,
)

SEED_SUFFIX = ".yaml"
_SEED_FILE_BY_BLOCK = {block: stem + SEED_SUFFIX for stem, block in SEED_ARTIFACT_FILES.items()}

_CONTRACT_DEFAULTS = {"status": None, "description": None}


def bundle_to_document(
    bundle: ContractBundle, shape: Literal["contract", "seed"] = "contract"
) -> dict[str, Any]:
    """The whole-contract document (`shape="contract"`), or this contract's entry of
    each seed file, by file name (`shape="seed"`)."""
    if shape == "seed":
        return copy.deepcopy(_seed_entries(bundle))
    if shape != "contract":
        raise ValueError(f"unknown shape {shape!r}: expected 'contract' or 'seed'")
    values = _contract_values(bundle)
    values.update(_part_documents(bundle))
    contract_layout = written_keys(bundle.document_extra, CONTRACT_BLOCK)
    if VERSIONS_BLOCK in contract_layout or not contract_layout:
        values[VERSIONS_BLOCK] = _versions_document(bundle)
    return copy.deepcopy(
        arrange_block(values, written=contract_layout, defaults=_CONTRACT_DEFAULTS)
    )


def bundle_to_split_documents(bundle: ContractBundle) -> dict[str, dict[str, Any]]:
    """The contract's parts as split documents, by part: `schema`, `coercion_rules`,
    `validation_rules`, `metadata` (the parts it has).

    Split files name their contract by the metadata's title, version, status and
    description; when the contract says otherwise, `contract` (its entry as in a seed
    folder's contracts file) comes first, so that importing the files gives it back.
    """
    documents = {}
    if not _named_by_metadata(bundle):
        documents[CONTRACT_BLOCK] = arrange_block(
            _contract_values(bundle),
            written=written_keys(bundle.document_extra, CONTRACT_BLOCK),
            defaults=_CONTRACT_DEFAULTS,
        )
    documents.update(_part_documents(bundle))
    return copy.deepcopy(documents)


def _named_by_metadata(bundle: ContractBundle) -> bool:
    metadata = bundle.metadata
    return (
        metadata is not None
        and (metadata.title, metadata.version, metadata.status, metadata.description)
        == (bundle.name, bundle.version, bundle.status, bundle.description)
        and not unmapped_keys(bundle.document_extra, CONTRACT_BLOCK)
    )


def seed_documents(parsed: ParsedDocuments) -> dict[str, list[dict[str, Any]]]:
    """The files of a seed folder, by file name, each a list of entries (files without
    entries are left out)."""
    files: dict[str, list[dict[str, Any]]] = {}
    for bundle in parsed.bundles:
        for file_name, entry in _seed_entries(bundle).items():
            files.setdefault(file_name, []).append(entry)
    for stem, entities in (
        ("owners", parsed.owners),
        ("systems", parsed.systems),
        ("domains", parsed.domains),
    ):
        if entities:
            files[stem + SEED_SUFFIX] = [_entity_document(entity) for entity in entities]
    return copy.deepcopy(files)


class _ContractYamlDumper(yaml.SafeDumper):
    """Never writes anchors and aliases, even for values that are the same object."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: Any) -> str:
    """YAML with keys in document order and unicode kept as written."""
    return yaml.dump(
        document,
        Dumper=_ContractYamlDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def dump_json(document: Any) -> str:
    """Indented JSON with unicode kept as written."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _contract_values(bundle: ContractBundle) -> dict[str, Any]:
    return {
        "name": bundle.name,
        "version": bundle.version,
        "status": bundle.status,
        "description": bundle.description,
        **unmapped_keys(bundle.document_extra, CONTRACT_BLOCK),
    }


def _part_documents(bundle: ContractBundle) -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    if bundle.schema is not None:
        documents[SCHEMA_BLOCK] = _schema_document(bundle)
    if bundle.coercion_rules is not None:
        documents[COERCION_RULES_BLOCK] = _rules_document(
            bundle, bundle.coercion_rules, COERCION_RULES_BLOCK
        )
    if bundle.validation_rules is not None:
        documents[VALIDATION_RULES_BLOCK] = _rules_document(
            bundle, bundle.validation_rules, VALIDATION_RULES_BLOCK
        )
    if bundle.metadata is not None:
        documents[METADATA_BLOCK] = _metadata_document(bundle)
    return documents


def _schema_document(bundle: ContractBundle) -> dict[str, Any]:
    """`schema_data` as written; the title and version columns go back into it when
    it had them or when they differ from what the import would have filled in."""
    schema = bundle.schema
    document = dict(schema.schema_data)
    for key, value, default in (
        ("title", schema.title, default_title(bundle.name, SCHEMA_BLOCK)),
        ("version", schema.version, bundle.version),
    ):
        if key in document or value != default:
            document[key] = value
    return document


def _rules_document(
    bundle: ContractBundle, part: CoercionRulesPart | ValidationRulesPart, block: str
) -> dict[str, Any]:
    values = {
        "title": part.title,
        "description": part.description,
        "version": part.version,
        "rules": part.rules,
        **unmapped_keys(bundle.document_extra, block),
    }
    defaults = {
        "title": default_title(bundle.name, block),
        "description": None,
        "version": bundle.version,
        "rules": {},
    }
    return arrange_block(
        values, written=written_keys(bundle.document_extra, block), defaults=defaults
    )


def _metadata_document(bundle: ContractBundle) -> dict[str, Any]:
    metadata = bundle.metadata
    written = written_keys(bundle.document_extra, METADATA_BLOCK)
    extra = dict(metadata.extra)
    values: dict[str, Any] = {
        "title": metadata.title,
        "version": metadata.version,
        "status": metadata.status,
        "type": metadata.type,
        "description": metadata.description,
        "created_by": metadata.created_by,
        "updated_by": metadata.updated_by,
        "ownership": _roles_document(
            metadata.ownership,
            extra.pop("ownership", {}),
            OWNERSHIP_ROLES,
            written_keys(bundle.document_extra, OWNERSHIP_BLOCK),
        ),
        **_domains_entry(metadata.domains, written),
        "lineage": _roles_document(
            metadata.lineage,
            extra.pop("lineage", {}),
            SYSTEM_ROLES,
            written_keys(bundle.document_extra, LINEAGE_BLOCK),
        ),
        "governance_rules": metadata.governance_rules,
        **extra,
    }
    defaults = {
        "title": default_title(bundle.name, METADATA_BLOCK),
        "version": bundle.version,
        "status": None,
        "type": None,
        "description": None,
        "created_by": None,
        "updated_by": None,
        "ownership": {},
        "domain": None,
        "domains": [],
        "lineage": {},
        "governance_rules": None,
    }
    return arrange_block(values, written=written, defaults=defaults)


def _roles_document(
    links: dict[str, tuple[str, ...]],
    residue: dict[str, Any],
    roles: tuple[str, ...],
    written: tuple[str, ...],
) -> dict[str, Any]:
    values = {role: list(links.get(role, ())) for role in roles}
    values.update(residue)
    return arrange_block(values, written=written, defaults={role: [] for role in roles})


def _domains_entry(domains: tuple[str, ...], written: tuple[str, ...]) -> dict[str, Any]:
    """`domain: name` where the document wrote it so (or, without a layout, for one
    domain), otherwise `domains: [names]`."""
    singular_written = "domain" in written
    if len(domains) == 1 and (singular_written or "domains" not in written):
        return {"domain": domains[0]}
    if not domains and singular_written:
        return {"domain": None}
    return {"domains": list(domains)}


def _versions_document(bundle: ContractBundle) -> dict[str, str]:
    parts = {
        SCHEMA_BLOCK: bundle.schema,
        COERCION_RULES_BLOCK: bundle.coercion_rules,
        VALIDATION_RULES_BLOCK: bundle.validation_rules,
        METADATA_BLOCK: bundle.metadata,
    }
    blocks = written_keys(bundle.document_extra, VERSIONS_BLOCK) or PART_BLOCKS
    return {block: parts[block].version for block in blocks if parts.get(block) is not None}


def _seed_entries(bundle: ContractBundle) -> dict[str, dict[str, Any]]:
    contract_values = _contract_values(bundle)
    entries = {
        SEED_CONTRACTS_FILE + SEED_SUFFIX: arrange_block(
            contract_values,
            written=written_keys(bundle.document_extra, CONTRACT_BLOCK),
            defaults=_CONTRACT_DEFAULTS,
        )
    }
    link = {"contract_name": bundle.name, "contract_version": bundle.version}
    for block, document in _part_documents(bundle).items():
        entries[_SEED_FILE_BY_BLOCK[block]] = {**link, **document}
    return entries


def _entity_document(entity: OwnerEntry | SystemEntry | DomainEntry) -> dict[str, Any]:
    """An owner, system or domain entry with the fields that hold a value."""
    return {key: value for key, value in dataclasses.asdict(entity).items() if value is not None}
