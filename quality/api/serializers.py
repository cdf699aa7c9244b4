"""What the API shows of quality rows, and what pipelines post."""

from django.db.models import F
from rest_framework import serializers

from quality.models import (
    Priority,
    QualityMetric,
    QualityViolation,
    ResolutionReason,
    Severity,
)
from tenancy.api.serializers import RowsListSerializer


class MetricSerializer(serializers.ModelSerializer):
    contract = serializers.UUIDField(source="data_contract_id", read_only=True)

    class Meta:
        model = QualityMetric
        fields = ["id", "contract", "schema_version", "overall_score", "violation_rate",
                  "completeness", "accuracy", "record_count", "valid_count", "invalid_count",
                  "violation_count", "field_scores", "threshold_breaches", "passed",
                  "check_timestamp", "created_by", "additional_metadata"]
        read_only_fields = fields


VIOLATION_COLUMNS = ("id", "data_contract_id", "schema_version", "record_identifier",
                     "record_data", "field_name", "error_type", "rule", "error_message",
                     "severity", "status", "priority", "resolution_reason", "resolution_note",
                     "resolved_at", "resolved_by", "check_timestamp", "space_id")
VIOLATION_RELATED_COLUMNS = {"contract_version": F("data_contract__version"),
                             "assignee_username": F("assignee__username")}


class ViolationSerializer(serializers.ModelSerializer):
    """Shows a violation's row of `values(*VIOLATION_COLUMNS, **VIOLATION_RELATED_COLUMNS)`."""

    contract = serializers.UUIDField(source="data_contract_id", read_only=True)
    contract_version = serializers.CharField(read_only=True, allow_null=True)
    assignee = serializers.CharField(source="assignee_username", read_only=True,
                                     allow_null=True)

    class Meta:
        model = QualityViolation
        fields = ["id", "contract", "contract_version", "schema_version", "record_identifier",
                  "record_data", "field_name", "error_type", "rule", "error_message", "severity",
                  "status", "priority", "assignee", "resolution_reason", "resolution_note",
                  "resolved_at", "resolved_by", "check_timestamp"]
        read_only_fields = fields
        list_serializer_class = RowsListSerializer


TRIAGE_ACTIONS = ("acknowledge", "assign", "resolve", "ignore", "reopen", "prioritize")


class TriageSerializer(serializers.Serializer):
    """One triage step: `assign` needs `assignee`, `resolve`/`ignore` a `reason` (and a `note`
    for "other"), `prioritize` a `priority`."""

    action = serializers.ChoiceField(choices=TRIAGE_ACTIONS)
    assignee = serializers.CharField(required=False, help_text="A username.")
    reason = serializers.ChoiceField(choices=ResolutionReason.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)

    def validate(self, data):
        needed = {"assign": "assignee", "resolve": "reason", "ignore": "reason",
                  "prioritize": "priority"}.get(data["action"])
        if needed and needed not in data:
            raise serializers.ValidationError({needed: f"Required to {data['action']}."})
        return data


class IncidentSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Names the incident in a triage step.")
    contract = serializers.UUIDField(source="data_contract_id", allow_null=True)
    contract_name = serializers.CharField(allow_null=True)
    contract_version = serializers.CharField(allow_null=True)
    schema_version = serializers.CharField(allow_null=True)
    field_name = serializers.CharField(allow_null=True)
    error_type = serializers.CharField(allow_null=True)
    rule = serializers.CharField(allow_null=True)
    violation_count = serializers.IntegerField()
    worst_severity = serializers.CharField(allow_null=True)
    oldest = serializers.DateTimeField()
    newest = serializers.DateTimeField()


class IncidentTriageSerializer(TriageSerializer):
    incidents = serializers.ListField(child=serializers.CharField(max_length=2_000),
                                      min_length=1, max_length=500,
                                      help_text="Incident tokens, as listed.")


class IncidentTriagedSerializer(serializers.Serializer):
    moved = serializers.IntegerField(help_text="How many violations the step changed.")


class ResultMetricSerializer(serializers.Serializer):
    overall_score = serializers.FloatField(min_value=0, max_value=100, required=False,
                                           allow_null=True)
    violation_rate = serializers.FloatField(min_value=0, max_value=1, required=False,
                                            allow_null=True)
    completeness = serializers.FloatField(min_value=0, max_value=1, required=False,
                                          allow_null=True)
    accuracy = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    record_count = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False,
                                            allow_null=True)
    valid_count = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False,
                                           allow_null=True)
    invalid_count = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False,
                                             allow_null=True)
    field_scores = serializers.DictField(child=serializers.FloatField(), required=False,
                                         allow_null=True)
    threshold_breaches = serializers.ListField(child=serializers.CharField(), required=False,
                                               allow_null=True)


class ResultViolationSerializer(serializers.Serializer):
    field_name = serializers.CharField(max_length=255)
    error_type = serializers.CharField(max_length=100)
    error_message = serializers.CharField(required=False, allow_blank=True, default="")
    record_identifier = serializers.CharField(max_length=255, required=False, allow_null=True,
                                              default=None)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.WARNING)
    record_data = serializers.JSONField(required=False, allow_null=True, default=None)
    rule = serializers.CharField(max_length=100, required=False, allow_null=True, default=None)


MAX_RESULT_VIOLATIONS = 10_000


class ResultSerializer(serializers.Serializer):
    """A check a pipeline ran itself: its metric, its verdict and what failed."""

    contract = serializers.UUIDField()
    passed = serializers.BooleanField()
    metric = ResultMetricSerializer()
    violations = ResultViolationSerializer(many=True, max_length=MAX_RESULT_VIOLATIONS,
                                           default=list)
    checked_at = serializers.DateTimeField(required=False)
    source = serializers.CharField(max_length=200, required=False, default="pipeline")


class CheckSerializer(serializers.Serializer):
    """Records to check on the server against the contract version."""

    contract = serializers.UUIDField()
    records = serializers.ListField(child=serializers.JSONField(), allow_empty=True)
    record_id_field = serializers.CharField(required=False, allow_null=True, default=None)
    full_dataset = serializers.BooleanField(
        default=False,
        help_text="True when these records are the whole dataset: open violations that are not "
        "found again are then resolved.",
    )


class RecordedSerializer(serializers.Serializer):
    metric = MetricSerializer()
    violations_opened = serializers.IntegerField()
    violations_updated = serializers.IntegerField()
    alert = serializers.UUIDField(allow_null=True)
    dropped = serializers.ListField(child=serializers.CharField(), required=False)
    mapping = serializers.DictField(required=False)


class TrendPointSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    check_timestamp = serializers.DateTimeField()
    overall_score = serializers.FloatField(allow_null=True)
    passed = serializers.CharField(allow_null=True)


class TrendSerializer(serializers.Serializer):
    contract = serializers.UUIDField()
    checks = TrendPointSerializer(many=True)
    field_scores = serializers.DictField(child=serializers.FloatField())
    unresolved_violation_count = serializers.IntegerField()
