"""Turn a contract bundle (parsed from a PyCharter document) into rows, atomically."""

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from contracts.documents.bundle import ContractBundle
from contracts.documents.layout import LAYOUT
from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    CoercionRuleSet,
    DataContract,
    MetadataRecord,
    MetadataRecordDomain,
    Schema,
    Status,
    ValidationRuleSet,
)
from contracts.rule_checks import rule_problems
from contracts.selectors import contract_bundle
from contracts.services.lifecycle import contract_activate, contract_deprecate
from contracts.services.links import LINK_MODELS, links_by_role
from contracts.services.reference import domain_upsert, owner_upsert, system_upsert
from tenancy.audit import audit_log, audited


class ContractImportOutcome:
    CREATED = "created"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"


@dataclass(frozen=True)
class ContractImportResult:
    contract: DataContract
    outcome: str


def _raise_rule_problems(bundle):
    problems = rule_problems(
        bundle.schema.schema_data if bundle.schema else {},
        bundle.coercion_rules.rules if bundle.coercion_rules else {},
        bundle.validation_rules.rules if bundle.validation_rules else {},
    )
    if problems:
        raise ValidationError({"rules": [str(problem) for problem in problems]}, code="rules")


def bundle_content(bundle: ContractBundle):
    """What a contract says, whatever the layout of the document it came from: an export
    writes every key that holds something (an editor's name, say) in its own order."""
    return dataclasses.replace(bundle, document_extra={
        key: value for key, value in bundle.document_extra.items() if key != LAYOUT
    })


def _full_save(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
@audited
def contract_import(*, space, bundle: ContractBundle, actor=None, replace=False):
    """Create the contract version `bundle` describes in `space`, with all its parts.

    Importing what is already there changes nothing ("unchanged"). The same name
    and version with other content is an error, unless `replace` is set and the
    existing version is still a draft.

    A status other than draft is reached the way a steward reaches it: the version is
    created as a draft, then activated (with the gates of `contract_activate`, and the
    version that was active deprecated) or deprecated. An import cannot sign off on
    breaking changes, and an activation that is blocked fails the import.
    """
    existing = DataContract.objects.filter(
        space=space, name=bundle.name, version=bundle.version
    ).first()
    if existing is not None:
        if bundle_content(contract_bundle(existing)) == bundle_content(bundle):
            return ContractImportResult(existing, ContractImportOutcome.UNCHANGED)
        if not replace:
            raise ValidationError(
                {"version": f"{bundle.name} {bundle.version} already exists with other content; "
                            "import a new version, or replace a draft with --replace."},
                code="version_exists",
            )
        if existing.status != Status.DRAFT:
            raise ValidationError(
                {"status": f"{bundle.name} {bundle.version} is {existing.status}; only a draft "
                           "can be replaced."},
                code="not_a_draft",
            )
        existing.delete()
    contract = _contract_create(space=space, bundle=bundle, actor=actor)
    contract = _status_reach(contract, bundle.status, actor)
    outcome = ContractImportOutcome.CREATED if existing is None else ContractImportOutcome.REPLACED
    audit_log(action="contracts.contract.imported", instance=contract, actor=actor,
              changes={"outcome": [None, outcome], **links_by_role(contract.metadata_record)},
              covers=LINK_MODELS)
    return ContractImportResult(contract, outcome)


def _status_reach(contract, status, actor):
    """Take the new draft `contract` to `status` through the lifecycle services."""
    # The lifecycle records users; a command is named by the audit log.
    user = None if actor is None or isinstance(actor, str) else actor
    if status == Status.DEPRECATED:
        return contract_deprecate(contract=contract, actor=user)
    if status != Status.ACTIVE:
        return contract
    try:
        return contract_activate(contract=contract, actor=user)
    except ValidationError as error:
        raise ValidationError(
            {"status": [
                f"{contract} cannot be imported as active: {message} Import it with status "
                "draft, and activate it once this is resolved."
                for message in error.messages
            ]},
            code="activation_blocked",
        ) from error


def _contract_create(*, space, bundle, actor):
    _raise_rule_problems(bundle)
    actor_name = getattr(actor, "username", None) or (actor if isinstance(actor, str) else None)
    contract = _full_save(
        DataContract(
            space=space,
            name=bundle.name,
            version=bundle.version,
            status=Status.DRAFT,
            description=bundle.description,
            created_by=actor_name,
            updated_by=actor_name,
            document_extra=bundle.document_extra or None,
        )
    )
    schema = None
    if bundle.schema:
        schema = _full_save(
            Schema(
                data_contract=contract,
                title=bundle.schema.title,
                version=bundle.schema.version,
                schema_data=bundle.schema.schema_data,
            )
        )
        contract.schema, contract.schema_version = schema, schema.version
    if bundle.coercion_rules:
        part = bundle.coercion_rules
        contract.coercion_rules = _full_save(
            CoercionRuleSet(
                data_contract=contract, schema=schema, title=part.title,
                description=part.description, version=part.version, rules=part.rules,
            )
        )
        contract.coercion_rules_version = part.version
    if bundle.validation_rules:
        part = bundle.validation_rules
        contract.validation_rules = _full_save(
            ValidationRuleSet(
                data_contract=contract, schema=schema, title=part.title,
                description=part.description, version=part.version, rules=part.rules,
            )
        )
        contract.validation_rules_version = part.version
    if bundle.metadata:
        contract.metadata_record = _metadata_create(contract, bundle.metadata, space.organization,
                                                   actor)
        contract.metadata_version = bundle.metadata.version
    contract.save()
    return contract


def _metadata_create(contract, part, organization, actor):
    record = _full_save(
        MetadataRecord(
            data_contract=contract,
            title=part.title,
            version=part.version,
            status=part.status,
            type=part.type,
            description=part.description,
            governance_rules=part.governance_rules,
            created_by=part.created_by,
            updated_by=part.updated_by,
            document_extra=part.extra or None,
        )
    )
    for role, link_model in OWNERSHIP_ROLE_LINKS.items():
        owners = [
            owner_upsert(organization=organization, owner_id=owner_id, overwrite=False,
                         actor=actor)[0]
            for owner_id in dict.fromkeys(part.ownership.get(role, ()))
        ]
        link_model.objects.bulk_create(
            [link_model(metadata_record=record, owner=owner) for owner in owners]
        )
    for role, link_model in SYSTEM_ROLE_LINKS.items():
        systems = [
            system_upsert(organization=organization, name=name, overwrite=False, actor=actor)[0]
            for name in dict.fromkeys(part.lineage.get(role, ()))
        ]
        link_model.objects.bulk_create(
            [link_model(metadata_record=record, system=system) for system in systems]
        )
    domains = [
        domain_upsert(organization=organization, name=name, overwrite=False, actor=actor)[0]
        for name in dict.fromkeys(part.domains)
    ]
    MetadataRecordDomain.objects.bulk_create(
        [MetadataRecordDomain(metadata_record=record, domain=domain) for domain in domains]
    )
    return record
