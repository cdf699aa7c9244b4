"""The versioned components of a contract: schema, coercion rules, validation rules, metadata.

Each belongs to one data contract (`data_contract_id`, required, ON DELETE
CASCADE) and so to that contract's space; (data_contract, version) is unique.
"""

from django.db import models

from contracts.models.base import Status, TimestampedModel, uuid_primary_key
from contracts.validators import (
    validate_json_object,
    validate_json_schema,
    validate_semantic_version,
)
from tenancy.scoping import space_scoped_manager


def _version_field():
    return models.CharField(
        "version",
        max_length=50,
        validators=[validate_semantic_version],
        help_text="Semantic version, e.g. 1.0.0.",
    )


def _data_contract_field(related_name):
    return models.ForeignKey(
        "contracts.DataContract",
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name="data contract",
    )


class Schema(TimestampedModel):
    """A JSON Schema (Draft 2020-12) version of a contract (table `schemas`).

    `schema_data` may carry PyCharter's inline per-property `coercion` and
    `validations` extensions beside the standard keywords.
    """

    id = uuid_primary_key()
    title = models.CharField("title", max_length=255)
    data_contract = _data_contract_field("schemas")
    version = _version_field()
    schema_data = models.JSONField(
        "JSON Schema",
        validators=[validate_json_schema],
        help_text="The complete JSON Schema object (Draft 2020-12).",
    )

    objects = space_scoped_manager("data_contract__space")

    class Meta:
        db_table = "schemas"
        ordering = ["-created_at"]
        verbose_name = "schema"
        constraints = [
            models.UniqueConstraint(
                fields=["data_contract", "version"], name="schemas_data_contract_id_version_key"
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.version}"


class CoercionRuleSet(TimestampedModel):
    """A version of a contract's coercion rules (table `coercion_rules`).

    `rules` maps a field name to the name of a coercion, e.g. {"age": "coerce_to_integer"}.
    """

    id = uuid_primary_key()
    title = models.CharField("title", max_length=255)
    data_contract = _data_contract_field("coercion_rule_sets")
    description = models.CharField("description", max_length=None, null=True, blank=True)
    version = _version_field()
    rules = models.JSONField(
        "rules",
        validators=[validate_json_object],
        help_text='Field name to coercion name, e.g. {"age": "coerce_to_integer"}.',
    )
    schema = models.ForeignKey(
        Schema,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coercion_rule_sets",
        verbose_name="schema",
    )

    objects = space_scoped_manager("data_contract__space")

    class Meta:
        db_table = "coercion_rules"
        ordering = ["-created_at"]
        verbose_name = "coercion rule set"
        constraints = [
            models.UniqueConstraint(
                fields=["data_contract", "version"],
                name="coercion_rules_data_contract_id_version_key",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.version}"


class ValidationRuleSet(TimestampedModel):
    """A version of a contract's validation rules (table `validation_rules`).

    `rules` maps a field name to its rules and their parameters, e.g.
    {"age": {"greater_than_or_equal_to": {"threshold": 0}}}.
    """

    id = uuid_primary_key()
    title = models.CharField("title", max_length=255)
    data_contract = _data_contract_field("validation_rule_sets")
    description = models.CharField("description", max_length=None, null=True, blank=True)
    version = _version_field()
    rules = models.JSONField(
        "rules",
        validators=[validate_json_object],
        help_text='Field name to {rule: parameters}, e.g. {"age": {"greater_than_or_equal_to": '
        '{"threshold": 0}}}.',
    )
    schema = models.ForeignKey(
        Schema,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="validation_rule_sets",
        verbose_name="schema",
    )

    objects = space_scoped_manager("data_contract__space")

    class Meta:
        db_table = "validation_rules"
        ordering = ["-created_at"]
        verbose_name = "validation rule set"
        constraints = [
            models.UniqueConstraint(
                fields=["data_contract", "version"],
                name="validation_rules_data_contract_id_version_key",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.version}"


class MetadataRecord(TimestampedModel):
    """A version of a contract's business metadata (table `metadata_records`).

    Holds the governance rules as JSON; ownership by role, lineage (systems by
    role) and domains are links in the `metadata_record_*` tables.
    """

    id = uuid_primary_key()
    title = models.CharField("title", max_length=255)
    data_contract = _data_contract_field("metadata_records")
    version = _version_field()
    status = models.CharField(
        "status", max_length=50, choices=Status.choices, null=True, blank=True
    )
    type = models.CharField(
        "type", max_length=50, null=True, blank=True, help_text='For example "object".'
    )
    description = models.TextField("description", null=True, blank=True)
    governance_rules = models.JSONField(
        "governance rules",
        null=True,
        blank=True,
        validators=[validate_json_object],
        help_text="Retention, PII fields, sensitivity, access control, quality thresholds.",
    )
    created_by = models.CharField("created by", max_length=255, null=True, blank=True)
    updated_by = models.CharField("updated by", max_length=255, null=True, blank=True)
    document_extra = models.JSONField(
        "document extras",
        null=True,
        blank=True,
        editable=False,
        help_text="Metadata sections with no column (runtime, lifecycle, changelog, ...), kept "
        "so that an export gives the same document back.",
    )

    business_owners = models.ManyToManyField(
        "contracts.Owner",
        through="contracts.MetadataRecordBusinessOwner",
        related_name="business_owner_of",
        blank=True,
        verbose_name="business owners",
    )
    bu_sme = models.ManyToManyField(
        "contracts.Owner",
        through="contracts.MetadataRecordBUSME",
        related_name="bu_sme_of",
        blank=True,
        verbose_name="BU SMEs",
    )
    it_application_owners = models.ManyToManyField(
        "contracts.Owner",
        through="contracts.MetadataRecordITApplicationOwner",
        related_name="it_application_owner_of",
        blank=True,
        verbose_name="IT application owners",
    )
    it_sme = models.ManyToManyField(
        "contracts.Owner",
        through="contracts.MetadataRecordITSME",
        related_name="it_sme_of",
        blank=True,
        verbose_name="IT SMEs",
    )
    support_lead = models.ManyToManyField(
        "contracts.Owner",
        through="contracts.MetadataRecordSupportLead",
        related_name="support_lead_of",
        blank=True,
        verbose_name="support leads",
    )
    pulls_from = models.ManyToManyField(
        "contracts.System",
        through="contracts.MetadataRecordSystemPull",
        related_name="pulled_by",
        blank=True,
        verbose_name="pulls from",
    )
    pushes_to = models.ManyToManyField(
        "contracts.System",
        through="contracts.MetadataRecordSystemPush",
        related_name="pushed_to_by",
        blank=True,
        verbose_name="pushes to",
    )
    system_sources = models.ManyToManyField(
        "contracts.System",
        through="contracts.MetadataRecordSystemSource",
        related_name="source_of",
        blank=True,
        verbose_name="source systems",
    )
    domains = models.ManyToManyField(
        "contracts.Domain",
        through="contracts.MetadataRecordDomain",
        related_name="metadata_records",
        blank=True,
        verbose_name="domains",
    )

    objects = space_scoped_manager("data_contract__space")

    class Meta:
        db_table = "metadata_records"
        ordering = ["-created_at"]
        verbose_name = "metadata record"
        constraints = [
            models.UniqueConstraint(
                fields=["data_contract", "version"],
                name="metadata_records_data_contract_id_version_key",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.version}"
