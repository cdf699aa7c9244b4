"""The demo data set that the README's first command loads."""

import io
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract
from quality.demo_records import day_file, recipes
from quality.management.commands.run_demo import Command as RunDemo
from quality.management.commands.run_demo import _stop_demo
from quality.models import Alert, QualityMetric, QualityViolation
from tenancy.jobs import job_enqueue
from tenancy.models import Job, JobState, Space
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

EMAIL_PATTERN = "pattern '^[^@]+@[^@]+\\.[^@]+$'"


def _counts():
    return (
        DataContract.objects.count(),
        QualityMetric.objects.count(),
        QualityViolation.objects.count(),
        Alert.objects.count(),
    )


def _seed():
    call_command("seed_demo", password="demo-password-123", verbosity=0)


def _threshold(contract):
    return contract.metadata_record.governance_rules["quality_thresholds"]["min_overall_score"]


def _rule_wordings(contract, field_name):
    """How the engine words each rule the contract sets on `field_name`."""
    schema = contract.schema.schema_data
    prop = schema["properties"].get(field_name, {})
    wordings = []
    if field_name in schema.get("required", []):
        wordings += ["required field is missing", "required field is empty"]
    coercion = (contract.coercion_rules.rules or {}).get(field_name)
    if coercion:
        wordings.append(f"coercion {coercion} failed")
    if "pattern" in prop:
        wordings.append(f"pattern '{prop['pattern']}'")
    if prop.get("format") == "email":
        wordings.append(EMAIL_PATTERN)
    if "minLength" in prop:
        wordings.append(f"at least {prop['minLength']} characters")
    if "maxLength" in prop:
        wordings.append(f"at most {prop['maxLength']} characters")
    if "minimum" in prop:
        wordings.append(f"greater than or equal to {prop['minimum']},")
    if "maximum" in prop:
        wordings.append(f"less than or equal to {prop['maximum']},")
    if "enum" in prop:
        wordings.append(" or ".join(f"'{value}'" for value in prop["enum"]))
    rules = (contract.validation_rules.rules or {}).get(field_name) or {}
    if "non_empty_string" in rules:
        wordings.append("must not be empty")
    if "is_email" in rules:
        wordings.append(EMAIL_PATTERN)
    for name, relation in (("greater_than_or_equal_to", "greater than or equal to"),
                           ("less_than_or_equal_to", "less than or equal to")):
        if name in rules:
            wordings.append(f"{relation} {rules[name]['threshold']},")
    return wordings


def test_the_demo_spans_two_organizations_with_history_and_open_violations(db):
    _seed()

    spaces_with_contracts = Space.objects.filter(data_contracts__isnull=False).distinct()
    assert {space.organization.slug for space in spaces_with_contracts} == {"skyline", "northwind"}
    assert spaces_with_contracts.count() == 3
    assert DataContract.objects.filter(status="active").count() == 4
    assert QualityMetric.objects.filter(data_contract__name="flight_bookings").count() == 14
    assert QualityViolation.objects.filter(status="open").exists()
    for link_model in OWNERSHIP_ROLE_LINKS.values():
        assert link_model.objects.filter(
            metadata_record__data_contract__name="flight_bookings"
        ).count() == 2  # both versions


def test_every_demo_metric_counts_the_violation_rows_of_its_check(db):
    _seed()

    metrics = QualityMetric.objects.select_related("data_contract")
    for metric in metrics:
        rows = QualityViolation.objects.filter(
            data_contract=metric.data_contract, check_timestamp=metric.check_timestamp
        )
        assert rows.count() == metric.violation_count, metric
        assert rows.values("record_identifier").distinct().count() == metric.invalid_count
        assert 200 <= metric.record_count <= 500
    assert metrics.filter(violation_count=0).count() == 0
    assert sum(metric.violation_count for metric in metrics) == QualityViolation.objects.count()
    for contract in DataContract.objects.filter(status="active"):
        days = {metric.check_timestamp.date() for metric in metrics.filter(data_contract=contract)}
        assert len(days) == 14


