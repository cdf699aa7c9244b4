"""The data contract: the central row that ties a versioned contract's components together."""

from django.conf import settings
from django.db import models
from seal.models import SealableModel

from contracts.models.base import Status, TimestampedModel, created_at_field, uuid_primary_key
from contracts.validators import validate_name, validate_semantic_version
from tenancy.models import Space
from tenancy.scoping import space_scoped_manager


class DataContract(TimestampedModel):
    """One version of a data contract (table `data_contracts`).

    Belongs to a space; name and version are unique within it, and at most one
    version of a name is active in it (a partial unique index). Its components
    (schema, coercion rules, validation rules, metadata record) point back at it
    with `data_contract_id`; the contract names the current one of each with the
    optional `*_id` columns and records their versions in `*_version`.
    """

    id = uuid_primary_key()
    name = models.CharField(
        "name",
        max_length=255,
        validators=[validate_name],
        help_text='The dataset\'s contract name, e.g. "template_contract": ASCII letters, digits, '
        '"_", "-" and ".", starting with a letter or digit.',
    )
    version = models.CharField(
        "version",
        max_length=50,
        validators=[validate_semantic_version],
        help_text="Semantic version, e.g. 1.0.0.",
    )
    status = models.CharField(
        "status", max_length=50, choices=Status.choices, default=Status.DRAFT, null=True
    )
    description = models.TextField("description", null=True, blank=True)
    schema = models.ForeignKey(
        "contracts.Schema",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="current schema",
    )
    coercion_rules = models.ForeignKey(
        "contracts.CoercionRuleSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="current coercion rules",
    )
    validation_rules = models.ForeignKey(
        "contracts.ValidationRuleSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="current validation rules",
    )
    metadata_record = models.ForeignKey(
        "contracts.MetadataRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="current metadata record",
    )
    schema_version = models.CharField("schema version", max_length=50, null=True, blank=True)
    coercion_rules_version = models.CharField(
        "coercion rules version", max_length=50, null=True, blank=True
    )
    validation_rules_version = models.CharField(
        "validation rules version", max_length=50, null=True, blank=True
    )
    metadata_version = models.CharField("metadata version", max_length=50, null=True, blank=True)
    created_by = models.CharField("created by", max_length=255, null=True, blank=True)
    updated_by = models.CharField("updated by", max_length=255, null=True, blank=True)
    space = models.ForeignKey(
        Space,
        on_delete=models.PROTECT,
        related_name="data_contracts",
        verbose_name="space",
        help_text="Rows written by other tools without a space belong to the default space.",
    )
    document_extra = models.JSONField(
        "document extras",
        null=True,
        blank=True,
        editable=False,
        help_text="Top-level keys of the imported contract document that have no column, kept "
        "so that an export gives the same document back.",
    )

    objects = space_scoped_manager()

    class Meta:
        db_table = "data_contracts"
        ordering = ["name", "-created_at"]
        verbose_name = "data contract"
        constraints = [
            models.UniqueConstraint(
                fields=["space", "name", "version"], name="data_contracts_space_name_version_key"
            ),
            models.UniqueConstraint(
                fields=["space", "name"],
                condition=models.Q(status=Status.ACTIVE),
                name="data_contracts_one_active_version",
                violation_error_message="Another version of this contract is already active in "
                "this space: activate this one to deprecate it.",
            ),
        ]

    def __str__(self):
        return self.label(self.name, self.version)

    @staticmethod
    def label(name, version):
        """How a contract is named to people: "name version"."""
        return f"{name} {version}"

    def schema_field_names(self):
        """Property names of the current schema: what annotations can be pinned to."""
        from contracts.models.components import Schema

        if self.schema_id is None:
            return set()
        if self._meta.get_field("schema").is_cached(self):
            schema_data = self.schema.schema_data or {}
        else:
            schema_data = Schema.objects.filter(pk=self.schema_id).values_list(
                "schema_data", flat=True
            ).first() or {}
        return set(schema_data.get("properties", {}))


class BreakingChangeSignOff(SealableModel):
    """A steward's explicit acceptance that a version breaks its consumers.

    Recorded with the version being activated, against the version that was
    active; activation of a breaking version requires one. Belongs to the
    contract's space.
    """

    id = uuid_primary_key()
    data_contract = models.ForeignKey(
        DataContract, on_delete=models.CASCADE, related_name="breaking_change_sign_offs",
        verbose_name="data contract",
    )
    compared_with_version = models.CharField("compared with version", max_length=50)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name="signed off by",
    )
    signed_off_by_name = models.CharField("signed off by (name)", max_length=255)
    breaking_changes = models.JSONField(
        "breaking changes", default=list, help_text="The breaking changes that were accepted."
    )
    note = models.TextField("note", blank=True, default="")
    created_at = created_at_field()

    objects = space_scoped_manager("data_contract__space")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "breaking change sign-off"

    def __str__(self):
        return f"{self.data_contract_id} signed off by {self.signed_off_by_name}"
