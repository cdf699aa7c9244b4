"""Mapping contracts to and from the Open Data Contract Standard (ODCS) v3.

ODCS is how other catalogues and tools exchange data contracts, but it does not
say everything a PyCharter contract says. The mapping therefore works on the
whole-contract document and:

- maps what ODCS has a field for: identity and description, the JSON Schema's
  properties (types, constraints, enums, required), validation rules as quality
  checks (`only_allow` and `matches_regex` as ODCS library metrics, the others as
  `custom` checks run by the `pycharter` engine), the five ownership roles as
  team members with a role, systems as servers, the domain, the creation time;
- keeps what ODCS has no field for (coercions, governance rules, runtime,
  lifecycle, the parts' titles and versions, JSON Schema keywords such as
  `default`, ...) as custom properties of vendor `pycharter`, which importing reads
  back, and lists each of them, so that nothing is dropped without being named.

Importing reads ODCS into a whole-contract document and hands it to the parser,
so an ODCS file gets the same checks (and errors) as a PyCharter one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .bundle import CONTRACT_STATUSES, OWNERSHIP_ROLES, SYSTEM_ROLES, ContractBundle, SystemEntry
from .errors import format_field
from .loading import LoadedDocument
from .names import name_problem, owner_id_problem
from .nodes import DocumentNode
from .parsing import checked_name, parse_contract_document
from .rules import merge_rules
from .serializing import bundle_to_document

ODCS_API_VERSION = "v3.2.0"
VENDOR = "pycharter"

#: ODCS team member role for each PyCharter ownership role.
TEAM_ROLES = {
    "business_owners": "businessOwner",
    "bu_sme": "businessSubjectMatterExpert",
    "it_application_owners": "itApplicationOwner",
    "it_sme": "itSubjectMatterExpert",
    "support_lead": "supportLead",
}

_JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array"})
_DATE_FORMATS = {"date-time": "timestamp", "date": "date"}
_DATE_TYPES = {logical_type: date_format for date_format, logical_type in _DATE_FORMATS.items()}
_TYPE_OPTIONS = {
    "string": ("minLength", "maxLength", "pattern", "format"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "array": ("minItems", "maxItems", "uniqueItems"),
}
#: Custom property listing every domain of a contract with more than one (ODCS has one).
DOMAINS_PROPERTY = "metadata.domains"
#: Property-level custom property holding the JSON Schema keywords ODCS has no field for.
JSON_SCHEMA_PROPERTY = "jsonSchema"
_ODCS_HANDLED_KEYS = frozenset(
    {
        "apiVersion",
        "kind",
        "id",
        "name",
        "version",
        "status",
        "description",
        "domain",
        "team",
        "servers",
        "schema",
        "contractCreatedTs",
        "customProperties",
    }
)


@dataclass(frozen=True)
class OdcsExport:
    """An ODCS document and what in the contract has no ODCS field (kept as custom
    properties), one line each."""

    document: dict[str, Any]
    unmapped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OdcsImport:
    """A bundle read from ODCS, the systems its servers describe, and what in the ODCS
    document it could not take in."""

    bundle: ContractBundle
    systems: list[SystemEntry] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


class _Leftovers:
    """What has no ODCS field: kept as `pycharter` custom properties, and listed."""

    def __init__(self) -> None:
        self.custom_properties: list[dict[str, Any]] = []
        self.unmapped: list[str] = []

    def keep(self, path: str, value: Any, reason: str = "ODCS has no field for it") -> None:
        self.custom_properties.append({"property": path, "value": value, "vendor": VENDOR})
        self.unmapped.append(f"{path}: {reason}; kept as a {VENDOR} custom property")


def bundle_to_odcs(bundle: ContractBundle, *, systems: Sequence[SystemEntry] = ()) -> OdcsExport:
    """The contract as an ODCS v3 document; `systems` adds the details of linked systems."""
    contract = bundle_to_document(bundle)
    leftovers = _Leftovers()
    odcs: dict[str, Any] = {
        "apiVersion": ODCS_API_VERSION,
        "kind": "DataContract",
        "id": contract.pop("name"),
        "version": contract.pop("version"),
    }
    odcs["name"] = odcs["id"]
    status = contract.pop("status", None)
    if status is not None:
        odcs["status"] = status
    description = contract.pop("description", None)
    if description is not None:
        odcs["description"] = {"purpose": description}
    contract.pop("versions", None)  # the parts' versions are kept with the parts
    _export_metadata(contract.pop("metadata", {}), odcs, leftovers, systems)
    schema = contract.pop("schema", None)
    coercion_rules = contract.pop("coercion_rules", None)
    validation_rules = contract.pop("validation_rules", None)
    merged = merge_rules(
        schema,
        (coercion_rules or {}).get("rules"),
        (validation_rules or {}).get("rules"),
    )
    unplaced = dict(merged.validations)
    if schema is not None:
        odcs["schema"] = [_schema_object(schema, bundle.name, unplaced, leftovers)]
    for field_name, rules in unplaced.items():
        leftovers.keep(
            f"validation_rules.rules.{field_name}", rules, "the schema has no such property"
        )
    coercion_block = dict(coercion_rules or {})
    if merged.coercions:
        coercion_block["rules"] = merged.coercions
    if coercion_block:
        leftovers.keep("coercion_rules", coercion_block, "ODCS has no coercions")
    for key, value in (validation_rules or {}).items():
        if key != "rules":
            leftovers.keep(f"validation_rules.{key}", value)
    for key, value in contract.items():
        leftovers.keep(key, value)
    if leftovers.custom_properties:
        odcs["customProperties"] = leftovers.custom_properties
    return OdcsExport(odcs, leftovers.unmapped)


def _export_metadata(
    metadata: dict[str, Any],
    odcs: dict[str, Any],
    leftovers: _Leftovers,
    systems: Sequence[SystemEntry],
) -> None:
    metadata = dict(metadata)
    domains = metadata.pop("domains", None)
    if "domain" in metadata:
        domain = metadata.pop("domain")
        domains = [domain] if domain is not None else []
    if domains:
        odcs["domain"] = domains[0]
        if len(domains) > 1:
            leftovers.keep(DOMAINS_PROPERTY, domains, "ODCS has one domain")
    ownership = dict(metadata.pop("ownership", {}))
    members = [
        {"username": owner_id, "role": TEAM_ROLES[role]}
        for role in OWNERSHIP_ROLES
        for owner_id in ownership.pop(role, [])
    ]
    if members:
        odcs["team"] = {"members": members}
    for key, value in ownership.items():
        leftovers.keep(f"metadata.ownership.{key}", value)
    servers = _servers(metadata.pop("lineage", {}), leftovers, systems)
    if servers:
        odcs["servers"] = servers
    if isinstance(metadata.get("created_at"), str):
        odcs["contractCreatedTs"] = metadata.pop("created_at")
    for key, value in metadata.items():
        leftovers.keep(f"metadata.{key}", value)


def _servers(
    lineage: Mapping[str, Any], leftovers: _Leftovers, systems: Sequence[SystemEntry]
) -> list[dict[str, Any]]:
    """One server per system, of type `custom`: ODCS servers have no direction, so the
    system's lineage roles (pulls_from, pushes_to, system_sources) are a custom property."""
    lineage = dict(lineage)
    roles_by_system: dict[str, list[str]] = {}
    for role in SYSTEM_ROLES:
        for name in lineage.pop(role, []):
            roles_by_system.setdefault(name, []).append(role)
    for key, value in lineage.items():
        leftovers.keep(f"metadata.lineage.{key}", value)
    details = {system.name: system for system in systems}
    servers = []
    for name, roles in roles_by_system.items():
        server: dict[str, Any] = {"server": name, "type": "custom"}
        system = details.get(name)
        if system is not None and system.description:
            server["description"] = system.description
        custom = [{"property": "lineage", "value": roles, "vendor": VENDOR}]
        if system is not None and system.app_id:
            custom.append({"property": "appId", "value": system.app_id, "vendor": VENDOR})
        server["customProperties"] = custom
        servers.append(server)
    if servers:
        leftovers.unmapped.append(
            "metadata.lineage: ODCS servers have no direction; each system is a server of type "
            f"custom with its lineage roles as a {VENDOR} custom property"
        )
    return servers


