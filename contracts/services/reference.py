"""Writes of an organization's reference data: owners, systems, domains."""

import copy

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    Domain,
    MetadataRecordDomain,
    Owner,
    System,
)
from tenancy.audit import audit_log, audited
from tenancy.scoping import access_for

# Entity model -> (link models that point at it, their foreign key to it).
REFERENCE_LINKS = {
    Owner: (tuple(OWNERSHIP_ROLE_LINKS.values()), "owner"),
    System: (tuple(SYSTEM_ROLE_LINKS.values()), "system"),
    Domain: ((MetadataRecordDomain,), "domain"),
}


def _unavailable_owner_id(owner_id):
    # The owners' id is PyCharter's global primary key: an id used by another
    # organization cannot be reused, and saying whose it is would leak.
    return ValidationError(
        {"id": f"The owner id {owner_id!r} is not available; choose another id."},
        code="owner_id_unavailable",
    )


def _audit_upsert(entity, created, actor):
    audit_log(action=f"contracts.{entity._meta.model_name}.{'created' if created else 'updated'}",
              instance=entity, actor=actor, when_changed=not created)


@transaction.atomic
@audited
def owner_upsert(*, organization, owner_id, name=None, email=None, team=None,
                 additional_info=None, overwrite=True, actor=None):
    """Create the organization's owner `owner_id`, or update it when `overwrite`.

    Returns (owner, created). Fields passed as None are left as they are on update.
    """
    owner = Owner.objects.filter(organization=organization, pk=owner_id).first()
    created = owner is None
    if created:
        if Owner._base_manager.filter(pk=owner_id).exists():
            raise _unavailable_owner_id(owner_id)
        owner = Owner(id=owner_id, organization=organization)
    if created or overwrite:
        for field, value in {
            "name": name, "email": email or None, "team": team, "additional_info": additional_info,
        }.items():
            if value is not None:
                setattr(owner, field, value)
    if created or overwrite:
        owner.full_clean(validate_unique=False)
        _check_email_available(owner)
        owner.save()
        _audit_upsert(owner, created, actor)
    return owner, created


def owner_email_errors(*, owner):
    """Messages for an email that another owner holds. The email is unique across every
    organization; a clash inside the owner's organization names the other owner, one
    outside it says nothing about who holds the address."""
    if not owner.email:
        return []
    holders = Owner._base_manager.filter(email=owner.email)
    if not owner._state.adding:
        holders = holders.exclude(pk=owner.pk)
    holder = holders.first()
    if holder is None:
        return []
    if holder.organization_id == owner.organization_id:
        return [f"The email “{owner.email}” is already used by the owner “{holder.pk}”."]
    return ["This email cannot be used for this owner."]


def _check_email_available(owner):
    errors = owner_email_errors(owner=owner)
    if errors:
        raise ValidationError({"email": errors}, code="owner_email_unavailable")


@transaction.atomic
@audited
def system_upsert(*, organization, name, app_id=None, description=None, provider_type=None,
                  config=None, is_active=None, overwrite=True, actor=None):
    """Create the organization's system called `name`, or update it. Returns (system, created).

    The provider config is validated for the provider type and may hold no secrets.
    """
    system = System.objects.filter(organization=organization, name=name).first()
    created = system is None
    if created:
        system = System(organization=organization, name=name)
    if created or overwrite:
        for field, value in {
            "app_id": app_id, "description": description, "provider_type": provider_type,
            "config": config, "is_active": is_active,
        }.items():
            if value is not None:
                setattr(system, field, value)
        system.full_clean()
        system.save()
        _audit_upsert(system, created, actor)
    return system, created


@transaction.atomic
@audited
def domain_upsert(*, organization, name, description=None, overwrite=True, actor=None):
    """Create the organization's domain called `name`, or update it. Returns (domain, created)."""
    domain = Domain.objects.filter(organization=organization, name=name).first()
    created = domain is None
    if created:
        domain = Domain(organization=organization, name=name)
    if created or overwrite:
        if description is not None:
            domain.description = description
        domain.full_clean()
        domain.save()
        _audit_upsert(domain, created, actor)
    return domain, created


def reference_entity_linking_space_ids(*, entity):
    """Ids of the spaces whose contracts link to `entity`, whoever may see them: deleting
    the entity deletes all of those links."""
    link_models, field = REFERENCE_LINKS[type(entity)]
    space_ids = set()
    for link_model in link_models:
        space_ids.update(
            link_model._base_manager.filter(**{field: entity}).values_list(
                "metadata_record__data_contract__space_id", flat=True
            )
        )
    return space_ids


def reference_entity_delete_refusal(*, actor, entity):
    """Why `actor` may not delete `entity`, or None. Reference data belongs to the
    organization, but the links to it belong to the spaces of the contracts: only someone
    who may edit every linking space (an organization admin) deletes what others use."""
    access = access_for(actor)
    name = f"{entity._meta.verbose_name} “{entity}”"
    if not access.can_edit_organization(entity.organization_id):
        return f"You may not delete the {name}."
    if reference_entity_linking_space_ids(entity=entity) - set(access.editable_space_ids):
        return (f"The {name} is linked to contracts in spaces you cannot edit, so you may "
                "not delete it; an organization admin can.")
    return None


@transaction.atomic
@transaction.atomic
@audited
def reference_entity_delete(*, actor, entity):
    """Delete an organization's owner, system or domain with its links, when `actor` may edit
    every space that links to it (see `reference_entity_delete_refusal`)."""
    refusal = reference_entity_delete_refusal(actor=actor, entity=entity)
    if refusal:
        raise PermissionDenied(refusal)
    link_models, _field = REFERENCE_LINKS[type(entity)]
    # Deleting unsets the instance's key; the entry names the entity that was.
    deleted = copy.copy(entity)
    entity.delete()
    audit_log(action=f"contracts.{type(entity)._meta.model_name}.deleted", instance=deleted,
              actor=actor, covers=link_models)
