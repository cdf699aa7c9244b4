"""Quality over HTTP: results in, violations and metrics out, within the token's space."""

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from quality.models import QualityMetric, QualityViolation, ViolationTransition
from tests.api_helpers import results, token_client
from tests.factories import (
    DataContractFactory,
    MembershipFactory,
    QualityMetricFactory,
    QualityViolationFactory,
    SchemaFactory,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "tool_results"


@pytest.fixture
def theirs(other_space, unscoped):
    contract = DataContractFactory(space=other_space, name="flights", status="active")
    contract.schema = SchemaFactory(data_contract=contract)
    contract.save()
    QualityViolationFactory(data_contract=contract)
    QualityMetricFactory(data_contract=contract)
    return contract


@pytest.fixture
def api(space):
    return token_client(space)


def _other_space_rows(other_space):
    with scopes_disabled():
        return (
            list(QualityViolation.objects.filter(space=other_space).order_by("pk").values()),
            list(QualityMetric.objects.filter(space=other_space).order_by("pk").values()),
        )


# Violations


def test_violations_come_newest_first_a_cursor_page_at_a_time(api, contract, theirs, unscoped):
    now = timezone.now()
    made = [QualityViolationFactory(data_contract=contract,
                                    check_timestamp=now - datetime.timedelta(minutes=minutes))
            for minutes in range(5)]

    first = api.get("/api/v1/quality/violations/", {"page_size": 3}).json()
    second = api.get(first["next"]).json()

    assert [row["id"] for row in first["results"] + second["results"]] == [
        str(violation.pk) for violation in made
    ]
    assert second["next"] is None


def test_violations_filter_by_field_severity_status_assignee_priority_and_check_date(
        api, space, contract, unscoped):
    steward = MembershipFactory(space=space, role="steward").user
    wanted = QualityViolationFactory(data_contract=contract, field_name="gate",
                                     severity="critical", priority="high", assignee=steward,
                                     status="assigned")
    QualityViolationFactory(data_contract=contract, field_name="age",
                            check_timestamp=timezone.now() - datetime.timedelta(days=3))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    def ids(**query):
        response = api.get("/api/v1/quality/violations/", query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in results(response)]

    assert ids(field="gate") == [str(wanted.pk)]
    assert ids(severity="critical", status="assigned") == [str(wanted.pk)]
    assert ids(assignee=steward.username, priority="high") == [str(wanted.pk)]
    assert ids(checked_after=since) == [str(wanted.pk)]
    assert ids(contract=str(contract.pk), version="1.0.0", error_type="validation_error")[0:2] \
        and len(ids(contract=str(contract.pk))) == 2


def test_another_space_violation_is_a_404_and_cannot_be_triaged(api, other_space, theirs):
    with scopes_disabled():
        violation = QualityViolation.objects.get(data_contract=theirs)
    before = _other_space_rows(other_space)

    seen = api.get(f"/api/v1/quality/violations/{violation.pk}/")
    changed = api.patch(f"/api/v1/quality/violations/{violation.pk}/",
                        {"action": "acknowledge"}, format="json")

    assert (seen.status_code, seen.json()) == (404, {"detail": "Not found."})
    assert (changed.status_code, changed.json()) == (404, {"detail": "Not found."})
    assert results(api.get("/api/v1/quality/violations/")) == []
    assert _other_space_rows(other_space) == before


def test_patch_moves_a_violation_through_triage_and_records_each_step(api, space, contract,
                                                                       unscoped):
    violation = QualityViolationFactory(data_contract=contract)
    assignee = MembershipFactory(space=space, role="steward").user
    url = f"/api/v1/quality/violations/{violation.pk}/"

    steps = [
        ({"action": "acknowledge"}, "acknowledged"),
        ({"action": "assign", "assignee": assignee.username}, "assigned"),
        ({"action": "prioritize", "priority": "urgent"}, "assigned"),
        ({"action": "resolve", "reason": "fixed_at_source", "note": "gate fixed"}, "resolved"),
        ({"action": "reopen"}, "open"),
        ({"action": "ignore", "reason": "accepted_risk"}, "ignored"),
    ]
    statuses = [api.patch(url, step, format="json").json()["status"] for step, _ in steps]

    assert statuses == [expected for _, expected in steps]
    assert list(ViolationTransition.objects.filter(violation=violation)
                .order_by("created_at", "id").values_list("to_status", flat=True)) == [
        "acknowledged", "assigned", "resolved", "open", "ignored"]
    violation.refresh_from_db()
    assert violation.priority == "urgent" and violation.resolution_reason == "accepted_risk"


def test_patch_refuses_an_incomplete_step_and_a_read_only_token(space, api, contract, unscoped):
    violation = QualityViolationFactory(data_contract=contract)
    url = f"/api/v1/quality/violations/{violation.pk}/"

    incomplete = api.patch(url, {"action": "resolve"}, format="json")
    read_only = token_client(space, can_write=False).patch(url, {"action": "acknowledge"},
                                                           format="json")

    assert incomplete.status_code == 400
    assert incomplete.json() == {"reason": ["Required to resolve."]}
    assert read_only.status_code == 403
    violation.refresh_from_db()
    assert violation.status == "open"


# Metrics and trend


def test_metrics_filter_and_the_trend_is_oldest_first(api, contract, theirs, unscoped):
    now = timezone.now()
    older = QualityMetricFactory(data_contract=contract, overall_score=80.0, passed="false",
                                 check_timestamp=now - datetime.timedelta(days=1))
    newer = QualityMetricFactory(data_contract=contract, overall_score=99.0,
                                 check_timestamp=now)

    listed = [row["id"] for row in results(api.get("/api/v1/quality/metrics/"))]
    failed = [row["id"] for row in results(api.get("/api/v1/quality/metrics/",
                                                   {"passed": "false"}))]
    trend = api.get(f"/api/v1/quality/contracts/{contract.pk}/trend/").json()
    other = api.get(f"/api/v1/quality/contracts/{theirs.pk}/trend/")

    assert listed == [str(newer.pk), str(older.pk)]
    assert failed == [str(older.pk)]
    assert [(point["id"], point["overall_score"]) for point in trend["checks"]] == [
        (str(older.pk), 80.0), (str(newer.pk), 99.0)]
    assert trend["field_scores"] == {"age": 95.0, "user_id": 100.0}
    assert other.status_code == 404


# Results posted by pipelines


def test_a_posted_result_records_the_metric_and_its_violations_once(api, contract, other_space,
                                                                   theirs, unscoped):
    before = _other_space_rows(other_space)
    payload = {
        "contract": str(contract.pk), "passed": False, "source": "spark-nightly",
        "metric": {"overall_score": 40.0, "record_count": 10, "valid_count": 4,
                   "invalid_count": 6},
        "violations": [{"field_name": "age", "error_type": "minimum", "record_identifier": "u1",
                        "error_message": "age -3 < 0", "severity": "critical",
                        "record_data": {"age": -3}}],
    }

    first = api.post("/api/v1/quality/results/", payload, format="json")
    again = api.post("/api/v1/quality/results/", payload, format="json")

    assert first.status_code == 201, first.content
    assert (first.json()["violations_opened"], again.json()["violations_opened"]) == (1, 0)
    assert again.json()["violations_updated"] == 1
    assert first.json()["metric"]["passed"] == "false"
    assert first.json()["metric"]["created_by"].startswith("api-token:")
    assert first.json()["alert"] is not None
    assert QualityViolation.objects.filter(data_contract=contract).count() == 1
    assert QualityMetric.objects.filter(data_contract=contract).count() == 2
    assert _other_space_rows(other_space) == before


def test_a_result_for_another_space_contract_is_a_404(api, other_space, theirs):
    before = _other_space_rows(other_space)

    response = api.post("/api/v1/quality/results/", {
        "contract": str(theirs.pk), "passed": True, "metric": {}, "violations": [],
    }, format="json")

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert _other_space_rows(other_space) == before


def test_records_are_checked_on_the_server(api, contract):
    response = api.post("/api/v1/quality/checks/", {
        "contract": str(contract.pk), "record_id_field": "user_id",
        "records": [{"user_id": "u1", "age": 30}, {"user_id": "u2", "age": "x"}],
    }, format="json")

    body = response.json()
    assert response.status_code == 201, body
    assert (body["metric"]["record_count"], body["metric"]["invalid_count"]) == (2, 1)
    assert list(QualityViolation.objects.filter(data_contract=contract)
                .values_list("record_identifier", "field_name")) == [("u2", "age")]


# Results of other tools


@pytest.mark.parametrize(("tool", "file_name", "expected"), [
    ("dbt", "dbt_run_results.json", {
        "metric": (3, 1, 2, 33.33, False),
        "violations": {("unique_flights_flight_id", "dbt_test_fail", "critical"),
                       ("accepted_values_flights_status__scheduled__departed__landed",
                        "dbt_test_warn", "warning")},
        "dropped": ["timing", "compiled_code", "adapter_response", "args",
                    "1 model/seed/snapshot results (builds, not checks)", "1 skipped tests"],
    }),
    ("great-expectations", "great_expectations_validation.json", {
        "metric": (3, 2, 1, 66.67, False),
        "violations": {("delay_minutes", "expect_column_values_to_be_between", "critical")},
        "dropped": ["exception_info tracebacks", "batch_spec", "evaluation_parameters",
                    "unexpected_index_list (only partial_unexpected_list is kept)"],
    }),
    ("soda", "soda_scan_results.json", {
        "metric": (3, 1, 2, 33.33, False),
        "violations": {("gate", "soda_generic", "critical"),
                       ("flight_id", "soda_generic", "warning")},
        "dropped": ["metrics (raw metric values)", "logs", "checksMetadata", "location"],
    }),
    ("datacontract-cli", "datacontract_cli_run.json", {
        "metric": (3, 1, 2, 33.33, False),
        "violations": {("delay_minutes", "field_type", "critical"),
                       ("(table)", "row_count", "warning")},
        "dropped": ["logs", "implementation", "diagnostics", "details"],
    }),
])
def test_another_tool_result_maps_to_a_metric_and_violations(api, contract, other_space, theirs,
                                                             tool, file_name, expected, unscoped):
    before = _other_space_rows(other_space)
    document = json.loads((FIXTURES / file_name).read_text())

    response = api.post(f"/api/v1/quality/results/{tool}/?contract={contract.pk}", document,
                        format="json")

    body = response.json()
    assert response.status_code == 201, body
    metric = body["metric"]
    assert (metric["record_count"], metric["valid_count"], metric["invalid_count"],
            metric["overall_score"], metric["passed"] == "true") == expected["metric"]
    assert set(QualityViolation.objects.filter(data_contract=contract).values_list(
        "field_name", "error_type", "severity")) == expected["violations"]
    assert body["dropped"] == expected["dropped"]
    assert _other_space_rows(other_space) == before


def test_a_document_that_is_not_the_tool_format_says_where(api, contract):
    response = api.post(f"/api/v1/quality/results/dbt/?contract={contract.pk}",
                        {"results": [{"status": "pass"}]}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "dbt result: results[0].unique_id: expected a str."}


def test_check_dates_take_any_iso_offset_and_refuse_moments_out_of_range(api, contract,
                                                                         unscoped):
    checked = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    violation = QualityViolationFactory(data_contract=contract, check_timestamp=checked)

    # 12:00 UTC is 16:54 the day before at -19:06, an offset PostgreSQL itself refuses
    after = api.get("/api/v1/quality/violations/",
                    {"checked_after": "2024-04-30T16:53:00-19:06"})
    before = api.get("/api/v1/quality/violations/",
                     {"checked_before": "2024-04-30T16:53:00-19:06"})
    out_of_range = api.get("/api/v1/quality/violations/",
                           {"checked_after": "0001-01-01T00:00:00+05:00"})

    assert [row["id"] for row in after.json()["results"]] == [str(violation.pk)]
    assert before.json()["results"] == []
    assert (out_of_range.status_code, out_of_range.json()) == (
        400, {"checked_after": ["This moment is out of range."]})
