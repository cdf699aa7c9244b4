"""Incidents over HTTP: violations grouped by contract version, field and rule, triaged as one."""

import json

import pytest
from django_scopes import scopes_disabled

from quality.models import QualityViolation
from tests.api_helpers import results, token_client
from tests.factories import DataContractFactory, QualityViolationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(space, unscoped):
    return DataContractFactory(space=space, name="flights", version="1.0.0", status="active")


@pytest.fixture
def theirs(other_space, unscoped):
    contract = DataContractFactory(space=other_space, name="flights", status="active")
    QualityViolationFactory.create_batch(2, data_contract=contract, field_name="age",
                                         error_type="minimum")
    return contract


@pytest.fixture
def api(space):
    return token_client(space)


def _other_space_violations(other_space):
    with scopes_disabled():
        return list(QualityViolation.objects.filter(space=other_space).order_by("pk").values())


def test_incidents_group_the_space_violations_largest_first(api, contract, theirs, unscoped):
    QualityViolationFactory.create_batch(3, data_contract=contract, field_name="age",
                                         error_type="minimum", severity="warning")
    QualityViolationFactory(data_contract=contract, field_name="gate", error_type="pattern",
                            severity="critical")
    QualityViolationFactory(data_contract=contract, field_name="age", error_type="minimum",
                            status="resolved")

    rows = results(api.get("/api/v1/quality/incidents/"))

    assert [(row["field_name"], row["error_type"], row["violation_count"],
             row["worst_severity"], row["contract"], row["contract_version"]) for row in rows] == [
        ("gate", "pattern", 1, "critical", str(contract.pk), "1.0.0"),
        ("age", "minimum", 3, "warning", str(contract.pk), "1.0.0"),
    ]


def test_closed_incidents_and_the_violation_filters(api, contract, unscoped):
    QualityViolationFactory.create_batch(2, data_contract=contract, field_name="age",
                                         status="resolved")
    QualityViolationFactory(data_contract=contract, field_name="gate", status="ignored")
    QualityViolationFactory(data_contract=contract, field_name="age")

    closed = results(api.get("/api/v1/quality/incidents/", {"closed": "true"}))
    closed_age = results(api.get("/api/v1/quality/incidents/",
                                 {"closed": "true", "field": "age"}))

    assert sorted((row["field_name"], row["violation_count"]) for row in closed) == [
        ("age", 2), ("gate", 1)]
    assert [(row["field_name"], row["violation_count"]) for row in closed_age] == [("age", 2)]


def test_triage_of_an_incident_moves_every_violation_of_it(api, contract, unscoped):
    grouped = QualityViolationFactory.create_batch(3, data_contract=contract, field_name="age",
                                                   error_type="minimum")
    apart = QualityViolationFactory(data_contract=contract, field_name="gate")
    [incident] = [row for row in results(api.get("/api/v1/quality/incidents/"))
                  if row["field_name"] == "age"]

    response = api.post("/api/v1/quality/incidents/triage/",
                        {"incidents": [incident["token"]], "action": "resolve",
                         "reason": "fixed_at_source"}, format="json")

    assert (response.status_code, response.json()) == (200, {"moved": 3})
    statuses = dict(QualityViolation.objects.filter(
        pk__in=[violation.pk for violation in [*grouped, apart]]).values_list("pk", "status"))
    assert statuses == {**{violation.pk: "resolved" for violation in grouped},
                        apart.pk: "open"}


def test_another_space_incident_is_neither_listed_nor_triaged(api, other_space, theirs,
                                                              unscoped):
    before = _other_space_violations(other_space)
    their_token = json.dumps([str(theirs.pk), "1.0.0", "age", "minimum", None])

    listed = results(api.get("/api/v1/quality/incidents/"))
    triaged = api.post("/api/v1/quality/incidents/triage/",
                       {"incidents": [their_token], "action": "acknowledge"}, format="json")

    assert listed == []
    assert (triaged.status_code, triaged.json()) == (404, {"detail": "Not found."})
    assert _other_space_violations(other_space) == before


def test_incident_triage_refuses_a_read_only_token_and_a_bad_token(space, contract, unscoped):
    QualityViolationFactory(data_contract=contract, field_name="age", error_type="minimum")
    reader = token_client(space, can_write=False)
    [incident] = results(reader.get("/api/v1/quality/incidents/"))

    read_only = reader.post("/api/v1/quality/incidents/triage/",
                            {"incidents": [incident["token"]], "action": "acknowledge"},
                            format="json")
    malformed = token_client(space).post("/api/v1/quality/incidents/triage/",
                                         {"incidents": ["[1, 2]"], "action": "acknowledge"},
                                         format="json")

    assert read_only.status_code == 403
    assert (malformed.status_code, malformed.json()) == (
        400, {"incidents": ["Not an incident's token."]})
    assert QualityViolation.objects.get().status == "open"