def test_demo_alerts_state_the_failing_metric_and_the_contracts_own_threshold(db):
    _seed()

    customer_profiles = DataContract.objects.get(name="customer_profiles")
    latest = QualityMetric.objects.filter(data_contract=customer_profiles).latest(
        "check_timestamp")
    assert _threshold(customer_profiles) == 90
    assert latest.passed == "false"
    assert latest.overall_score < 90
    # One open alert per contract: a check that fails again counts on it and names itself.
    alerts = list(Alert.objects.select_related("quality_metric", "data_contract"))
    failed = QualityMetric.objects.filter(passed="false")
    assert [(alert.quality_metric_id, alert.occurrences) for alert in alerts] == [
        (latest.pk, failed.count())
    ]
    assert set(failed.values_list("data_contract", flat=True)) == {customer_profiles.pk}
    for alert in alerts:
        contract, metric = alert.data_contract, alert.quality_metric
        threshold = _threshold(contract)
        assert metric.overall_score < threshold
        assert alert.message == (
            f"{contract.name} {contract.version} failed its quality check: "
            f"Overall score {metric.overall_score:.2f} below threshold {threshold:.2f}"
        )
    for metric in QualityMetric.objects.filter(passed="true").select_related(
        "data_contract__metadata_record"
    ):
        assert metric.overall_score >= _threshold(metric.data_contract)


def test_every_demo_violation_message_names_the_rule_that_failed(db):
    _seed()

    violations = QualityViolation.objects.select_related(
        "data_contract__schema", "data_contract__coercion_rules",
        "data_contract__validation_rules",
    )
    assert {violation.error_type for violation in violations} == {
        "missing_field", "type_error", "validation_error"
    }
    for violation in violations:
        wordings = _rule_wordings(violation.data_contract, violation.field_name)
        assert any(wording in violation.error_message for wording in wordings), (
            violation.field_name, violation.error_message
        )
        assert violation.record_data[recipes()[violation.data_contract.name]["record_id"]] == (
            violation.record_identifier
        )


def test_a_demo_day_file_is_the_same_every_time_with_its_share_of_bad_records():
    recipe = recipes()["customer_profiles"]
    day = datetime(2025, 3, 1, tzinfo=UTC)

    first = day_file(contract_name="customer_profiles", recipe=recipe, day=day, days_left=0)
    second = day_file(contract_name="customer_profiles", recipe=recipe, day=day, days_left=0)

    assert first == second
    assert first.name == "customer_profiles-2025-03-01.jsonl"
    assert first.content.count(b"\n") == first.record_count
    assert first.bad_count == round(first.record_count * recipe["incident"][-1])


def test_seeding_twice_changes_nothing(db):
    _seed()
    first = _counts()

    _seed()

    assert _counts() == first


def test_demo_users_sign_in_with_the_printed_password(db, client):
    _seed()

    assert client.login(username="priya", password="demo-password-123")


def test_run_demo_again_on_the_same_database_reuses_the_data_and_keeps_a_stewards_edit(
    db, settings
):
    settings.DEBUG = True
    first_output = io.StringIO()
    call_command("run_demo", no_serve=True, stdout=first_output)
    edited = DataContract.objects.order_by("name").first()
    DataContract.objects.filter(pk=edited.pk).update(description="Edited by a steward")
    before = _counts()
    second_output = io.StringIO()

    call_command("run_demo", no_serve=True, stdout=second_output)

    assert "Demo data created in 3 spaces." in first_output.getvalue()
    assert ("Reusing the demo data already in this database (3 spaces): your edits are kept, "
            "anything missing is brought back.") in second_output.getvalue()
    assert DataContract.objects.get(pk=edited.pk).description == "Edited by a steward"
    assert _counts() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_runs_a_worker_beside_the_server_that_completes_jobs(
    requires_postgresql, settings, tmp_path, monkeypatch
):
    database = connection.settings_dict
    monkeypatch.setenv("DATABASE_URL", f"postgres://{database['USER']}@{database['HOST']}:"
                                       f"{database['PORT']}/{database['NAME']}")
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    settings.MEDIA_ROOT = tmp_path / "media"
    space = factories.SpaceFactory(name="Demo", slug="demo")
    steward = factories.MembershipFactory(space=space, role="steward").user

    command = RunDemo(stdout=io.StringIO())
    with pytest.raises(SystemExit) as stopped, command.background_worker() as worker:
        with transaction.atomic():
            job = job_enqueue(kind="tenancy.audit_export", space=space, user=steward,
                              payload={})
        deadline = time.monotonic() + 60
        while Job.objects.get(pk=job.pk).state != JobState.DONE and time.monotonic() < deadline:
            time.sleep(0.2)
        parent_of_worker = int(Path(f"/proc/{worker.pid}/stat").read_text().split()[3])
        os.kill(os.getpid(), signal.SIGTERM)  # `kill` of the demo, as a closed terminal
        time.sleep(5)

    assert Job.objects.get(pk=job.pk).state == JobState.DONE
    assert parent_of_worker == os.getpid()
    assert stopped.value.code == 128 + signal.SIGTERM
    assert worker.returncode is not None  # stopped with the demo
    assert signal.getsignal(signal.SIGTERM) is not _stop_demo
