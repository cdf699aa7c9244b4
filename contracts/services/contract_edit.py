"""The edits a steward makes on a contract's page: the contract, its current parts, its links.

A draft is edited in place. Once a version is active or deprecated its schema and
rules are locked: consumers rely on them, and changing them in place would bypass
the breaking-change sign-off of activation; a change needs a new version. Its
metadata and links stay editable, because people and systems change hands.

Every owner, system and domain linked must belong to the organization of the
contract's space. A ForeignKey's own validation uses the unscoped base manager, so
these services check it.
"""

import copy
from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.documents.layout import (
    COERCION_RULES_BLOCK,
    METADATA_BLOCK,
    SCHEMA_BLOCK,
    VALIDATION_RULES_BLOCK,
    default_title,
)
from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    CoercionRuleSet,
    MetadataRecord,
    MetadataRecordDomain,
    Owner,
    Schema,
    Status,
    ValidationRuleSet,
)
from contracts.rule_checks import rule_problems
from contracts.services.actors import actor_name
from contracts.services.links import audit_link
from contracts.services.reference import owner_email_errors
from contracts.services.review import contract_review_outdate
from contracts.validators import validate_json_object, validate_json_schema
from tenancy.audit import audit_log, audited

#: Passed for what an update leaves as it is.
UNCHANGED = object()

#: The roles an active contract cannot lack (activation checks them too), as errors name them.
REQUIRED_OWNER_ROLES = {
    "business_owners": "business owner",
    "it_application_owners": "IT application owner",
}

#: The parts locked once a contract is no longer a draft, as errors name them.
LOCKED_PARTS = {
    "schema_data": "schema",
    "coercion_rules": "coercion rules",
    "validation_rules": "validation rules",
}


def contract_content_errors(*, schema_data, coercion_rules, validation_rules):
    """What is wrong with a schema and its rule sets, by argument name, each message naming
    the field and rule it concerns.

    The quality engine's checker sees the three together; each problem is put where it
    appears: on the schema if the schema alone has it, else on the rule set that brings it.
    """
    errors = defaultdict(list)
    for argument, value, validator in (
        ("schema_data", schema_data, validate_json_schema),
        ("coercion_rules", coercion_rules, validate_json_object),
        ("validation_rules", validation_rules, validate_json_object),
    ):
        if value is None:
            continue
        try:
            validator(value)
        except ValidationError as error:
            errors[argument].extend(error.messages)
    if errors:  # rules cannot be judged against a broken schema
        return dict(errors)
    schema, coercions, validations = schema_data or {}, coercion_rules or {}, validation_rules or {}
    from_schema = _problem_keys(schema, {}, {})
    from_coercions = _problem_keys(schema, coercions, {}) - from_schema
    from_validations = _problem_keys(schema, {}, validations) - from_schema
    for problem in rule_problems(schema, coercions, validations):
        key = _problem_key(problem)
        if key in from_schema:
            argument = "schema_data"
        elif key in from_coercions or (key not in from_validations and problem.field in coercions):
            argument = "coercion_rules"
        elif key in from_validations or problem.field in validations:
            argument = "validation_rules"
        else:
            argument = "schema_data"
        message = _problem_message(problem)
        if message not in errors[argument]:
            errors[argument].append(message)
    return dict(errors)


def _problem_key(problem):
    return (problem.field, problem.rule, problem.message)


def _problem_keys(schema, coercions, validations):
    return {_problem_key(problem) for problem in rule_problems(schema, coercions, validations)}


def _problem_message(problem):
    where = ", ".join(
        part for part in (
            f"field “{problem.field}”" if problem.field else "",
            f"rule “{problem.rule}”" if problem.rule else "",
        ) if part
    )
    return f"{where[:1].upper()}{where[1:]}: {problem.message}" if where else problem.message


def _raise_content_errors(**content):
    errors = contract_content_errors(**content)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@audited
def contract_create(*, contract, actor, schema_data, coercion_rules=None, validation_rules=None,
                    metadata_type=None, metadata_description=None, governance_rules=None):
    """Save a new draft `contract` (unsaved, with space, name and version) with its parts.

    It always gets a metadata record, because ownership and lineage hang off it.
    """
    _raise_content_errors(
        schema_data=schema_data, coercion_rules=coercion_rules, validation_rules=validation_rules
    )
    contract.status = Status.DRAFT
    contract.created_by = contract.updated_by = actor_name(actor)
    _full_save(contract)
    _parts_save(contract, schema_data, coercion_rules, validation_rules)
    _metadata_save(contract, actor, type=metadata_type, description=metadata_description,
                   governance_rules=governance_rules)
    _full_save(contract)
    audit_log(action="contracts.contract.created", instance=contract, actor=actor)
    return contract


