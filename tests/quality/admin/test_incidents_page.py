"""The incidents page: violations grouped by contract version, field and rule, triaged whole."""

import pytest
from django.utils.http import urlencode

from quality.models import QualityViolation
from tests import factories
from tests.quality.admin.helpers import admin_url, violations_url

pytestmark = pytest.mark.usefixtures("unscoped")

INCIDENTS_URL = admin_url("qualityviolation", "incidents")


@pytest.fixture
def incident(contract):
    """Three violations of one rule of one field, and one of another rule."""
    grouped = [
        factories.QualityViolationFactory(data_contract=contract, field_name="age",
                                          rule="minimum", severity=severity)
        for severity in ("warning", "critical", "info")
    ]
    factories.QualityViolationFactory(data_contract=contract, field_name="age", rule="maximum")
    return grouped


def _rows(response):
    return [(incident.contract_name, incident.field_name, incident.rule,
             incident.violation_count, incident.worst_severity)
            for incident, _ in response.context["incident_rows"]]


def _token(response, rule):
    return next(incident.token for incident, _ in response.context["incident_rows"]
                if incident.rule == rule)


def test_incidents_list_groups_with_counts_worst_first(
    incident, steward_client, foreign_violation
):
    response = steward_client.get(INCIDENTS_URL)

    assert response.status_code == 200
    assert _rows(response) == [
        ("flights", "age", "minimum", 3, "critical"),
        ("flights", "age", "maximum", 1, "warning"),
    ]
    assert b"zz_foreign" not in response.content


def test_an_incident_links_to_its_violations(incident, contract, steward_client):
    response = steward_client.get(INCIDENTS_URL)
    [query] = [query for incident, query in response.context["incident_rows"]
               if incident.rule == "minimum"]

    violations = steward_client.get(violations_url(query))

    assert query == urlencode({
        "data_contract__id__exact": contract.pk, "schema_version": "1.0.0",
        "field_name": "age", "error_type": "validation_error", "rule": "minimum",
        "status": "unresolved",
    })
    assert len(violations.context["cl"].result_list) == 3


def test_an_incident_whose_contract_is_gone_links_to_its_violations(space, steward_client):
    orphan = factories.QualityViolationFactory(data_contract__space=space, rule=None,
                                               record_identifier="orphan")
    QualityViolation.objects.filter(pk=orphan.pk).update(data_contract=None)
    [(incident, query)] = steward_client.get(INCIDENTS_URL).context["incident_rows"]

    violations = steward_client.get(violations_url(query))

    assert incident.contract_name is None
    assert [v.record_identifier for v in violations.context["cl"].result_list] == ["orphan"]


def test_acknowledging_an_incident_acknowledges_every_violation_of_it(incident, steward_client):
    page = steward_client.get(INCIDENTS_URL)

    response = steward_client.post(INCIDENTS_URL, {"step": "acknowledge",
                                                   "incident": _token(page, "minimum")})

    assert response.status_code == 302
    assert sorted(QualityViolation.objects.values_list("rule", "status")) == [
        ("maximum", "open"), ("minimum", "acknowledged"), ("minimum", "acknowledged"),
        ("minimum", "acknowledged"),
    ]


def test_resolving_an_incident_asks_for_the_reason_then_closes_it(incident, steward_client):
    token = _token(steward_client.get(INCIDENTS_URL), "minimum")

    question = steward_client.post(INCIDENTS_URL, {"step": "resolve", "incident": token})
    answer = steward_client.post(INCIDENTS_URL, {
        "step": "resolve", "incident": token, "apply": "yes",
        "reason": "fixed_at_source", "note": "Source fixed.",
    })
    closed = steward_client.get(INCIDENTS_URL + "?closed=1")

    assert b"Resolve <strong>3 violations</strong>" in question.content
    assert answer.status_code == 302
    assert QualityViolation.objects.filter(status="resolved").count() == 3
    assert _rows(closed) == [("flights", "age", "minimum", 3, "critical")]


def test_the_contract_filter_narrows_the_incidents(incident, space, steward_client):
    factories.QualityViolationFactory(data_contract__space=space, data_contract__name="cargo")
    contract_id = incident[0].data_contract_id

    response = steward_client.get(INCIDENTS_URL, {"contract": contract_id})

    assert {row[0] for row in _rows(response)} == {"flights"}


def test_a_viewer_reads_incidents_but_cannot_triage_them(incident, viewer_client):
    page = viewer_client.get(INCIDENTS_URL)
    token = _token(page, "minimum")

    response = viewer_client.post(INCIDENTS_URL, {"step": "acknowledge", "incident": token})

    assert page.context["triage_steps"] == []
    assert b'name="incident"' not in page.content
    assert response.status_code == 403
    assert not QualityViolation.objects.exclude(status="open").exists()


def test_another_spaces_incident_cannot_be_triaged(steward_client, foreign_violation):
    token = (f'["{foreign_violation.data_contract_id}", "1.0.0", "zz_foreign_field", '
             f'"zz_foreign_type", null]')

    response = steward_client.post(INCIDENTS_URL, {"step": "acknowledge", "incident": token})

    assert response.status_code == 302
    assert QualityViolation.objects.get(pk=foreign_violation.pk).status == "open"


def test_a_forged_incident_is_a_bad_request(steward_client):
    response = steward_client.post(INCIDENTS_URL, {"step": "acknowledge", "incident": "{"})

    assert response.status_code == 400
