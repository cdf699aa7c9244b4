"""Reading PyCharter contract documents into bundles, in the three shapes users write.

- a whole contract (`template_contract.yaml`): identity, `schema`, `coercion_rules`,
  `validation_rules`, `metadata` and `versions` in one file;
- split files given together: a schema, coercion rules, validation rules and
  metadata, each recognised by its keys;
- a folder in PyCharter's seed layout: `contracts.yaml` and lists of artifacts that
  name their contract, with the reference entities beside them.

Every problem is a `DocumentError` naming the file, line and field. Inline and
top-level rules that disagree are refused here, at import, rather than left for
the quality engine to apply one or the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import semver

from .bundle import ContractBundle, MetadataPart, ParsedDocuments
from .errors import DocumentError, FieldPath
from .layout import (
    COERCION_RULES_BLOCK,
    CONTRACT_BLOCK,
    METADATA_BLOCK,
    PART_BLOCKS,
    SCHEMA_BLOCK,
    SEED_ARTIFACT_FILES,
    SEED_CONTRACTS_FILE,
    SEED_LINK_KEYS,
    SEED_REFERENCE_FILES,
    VALIDATION_RULES_BLOCK,
    VERSIONS_BLOCK,
    DocumentExtraRecorder,
)
from .loading import JSON_SUFFIXES, YAML_SUFFIXES, LoadedDocument, load_document
from .names import display_name_problem, name_problem, owner_id_problem
from .nodes import DocumentNode
from .parts import (
    ContractIdentity,
    parse_coercion_rules,
    parse_domain,
    parse_metadata,
    parse_owner,
    parse_schema,
    parse_system,
    parse_validation_rules,
)
from .rules import merge_rules

CONTRACT_KEYS = ("name", "version", "status", "description")

#: Keys that only a metadata document has (a schema may have `type` too).
_METADATA_KEYS = frozenset(
    {
        "ownership",
        "lineage",
        "governance_rules",
        "domain",
        "domains",
        "runtime",
        "lifecycle",
        "data_quality",
        "changelog",
        "status",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    }
)
_JSON_SCHEMA_KEYS = frozenset({"type", "$schema", "items", "allOf", "anyOf", "oneOf", "required"})


def parse_contract_file(path: Path, *, max_bytes: int) -> ParsedDocuments:
    """Read one whole-contract file."""
    return ParsedDocuments(
        bundles=[parse_contract_document(load_document(path, max_bytes=max_bytes))]
    )


def parse_split_files(
    paths: Sequence[Path],
    *,
    max_bytes: int,
    name: str | None = None,
    version: str | None = None,
) -> ParsedDocuments:
    """Read a contract's split files (schema, rules, metadata) given together."""
    documents = [load_document(path, max_bytes=max_bytes) for path in paths]
    return ParsedDocuments(bundles=[parse_split_documents(documents, name=name, version=version)])


def parse_contract_document(document: LoadedDocument) -> ContractBundle:
    """A whole contract document; `name` and `version` are required."""
    root = DocumentNode.root(document)
    root.mapping("a contract (a mapping with name, version, schema, ...)")
    recorder = DocumentExtraRecorder()
    part_nodes: dict[str, DocumentNode] = {}
    for key, child in root.items():
        if key in PART_BLOCKS:
            part_nodes[key] = child
        elif key not in (*CONTRACT_KEYS, VERSIONS_BLOCK):
            recorder.record_unmapped(CONTRACT_BLOCK, key, child.value)
    return _build_bundle(
        **_contract_columns(root, recorder),
        part_nodes=part_nodes,
        recorder=recorder,
        versions=root.optional_child(VERSIONS_BLOCK),
    )