@transaction.atomic
@audited
def contract_update(*, contract, actor, description=UNCHANGED, schema_data=UNCHANGED,
                    coercion_rules=UNCHANGED, validation_rules=UNCHANGED, metadata_type=UNCHANGED,
                    metadata_description=UNCHANGED, governance_rules=UNCHANGED):
    """Change a contract and its current parts; arguments left out stay as they are.

    `contract` comes with its current parts loaded, as `contract_get` returns it. A part
    the contract lacks is created with the contract's version. The schema and rule sets
    of an active or deprecated contract cannot change.
    """
    current = {
        "schema_data": contract.schema.schema_data if contract.schema else None,
        "coercion_rules": contract.coercion_rules.rules if contract.coercion_rules else None,
        "validation_rules": contract.validation_rules.rules if contract.validation_rules else None,
    }
    given = {"schema_data": schema_data, "coercion_rules": coercion_rules,
             "validation_rules": validation_rules}
    changed = {
        argument for argument, value in given.items()
        if value is not UNCHANGED and (value or None) != (current[argument] or None)
    }
    if changed and contract.status != Status.DRAFT:
        raise ValidationError(
            {argument: f"The {LOCKED_PARTS[argument]} of this {contract.status} contract cannot "
                       "change: create a new version." for argument in changed},
            code="locked",
        )
    if changed:
        content = {argument: current[argument] if given[argument] is UNCHANGED else given[argument]
                   for argument in given}
        if content["schema_data"] is None and current["schema_data"] is not None:
            raise ValidationError({"schema_data": "A contract's schema cannot be removed."},
                                  code="schema_required")
        _raise_content_errors(**content)
        _parts_save(contract, content["schema_data"], content["coercion_rules"],
                    content["validation_rules"])
    edited = bool(changed)
    if description is not UNCHANGED:
        edited = edited or description != contract.description
        contract.description = description
    metadata_values = {
        name: value
        for name, value in (("type", metadata_type), ("description", metadata_description),
                            ("governance_rules", governance_rules))
        if value is not UNCHANGED
    }
    if metadata_values:
        edited = edited or any(getattr(contract.metadata_record, name, None) != value
                               for name, value in metadata_values.items())
        _metadata_save(contract, actor, **metadata_values)
    if edited:
        contract_review_outdate(contract_id=contract.pk, actor=actor)
    contract.updated_by = actor_name(actor)
    _full_save(contract)
    audit_log(action="contracts.contract.updated", instance=contract, actor=actor,
              changes={"parts": [None, sorted(LOCKED_PARTS[argument] for argument in changed)]}
              if changed else None)
    return contract


@transaction.atomic
@audited
def contract_delete(*, contract, actor=None):
    """Delete a draft with its parts and links; quality history stays (its contract is unset)."""
    if contract.status != Status.DRAFT:
        raise ValidationError(
            f"{contract} is {contract.status}: only drafts can be deleted; deprecate it instead.",
            code="not_a_draft",
        )
    # Deleting unsets the instance's key; the entry names the contract that was.
    deleted = copy.copy(contract)
    contract.delete()
    audit_log(action="contracts.contract.deleted", instance=deleted, actor=actor)


def _full_save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _parts_save(contract, schema_data, coercion_rules, validation_rules):
    schema = contract.schema
    if schema_data is not None:
        if schema is None:
            schema = Schema(data_contract=contract, version=contract.version,
                            title=schema_data.get("title") or default_title(contract.name,
                                                                             SCHEMA_BLOCK))
        if schema._state.adding or schema.schema_data != schema_data:
            schema.schema_data = schema_data
            _full_save(schema)
        contract.schema, contract.schema_version = schema, schema.version
    for model, field, block, rules in (
        (CoercionRuleSet, "coercion_rules", COERCION_RULES_BLOCK, coercion_rules),
        (ValidationRuleSet, "validation_rules", VALIDATION_RULES_BLOCK, validation_rules),
    ):
        rule_set = getattr(contract, field)
        if rule_set is None and not rules:
            continue
        if rule_set is None:
            rule_set = model(data_contract=contract, version=contract.version,
                             title=default_title(contract.name, block))
        schema_id = schema.pk if schema is not None else None
        changed = rule_set.rules != (rules or {}) or rule_set.schema_id != schema_id
        if rule_set._state.adding or changed:
            rule_set.rules, rule_set.schema = rules or {}, schema
            _full_save(rule_set)
        setattr(contract, field, rule_set)
        setattr(contract, f"{field}_version", rule_set.version)


def _metadata_save(contract, actor, **values):
    record = contract.metadata_record
    if record is None:
        record = MetadataRecord(
            data_contract=contract, version=contract.version, status=contract.status,
            title=default_title(contract.name, METADATA_BLOCK), created_by=actor_name(actor),
        )
    for name, value in values.items():
        setattr(record, name, value)
    record.updated_by = actor_name(actor)
    _full_save(record)
    contract.metadata_record, contract.metadata_version = record, record.version


# Links -----------------------------------------------------------------------------------


