"""Quality over HTTP: results in (from pipelines and other tools), metrics and violations out.

A thin adapter: writes go through quality.checks.runner, quality.services.results and
quality.services.triage; reads through the scoped managers and quality.selectors.
"""

import io
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from contracts.models import DataContract
from quality.api import tool_results
from quality.api.serializers import (
    VIOLATION_COLUMNS,
    VIOLATION_RELATED_COLUMNS,
    CheckSerializer,
    IncidentSerializer,
    IncidentTriagedSerializer,
    IncidentTriageSerializer,
    MetricSerializer,
    RecordedSerializer,
    ResultSerializer,
    TrendSerializer,
    TriageSerializer,
    ViolationSerializer,
)
from quality.checks.runner import QualityCheckError, quality_check_run
from quality.filters import IncidentFilterSet, MetricFilterSet, ViolationFilterSet
from quality.models import CLOSED_STATUSES, QualityMetric, QualityViolation
from quality.selectors import (
    UNRESOLVED_STATUSES,
    contract_quality_summary,
    incident_from_row,
    incident_list,
    incident_violations,
)
from quality.services import triage
from quality.services.check_jobs import quality_check_records_enqueue
from quality.services.results import ReportedViolation, quality_result_record
from tenancy.api.errors import NOT_FOUND
from tenancy.api.jobs import JobSerializer, job_api_url
from tenancy.api.permissions import require_editable_space
from tenancy.api.views import actor_name, object_or_404, schema_generation


def _contract_for_write(request, contract_id):
    contract = object_or_404(
        DataContract.objects.select_related("space", "schema", "metadata_record").seal(),
        pk=contract_id,
    )
    require_editable_space(request, contract.space_id)
    return contract


def _recorded(metric, *, opened, updated, alert_id, **extra):
    metric = QualityMetric.objects.get(pk=metric.pk)
    return {"metric": MetricSerializer(metric).data, "violations_opened": opened,
            "violations_updated": updated, "alert": alert_id, **extra}


class NewestFirstCursor(CursorPagination):
    """Pages of a big table newest first: no COUNT, no OFFSET, stable while rows arrive."""

    ordering = ("-check_timestamp", "-id")
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"


def _violations():
    """Violations as the rows the API shows: plain values, no model instances (a page of
    violations is the API's most requested and largest answer)."""
    return QualityViolation.objects.values(*VIOLATION_COLUMNS, **VIOLATION_RELATED_COLUMNS)


class ViolationList(generics.ListAPIView):
    """Violations of the spaces you reach, newest first, a cursor page at a time."""

    serializer_class = ViolationSerializer
    filterset_class = ViolationFilterSet
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        if schema_generation(self):
            return QualityViolation._base_manager.none()
        return _violations()


class ViolationDetail(generics.GenericAPIView):
    """One violation; PATCH moves it through triage (the same rules as the admin)."""

    serializer_class = ViolationSerializer

    def get(self, request, violation_id):
        return Response(ViolationSerializer(object_or_404(_violations(), pk=violation_id)).data)

    @extend_schema(request=TriageSerializer, responses=ViolationSerializer)
    def patch(self, request, violation_id):
        violation = object_or_404(QualityViolation.objects.seal(), pk=violation_id)
        require_editable_space(request, violation.space_id)
        step = TriageSerializer(data=request.data)
        step.is_valid(raise_exception=True)
        _triage(request, [violation], step.validated_data)
        return Response(ViolationSerializer(_violations().get(pk=violation.pk)).data)