def parse_split_documents(
    documents: Sequence[LoadedDocument],
    *,
    name: str | None = None,
    version: str | None = None,
) -> ContractBundle:
    """Split documents of one contract. Its name, version, status and description come from
    a contract entry among them (a `contracts.yaml` entry, as `export_contract --split`
    writes it); without one, they are the metadata's title, version, status and
    description unless name and version are given."""
    part_nodes: dict[str, DocumentNode] = {}
    recorder = DocumentExtraRecorder()
    for document in documents:
        node = DocumentNode.root(document)
        if _is_contract_entry(node):
            if CONTRACT_BLOCK in part_nodes:
                raise node.error(f"{part_nodes[CONTRACT_BLOCK].document.path} is the contract "
                                 "entry already")
            part_nodes[CONTRACT_BLOCK] = node
            continue
        block = recognise_part(node)
        if block in part_nodes:
            raise node.error(f"{part_nodes[block].document.path} is the {block} already")
        part_nodes[block] = node
    entry = part_nodes.pop(CONTRACT_BLOCK, None)
    if entry is not None:
        for key, child in entry.items():
            if key not in CONTRACT_KEYS:
                recorder.record_unmapped(CONTRACT_BLOCK, key, child.value)
        return _build_bundle(**_contract_columns(entry, recorder), part_nodes=part_nodes,
                             recorder=recorder)
    metadata = part_nodes.get(METADATA_BLOCK)
    if name is None:
        name = checked_name(_from_metadata(metadata, "title", documents), name_problem)
    elif not name.strip():
        raise DocumentError(None, None, "name", "the contract's name is empty")
    elif (problem := name_problem(name)) is not None:
        raise DocumentError(None, None, "name", problem)
    if version is None:
        version = _from_metadata(metadata, "version", documents).version()
    elif not semver.Version.is_valid(version):
        raise DocumentError(None, None, "version", f"{version!r} is not a semantic version X.Y.Z")
    status = metadata.optional_child("status") if metadata else None
    description = metadata.optional_child("description") if metadata else None
    return _build_bundle(
        name=name,
        version=version,
        status=status.status() if status else None,
        description=description.optional_text() if description else None,
        part_nodes=part_nodes,
        recorder=recorder,
    )


def _is_contract_entry(node: DocumentNode) -> bool:
    """A mapping with a contract's name and version and no part's keys."""
    keys = node.mapping("a contract part (a mapping)").keys()
    part_keys = {"properties", "rules", *(_METADATA_KEYS - {"status"})}
    return {"name", "version"} <= keys and not keys & part_keys


def _from_metadata(
    metadata: DocumentNode | None, key: str, documents: Sequence[LoadedDocument]
) -> DocumentNode:
    """The metadata field that names the contract when the caller did not."""
    if metadata is None or key not in metadata.mapping():
        raise DocumentError(
            documents[0].path if documents else None,
            None,
            key,
            f"cannot tell the contract's {'name' if key == 'title' else key}: give it, "
            f"or include a metadata file with a {key}",
        )
    return metadata.child(key)


def recognise_part(node: DocumentNode) -> str:
    """Which part a split document is, from its keys (its file name only breaks a tie
    between empty coercion and validation rules)."""
    mapping = node.mapping("a contract part (a mapping)")
    if SCHEMA_BLOCK in mapping and "properties" not in mapping:
        raise node.error("this is a whole contract (it has `schema`): import it on its own")
    if "rules" in mapping:
        return _recognise_rules(node)
    if "properties" in mapping:
        return SCHEMA_BLOCK
    if _METADATA_KEYS & mapping.keys():
        return METADATA_BLOCK
    if _JSON_SCHEMA_KEYS & mapping.keys():
        return SCHEMA_BLOCK
    raise node.error(
        "cannot tell which part of a contract this is: a schema has `properties`, "
        "coercion and validation rules have `rules`, metadata has `ownership`, "
        "`lineage`, `governance_rules` or the like"
    )


def _recognise_rules(node: DocumentNode) -> str:
    rules = node.child("rules")
    values = list(rules.mapping("a mapping of field to its rules").values())
    if values and all(isinstance(value, str) for value in values):
        return COERCION_RULES_BLOCK
    if values and all(isinstance(value, dict) for value in values):
        return VALIDATION_RULES_BLOCK
    if not values:
        stem = node.document.path.stem.lower()
        if "coercion" in stem:
            return COERCION_RULES_BLOCK
        if "validation" in stem:
            return VALIDATION_RULES_BLOCK
        raise rules.error(
            "rules is empty, so this could be coercion or validation rules: "
            "name the file after which it is"
        )
    raise rules.error(
        "cannot tell coercion rules (field: coercion name) from validation rules "
        "(field: {rule: parameters}): the fields are written both ways"
    )


