"""Who works in a space: members join, change role and leave through these services, so
that each step is one audited operation whatever path (admin, demo, command) takes it."""

import copy

from django.db import transaction

from tenancy.audit import audit_log, audited
from tenancy.models import Membership


@transaction.atomic
@audited
def membership_save(*, membership, actor):
    """Add `membership`, or save its new role; the entry says who got which role."""
    adding = membership._state.adding
    previous_role = None if adding else (
        Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()
    )
    membership.full_clean()
    membership.save()
    audit_log(
        action="tenancy.membership.added" if adding else "tenancy.membership.changed",
        instance=membership, actor=actor,
        changes={"user_id": [None, membership.user_id],
                 "role": [previous_role, membership.role]},
    )
    return membership


@transaction.atomic
@audited
def membership_delete(*, membership, actor):
    """Take a user out of a space; their past work keeps their name."""
    removed = copy.copy(membership)
    membership.delete()
    audit_log(action="tenancy.membership.removed", instance=removed, actor=actor,
              changes={"user_id": [removed.user_id, None]})
