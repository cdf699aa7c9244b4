"""Reads of the contract graph, with every relation loaded up front (querysets are sealed)."""

from django.db.models import Q

from contracts.documents.bundle import (
    OWNERSHIP_ROLES,
    SYSTEM_ROLES,
    CoercionRulesPart,
    ContractBundle,
    MetadataPart,
    SchemaPart,
    ValidationRulesPart,
)
from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    DataContract,
    MetadataRecordDomain,
)

CURRENT_COMPONENTS = ("schema", "coercion_rules", "validation_rules", "metadata_record")


def contract_get(*, contract_id):
    """The contract with its current components, or DataContract.DoesNotExist.

    "Missing" and "in a space you cannot see" are the same answer: the manager is scoped.
    """
    return DataContract.objects.select_related("space", *CURRENT_COMPONENTS).seal().get(
        pk=contract_id
    )


def _ordered_links(link_model, record, target):
    return tuple(
        link_model.objects.filter(metadata_record=record)
        .order_by("created_at", "id")
        .values_list(target, flat=True)
    )


def contract_bundle(contract):
    """The contract as a ContractBundle (what an export writes), current components only."""
    contract = contract_get(contract_id=contract.pk)
    schema = contract.schema
    coercion = contract.coercion_rules
    validation = contract.validation_rules
    record = contract.metadata_record
    metadata = None
    if record is not None:
        metadata = MetadataPart(
            title=record.title,
            version=record.version,
            status=record.status,
            type=record.type,
            description=record.description,
            governance_rules=record.governance_rules,
            created_by=record.created_by,
            updated_by=record.updated_by,
            extra=record.document_extra or {},
            ownership={
                role: _ordered_links(OWNERSHIP_ROLE_LINKS[role], record, "owner_id")
                for role in OWNERSHIP_ROLES
            },
            lineage={
                role: _ordered_links(SYSTEM_ROLE_LINKS[role], record, "system__name")
                for role in SYSTEM_ROLES
            },
            domains=_ordered_links(MetadataRecordDomain, record, "domain__name"),
        )
    return ContractBundle(
        name=contract.name,
        version=contract.version,
        status=contract.status,
        description=contract.description,
        schema=SchemaPart(title=schema.title, version=schema.version,
                          schema_data=schema.schema_data) if schema else None,
        coercion_rules=CoercionRulesPart(
            title=coercion.title, version=coercion.version, description=coercion.description,
            rules=coercion.rules,
        ) if coercion else None,
        validation_rules=ValidationRulesPart(
            title=validation.title, version=validation.version,
            description=validation.description, rules=validation.rules,
        ) if validation else None,
        metadata=metadata,
        document_extra=contract.document_extra or {},
    )


def contract_for_export(*, space, name, version=None):
    """The named contract version in `space`; without a version the active one, else the newest."""
    contracts = DataContract.objects.filter(space=space, name=name)
    if version:
        return contracts.filter(version=version).first()
    active = contracts.filter(status="active").order_by("-created_at").first()
    if active is not None:
        return active
    return max(contracts, key=lambda contract: _version_key(contract.version), default=None)


def _version_key(version):
    import semver

    try:
        return semver.Version.parse(version)
    except ValueError:
        return semver.Version(0)


def contract_system_entries(contract):
    """The systems the contract's current metadata links to, as SystemEntry (for ODCS servers)."""
    from contracts.documents.bundle import SystemEntry
    from contracts.models import System

    if contract.metadata_record_id is None:
        return []
    record_filter = (
        Q(pulled_by=contract.metadata_record_id)
        | Q(pushed_to_by=contract.metadata_record_id)
        | Q(source_of=contract.metadata_record_id)
    )
    systems = System.objects.filter(record_filter).distinct().order_by("name")
    return [
        SystemEntry(name=system.name, app_id=system.app_id, description=system.description)
        for system in systems
    ]
