"""Writes of an organization's reference data: owners, systems, domains."""

from django.core.exceptions import ValidationError
from django.db import transaction

from contracts.models import Domain, Owner, System
from tenancy.audit import audit_log, audited


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


def _check_email_available(owner):
    if owner.email and Owner._base_manager.filter(email=owner.email).exclude(pk=owner.pk).exists():
        raise ValidationError(
            {"email": f"The email {owner.email!r} is already used by another owner."},
            code="owner_email_unavailable",
        )


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
