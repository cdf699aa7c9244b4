"""Reference entities shared by the contracts of one organization: owners, systems, domains."""

from django.db import models

from contracts.models.base import TimestampedModel, uuid_primary_key
from contracts.providers import ProviderType, validate_provider_config
from contracts.validators import validate_display_name, validate_name, validate_owner_id
from tenancy.models import Organization
from tenancy.scoping import organization_scoped_manager


class Owner(TimestampedModel):
    """A person or team that can hold an ownership role on contracts (table `owners`).

    Belongs to an organization. Its id is the ERD's string primary key (for
    example "lincoln_mak"), which PyCharter clients upsert with ON CONFLICT (id),
    so it stays unique across the whole database; the email is unique when given.
    """

    id = models.CharField(
        "owner id",
        primary_key=True,
        max_length=255,
        validators=[validate_owner_id],
        help_text='A stable identifier such as "lincoln_mak", "operations-team" or '
        '"lincoln.mak@example.com": ASCII letters, digits, "_", "-", ".", "@" and "+", '
        "starting with a letter or digit.",
    )
    name = models.CharField(
        "name", max_length=255, null=True, blank=True, validators=[validate_display_name],
        help_text='How people see the owner, e.g. "Lincoln Mak": free text on one line, without '
        "control characters or characters that reorder text.",
    )
    email = models.EmailField("email", max_length=255, unique=True, null=True, blank=True)
    team = models.CharField("team", max_length=255, null=True, blank=True)
    additional_info = models.JSONField("additional info", null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="owners",
        verbose_name="organization",
        help_text="Rows written by other tools without it belong to the default space's "
        "organization.",
    )

    objects = organization_scoped_manager()

    class Meta:
        db_table = "owners"
        ordering = ["id"]
        verbose_name = "owner"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """The ERD: the name defaults to the id when not provided."""
        return self.name or self.id


class System(TimestampedModel):
    """An external system that contracts pull from, push to or source from (table `systems`).

    Belongs to an organization; its name is unique within that organization. Its
    provider type says what kind of system it is, and its config (validated per
    provider, see contracts.providers) how to reach it, without secrets.
    """

    id = uuid_primary_key()
    name = models.CharField(
        "name", max_length=255, validators=[validate_name],
        help_text='For example "1811" or "RES-CORE": ASCII letters, digits, "_", "-" and ".", '
        "starting with a letter or digit.",
    )
    app_id = models.CharField("application id", max_length=255, null=True, blank=True)
    description = models.TextField("description", null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="systems",
        verbose_name="organization",
    )
    # Provider columns this project adds (seed 004); defaulted for plain-SQL writers.
    provider_type = models.CharField(
        "provider", max_length=30, choices=ProviderType.choices, default=ProviderType.OTHER,
        db_default=ProviderType.OTHER,
    )
    is_active = models.BooleanField("active", default=True, db_default=True)
    config = models.JSONField(
        "configuration", null=True, blank=True,
        help_text="Connection details for the provider. Never secrets: name the environment "
        'variable that holds one, e.g. {"password_env": "SALES_DB_PASSWORD"}.',
    )

    objects = organization_scoped_manager()

    class Meta:
        db_table = "systems"
        ordering = ["name"]
        verbose_name = "system"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="systems_organization_name_key"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        validate_provider_config(self.provider_type, self.config)


class Domain(TimestampedModel):
    """A business domain that contracts belong to (table `domains`).

    Belongs to an organization; its name is unique within that organization.
    """

    id = uuid_primary_key()
    name = models.CharField(
        "name", max_length=255, validators=[validate_name],
        help_text='For example "IOC" or "customer-data": ASCII letters, digits, "_", "-" and ".", '
        "starting with a letter or digit.",
    )
    description = models.TextField("description", null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="domains",
        verbose_name="organization",
    )

    objects = organization_scoped_manager()

    class Meta:
        db_table = "domains"
        ordering = ["name"]
        verbose_name = "domain"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="domains_organization_name_key"
            ),
        ]

    def __str__(self):
        return self.name
