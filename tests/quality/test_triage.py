"""Triage services: the workflow's rules, its history, and a fixed number of statements."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quality.alerting.services import alert_acknowledge
from quality.models import (
    Alert,
    AlertKind,
    QualityViolation,
    ViolationTransition,
)
from quality.services import triage
from quality.services.triage import (
    violation_acknowledge,
    violation_assign,
    violation_ignore,
    violation_prioritize,
    violation_reopen,
    violation_resolve,
)
from tenancy.models import Role
from tenancy.scoping import user_scope
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def contract(space):
    return factories.DataContractFactory(space=space)


@pytest.fixture
def foreign_violation(other_space):
    return factories.QualityViolationFactory(data_contract__space=other_space)


def _violations(contract, count=2, **fields):
    return [factories.QualityViolationFactory(data_contract=contract, **fields)
            for _ in range(count)]


def _statuses(violations):
    return [QualityViolation.objects.get(pk=violation.pk).status for violation in violations]


def _history(violation):
    return list(
        ViolationTransition.objects.filter(violation=violation)
        .order_by("created_at")
        .values_list("from_status", "to_status", "actor_name")
    )


def test_acknowledging_moves_open_violations_and_records_who_did_it(
    contract, steward, foreign_violation
):
    violations = _violations(contract)

    with user_scope(steward):
        moved = violation_acknowledge(violations=QualityViolation.objects.all(), actor=steward)

    assert moved == 2
    assert _statuses(violations) == ["acknowledged", "acknowledged"]
    assert _history(violations[0]) == [("open", "acknowledged", steward.username)]
    assert _statuses([foreign_violation]) == ["open"]
    assert _history(foreign_violation) == []


def test_a_step_leaves_violations_whose_status_does_not_allow_it(contract, steward):
    open_violation, resolved_violation = _violations(contract)
    QualityViolation.objects.filter(pk=resolved_violation.pk).update(status="resolved")

    with user_scope(steward):
        moved = violation_acknowledge(
            violations=[open_violation, resolved_violation], actor=steward
        )

    assert moved == 1
    assert _statuses([open_violation, resolved_violation]) == ["acknowledged", "resolved"]
    assert _history(resolved_violation) == []


def test_assigning_gives_violations_to_a_member_of_their_space(contract, steward, space):
    colleague = factories.MembershipFactory(space=space, role=Role.STEWARD).user
    violations = _violations(contract)

    with user_scope(steward):
        moved = violation_assign(violations=violations, actor=steward, assignee=colleague)

    assert moved == 2
    assert list(
        QualityViolation.objects.filter(pk__in=[v.pk for v in violations])
        .values_list("status", "assignee")
    ) == [("assigned", colleague.pk), ("assigned", colleague.pk)]
    transition = ViolationTransition.objects.get(violation=violations[0])
    assert (transition.from_status, transition.to_status, transition.assignee) == (
        "open", "assigned", colleague
    )


def test_an_organization_admin_may_be_assigned(contract, steward, organization):
    administrator = factories.OrganizationAdminFactory(organization=organization).user
    violations = _violations(contract, count=1)

    with user_scope(steward):
        moved = violation_assign(violations=violations, actor=steward, assignee=administrator)

    assert moved == 1
    assert QualityViolation.objects.get(pk=violations[0].pk).assignee == administrator


def test_assigning_someone_outside_a_violations_space_changes_nothing(
    contract, steward, other_steward
):
    violations = _violations(contract)

    with user_scope(steward), pytest.raises(ValidationError) as raised:
        violation_assign(violations=violations, actor=steward, assignee=other_steward)

    assert raised.value.message_dict == {
        "assignee": [f"{other_steward.username} may not work on violations in the space "
                     f"of 2 of these violations."]
    }
    assert _statuses(violations) == ["open", "open"]
    assert ViolationTransition.objects.count() == 0


def test_assigning_again_to_the_same_person_records_nothing(contract, steward):
    violations = _violations(contract, count=1)
    with user_scope(steward):
        violation_assign(violations=violations, actor=steward, assignee=steward)

        moved = violation_assign(violations=violations, actor=steward, assignee=steward)

    assert moved == 0
    assert _history(violations[0]) == [("open", "assigned", steward.username)]


@pytest.mark.parametrize(
    ("service", "status"), [(violation_resolve, "resolved"), (violation_ignore, "ignored")]
)
def test_closing_records_the_reason_the_note_who_and_when(
    service, status, contract, steward, foreign_violation
):
    violations = _violations(contract)

    with user_scope(steward):
        moved = service(
            violations=QualityViolation.objects.all(), actor=steward,
            reason="fixed_at_source", note="Upstream fixed the feed.",
        )

    assert moved == 2
    violation = QualityViolation.objects.get(pk=violations[0].pk)
    assert (violation.status, violation.resolved_by, violation.resolution_reason,
            violation.resolution_note) == (status, steward.username, "fixed_at_source",
                                           "Upstream fixed the feed.")
    assert violation.resolved_at is not None
    transition = ViolationTransition.objects.get(violation=violation)
    assert (transition.to_status, transition.reason, transition.note) == (
        status, "fixed_at_source", "Upstream fixed the feed."
    )
    assert _statuses([foreign_violation]) == ["open"]


@pytest.mark.parametrize(
    ("reason", "note", "errors"),
    [
        ("", "", {"reason": ["Choose a reason."]}),
        ("because", "", {"reason": ["Choose a reason."]}),
        ("other", "  ", {"note": ['Say what happened when the reason is "Other".']}),
    ],
)
def test_closing_needs_a_known_reason_and_a_note_for_other(
    reason, note, errors, contract, steward
):
    violations = _violations(contract, count=1)

    with user_scope(steward), pytest.raises(ValidationError) as raised:
        violation_resolve(violations=violations, actor=steward, reason=reason, note=note)

    assert raised.value.message_dict == errors
    assert _statuses(violations) == ["open"]


def test_closed_violations_are_not_closed_again(contract, steward):
    violations = _violations(contract, count=1)
    with user_scope(steward):
        violation_ignore(violations=violations, actor=steward, reason="accepted_risk")

        moved = violation_resolve(violations=violations, actor=steward, reason="false_positive")

    assert moved == 0
    assert _statuses(violations) == ["ignored"]


def test_reopening_forgets_the_resolution_and_the_assignee_but_keeps_the_history(
    contract, steward
):
    violations = _violations(contract, count=1)
    with user_scope(steward):
        violation_assign(violations=violations, actor=steward, assignee=steward)
        violation_resolve(violations=violations, actor=steward, reason="data_corrected",
                          note="Fixed by hand.")

        moved = violation_reopen(violations=violations, actor=steward, note="It came back.")

    assert moved == 1
    violation = QualityViolation.objects.get(pk=violations[0].pk)
    assert (violation.status, violation.assignee, violation.resolved_by, violation.resolved_at,
            violation.resolution_reason, violation.resolution_note) == (
        "open", None, None, None, None, None
    )
    assert [row[:2] for row in _history(violation)] == [
        ("open", "assigned"), ("assigned", "resolved"), ("resolved", "open"),
    ]


def test_open_violations_cannot_be_reopened(contract, steward):
    violations = _violations(contract, count=1)

    with user_scope(steward):
        moved = violation_reopen(violations=violations, actor=steward)

    assert moved == 0
    assert _history(violations[0]) == []


@pytest.mark.parametrize("count", [1, 40])
def test_a_step_runs_the_same_statements_for_one_violation_as_for_many(count, contract, steward):
    _violations(contract, count=count)

    with user_scope(steward), CaptureQueriesContext(connection) as queries:
        violation_resolve(violations=QualityViolation.objects.all(), actor=steward,
                          reason="false_positive")

    # lock-and-read, update, read the counts, move them (one count row emptied, one made),
    # insert history, insert audit entries (+ savepoint bookkeeping, the counts' lock on
    # PostgreSQL)
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries
                  if "django_content_type" not in query["sql"]
                  and "pg_advisory_xact_lock" not in query["sql"]]
    assert [statement for statement in statements if statement in
            ("SELECT", "UPDATE", "INSERT", "DELETE")] == [
        "SELECT", "UPDATE", "SELECT", "UPDATE", "INSERT", "DELETE", "INSERT", "INSERT"]
    assert QualityViolation.objects.filter(status="resolved").count() == count


def test_a_long_list_of_violations_is_changed_in_batches(contract, steward, monkeypatch):
    monkeypatch.setattr(triage, "BATCH_SIZE", 2)
    violations = _violations(contract, count=5)

    with user_scope(steward):
        moved = violation_acknowledge(violations=violations, actor=steward)

    assert moved == 5
    assert set(_statuses(violations)) == {"acknowledged"}
    assert ViolationTransition.objects.count() == 5


def test_priority_changes_without_a_status_change(contract, steward):
    violations = _violations(contract)

    with user_scope(steward):
        changed = violation_prioritize(violations=violations[:1], priority="urgent")

    assert changed == 1
    assert list(
        QualityViolation.objects.order_by("priority").values_list("priority", "status")
    ) == [("medium", "open"), ("urgent", "open")]
    assert ViolationTransition.objects.count() == 0


def test_an_unknown_priority_is_refused(contract, steward):
    with user_scope(steward), pytest.raises(ValidationError):
        violation_prioritize(violations=_violations(contract, count=1), priority="asap")


def test_acknowledging_alerts_keeps_who_saw_them_first(space, steward, other_space):
    colleague = factories.MembershipFactory(space=space, role=Role.STEWARD).user
    alerts = [
        Alert.objects.create(organization=tenant_space.organization, space=tenant_space,
                             kind=AlertKind.QUALITY_CHECK_FAILED, message="Check failed")
        for tenant_space in (space, space, other_space)
    ]
    with user_scope(colleague):
        alert_acknowledge(alerts=alerts[:1], actor=colleague)

    with user_scope(steward):
        acknowledged = alert_acknowledge(alerts=Alert.objects.all(), actor=steward)

    assert acknowledged == 1
    first, second, foreign = (Alert.objects.get(pk=alert.pk) for alert in alerts)
    assert (first.acknowledged_by, second.acknowledged_by) == (colleague, steward)
    assert first.acknowledged_at < second.acknowledged_at
    assert (foreign.acknowledged_by, foreign.acknowledged_at) == (None, None)
