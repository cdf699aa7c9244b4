"""A contract as the database holds it, in plain Python.

The parser produces these objects and the serializer consumes them; the services
layer turns them into rows and back. They mirror the PyCharter ERD (data_contracts,
schemas, coercion_rules, validation_rules, metadata_records, their link tables and
the owners, systems and domains they point at) without importing Django, so that
reading and writing documents can be tested, and reused, without a database.

The dataclasses are frozen; their dict fields hold JSON values and are not copied
defensively: treat them as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Ownership link tables of metadata_records, in the ERD's order; values are owner ids.
OWNERSHIP_ROLES: tuple[str, ...] = (
    "business_owners",
    "bu_sme",
    "it_application_owners",
    "it_sme",
    "support_lead",
)

#: System link tables of metadata_records (the document's `lineage`); values are system names.
SYSTEM_ROLES: tuple[str, ...] = ("pulls_from", "pushes_to", "system_sources")

#: The statuses PyCharter accepts for a contract and for its metadata record.
CONTRACT_STATUSES: tuple[str, ...] = ("active", "deprecated", "draft")


@dataclass(frozen=True, kw_only=True)
class ContractPart:
    """What every versioned component row has: a title and a version (both NOT NULL)."""

    title: str
    version: str


@dataclass(frozen=True, kw_only=True)
class SchemaPart(ContractPart):
    """A `schemas` row. `schema_data` is the JSON Schema exactly as written, including
    PyCharter's `title`, `version` and inline per-property `coercion`/`validations`."""

    schema_data: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class CoercionRulesPart(ContractPart):
    """A `coercion_rules` row: `rules` maps a field to a coercion name, as written."""

    description: str | None = None
    rules: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ValidationRulesPart(ContractPart):
    """A `validation_rules` row: `rules` maps a field to {rule name: parameters or None}."""

    description: str | None = None
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class MetadataPart(ContractPart):
    """A `metadata_records` row with its link rows.

    `ownership` maps each of OWNERSHIP_ROLES to owner ids and `lineage` each of
    SYSTEM_ROLES to system names (every role present, possibly empty); `domains`
    lists domain names. `extra` keeps every metadata section that has no column
    (runtime, lifecycle, data_quality, changelog, created_at/updated_at as written,
    ...), with the ownership and lineage keys that are not roles under
    `extra["ownership"]` and `extra["lineage"]`.
    """

    status: str | None = None
    type: str | None = None
    description: str | None = None
    governance_rules: dict[str, Any] | None = None
    created_by: str | None = None
    updated_by: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    ownership: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {role: () for role in OWNERSHIP_ROLES}
    )
    lineage: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {role: () for role in SYSTEM_ROLES}
    )
    domains: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ContractBundle:
    """A `data_contracts` row with at most one of each component.

    `document_extra` keeps what the document said that no column can: keys the
    document wrote without a column, and the layout of the document (which keys it
    wrote, in which order) so that exporting gives the same document back; see
    `contracts.documents.layout`.
    """

    name: str
    version: str
    status: str | None = None
    description: str | None = None
    schema: SchemaPart | None = None
    coercion_rules: CoercionRulesPart | None = None
    validation_rules: ValidationRulesPart | None = None
    metadata: MetadataPart | None = None
    document_extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class OwnerEntry:
    """An `owners` row: `id` is the string other rows link to (a handle, a team or an email)."""

    id: str
    name: str | None = None
    email: str | None = None
    team: str | None = None
    additional_info: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class SystemEntry:
    """A `systems` row, linked to metadata records by `name`."""

    name: str
    app_id: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class DomainEntry:
    """A `domains` row, linked to metadata records by `name`."""

    name: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParsedDocuments:
    """Everything read from one import: contracts, reference entities, and the files
    of a folder that were not read (listed so that nothing is ignored silently)."""

    bundles: list[ContractBundle] = field(default_factory=list)
    owners: list[OwnerEntry] = field(default_factory=list)
    systems: list[SystemEntry] = field(default_factory=list)
    domains: list[DomainEntry] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