def _schema_object(
    schema: Mapping[str, Any],
    contract_name: str,
    validations: dict[str, dict[str, Any]],
    leftovers: _Leftovers,
) -> dict[str, Any]:
    """The schema as one ODCS schema object; each property takes its validations out
    of `validations`, which is left with those of fields the schema does not have."""
    schema = dict(schema)
    schema_object: dict[str, Any] = {
        "name": schema.pop("title", contract_name),
        "logicalType": "object",
    }
    if schema.get("type") == "object":
        schema.pop("type")
    required = schema.pop("required", [])
    properties = schema.pop("properties", {})
    if list(required) != [name for name in properties if name in required]:
        # ODCS marks each property required; the list's own order (or a name without a
        # property) would be lost.
        leftovers.keep("schema.required", required, "ODCS has no ordered list of required fields")
    schema_object["properties"] = [
        _property(name, definition, name in required, name, validations, leftovers)
        for name, definition in properties.items()
    ]
    for key, value in schema.items():
        leftovers.keep(f"schema.{key}", value)
    return schema_object


def _property(
    name: str,
    definition: Mapping[str, Any],
    required: bool,
    field_name: str,
    validations: dict[str, dict[str, Any]],
    leftovers: _Leftovers,
) -> dict[str, Any]:
    """A JSON Schema property as an ODCS property; its inline rules are in `validations`
    (merged) and in the coercion rules, so they are not repeated here."""
    definition = {
        key: value for key, value in definition.items() if key not in ("coercion", "validations")
    }
    odcs: dict[str, Any] = {"name": name}
    _describe_type(definition, odcs)
    for key, odcs_key in (("description", "description"), ("title", "businessName")):
        if key in definition:
            odcs[odcs_key] = definition.pop(key)
    if "examples" in definition:
        odcs["examples"] = definition.pop("examples")
    if required:
        odcs["required"] = True
    nested_required = definition.pop("required", []) if odcs.get("logicalType") == "object" else []
    if "properties" in definition and odcs.get("logicalType") == "object":
        odcs["properties"] = [
            _property(
                child,
                child_definition,
                child in nested_required,
                f"{field_name}.{child}",
                validations,
                leftovers,
            )
            for child, child_definition in definition.pop("properties").items()
        ]
    if "items" in definition and odcs.get("logicalType") == "array":
        odcs["items"] = _property("items", definition.pop("items"), False, "", {}, leftovers)
        odcs["items"].pop("name")
    quality = [
        _quality_check(rule, parameters)
        for rule, parameters in validations.pop(field_name, {}).items()
    ]
    if quality:
        odcs["quality"] = quality
    if definition:
        odcs["customProperties"] = [
            {"property": JSON_SCHEMA_PROPERTY, "value": definition, "vendor": VENDOR}
        ]
        for key in definition:
            leftovers.unmapped.append(
                f"schema.properties.{field_name or name}.{key}: ODCS has no field for it; kept "
                f"in the property's {VENDOR} custom property {JSON_SCHEMA_PROPERTY}"
            )
    return odcs