def _triage(request, violations, data):
    """Apply one triage step to `violations` through the triage services; how many moved."""
    action, actor = data["action"], request.user
    if action == "acknowledge":
        return triage.violation_acknowledge(violations=violations, actor=actor)
    if action == "assign":
        assignee = get_user_model().objects.filter(username=data["assignee"],
                                                   is_active=True).first()
        if assignee is None:
            raise exceptions.ValidationError({"assignee": ["No active account has this username."]})
        return triage.violation_assign(violations=violations, actor=actor, assignee=assignee)
    if action in ("resolve", "ignore"):
        move = triage.violation_resolve if action == "resolve" else triage.violation_ignore
        return move(violations=violations, actor=actor, reason=data["reason"], note=data["note"])
    if action == "reopen":
        return triage.violation_reopen(violations=violations, actor=actor, note=data["note"])
    return triage.violation_prioritize(violations=violations, priority=data["priority"])


class IncidentList(generics.ListAPIView):
    """Incidents: the violations of one contract version that broke the same rule of the same
    field, as groups. Those that need work (default) or the closed ones (`closed=true`), worst
    severity, then largest, first."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet

    def get_queryset(self):
        if schema_generation(self):
            return QualityViolation._base_manager.none()
        return QualityViolation.objects.all()

    def filter_queryset(self, queryset):
        filters = IncidentFilterSet(self.request.query_params, queryset=queryset,
                                    request=self.request)
        if not filters.is_valid():
            raise exceptions.ValidationError(filters.errors)
        closed = filters.form.cleaned_data.get("closed")
        return incident_list(statuses=CLOSED_STATUSES if closed else UNRESOLVED_STATUSES,
                             violations=filters.qs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(IncidentSerializer(
            [incident_from_row(row) for row in page], many=True).data)


class IncidentTriage(generics.GenericAPIView):
    """One triage step for every violation (any status) of the named incidents, through the
    same services as a violation's PATCH. Needs the right to edit each incident's space."""

    serializer_class = IncidentTriageSerializer

    @extend_schema(request=IncidentTriageSerializer, responses=IncidentTriagedSerializer)
    def post(self, request):
        step = IncidentTriageSerializer(data=request.data)
        step.is_valid(raise_exception=True)
        data = step.validated_data
        try:
            violations = incident_violations(tokens=data["incidents"])
        except ValueError:
            raise exceptions.ValidationError({"incidents": ["Not an incident's token."]}) from None
        space_ids = set(violations.order_by().values_list("space_id", flat=True).distinct())
        if not space_ids:
            raise exceptions.NotFound(NOT_FOUND)
        for space_id in space_ids:
            require_editable_space(request, space_id)
        moved = _triage(request, violations, data)
        return Response(IncidentTriagedSerializer({"moved": moved}).data)


class MetricList(generics.ListAPIView):
    """Quality checks of the spaces you reach, newest first."""

    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        if schema_generation(self):
            return QualityMetric._base_manager.none()
        return QualityMetric.objects.order_by("-check_timestamp", "-id").seal()


class ContractTrend(generics.GenericAPIView):
    """The overall score of a contract's last checks (oldest first), its latest field scores
    and how many of its violations still need work."""

    serializer_class = TrendSerializer

    @extend_schema(parameters=[OpenApiParameter("checks", OpenApiTypes.INT, default=20)])
    def get(self, request, contract_id):
        contract = object_or_404(DataContract.objects.seal(), pk=contract_id)
        try:
            check_count = min(max(int(request.query_params.get("checks", 20)), 1), 500)
        except ValueError:
            raise exceptions.ValidationError({"checks": ["A whole number."]}) from None
        summary = contract_quality_summary(contract=contract, check_count=check_count)
        return Response(TrendSerializer({
            "contract": contract.pk,
            "checks": summary.checks,
            "field_scores": {score.field_name: score.score for score in summary.field_scores},
            "unresolved_violation_count": summary.unresolved_violation_count,
        }).data)


class ResultCreate(generics.GenericAPIView):
    """Record the result of a check a pipeline ran itself: metric, verdict, violations."""

    serializer_class = ResultSerializer

    @extend_schema(request=ResultSerializer, responses={201: RecordedSerializer})
    def post(self, request):
        incoming = ResultSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        contract = _contract_for_write(request, data["contract"])
        metric = dict(data["metric"])
        metric.setdefault("violation_count", len(data["violations"]))
        recorded = quality_result_record(
            contract=contract, metric=metric, passed=data["passed"],
            violations=[ReportedViolation(**violation) for violation in data["violations"]],
            created_by=actor_name(request), source=data["source"],
            checked_at=data.get("checked_at"),
        )
        return Response(_recorded(recorded.metric, opened=recorded.violations_opened,
                                  updated=recorded.violations_updated,
                                  alert_id=recorded.alert_id), status=status.HTTP_201_CREATED)


class CheckCreate(generics.GenericAPIView):
    """Check a batch of records on the server against the contract version.

    Up to PYCHARTER_API_MAX_CHECK_RECORDS records (default 5,000) are checked right away
    (201, the metric). More, up to PYCHARTER_API_MAX_JOB_RECORDS, are checked by a worker:
    202 Accepted with the job, to follow at its `url` until it is done.
    """

    serializer_class = CheckSerializer

    @extend_schema(request=CheckSerializer,
                   responses={201: RecordedSerializer, 202: JobSerializer})
    def post(self, request):
        incoming = CheckSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        contract = _contract_for_write(request, data["contract"])
        if len(data["records"]) > settings.PYCHARTER_API_MAX_CHECK_RECORDS:
            return self._queued(request, contract, data)
        source = io.BytesIO(json.dumps(data["records"]).encode("utf-8"))
        try:
            outcome = quality_check_run(
                contract=contract, source=source, data_format="json",
                record_id_field=data["record_id_field"], actor=actor_name(request),
                full_dataset=data["full_dataset"], source_name="api",
            )
        except QualityCheckError as error:
            raise exceptions.ValidationError({"contract": [str(error)]}) from None
        return Response(_recorded(outcome.metric, opened=outcome.violations_opened,
                                  updated=outcome.violations_updated, alert_id=outcome.alert_id),
                        status=status.HTTP_201_CREATED)

    def _queued(self, request, contract, data):
        limit = settings.PYCHARTER_API_MAX_JOB_RECORDS
        if len(data["records"]) > limit:
            raise exceptions.ValidationError({"records": [
                f"At most {limit} records per request; check larger data with "
                "`manage.py run_quality_check` or send it in batches."
            ]})
        job = quality_check_records_enqueue(
            contract=contract, records=data["records"], record_id_field=data["record_id_field"],
            full_dataset=data["full_dataset"], user=request.user, actor=actor_name(request),
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": job_api_url(job)})


class ToolResultCreate(generics.GenericAPIView):
    """Record another tool's result file (the request body, as the tool wrote it) on a
    contract version: dbt run_results.json, a Great Expectations validation or checkpoint
    result, a Soda scan result, a datacontract-cli run. The response names what was dropped."""

    serializer_class = RecordedSerializer

    @extend_schema(
        operation_id="v1_quality_results_tool_create",
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("contract", OpenApiTypes.UUID, required=True)],
        responses={201: RecordedSerializer},
    )
    def post(self, request, tool):
        mapper = tool_results.MAPPERS.get(tool)
        if mapper is None:
            raise exceptions.NotFound(f"Unknown tool; one of {sorted(tool_results.MAPPERS)}.")
        contract = _contract_for_write(request, request.query_params.get("contract", ""))
        try:
            result = mapper(request.data)
        except tool_results.ToolResultError as error:
            raise exceptions.ValidationError({"detail": f"{tool} result: {error}"}) from None
        recorded = quality_result_record(
            contract=contract, metric=result.metric, passed=result.passed,
            violations=result.violations, created_by=actor_name(request),
            source=result.tool, additional_metadata={"tool": result.details},
        )
        return Response(_recorded(
            recorded.metric, opened=recorded.violations_opened,
            updated=recorded.violations_updated, alert_id=recorded.alert_id,
            dropped=result.dropped, mapping=result.details,
        ), status=status.HTTP_201_CREATED)
