"""API tokens: how a pipeline signs in to the HTTP API of one space."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from seal.models import SealableModel

from tenancy.models.workspace import Space
from tenancy.scoping import space_scoped_manager


class ApiToken(SealableModel):
    """A secret a pipeline sends as `Authorization: Token <secret>`; belongs to one space.

    Only the SHA-256 of the secret is stored; the secret is shown once, when the token
    is created. A token acts for the user who created it, limited to its space, and
    never reaches further than that user may; it stops working when revoked or expired.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="space"
    )
    name = models.CharField(
        "name", max_length=255, help_text="Which pipeline uses it, e.g. nightly-flights-load."
    )
    prefix = models.CharField(
        "prefix", max_length=16, editable=False,
        help_text="The first characters of the secret, to recognise it in logs.",
    )
    secret_hash = models.CharField("secret hash", max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(
        "read-write", default=False,
        help_text="Off: the token only reads. On: it may also post results and triage.",
    )
    expires_at = models.DateTimeField(
        "expires at", null=True, blank=True, help_text="Leave empty for a token that never expires."
    )
    revoked_at = models.DateTimeField("revoked at", null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField("last used at", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
        verbose_name="created by", editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    objects = space_scoped_manager()

    class Meta:
        ordering = ["space__name", "name"]
        verbose_name = "API token"
        constraints = [
            models.UniqueConstraint(fields=["space", "name"], name="tenancy_apitoken_name_key")
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