def _describe_type(definition: dict[str, Any], odcs: dict[str, Any]) -> None:
    """Move the JSON Schema type (of the first non-null `anyOf` branch for a nullable
    value) and its constraints into logicalType and logicalTypeOptions. A raw `anyOf`
    stays in `definition`, to be kept whole."""
    typed = definition
    if "anyOf" in definition:
        branches = [b for b in definition["anyOf"] if b != {"type": "null"}]
        typed = dict(branches[0]) if len(branches) == 1 and isinstance(branches[0], dict) else {}
    logical_type = typed.get("type")
    if logical_type not in _JSON_TYPES:
        return
    if typed is definition:
        typed.pop("type")
    if logical_type == "string" and typed.get("format") in _DATE_FORMATS:
        logical_type = _DATE_FORMATS[typed["format"]]
        if typed is definition:
            typed.pop("format")
    odcs["logicalType"] = logical_type
    options = {key: typed[key] for key in _TYPE_OPTIONS.get(logical_type, ()) if key in typed}
    if options:
        odcs["logicalTypeOptions"] = options
    enum = typed.get("enum")
    if isinstance(enum, list) and all(not isinstance(value, list | dict) for value in enum):
        odcs["enum"] = [{"value": value} for value in enum]
        if typed is definition:
            typed.pop("enum")
    if typed is definition:
        for key in options:
            typed.pop(key)


def _quality_check(rule: str, parameters: Any) -> dict[str, Any]:
    if rule == "only_allow" and isinstance(parameters, Mapping) and "allowed_values" in parameters:
        return {
            "type": "library",
            "metric": "invalidValues",
            "arguments": {"validValues": parameters["allowed_values"]},
            "mustBe": 0,
        }
    if rule == "matches_regex" and isinstance(parameters, Mapping) and "pattern" in parameters:
        return {
            "type": "library",
            "metric": "invalidValues",
            "arguments": {"pattern": parameters["pattern"]},
            "mustBe": 0,
        }
    return {"type": "custom", "name": rule, "engine": VENDOR, "implementation": {rule: parameters}}


