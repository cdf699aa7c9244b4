"""The one place where tenancy is enforced.

Every tenant model gets its default manager from `space_scoped_manager` or
`organization_scoped_manager` (django-scopes underneath). Outside an active
scope such a manager refuses to query (`ScopeError`), so code that forgets
tenancy fails loudly instead of leaking. A scope is entered:

- per request, by `tenancy.middleware.TenantScopeMiddleware` (`user_scope`),
- per command run, by `tenancy.commands.SpaceCommand` (`space_scope`),
- in tests, explicitly.

`scopes_disabled()` is the only escape hatch; every use is allow-listed in a test.
"""

import functools
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django_scopes import ScopedManager, scope, scopes_disabled
from seal.models import BaseSealableManager
from seal.query import SealableQuerySet

from tenancy.raw_reads import key_of, quoted_table

SPACE = "space"
ORGANIZATION = "organization"


def space_scoped_manager(path="space", queryset_class=SealableQuerySet):
    """A manager that only sees rows whose `path` leads to a space in the active scope."""
    return ScopedManager(
        _manager_class=BaseSealableManager.from_queryset(queryset_class), **{SPACE: path}
    )


def organization_scoped_manager(path="organization", queryset_class=SealableQuerySet):
    """A manager that only sees rows whose `path` leads to an organization in the active scope."""
    return ScopedManager(
        _manager_class=BaseSealableManager.from_queryset(queryset_class), **{ORGANIZATION: path}
    )


@dataclass(frozen=True)
class Access:
    """What one user may reach: computed once per request (`request.tenant_access`).

    Viewers read their spaces; stewards and space admins edit them; space admins
    and organization admins also manage members (`managed_space_ids`); organization
    admins reach every space of their organizations.
    """

    space_ids: tuple = ()
    organization_ids: tuple = ()
    editable_space_ids: tuple = ()
    editable_organization_ids: tuple = ()
    managed_space_ids: tuple = ()
    administered_organization_ids: tuple = ()

    def can_view_space(self, space_id):
        return space_id in self.space_ids

    def can_edit_space(self, space_id):
        return space_id in self.editable_space_ids

    def can_edit_organization(self, organization_id):
        return organization_id in self.editable_organization_ids

    @property
    def can_edit_anything(self):
        return bool(self.editable_space_ids)


def access_for(user):
    """The Access of `user` (no rights for anonymous or inactive users)."""
    from tenancy.models import EDITING_ROLES, Role, Space

    if not user.is_authenticated or not user.is_active:
        return Access()
    with scopes_disabled():
        if user.is_superuser:
            spaces = list(Space.objects.values_list("id", "organization_id"))
            space_ids = tuple(sorted(space_id for space_id, _ in spaces))
            organization_ids = tuple(sorted({organization_id for _, organization_id in spaces}))
            return Access(space_ids, organization_ids, space_ids, organization_ids,
                          space_ids, organization_ids)
    administered, memberships, administered_spaces = _rights_of(user)
    every_space = administered_spaces + [(space, organization) for space, organization, _
                                         in memberships]
    editable = administered_spaces + [(space, organization) for space, organization, role
                                      in memberships if role in EDITING_ROLES]
    managed = administered_spaces + [(space, organization) for space, organization, role
                                     in memberships if role == Role.ADMIN]
    return Access(
        space_ids=_sorted_ids(space for space, _ in every_space),
        organization_ids=_sorted_ids([*administered,
                                      *(organization for _, organization in every_space)]),
        editable_space_ids=_sorted_ids(space for space, _ in editable),
        editable_organization_ids=_sorted_ids(organization for _, organization in editable),
        managed_space_ids=_sorted_ids(space for space, _ in managed),
        administered_organization_ids=_sorted_ids(administered),
    )


def _rights_of(user):
    """(ids of the organizations the user administers, [(space id, organization id, role)] of
    their memberships, [(space id, organization id)] of the spaces of the organizations they
    administer), read in one plain-SQL query instead of the ORM's two: every request asks."""
    from tenancy.models import Organization, Space

    space_id, organization_id = Space._meta.pk.to_python, Organization._meta.pk.to_python
    user_id = key_of(user._meta.model, user.pk)
    administered, memberships, administered_spaces = set(), [], []
    with connection.cursor() as cursor:
        cursor.execute(_rights_sql(), [user_id] * 3)
        for kind, space, organization, role in cursor.fetchall():
            if kind == "administers":
                administered.add(organization_id(organization))
            elif kind == "member":
                memberships.append((space_id(space), organization_id(organization), role))
            else:
                administered_spaces.append((space_id(space), organization_id(organization)))
    return administered, memberships, administered_spaces


@functools.cache
def _rights_sql():
    from tenancy.models import Membership, OrganizationAdmin, Space

    quote = connection.ops.quote_name
    admins, members, spaces = map(quoted_table, (OrganizationAdmin, Membership, Space))
    return (
        f"SELECT 'administers', NULL, a.{quote('organization_id')}, NULL FROM {admins} a"
        f" WHERE a.{quote('user_id')} = %s"
        f" UNION ALL SELECT 'member', m.{quote('space_id')}, s.{quote('organization_id')},"
        f" m.{quote('role')} FROM {members} m JOIN {spaces} s ON s.{quote('id')} = "
        f"m.{quote('space_id')} WHERE m.{quote('user_id')} = %s"
        f" UNION ALL SELECT 'administers space', s.{quote('id')}, s.{quote('organization_id')},"
        f" NULL FROM {spaces} s JOIN {admins} a ON a.{quote('organization_id')} = "
        f"s.{quote('organization_id')} WHERE a.{quote('user_id')} = %s"
    )


def _sorted_ids(ids):
    return tuple(sorted(set(ids)))


def visible_space_ids(user):
    """Ids of the spaces the user may read."""
    return list(access_for(user).space_ids)


def editable_space_ids(user):
    """Ids of the spaces where the user may change contracts (steward, space admin, org admin)."""
    return list(access_for(user).editable_space_ids)


@contextmanager
def access_scope(access):
    """Scope every query to the spaces and organizations of an Access."""
    with scope(**{SPACE: list(access.space_ids), ORGANIZATION: list(access.organization_ids)}):
        yield


@contextmanager
def user_scope(user):
    """Scope every query to what `user` may see, for the duration of the block."""
    with access_scope(access_for(user)):
        yield


@contextmanager
def space_scope(space):
    """Scope every query to one space and its organization (commands, imports)."""
    with scope(**{SPACE: [space.pk], ORGANIZATION: [space.organization_id]}):
        yield
