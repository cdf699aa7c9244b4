"""What pipelines report: quality metrics of each check and the violations it found.

Both belong to a space. `data_contract_id` is optional in the ERD (ON DELETE SET
NULL), so each row also carries its own `space_id`: taken from its contract when
it has one (a trigger does this for rows other tools write on PostgreSQL), else
the default space.
"""

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from contracts.models.base import TimestampedModel, uuid_primary_key
from tenancy.models import Space
from tenancy.scoping import space_scoped_manager


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


class ViolationStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Assigned"
    RESOLVED = "resolved", "Resolved"
    IGNORED = "ignored", "Ignored"


def _check_timestamp_field():
    return models.DateTimeField(
        "checked at", default=timezone.now, db_default=Now(), db_index=False
    )


def _data_contract_field(related_name):
    return models.ForeignKey(
        "contracts.DataContract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name=related_name,
        verbose_name="data contract",
    )


def _space_field(related_name):
    return models.ForeignKey(
        Space,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name="space",
        help_text="The contract's space; rows written by other tools without a contract belong "
        "to the default space.",
    )


class QualityMetric(TimestampedModel):
    """The outcome of one quality check of a dataset against a contract (table `quality_metrics`).

    A fact: written by checks, never edited. Scores are 0-100 (`overall_score`)
    or 0-1 (rates); `passed` is the string "true" or "false" as PyCharter writes it.
    """

    id = uuid_primary_key()
    schema_id = models.CharField("schema id", max_length=255)
    schema_version = models.CharField("schema version", max_length=50, null=True, blank=True)
    data_contract = _data_contract_field("quality_metrics")
    overall_score = models.FloatField("overall score", null=True, blank=True)
    violation_rate = models.FloatField("violation rate", null=True, blank=True)
    completeness = models.FloatField("completeness", null=True, blank=True)
    accuracy = models.FloatField("accuracy", null=True, blank=True)
    record_count = models.IntegerField("records", null=True, blank=True)
    valid_count = models.IntegerField("valid records", null=True, blank=True)
    invalid_count = models.IntegerField("invalid records", null=True, blank=True)
    violation_count = models.IntegerField("violations", null=True, blank=True)
    field_scores = models.JSONField("field scores", null=True, blank=True)
    threshold_breaches = models.JSONField("threshold breaches", null=True, blank=True)
    passed = models.CharField("passed", max_length=10, null=True, blank=True)
    check_timestamp = _check_timestamp_field()
    additional_metadata = models.JSONField("additional metadata", null=True, blank=True)
    created_by = models.CharField("created by", max_length=255, null=True, blank=True)
    space = _space_field("quality_metrics")

    objects = space_scoped_manager()

    class Meta:
        db_table = "quality_metrics"
        ordering = ["-check_timestamp"]
        verbose_name = "quality metric"
        indexes = [
            models.Index(fields=["schema_id"], name="quality_metrics_schema_id_idx"),
            models.Index(fields=["data_contract"], name="quality_metrics_contract_idx"),
            models.Index(fields=["check_timestamp"], name="quality_metrics_checked_at_idx"),
        ]

    def __str__(self):
        return f"{self.schema_id} at {self.check_timestamp:%Y-%m-%d %H:%M}"

    @property
    def has_passed(self):
        return self.passed == "true"


class QualityViolation(TimestampedModel):
    """One failing field of one record found by a quality check (table `quality_violations`).

    Stewards work violations off: open -> acknowledged / assigned -> resolved or
    ignored, and back to open. `record_data` is a sanitized, size-capped snapshot.
    """

    id = uuid_primary_key()
    schema_id = models.CharField("schema id", max_length=255)
    schema_version = models.CharField("schema version", max_length=50, null=True, blank=True)
    data_contract = _data_contract_field("quality_violations")
    record_identifier = models.CharField(
        "record identifier", max_length=255, null=True, blank=True
    )
    record_data = models.JSONField("record", null=True, blank=True)
    field_name = models.CharField("field", max_length=255, null=True, blank=True)
    error_type = models.CharField("error type", max_length=100, null=True, blank=True)
    error_message = models.TextField("error message", null=True, blank=True)
    severity = models.CharField(
        "severity", max_length=50, choices=Severity.choices, null=True, blank=True
    )
    status = models.CharField(
        "status",
        max_length=50,
        choices=ViolationStatus.choices,
        default=ViolationStatus.OPEN,
        db_default=ViolationStatus.OPEN,
    )
    resolved_at = models.DateTimeField("resolved at", null=True, blank=True)
    resolved_by = models.CharField("resolved by", max_length=255, null=True, blank=True)
    check_timestamp = _check_timestamp_field()
    additional_metadata = models.JSONField("additional metadata", null=True, blank=True)
    space = _space_field("quality_violations")

    objects = space_scoped_manager()

    class Meta:
        db_table = "quality_violations"
        ordering = ["-check_timestamp"]
        verbose_name = "quality violation"
        indexes = [
            models.Index(fields=["schema_id"], name="quality_viol_schema_idx"),
            models.Index(fields=["data_contract"], name="quality_viol_contract_idx"),
            models.Index(fields=["record_identifier"], name="quality_viol_record_idx"),
            models.Index(fields=["field_name"], name="quality_viol_field_idx"),
            models.Index(fields=["error_type"], name="quality_viol_type_idx"),
            models.Index(fields=["severity"], name="quality_viol_severity_idx"),
            models.Index(fields=["status"], name="quality_viol_status_idx"),
            models.Index(fields=["check_timestamp"], name="quality_viol_checked_idx"),
        ]

    def __str__(self):
        return f"{self.field_name}: {self.error_type} ({self.record_identifier})"
