"""Adding one link to a metadata record: an owner in an ownership role, a system in a
lineage role. For imports, which add links row by row; `contract_edit` sets a role's
whole list for the contract page.

A link's ForeignKey validation reads through the unscoped base manager, so on its
own it would accept an owner or a system of another organization. These services
check that both ends belong to the same organization before writing, and say so
in the words used for a name that does not exist at all, so that a refusal never
reveals another tenant's data.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    DataContract,
    MetadataRecord,
    MetadataRecordDomain,
)
from tenancy.audit import audit_log, audited


def _link_model(links_by_role, role):
    try:
        return links_by_role[role]
    except KeyError:
        raise ValidationError(
            {"role": f"{role!r} is not a role: expected {', '.join(links_by_role)}."},
            code="unknown_role",
        ) from None


def _actor_name(actor):
    if actor is None or isinstance(actor, str):
        return actor
    return actor.get_username()


#: Each role of a metadata record -> (link model, target field).
ROLE_LINKS = {
    **{role: (model, "owner") for role, model in OWNERSHIP_ROLE_LINKS.items()},
    **{role: (model, "system") for role, model in SYSTEM_ROLE_LINKS.items()},
    "domains": (MetadataRecordDomain, "domain"),
}
LINK_MODELS = tuple(model for model, _ in ROLE_LINKS.values())


def links_by_role(metadata_record):
    """{role: [None, [names]]} of the roles a record's links fill, for an entry that says
    what a new contract was given."""
    if metadata_record is None:
        return {}
    named = {}
    for role, (model, target) in ROLE_LINKS.items():
        names = [
            str(getattr(link, target))
            for link in model._base_manager.filter(metadata_record=metadata_record)
            .select_related(target).order_by("created_at", "id")
        ]
        if names:
            named[role] = [None, names]
    return named


def audit_link(*, action, metadata_record, role, target, link, actor):
    """Record a link added to or removed from a contract as a `role` held by `target`, by
    name, on the contract (its history lists its owners, systems and domains)."""
    contract = (
        DataContract._base_manager.filter(pk=metadata_record.data_contract_id).first()
        or metadata_record
    )
    change = [None, str(target)] if action == "contracts.link.added" else [str(target), None]
    audit_log(action=action, instance=contract, actor=actor, changes={role: change},
              covers=[link])


def _link_add(link_model, metadata_record, role, actor, **target):
    link, created = link_model.objects.get_or_create(metadata_record=metadata_record, **target)
    if created:
        metadata_record.updated_by = _actor_name(actor)
        metadata_record.save(update_fields=["updated_by", "updated_at"])
        audit_link(action="contracts.link.added", metadata_record=metadata_record, role=role,
                   target=next(iter(target.values())), link=link, actor=actor)
    return link, created


def _organization_id_of(metadata_record):
    return (
        MetadataRecord.objects.filter(pk=metadata_record.pk)
        .values_list("data_contract__space__organization_id", flat=True)
        .first()
    )


@transaction.atomic
@audited
def ownership_link_add(*, metadata_record, role, owner, actor=None):
    """Give `owner` the ownership `role` on `metadata_record`. Returns (link, created).

    Adding a link that exists changes nothing, as PyCharter's ON CONFLICT upserts do.
    `actor` (a user, or a process name) becomes the record's `updated_by`.
    """
    link_model = _link_model(OWNERSHIP_ROLE_LINKS, role)
    if owner.organization_id != _organization_id_of(metadata_record):
        raise ValidationError(
            {"owner": f"No owner {owner.pk!r} in this organization."}, code="unknown_owner"
        )
    return _link_add(link_model, metadata_record, role, actor, owner=owner)


@transaction.atomic
@audited
def system_link_add(*, metadata_record, role, system, actor=None):
    """Put `system` in the lineage `role` of `metadata_record`. Returns (link, created)."""
    link_model = _link_model(SYSTEM_ROLE_LINKS, role)
    if system.organization_id != _organization_id_of(metadata_record):
        raise ValidationError(
            {"system": f"No system {system.name!r} in this organization."},
            code="unknown_system",
        )
    return _link_add(link_model, metadata_record, role, actor, system=system)
