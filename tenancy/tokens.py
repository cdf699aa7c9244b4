"""API tokens: create, revoke, and resolve the token a request presents.

A secret is `pch_` + 40 random URL-safe characters; the database keeps its SHA-256
only, so a leaked database does not leak working tokens.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from tenancy.models import ApiToken
from tenancy.scoping import Access, access_for

SECRET_PREFIX = "pch_"
PREFIX_LENGTH = 12
AUTHORIZATION_SCHEMES = ("token", "bearer")


class ApiTokenInvalid(Exception):
    """The presented secret is unknown, revoked or expired (one message for all three)."""


def secret_hash(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, space, name, created_by, can_write=False, expires_at=None):
    """A new token of `space`; returns (token, secret). The secret is never stored."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        space=space, name=name, created_by=created_by, can_write=can_write,
        expires_at=expires_at, prefix=secret[:PREFIX_LENGTH], secret_hash=secret_hash(secret),
    )
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def api_token_revoke(*, token):
    """Stop the token from working, for good. Revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(secret):
    """The usable token whose secret this is, its last use recorded; else ApiTokenInvalid."""
    # The token names the scope to enter, so it is read before any scope exists.
    with scopes_disabled():
        token = (
            ApiToken.objects.select_related("space", "created_by")
            .filter(secret_hash=secret_hash(secret))
            .first()
        )
        now = timezone.now()
        if token is None or not token.is_usable(now) or not token.created_by.is_active:
            raise ApiTokenInvalid("Invalid, revoked or expired token.")
        # A plain UPDATE: recording each use is not a change worth an audit entry.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token


def token_access(token):
    """What a request made with `token` may reach: its space, within its creator's rights,
    read-only unless the token may write."""
    creator = access_for(token.created_by)
    space_id, organization_id = token.space_id, token.space.organization_id
    if not creator.can_view_space(space_id):
        return Access()
    may_write = token.can_write and creator.can_edit_space(space_id)
    return Access(
        space_ids=(space_id,),
        organization_ids=(organization_id,),
        editable_space_ids=(space_id,) if may_write else (),
        editable_organization_ids=(organization_id,) if may_write else (),
    )


def presented_secret(request):
    """The secret of an `Authorization: Token <secret>` (or Bearer) header, else None."""
    scheme, _, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() in AUTHORIZATION_SCHEMES and secret.strip():
        return secret.strip()
    return None
