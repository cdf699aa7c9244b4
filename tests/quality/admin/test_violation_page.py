"""A violation's page: the record, the rule that failed, its history; read-only but triage."""

import json

import pytest
from django.urls import reverse

from quality.models import QualityViolation
from quality.services.triage import violation_acknowledge, violation_assign
from tenancy.scoping import user_scope
from tests import factories
from tests.quality.admin.helpers import violation_url, violations_url

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def violation(contract):
    return factories.QualityViolationFactory(
        data_contract=contract, record_identifier="user_7", field_name="age",
        error_type="validation_error", rule="greater_than_or_equal_to",
        record_data={"user_id": "7", "age": -3, "note": "<script>alert('x')</script>"},
    )


def test_the_record_is_pretty_printed_and_escaped(violation, steward_client):
    response = steward_client.get(violation_url(violation))

    stored = QualityViolation.objects.get(pk=violation.pk).record_data  # jsonb orders keys
    assert response.status_code == 200
    pretty = json.dumps(stored, indent=2).replace("'", "&#x27;")
    pretty = pretty.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert f'<pre class="quality-json">{pretty}</pre>'.encode() in response.content
    assert b"<script>alert" not in response.content


def test_the_page_shows_what_the_contract_says_about_the_failed_rule(
    contract, violation, steward_client
):
    schema = factories.SchemaFactory(data_contract=contract)
    validation = factories.ValidationRuleSetFactory(
        data_contract=contract,
        rules={"age": {"maximum_value": {"threshold": 150},
                       "greater_than_or_equal_to": {"threshold": 0}}},
    )
    contract.schema, contract.validation_rules = schema, validation
    contract.save()

    response = steward_client.get(violation_url(violation))

    definition = {
        "schema": {"type": "integer", "minimum": 0},
        "validations": {"greater_than_or_equal_to": {"threshold": 0},
                        "maximum_value": {"threshold": 150}},
    }
    expected = json.dumps(definition, indent=2).replace('"', "&quot;")
    assert f'<pre class="quality-json">{expected}</pre>'.encode() in response.content
    assert b"greater_than_or_equal_to</div>" in response.content  # the rule column


def test_the_page_shows_the_history(violation, steward, colleague, steward_client):
    with user_scope(steward):
        violation_acknowledge(violations=[violation], actor=steward)
        violation_assign(violations=[violation], actor=steward, assignee=colleague)

    response = steward_client.get(violation_url(violation))

    transitions = response.context["transitions"]
    assert [(t.from_status, t.to_status, t.actor_name) for t in transitions] == [
        ("open", "acknowledged", steward.username), ("acknowledged", "assigned", steward.username)
    ]
    assert b"<td>colleague</td>" in response.content


def test_the_triage_bar_offers_the_steps_the_status_allows(violation, steward_client):
    response = steward_client.get(violation_url(violation))

    assert [step.name for step in response.context["triage_steps"]] == [
        "acknowledge", "assign", "resolve", "ignore"
    ]
    assert f'<form method="post" action="{violations_url()}" class="quality-triage-bar">'.encode(
    ) in response.content


def test_a_steward_changes_the_priority_and_nothing_else(violation, steward_client):
    response = steward_client.post(violation_url(violation), {
        "priority": "urgent", "status": "resolved", "record_identifier": "changed",
        "_save": "Save",
    })

    assert response.status_code == 302
    violation.refresh_from_db()
    assert (violation.priority, violation.status, violation.record_identifier) == (
        "urgent", "open", "user_7"
    )


def test_a_viewer_reads_the_page_without_triage_or_save(violation, viewer_client):
    page = viewer_client.get(violation_url(violation))
    post = viewer_client.post(violation_url(violation), {"priority": "urgent", "_save": "Save"})

    assert page.status_code == 200
    assert page.context["triage_steps"] == []
    assert b'name="_save"' not in page.content
    assert b"quality-triage-bar" not in page.content
    assert post.status_code == 403
    assert QualityViolation.objects.get(pk=violation.pk).priority == "medium"


@pytest.mark.parametrize("view", ["change", "history"])
def test_another_spaces_violation_is_not_found(view, foreign_violation, steward_client):
    response = steward_client.get(violation_url(foreign_violation, view))

    assert response.status_code == 404


def test_a_violation_that_does_not_exist_is_not_found_either(steward_client):
    response = steward_client.get(
        reverse("admin:quality_qualityviolation_change", args=["not-a-uuid"])
    )

    assert response.status_code == 404


def test_nobody_adds_or_deletes_violations(violation, steward_client):
    add = steward_client.get(reverse("admin:quality_qualityviolation_add"))
    delete = steward_client.post(violation_url(violation, "delete"), {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert QualityViolation.objects.filter(pk=violation.pk).exists()


def test_autocomplete_offers_only_the_users_violations(
    violation, foreign_violation, steward_client
):
    response = steward_client.get(reverse("admin:autocomplete"), {
        "app_label": "quality", "model_name": "violationtransition",
        "field_name": "violation", "term": "zz_foreign_record",
    })
    mine = steward_client.get(reverse("admin:autocomplete"), {
        "app_label": "quality", "model_name": "violationtransition",
        "field_name": "violation", "term": "user_7",
    })

    assert response.json()["results"] == []
    assert [result["id"] for result in mine.json()["results"]] == [str(violation.pk)]