@transaction.atomic
@audited
def metadata_owners_set(*, metadata_record, role, owners, actor):
    """Make `owners`, in order, the holders of one of the five ownership roles.

    An active contract keeps at least one business owner and one IT application owner.
    """
    if role not in OWNERSHIP_ROLE_LINKS:
        raise ValidationError(f"{role!r} is not an ownership role.", code="unknown_role")
    owners = list(dict.fromkeys(owners))
    contract_status = _check_same_organization(metadata_record, role, owners)
    if not owners and role in REQUIRED_OWNER_ROLES and contract_status == Status.ACTIVE:
        raise ValidationError(
            {role: f"An active contract needs at least one {REQUIRED_OWNER_ROLES[role]}."},
            code="owner_required",
        )
    _links_set(OWNERSHIP_ROLE_LINKS[role], "owner", role, metadata_record, owners, actor)


@transaction.atomic
@audited
def metadata_systems_set(*, metadata_record, role, systems, actor):
    """Make `systems`, in order, the ones the record pulls from, pushes to or sources from."""
    if role not in SYSTEM_ROLE_LINKS:
        raise ValidationError(f"{role!r} is not a lineage role.", code="unknown_role")
    systems = list(dict.fromkeys(systems))
    _check_same_organization(metadata_record, role, systems)
    _links_set(SYSTEM_ROLE_LINKS[role], "system", role, metadata_record, systems, actor)


@transaction.atomic
@audited
def metadata_domains_set(*, metadata_record, domains, actor):
    """Make `domains`, in order, the domains of the record."""
    domains = list(dict.fromkeys(domains))
    _check_same_organization(metadata_record, "domains", domains)
    _links_set(MetadataRecordDomain, "domain", "domains", metadata_record, domains, actor)


def _check_same_organization(metadata_record, role, targets):
    """Refuse targets of another organization; returns the contract's status."""
    organization_id, status = (
        MetadataRecord.objects.filter(pk=metadata_record.pk)
        .values_list("data_contract__space__organization_id", "data_contract__status")
        .get()
    )
    # Worded like an id that does not exist at all: a refusal reveals nothing of another tenant.
    foreign = [str(target.pk) for target in targets if target.organization_id != organization_id]
    if foreign:
        raise ValidationError(
            {role: f"None in this organization: {', '.join(foreign)}."},
            code="other_organization",
        )
    return status


def _links_set(link_model, target_field, role, metadata_record, targets, actor):
    """Keep the links that stay (and their age), drop the others, append the new ones."""
    wanted = [target.pk for target in targets]
    dropped = list(
        link_model.objects.filter(metadata_record=metadata_record)
        .exclude(**{f"{target_field}__in": wanted})
        .select_related(target_field)
    )
    link_model.objects.filter(pk__in=[link.pk for link in dropped]).delete()
    for link in dropped:
        audit_link(action="contracts.link.removed", metadata_record=metadata_record, role=role,
                   target=getattr(link, target_field), link=link, actor=actor)
    kept = set(
        link_model.objects.filter(metadata_record=metadata_record).values_list(
            f"{target_field}_id", flat=True
        )
    )
    # Links are listed by creation time: distinct times keep the order they were given in.
    now = timezone.now()
    new_targets = [target for target in targets if target.pk not in kept]
    for position, target in enumerate(new_targets):
        link = link_model(
            metadata_record=metadata_record, created_at=now + timedelta(microseconds=position),
            **{target_field: target},
        )
        link.save()
        audit_link(action="contracts.link.added", metadata_record=metadata_record, role=role,
                   target=target, link=link, actor=actor)
    metadata_record.updated_by = actor_name(actor)
    metadata_record.save(update_fields=["updated_by", "updated_at"])
    if dropped or new_targets:
        contract_review_outdate(contract_id=metadata_record.data_contract_id, actor=actor)


# Reference data --------------------------------------------------------------------------


def reference_entity_errors(*, entity):
    """What a scoped form cannot see: an owner's id and email are unique across every
    organization (PyCharter clients upsert owners on the id). Says only "not available",
    so that nothing leaks about the organization that holds them."""
    errors = {}
    if isinstance(entity, Owner):
        if entity._state.adding and Owner._base_manager.filter(pk=entity.pk).exists():
            errors["id"] = [f"The owner id “{entity.pk}” is not available; choose another id."]
        email_errors = owner_email_errors(owner=entity)
        if email_errors:
            errors["email"] = email_errors
    return errors


@transaction.atomic
@audited
def reference_entity_save(*, entity, actor=None):
    """Create or change an organization's owner, system or domain.

    A new owner is inserted, never updated: its id is a global key, and an UPDATE of
    another organization's owner with that id would take it over.
    """
    entity.full_clean()
    errors = reference_entity_errors(entity=entity)
    if errors:
        raise ValidationError(errors)
    created = entity._state.adding
    entity.save(force_insert=created)
    audit_log(action=f"contracts.{entity._meta.model_name}.{'created' if created else 'updated'}",
              instance=entity, actor=actor, when_changed=not created)
    return entity