def odcs_to_bundle(document: LoadedDocument) -> OdcsImport:
    """A bundle from an ODCS v3 document (YAML or JSON already loaded)."""
    root = DocumentNode.root(document)
    odcs = root.mapping("an ODCS data contract (a mapping)")
    kind = root.optional_child("kind")
    if kind is not None and kind.value != "DataContract":
        raise kind.error("an ODCS data contract has kind DataContract")
    unmapped = [
        f"{key}: PyCharter has no field for it" for key in odcs if key not in _ODCS_HANDLED_KEYS
    ]
    contract: dict[str, Any] = {
        "name": odcs.get("name", odcs.get("id")),
        "version": odcs.get("version"),
    }
    status = odcs.get("status")
    if status in CONTRACT_STATUSES:
        contract["status"] = status
    elif status is not None:
        unmapped.append(f"status: {status!r} is not one of {', '.join(CONTRACT_STATUSES)}")
    description = root.optional_child("description")
    for key, child in description.items() if description is not None else ():
        if key == "purpose":
            contract["description"] = child.optional_text()
        else:
            unmapped.append(f"description.{key}: PyCharter has no field for it")
    metadata, systems = _import_metadata(root, unmapped)
    if metadata:
        contract["metadata"] = metadata
    schema_objects = root.optional_child("schema")
    for index, schema_object in enumerate(schema_objects.elements() if schema_objects else ()):
        if index == 0:
            contract["schema"], rules = _import_schema(schema_object, unmapped)
            if rules:
                contract["validation_rules"] = {"rules": rules}
        else:
            unmapped.append(f"schema[{index}]: PyCharter holds one schema per contract")
    for custom in _custom_properties(root, unmapped):
        path = custom.required_child("property").text()
        if path == DOMAINS_PROPERTY:
            _domain_fold(contract.get("metadata", {}), custom)
        if not _place(contract, path.split("."), custom.required_child("value").value):
            unmapped.append(f"{format_field(custom.path)}: {path} does not fit the contract")
    bundle = parse_contract_document(LoadedDocument(document.path, contract))
    return OdcsImport(bundle, systems, unmapped)


def _domain_fold(metadata: dict[str, Any], custom: DocumentNode) -> None:
    """ODCS's one `domain` is the first of the domains the custom property lists: the
    list replaces it."""
    domain = metadata.pop("domain", None)
    domains = custom.required_child("value").value
    if domain is not None and (not isinstance(domains, list) or domains[:1] != [domain]):
        raise custom.error(f"the domain is {domain!r}, so the {VENDOR} domains must start "
                           f"with it; they are {domains!r}")


def _custom_properties(node: DocumentNode, unmapped: list[str]) -> list[DocumentNode]:
    """The node's `pycharter` custom properties; other vendors' are listed as unmapped."""
    customs = node.optional_child("customProperties")
    ours = []
    for custom in customs.elements() if customs is not None else ():
        custom.mapping("a custom property (a mapping)")
        if custom.value.get("vendor") == VENDOR:
            ours.append(custom)
        else:
            unmapped.append(
                f"{format_field(custom.path)}: a custom property of vendor "
                f"{custom.value.get('vendor')!r}, not {VENDOR}"
            )
    return ours


def _pycharter_values(
    node: DocumentNode, known: tuple[str, ...], unmapped: list[str]
) -> dict[str, Any]:
    """The values of the node's `pycharter` custom properties named in `known`; others
    are listed as unmapped."""
    values = {}
    for custom in _custom_properties(node, unmapped):
        name = custom.required_child("property").text()
        if name in known:
            values[name] = custom.required_child("value").value
        else:
            unmapped.append(f"{format_field(custom.path)}: unknown {VENDOR} property {name!r}")
    return values


def _import_metadata(
    root: DocumentNode, unmapped: list[str]
) -> tuple[dict[str, Any], list[SystemEntry]]:
    metadata: dict[str, Any] = {}
    created = root.optional_child("contractCreatedTs")
    if created is not None:
        metadata["created_at"] = created.text()
    ownership: dict[str, list[str]] = {}
    roles = {team_role: role for role, team_role in TEAM_ROLES.items()}
    team = root.optional_child("team")
    if team is not None:
        members = team.required_child("members") if isinstance(team.value, dict) else team
        for member in members.elements("a list of team members"):
            member.mapping("a team member (a mapping)")
            role = roles.get(member.value.get("role"))
            if role is None:
                unmapped.append(f"{format_field(member.path)}: not one of the owner roles")
            else:
                ownership.setdefault(role, []).append(
                    checked_name(member.required_child("username"), owner_id_problem))
    if ownership:
        metadata["ownership"] = ownership
    lineage: dict[str, list[str]] = {}
    systems: list[SystemEntry] = []
    servers = root.optional_child("servers")
    for server in servers.elements() if servers is not None else ():
        server.mapping("a server (a mapping)")
        values = _pycharter_values(server, ("lineage", "appId"), unmapped)
        if "lineage" not in values:
            unmapped.append(f"{format_field(server.path)}: a server that is not a {VENDOR} system")
            continue
        name = checked_name(server.required_child("server"), name_problem)
        for role in values["lineage"]:
            lineage.setdefault(role, []).append(name)
        description = server.optional_child("description")
        systems.append(
            SystemEntry(
                name=name,
                app_id=values.get("appId"),
                description=description.optional_text() if description else None,
            )
        )
    if lineage:
        metadata["lineage"] = lineage
    domain = root.optional_child("domain")
    if domain is not None and domain.optional_text() is not None:
        metadata["domain"] = checked_name(domain, name_problem)
    return metadata, systems


