"""Who owns what: organizations, their spaces, and who may work in each space.

Contracts and everything under them belong to a space; reference data (owners,
systems, domains) belongs to an organization. A user sees a space through a
membership, or every space of an organization they administer.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from seal.models import SealableModel

from tenancy.scoping import organization_scoped_manager, space_scoped_manager


class Organization(SealableModel):
    """A company or business unit. Owns spaces and the reference data they share."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField("name", max_length=255, unique=True)
    slug = models.SlugField("slug", max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    objects = organization_scoped_manager("id")

    class Meta:
        ordering = ["name"]
        verbose_name = "organization"

    def __str__(self):
        return self.name


class Space(SealableModel):
    """A workspace inside an organization: the unit of isolation for contracts.

    Exactly one space may be the default: rows that other PyCharter tools write
    without naming a space land there (see the database defaults in the
    contracts migrations).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="spaces", verbose_name="organization"
    )
    name = models.CharField("name", max_length=255)
    slug = models.SlugField("slug", max_length=100)
    description = models.TextField("description", blank=True, default="")
    is_default = models.BooleanField(
        "default space",
        default=False,
        help_text="Contracts written by other tools without a space land here. Only one space "
        "can be the default.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    objects = space_scoped_manager("id")

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = "space"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="tenancy_space_organization_slug_key"
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="tenancy_space_single_default_key",
            ),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    STEWARD = "steward", "Steward"
    ADMIN = "admin", "Space admin"


EDITING_ROLES = (Role.STEWARD, Role.ADMIN)


class Membership(SealableModel):
    """A user's role in one space: viewers read, stewards edit, admins also manage members."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="memberships", verbose_name="space"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="space_memberships",
        verbose_name="user",
    )
    role = models.CharField("role", max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    objects = space_scoped_manager("space")

    class Meta:
        ordering = ["space__name", "user__username"]
        verbose_name = "membership"
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="tenancy_membership_space_user_key")
        ]

    def __str__(self):
        return f"{self.user} in {self.space} ({self.get_role_display()})"


class OrganizationAdmin(SealableModel):
    """A user who administers a whole organization: sees and manages all of its spaces."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="admins", verbose_name="organization"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="administered_organizations",
        verbose_name="user",
    )
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    objects = organization_scoped_manager("organization")

    class Meta:
        ordering = ["organization__name"]
        verbose_name = "organization admin"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="tenancy_organizationadmin_key"
            )
        ]

    def __str__(self):
        return f"{self.user} administers {self.organization}"


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
