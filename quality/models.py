"""What pipelines report: quality metrics of each check and the violations it found.

Both belong to a space. `data_contract_id` is optional in the ERD (ON DELETE SET
NULL), so each row also carries its own `space_id`: taken from its contract when
it has one (a trigger does this for rows other tools write on PostgreSQL), else
the default space.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from seal.models import SealableModel

from contracts.models.base import TimestampedModel, created_at_field, uuid_primary_key
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


CLOSED_STATUSES = (ViolationStatus.RESOLVED, ViolationStatus.IGNORED)


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class ResolutionReason(models.TextChoices):
    FALSE_POSITIVE = "false_positive", "False positive"
    FIXED_AT_SOURCE = "fixed_at_source", "Fixed at source"
    DATA_CORRECTED = "data_corrected", "Data corrected"
    ACCEPTED_RISK = "accepted_risk", "Accepted risk"
    NO_LONGER_FOUND = "no_longer_found", "No longer found by a quality check"
    OTHER = "other", "Other"


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


def _space_field(related_name, db_index=True):
    return models.ForeignKey(
        Space,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name="space",
        help_text="The contract's space; rows written by other tools without a contract belong "
        "to the default space.",
        db_index=db_index,
    )


class QualityMetric(TimestampedModel):
    """The outcome of one quality check of a dataset against a contract (table `quality_metrics`).

    A fact: written by checks, never edited. Scores are 0-100 (`overall_score`)
    or 0-1 (rates); `passed` is the string "true" or "false" as PyCharter writes it.
    An incomplete check (`is_complete` false) saw only part of its input.
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
    # Added by this project; defaulted for plain-SQL writers, whose checks count as complete.
    is_complete = models.BooleanField(
        "complete", default=True, db_default=True,
        help_text="False when the check could not read all of its input (it ended early, could "
        "not be decoded, or records were over the size limit): such a check resolves nothing.",
    )

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
    A complete check resolves the open, unassigned violations it no longer finds;
    the ones someone has taken on are only flagged (`not_found_since`).
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
    # Indexed as the first column of quality_viol_list_space_idx: every index is paid for
    # by each violation a check writes.
    space = _space_field("quality_violations", db_index=False)
    # Triage columns this project adds; nullable or defaulted for plain-SQL writers.
    rule = models.CharField(
        "rule", max_length=100, null=True, blank=True,
        help_text="The coercion, schema keyword or validation rule that failed.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_violations",
        verbose_name="assignee",
        db_index=False,  # covered by quality_viol_list_assignee_idx, built concurrently
    )
    priority = models.CharField(
        "priority", max_length=20, choices=Priority.choices, default=Priority.MEDIUM,
        db_default=Priority.MEDIUM,
    )
    resolution_reason = models.CharField(
        "resolution reason", max_length=50, choices=ResolutionReason.choices, null=True,
        blank=True,
    )
    resolution_note = models.TextField("resolution note", null=True, blank=True)
    not_found_since = models.DateTimeField(
        "not found since", null=True, blank=True,
        help_text="When a complete quality check first did not find this violation that someone "
        "has taken on; empty once a check finds it again.",
    )
    tracked_by_checks = models.BooleanField(
        "tracked by checks", default=False, db_default=False,
        help_text="The violation quality checks keep up to date for its contract, record, field "
        "and error type: there is at most one. Rows other tools insert are not tracked.",
    )

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
            # The steward's lists: newest first within a space or a contract, of any or one
            # status. The id breaks ties as the admin does: one check stamps thousands of
            # violations with the same time.
            models.Index(
                fields=["space", "-check_timestamp", "-id"], name="quality_viol_list_space_idx"
            ),
            models.Index(
                fields=["space", "status", "-check_timestamp", "-id"],
                name="quality_viol_list_space_st_idx",
            ),
            models.Index(
                fields=["data_contract", "-check_timestamp", "-id"],
                name="quality_viol_list_contract_idx",
            ),
            models.Index(
                fields=["data_contract", "status", "-check_timestamp", "-id"],
                name="quality_viol_list_contr_st_idx",
            ),
            models.Index(
                fields=["assignee", "status", "-check_timestamp", "-id"],
                name="quality_viol_list_assignee_idx",
            ),
        ]
        constraints = [
            # Two checks can never both open the same violation (built concurrently).
            models.UniqueConstraint(
                fields=["data_contract", "record_identifier", "field_name", "error_type"],
                condition=models.Q(tracked_by_checks=True),
                name="quality_viol_tracked_identity_key",
            ),
        ]

    def __str__(self):
        return f"{self.field_name}: {self.error_type} ({self.record_identifier})"