def parse_seed_folder(folder: Path, *, max_bytes: int) -> ParsedDocuments:
    """A folder in PyCharter's seed layout; files it does not know are listed in `skipped`."""
    if not folder.is_dir():
        raise DocumentError(folder, None, None, "not a folder")
    files, skipped = _seed_files(folder)
    items = {
        stem: _seed_items(load_document(path, max_bytes=max_bytes)) for stem, path in files.items()
    }
    owners = [parse_owner(item) for item in items.get("owners", [])]
    systems = [parse_system(item) for item in items.get("systems", [])]
    domains = [parse_domain(item) for item in items.get("domains", [])]
    for item, owner in zip(items.get("owners", []), owners, strict=True):
        _refuse_problem(item, "id", owner_id_problem(owner.id))
        _refuse_problem(item, "name", display_name_problem(owner.name))
    for item, entity in zip(
        (*items.get("systems", []), *items.get("domains", [])), (*systems, *domains), strict=True
    ):
        _refuse_problem(item, "name", name_problem(entity.name))
    _refuse_duplicates(items.get("owners", []), [owner.id for owner in owners], "owner id")
    _refuse_duplicates(items.get("systems", []), [system.name for system in systems], "system")
    _refuse_duplicates(items.get("domains", []), [domain.name for domain in domains], "domain")
    return ParsedDocuments(
        bundles=_seed_bundles(items, files),
        owners=owners,
        systems=systems,
        domains=domains,
        skipped=skipped,
    )


def _seed_files(folder: Path) -> tuple[dict[str, Path], list[Path]]:
    known_stems = (SEED_CONTRACTS_FILE, *SEED_ARTIFACT_FILES, *SEED_REFERENCE_FILES)
    files: dict[str, Path] = {}
    skipped: list[Path] = []
    for path in sorted(folder.iterdir()):
        readable = path.suffix.lower() in YAML_SUFFIXES + JSON_SUFFIXES
        if not (path.is_file() and readable and path.stem in known_stems):
            skipped.append(path)
        elif path.stem in files:
            raise DocumentError(path, None, None, f"{files[path.stem].name} is here too: keep one")
        else:
            files[path.stem] = path
    return files, skipped


def _seed_items(document: LoadedDocument) -> list[DocumentNode]:
    """The items of a seed file (a file holding only comments has none)."""
    root = DocumentNode.root(document)
    if root.value is None:
        return []
    return list(root.elements("a list of entries"))


def _seed_bundles(
    items: dict[str, list[DocumentNode]], files: dict[str, Path]
) -> list[ContractBundle]:
    artifact_files = [stem for stem in SEED_ARTIFACT_FILES if stem in files]
    if SEED_CONTRACTS_FILE not in files:
        if artifact_files:
            path = files[artifact_files[0]]
            raise DocumentError(
                path, None, None, "its entries name contracts, but the folder has no contracts.yaml"
            )
        return []
    contracts: dict[tuple[str, str], tuple[dict[str, Any], DocumentExtraRecorder]] = {}
    for item in items[SEED_CONTRACTS_FILE]:
        recorder = DocumentExtraRecorder()
        columns = _contract_columns(item, recorder)
        key = (columns["name"], columns["version"])
        if key in contracts:
            raise item.error(f"contract {key[0]} {key[1]} is listed twice")
        for field_name, child in item.items():
            if field_name not in CONTRACT_KEYS:
                recorder.record_unmapped(CONTRACT_BLOCK, field_name, child.value)
        contracts[key] = (columns, recorder)
    part_nodes: dict[tuple[str, str], dict[str, DocumentNode]] = {key: {} for key in contracts}
    for stem in artifact_files:
        block = SEED_ARTIFACT_FILES[stem]
        for item in items[stem]:
            key = (
                item.required_child("contract_name").text(),
                item.required_child("contract_version").version(),
            )
            if key not in contracts:
                raise item.error(f"names contract {key[0]} {key[1]}, which contracts.yaml lacks")
            if block in part_nodes[key]:
                raise item.error(f"contract {key[0]} {key[1]} has a {block} entry already")
            part_nodes[key][block] = item.without(*SEED_LINK_KEYS)
    return [
        _build_bundle(**columns, part_nodes=part_nodes[key], recorder=recorder)
        for key, (columns, recorder) in contracts.items()
    ]


def _contract_columns(node: DocumentNode, recorder: DocumentExtraRecorder) -> dict[str, Any]:
    """name, version, status, description of a whole contract or a contracts.yaml entry."""
    recorder.record_keys(CONTRACT_BLOCK, node.mapping())
    status = node.optional_child("status")
    description = node.optional_child("description")
    return {
        "name": checked_name(node.required_child("name"), name_problem),
        "version": node.required_child("version").version(),
        "status": status.status() if status else None,
        "description": description.optional_text() if description else None,
    }


