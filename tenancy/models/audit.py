"""The audit log of every change, kept per organization and space."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from seal.models import SealableModel

from tenancy.models.workspace import Organization, Space
from tenancy.scoping import organization_scoped_manager


class AuditLogEntry(SealableModel):
    """One recorded change: who did what to which object, when, in which space, field by field.

    Append-only: the model refuses updates and deletes, the admin offers neither,
    and on PostgreSQL a trigger makes the database refuse UPDATE and DELETE.
    Foreign keys are not enforced by the database (and never cascade), so deleting
    a user, a space or an object leaves its history intact.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField("at", default=timezone.now, db_default=Now(), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True,
        blank=True, related_name="+", verbose_name="actor",
    )
    actor_name = models.CharField(
        "actor", max_length=255, help_text="The user, or the command or process that acted."
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name="organization",
    )
    space = models.ForeignKey(
        Space, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name="space",
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name="object type",
    )
    object_id = models.CharField("object id", max_length=255)
    object_repr = models.CharField("object", max_length=255)
    action = models.CharField(
        "action", max_length=100, help_text='Dotted code, e.g. "contracts.datacontract.updated".'
    )
    changes = models.JSONField(
        "changes", default=dict, blank=True, help_text="Field name to [before, after]."
    )
    source = models.CharField(
        "source", max_length=100, blank=True, default="",
        help_text='Where the change came from: "admin", "command:import_data", "api", ...',
    )

    objects = organization_scoped_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="tenancy_audit_org_idx"),
            models.Index(fields=["space", "-created_at"], name="tenancy_audit_space_idx"),
            models.Index(fields=["content_type", "object_id"], name="tenancy_audit_object_idx"),
        ]

    def __str__(self):
        return f"{self.action} {self.object_repr} by {self.actor_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