class ViolationTransition(SealableModel):
    """One step in a violation's triage history (who moved it from which status to which, why).

    Belongs to the violation's space; kept even when the violation is reopened.
    """

    id = uuid_primary_key()
    violation = models.ForeignKey(
        QualityViolation, on_delete=models.CASCADE, related_name="transitions",
        verbose_name="violation",
    )
    from_status = models.CharField("from", max_length=50, choices=ViolationStatus.choices)
    to_status = models.CharField("to", max_length=50, choices=ViolationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="by",
    )
    actor_name = models.CharField(
        "by (name)", max_length=255, help_text="The user, or the process such as quality-check."
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="assigned to",
    )
    reason = models.CharField(
        "reason", max_length=50, choices=ResolutionReason.choices, null=True, blank=True
    )
    note = models.TextField("note", blank=True, default="")
    created_at = created_at_field()

    objects = space_scoped_manager("violation__space")

    class Meta:
        ordering = ["created_at"]
        verbose_name = "violation transition"

    def __str__(self):
        return f"{self.from_status} -> {self.to_status} by {self.actor_name}"


class ViolationCount(SealableModel):
    """How many violations of one kind (contract, field, error type, severity) are in one
    status, assigned or not (table `quality_violation_counts`): what the dashboard, a
    contract's page and the violations list read instead of counting millions of rows.

    Belongs to the violations' space. Written in the transaction that writes the
    violations: a check, a recorded result or an import recounts the contracts it wrote
    to, and triage moves counts between statuses. A kind may span several rows (moves
    add a row where none matched): readers always sum. Rows other tools insert with plain
    SQL are counted at their contract's next check, or by `recount_violations`.
    """

    id = models.BigAutoField(primary_key=True)
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="+", verbose_name="space",
        db_index=False,  # covered by quality_count_space_idx
    )
    data_contract = models.ForeignKey(
        "contracts.DataContract", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="violation_counts", verbose_name="data contract",
        db_index=False,  # covered by quality_count_contract_idx
        # The migration adds the constraint, with ON DELETE SET NULL for plain-SQL deletes.
        db_constraint=False,
    )
    field_name = models.CharField("field", max_length=255, null=True, blank=True)
    error_type = models.CharField("error type", max_length=100, null=True, blank=True)
    severity = models.CharField("severity", max_length=50, null=True, blank=True)
    status = models.CharField("status", max_length=50, choices=ViolationStatus.choices)
    is_assigned = models.BooleanField("assigned", default=False)
    count = models.BigIntegerField("violations", default=0)

    objects = space_scoped_manager()

    class Meta:
        db_table = "quality_violation_counts"
        verbose_name = "violation count"
        indexes = [
            models.Index(fields=["space", "status"], name="quality_count_space_idx"),
            models.Index(fields=["data_contract", "status"], name="quality_count_contract_idx"),
        ]

    def __str__(self):
        return f"{self.count} {self.status} {self.field_name}: {self.error_type}"


class AlertKind(models.TextChoices):
    QUALITY_CHECK_FAILED = "quality_check_failed", "Quality check failed"
    BREAKING_VERSION = "breaking_version", "Breaking new version"