def _build_bundle(
    *,
    name: str,
    version: str,
    status: str | None,
    description: str | None,
    part_nodes: dict[str, DocumentNode],
    recorder: DocumentExtraRecorder,
    versions: DocumentNode | None = None,
) -> ContractBundle:
    """Read the parts, check them against `versions`, refuse rules that disagree, and
    assemble the bundle."""
    identity = ContractIdentity(name, version)
    readers = {
        SCHEMA_BLOCK: lambda node: parse_schema(node, identity),
        COERCION_RULES_BLOCK: lambda node: parse_coercion_rules(node, identity, recorder),
        VALIDATION_RULES_BLOCK: lambda node: parse_validation_rules(node, identity, recorder),
        METADATA_BLOCK: lambda node: parse_metadata(node, identity, recorder),
    }
    parts = {block: readers[block](node) for block, node in part_nodes.items()}
    if METADATA_BLOCK in parts:
        _check_metadata_names(part_nodes[METADATA_BLOCK], parts[METADATA_BLOCK])
    if versions is not None:
        _check_versions(versions, parts, recorder)
    _refuse_rule_conflicts(parts, part_nodes)
    return ContractBundle(
        name=name,
        version=version,
        status=status,
        description=description,
        schema=parts.get(SCHEMA_BLOCK),
        coercion_rules=parts.get(COERCION_RULES_BLOCK),
        validation_rules=parts.get(VALIDATION_RULES_BLOCK),
        metadata=parts.get(METADATA_BLOCK),
        document_extra=recorder.as_dict(),
    )


def _refuse_rule_conflicts(parts: dict[str, Any], part_nodes: dict[str, DocumentNode]) -> None:
    def error_at(field_path: FieldPath, message: str) -> DocumentError:
        node = part_nodes[str(field_path[0])]
        return node.document.error((*node.path, *field_path[1:]), message)

    schema, coercion, validation = (
        parts.get(block) for block in (SCHEMA_BLOCK, COERCION_RULES_BLOCK, VALIDATION_RULES_BLOCK)
    )
    merged = merge_rules(
        schema.schema_data if schema else None,
        coercion.rules if coercion else None,
        validation.rules if validation else None,
        error_at=error_at,
    )
    if merged.conflicts:
        raise merged.conflicts[0]


def _check_versions(
    versions: DocumentNode, parts: dict[str, Any], recorder: DocumentExtraRecorder
) -> None:
    """A `versions` block must agree with the parts it names: the database keeps one
    version per part, so a disagreement would be lost."""
    recorder.record_keys(VERSIONS_BLOCK, versions.mapping("a mapping of part to its version"))
    for block, child in versions.items():
        if block not in PART_BLOCKS:
            raise child.error(f"versions names the parts {', '.join(PART_BLOCKS)}; not {block!r}")
        version = child.version()
        part = parts.get(block)
        if part is None:
            raise child.error(f"versions names the {block}, but the contract has none")
        if part.version != version:
            raise child.error(
                f"versions says {version}, but the {block} has version {part.version}"
            )


def _refuse_duplicates(items: Iterable[DocumentNode], names: list[str], what: str) -> None:
    seen: set[str] = set()
    for item, name in zip(items, names, strict=True):
        if name in seen:
            raise item.error(f"{what} {name!r} is listed twice")
        seen.add(name)


def checked_name(node: DocumentNode, problem_of) -> str:
    """The node's text, refused with its file, line and field when `problem_of` finds fault."""
    value = node.text()
    problem = problem_of(value)
    if problem is not None:
        raise node.error(problem)
    return value


def _refuse_problem(item: DocumentNode, key: str, problem: str | None) -> None:
    if problem is not None:
        raise item.child(key).error(problem)


def _check_metadata_names(node: DocumentNode, metadata: MetadataPart) -> None:
    """Owner ids, system and domain names the metadata links to follow the naming rules,
    since the import creates the ones that do not exist yet."""
    named_lists = [
        *((("ownership", role), ids, owner_id_problem) for role, ids in metadata.ownership.items()),
        *((("lineage", role), names, name_problem) for role, names in metadata.lineage.items()),
        (("domains",), metadata.domains, name_problem),
    ]
    for path, names, problem_of in named_lists:
        for index, name in enumerate(names):
            problem = problem_of(name)
            if problem is None:
                continue
            if path == ("domains",) and "domain" in node.mapping():
                raise node.child("domain").error(problem)
            raise node.document.error((*node.path, *path, index), problem)
