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
    requires_review = models.BooleanField(
        "requires review",
        default=False,
        db_default=False,
        help_text="A draft contract version is activated only once a second steward, not its "
        "author, has approved it.",
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
            models.UniqueConstraint(
                fields=["space", "user"], name="tenancy_membership_space_user_key"
            )
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