class Alert(SealableModel):
    """Something a person must look at, such as a failed quality check.

    Belongs to a space and carries its organization so that an organization admin
    can list alerts across all spaces in one indexed query (seed 004, cross-tenant
    aggregation). Acknowledging records who and when.

    Invariant: at most one open alert per (contract version, kind). A check that fails
    again counts on the open alert (occurrences, latest score, last seen) instead of
    raising another; a complete check that passes closes it.
    """

    id = uuid_primary_key()
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="alerts",
        verbose_name="organization",
    )
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="alerts", verbose_name="space"
    )
    data_contract = models.ForeignKey(
        "contracts.DataContract", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="alerts", verbose_name="data contract",
    )
    quality_metric = models.ForeignKey(
        QualityMetric, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts",
        verbose_name="quality check",
    )
    kind = models.CharField("kind", max_length=50, choices=AlertKind.choices)
    severity = models.CharField(
        "severity", max_length=20, choices=Severity.choices, default=Severity.WARNING
    )
    message = models.TextField("message")
    created_at = created_at_field()
    occurrences = models.PositiveIntegerField(
        "occurrences", default=1, db_default=1,
        help_text="How many times this was raised while the alert was open.",
    )
    last_seen_at = models.DateTimeField("last seen", default=timezone.now, db_default=Now())
    latest_score = models.FloatField(
        "latest score", null=True, blank=True,
        help_text="Overall score of the latest failed check that raised it.",
    )
    closed_at = models.DateTimeField(
        "closed at", null=True, blank=True,
        help_text="When a complete check passed again; empty while the alert is open.",
    )
    acknowledged_at = models.DateTimeField("acknowledged at", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="acknowledged by",
    )

    objects = space_scoped_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "alert"
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="quality_alert_org_idx"),
            models.Index(fields=["space", "-created_at"], name="quality_alert_space_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["data_contract", "kind"],
                condition=Q(closed_at__isnull=True, data_contract__isnull=False),
                name="quality_alert_open_once_key",
            ),
        ]

    def __str__(self):
        return self.message


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class AlertChannel(SealableModel):
    """Where a space's alerts go: an email or a webhook (provider pattern, JSON config per kind).

    Attached to a space, or to one contract of it. The config never holds secrets:
    a webhook names the environment variable of its signing secret.
    """

    id = uuid_primary_key()
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="alert_channels", verbose_name="space"
    )
    data_contract = models.ForeignKey(
        "contracts.DataContract", on_delete=models.CASCADE, null=True, blank=True,
        related_name="alert_channels", verbose_name="only for contract",
        help_text="Leave empty to receive the alerts of every contract of the space.",
    )
    name = models.CharField("name", max_length=255)
    kind = models.CharField("kind", max_length=20, choices=ChannelKind.choices)
    is_active = models.BooleanField("active", default=True)
    config = models.JSONField(
        "configuration", default=dict, blank=True,
        help_text='Email: {"extra_recipients": [...]}. Webhook: {"url": "https://...", '
        '"secret_env": "ALERT_WEBHOOK_SECRET", "timeout_seconds": 5, "max_attempts": 3}.',
    )
    created_at = created_at_field()

    objects = space_scoped_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "alert channel"

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self):
        from quality.alerting.channels import validate_channel_config

        validate_channel_config(self.kind, self.config)


class AlertRouting(SealableModel):
    """Which ownership roles of a contract receive each kind of alert, per space.

    Without a row the defaults apply: failed checks go to IT SMEs and support
    leads, breaking new versions to business owners and BU SMEs.
    """

    id = uuid_primary_key()
    space = models.OneToOneField(
        Space, on_delete=models.CASCADE, related_name="alert_routing", verbose_name="space"
    )
    routes = models.JSONField(
        "routes", default=dict,
        help_text='Alert kind to ownership roles, e.g. {"quality_check_failed": ["it_sme", '
        '"support_lead"]}.',
    )

    objects = space_scoped_manager()

    class Meta:
        verbose_name = "alert routing"
        verbose_name_plural = "alert routing"

    def __str__(self):
        return f"Alert routing of {self.space_id}"

    def clean(self):
        from quality.alerting.routing import validate_routes

        validate_routes(self.routes)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class AlertDelivery(SealableModel):
    """One alert sent (or not) through one channel: kept so failures are seen, never lost.

    An outbox row: the request that raises the alert only records it; workers send it.
    A worker claims a due delivery by moving it to "sending" with `next_attempt_at` a
    lease ahead, in one conditional update, so one worker sends it even when several
    try; a worker that dies mid-send leaves a lease that expires and the delivery is
    due again. `next_attempt_at` is empty once delivered or out of attempts.
    """

    id = uuid_primary_key()
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name="alert"
    )
    channel = models.ForeignKey(
        AlertChannel, on_delete=models.CASCADE, related_name="deliveries", verbose_name="channel"
    )
    status = models.CharField(
        "status", max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    recipients = models.JSONField("recipients", default=list, blank=True)
    attempts = models.PositiveIntegerField("attempts", default=0)
    last_error = models.TextField("last error", blank=True, default="")
    delivered_at = models.DateTimeField("delivered at", null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        "next attempt at", null=True, blank=True, default=timezone.now, db_default=Now(),
        help_text="When a worker tries (again); empty once delivered or out of attempts.",
    )
    created_at = created_at_field()

    objects = space_scoped_manager("alert__space")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "alert delivery"
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel"], name="quality_delivery_once_key")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="quality_delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.channel_id}: {self.get_status_display()}"