def _import_schema(
    schema_object: DocumentNode, unmapped: list[str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    schema_object.mapping("a schema object (a mapping)")
    schema: dict[str, Any] = {"type": "object"}
    name = schema_object.optional_child("name")
    if name is not None:
        schema["title"] = name.text()
    rules: dict[str, dict[str, Any]] = {}
    properties = schema_object.optional_child("properties")
    if properties is not None:
        schema["properties"], required = _import_properties(properties, "", rules, unmapped)
        if required:
            schema["required"] = required
    return schema, rules


def _import_properties(
    properties: DocumentNode,
    prefix: str,
    rules: dict[str, dict[str, Any]],
    unmapped: list[str],
) -> tuple[dict[str, Any], list[str]]:
    definitions: dict[str, Any] = {}
    required: list[str] = []
    for odcs_property in properties.elements("a list of properties"):
        odcs_property.mapping("a property (a mapping)")
        name = odcs_property.required_child("name").text()
        definitions[name] = _import_property(odcs_property, f"{prefix}{name}", rules, unmapped)
        if odcs_property.value.get("required") is True:
            required.append(name)
    return definitions, required


def _import_property(
    odcs_property: DocumentNode,
    field_name: str,
    rules: dict[str, dict[str, Any]],
    unmapped: list[str],
) -> dict[str, Any]:
    values = odcs_property.mapping("a property (a mapping)")
    kept = _pycharter_values(odcs_property, (JSON_SCHEMA_PROPERTY,), unmapped).get(
        JSON_SCHEMA_PROPERTY, {}
    )
    typed: dict[str, Any] = {}
    logical_type = values.get("logicalType")
    if logical_type in _DATE_TYPES:
        typed.update({"type": "string", "format": _DATE_TYPES[logical_type]})
    elif logical_type is not None:
        typed["type"] = logical_type
    typed.update(values.get("logicalTypeOptions") or {})
    if values.get("enum"):
        typed["enum"] = [
            entry.child("value").value for entry in odcs_property.child("enum").elements()
        ]
    definition: dict[str, Any] = {} if "anyOf" in kept else typed
    for key, odcs_key in (
        ("title", "businessName"),
        ("description", "description"),
        ("examples", "examples"),
    ):
        if odcs_key in values:
            definition[key] = values[odcs_key]
    if values.get("properties"):
        definition["properties"], nested_required = _import_properties(
            odcs_property.child("properties"), f"{field_name}.", rules, unmapped
        )
        if nested_required:
            definition["required"] = nested_required
    if values.get("items"):
        definition["items"] = _import_property(odcs_property.child("items"), "", {}, unmapped)
    definition.update(kept)
    quality = odcs_property.optional_child("quality")
    for check in quality.elements() if quality is not None else ():
        rule = _import_quality_check(check.mapping("a quality check (a mapping)"))
        if rule is None:
            unmapped.append(f"{format_field(check.path)}: a quality check PyCharter cannot run")
        else:
            rules.setdefault(field_name, {}).update(rule)
    return definition


def _import_quality_check(check: Mapping[str, Any]) -> dict[str, Any] | None:
    if check.get("type") == "custom" and check.get("engine") == VENDOR:
        implementation = check.get("implementation")
        return dict(implementation) if isinstance(implementation, Mapping) else None
    arguments = check.get("arguments") or {}
    if check.get("metric") == "invalidValues" and check.get("mustBe") == 0:
        if "validValues" in arguments:
            return {"only_allow": {"allowed_values": arguments["validValues"]}}
        if "pattern" in arguments:
            return {"matches_regex": {"pattern": arguments["pattern"]}}
    return None


def _place(document: dict[str, Any], path: Sequence[str], value: Any) -> bool:
    """Put a kept value back at its dotted path in the whole-contract document (False
    when something that is not a mapping is in the way)."""
    target = document
    for step in path[:-1]:
        target = target.setdefault(step, {})
        if not isinstance(target, dict):
            return False
    target[path[-1]] = value
    return True
