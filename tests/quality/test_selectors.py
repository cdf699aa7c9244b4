"""Quality reads: the dashboard, a contract's quality, my work, incidents, who may be assigned."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import OWNERSHIP_ROLE_LINKS
from quality.models import Alert, AlertKind, QualityViolation
from quality.selectors import (
    contract_quality_summary,
    dashboard_summary,
    incident_from_row,
    incident_list,
    incident_violations,
    my_work,
    space_member_choices,
    violation_assignee_candidates,
)
from tenancy.models import Role
from tenancy.scoping import access_for, user_scope
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

NOW = timezone.now()


def _check(contract, days_ago, **fields):
    return factories.QualityMetricFactory(
        data_contract=contract, check_timestamp=NOW - timedelta(days=days_ago), **fields
    )


def _alert(space, message, **fields):
    return Alert.objects.create(organization=space.organization, space=space,
                                kind=AlertKind.QUALITY_CHECK_FAILED, message=message, **fields)


def _dashboard(user):
    with user_scope(user):
        return dashboard_summary(access=access_for(user))


# Dashboard


def test_the_dashboard_counts_contracts_and_violations_of_the_users_spaces_only(
    space, other_space, steward
):
    active = factories.DataContractFactory(space=space, status="active")
    factories.DataContractFactory(space=space, status="draft")
    factories.DataContractFactory(space=space, status="active")
    foreign = factories.DataContractFactory(space=other_space, status="active")
    for severity in ("critical", "critical", "warning"):
        factories.QualityViolationFactory(data_contract=active, severity=severity)
    factories.QualityViolationFactory(data_contract=active, severity="critical", status="resolved")
    factories.QualityViolationFactory(data_contract=active, severity="info", status="assigned")
    factories.QualityViolationFactory(data_contract=foreign, severity="critical")

    summary = _dashboard(steward)

    assert [(tally.key, tally.count) for tally in summary.contracts_by_status.items] == [
        ("draft", 1), ("active", 2), ("deprecated", 0)
    ]
    assert [
        (tally.key, tally.count) for tally in summary.unresolved_violations_by_severity.items
    ] == [("critical", 2), ("warning", 1), ("info", 1)]
    assert summary.unresolved_violations_by_severity.maximum == 2


def test_failing_checks_are_the_latest_check_of_each_contract_when_it_failed(
    space, other_space, steward
):
    recovered = factories.DataContractFactory(space=space, name="recovered")
    failing = factories.DataContractFactory(space=space, name="failing")
    _check(recovered, days_ago=2, passed="false")
    _check(recovered, days_ago=1, passed="true")
    _check(failing, days_ago=3, passed="true")
    latest_failure = _check(failing, days_ago=1, passed="false")
    _check(factories.DataContractFactory(space=other_space), days_ago=1, passed="false")

    summary = _dashboard(steward)

    assert summary.failing_checks == [latest_failure]


def test_worst_fields_are_the_lowest_scores_of_the_latest_checks(space, steward):
    flights = factories.DataContractFactory(space=space, name="flights")
    bookings = factories.DataContractFactory(space=space, name="bookings")
    _check(flights, days_ago=2, field_scores={"fare": 1.0})
    _check(flights, days_ago=1, field_scores={"fare": 70.0, "origin": 99.0})
    _check(bookings, days_ago=1, field_scores={"seat": 40.5, "note": "n/a"})

    summary = _dashboard(steward)

    assert [(field.check.data_contract.name, field.field_name, field.score)
            for field in summary.worst_fields] == [
        ("bookings", "seat", 40.5), ("flights", "fare", 70.0), ("flights", "origin", 99.0)
    ]


def test_unacknowledged_alerts_of_the_users_spaces_newest_first(space, other_space, steward):
    _alert(space, "old", created_at=NOW - timedelta(hours=2))
    _alert(space, "new", created_at=NOW - timedelta(hours=1))
    _alert(space, "seen", acknowledged_at=NOW)
    _alert(other_space, "foreign")

    summary = _dashboard(steward)

    assert [alert.message for alert in summary.unacknowledged_alerts] == ["new", "old"]
    assert summary.unacknowledged_alert_count == 2


def test_an_organization_admin_sees_the_alerts_of_every_space_of_the_organization(
    organization, space, other_space
):
    second_space = factories.SpaceFactory(organization=organization)
    administrator = factories.OrganizationAdminFactory(organization=organization).user
    _alert(space, "flights")
    _alert(second_space, "cargo")
    _alert(other_space, "foreign")

    summary = _dashboard(administrator)

    assert sorted(alert.message for alert in summary.unacknowledged_alerts) == ["cargo", "flights"]


def test_the_alert_count_goes_beyond_the_listed_alerts(space, steward):
    for number in range(3):
        _alert(space, f"alert {number}")

    with user_scope(steward):
        summary = dashboard_summary(access=access_for(steward), list_size=2)

    assert (len(summary.unacknowledged_alerts), summary.unacknowledged_alert_count) == (2, 3)


@pytest.mark.parametrize("contract_count", [1, 12])
def test_the_dashboard_takes_five_queries_whatever_the_data(contract_count, space, steward):
    for _ in range(contract_count):
        contract = factories.DataContractFactory(space=space)
        _check(contract, days_ago=1, passed="false")
        factories.QualityViolationFactory(data_contract=contract)
        _alert(space, "failed", data_contract=contract)
    access = access_for(steward)

    with user_scope(steward), CaptureQueriesContext(connection) as queries:
        summary = dashboard_summary(access=access)
        [(alert.space.name, str(alert.data_contract)) for alert in summary.unacknowledged_alerts]
        [str(check.data_contract) for check in summary.failing_checks]

    assert len(queries) == 5


# A contract's quality


def test_contract_quality_is_the_trend_of_the_last_checks_and_the_latest_field_scores(
    space, other_space
):
    contract = factories.DataContractFactory(space=space)
    for days_ago, score in [(4, 50.0), (3, 60.0), (2, 70.0), (1, 80.0)]:
        _check(contract, days_ago=days_ago, overall_score=score,
               field_scores={"age": score, "user_id": 100.0})
    _check(factories.DataContractFactory(space=space), days_ago=0, overall_score=1.0)
    factories.QualityViolationFactory(data_contract=contract)
    factories.QualityViolationFactory(data_contract=contract, status="ignored")
    factories.QualityViolationFactory(data_contract=contract, assignee=factories.UserFactory())

    summary = contract_quality_summary(contract=contract, check_count=3)

    assert [check.overall_score for check in summary.checks] == [60.0, 70.0, 80.0]
    assert summary.latest_check.overall_score == 80.0
    assert [(field.field_name, field.score) for field in summary.field_scores] == [
        ("age", 80.0), ("user_id", 100.0)
    ]
    assert summary.unresolved_violation_count == 2
    # Only the open violation nobody has taken on is what a complete check may resolve.
    assert summary.auto_resolvable_violation_count == 1


def test_a_contract_never_checked_has_an_empty_summary(space):
    summary = contract_quality_summary(contract=factories.DataContractFactory(space=space))

    assert (summary.checks, summary.latest_check, summary.field_scores,
            summary.unresolved_violation_count) == ([], None, [], 0)


# My work


def _owned_contract(space, owner, role="business_owners", **contract_fields):
    record = factories.MetadataRecordFactory(data_contract__space=space,
                                             data_contract__status="active")
    contract = record.data_contract
    for field, value in contract_fields.items():
        setattr(contract, field, value)
    contract.metadata_record = record
    contract.save()
    OWNERSHIP_ROLE_LINKS[role].objects.create(metadata_record=record, owner=owner)
    return contract


def test_my_work_lists_unresolved_violations_assigned_to_me_most_urgent_first(
    space, steward, other_space
):
    contract = factories.DataContractFactory(space=space)
    medium = factories.QualityViolationFactory(data_contract=contract, assignee=steward,
                                               status="assigned", priority="medium")
    urgent = factories.QualityViolationFactory(data_contract=contract, assignee=steward,
                                               status="assigned", priority="urgent")
    factories.QualityViolationFactory(data_contract=contract, assignee=steward, status="resolved")
    factories.QualityViolationFactory(data_contract=contract, status="open")

    with user_scope(steward):
        work = my_work(user=steward)

    assert work.assigned == [urgent, medium]
    assert work.assigned_count == 2


@pytest.mark.parametrize("role", sorted(OWNERSHIP_ROLE_LINKS))
def test_i_own_a_contract_through_any_of_the_five_roles(role, space, steward):
    owner = factories.OwnerFactory(organization=space.organization, id=steward.username)
    contract = _owned_contract(space, owner, role=role)
    factories.QualityViolationFactory(data_contract=contract)

    with user_scope(steward):
        work = my_work(user=steward)

    [owned] = work.contracts_needing_attention
    assert (owned.contract, owned.roles, owned.unresolved_violation_count) == (
        contract, [OWNERSHIP_ROLE_LINKS[role]._meta.verbose_name], 1
    )


def test_owners_are_matched_by_email_too_and_only_contracts_that_need_attention_are_listed(
    space, steward
):
    owner = factories.OwnerFactory(organization=space.organization, id="someone_else",
                                   email=steward.email.upper())
    failing = _owned_contract(space, owner, name="failing")
    _check(failing, days_ago=2, passed="true")
    _check(failing, days_ago=1, passed="false")
    healthy = _owned_contract(space, owner, name="healthy")
    _check(healthy, days_ago=1, passed="true")
    factories.QualityViolationFactory(data_contract=healthy, status="resolved")

    with user_scope(steward):
        work = my_work(user=steward)

    assert [(owned.contract.name, owned.latest_check_failed, owned.unresolved_violation_count)
            for owned in work.contracts_needing_attention] == [("failing", True, 0)]
    assert work.owned_contract_count == 2


def test_only_the_current_metadata_record_makes_an_owner(space, steward):
    owner = factories.OwnerFactory(organization=space.organization, id=steward.username)
    contract = _owned_contract(space, owner)
    newer_record = factories.MetadataRecordFactory(data_contract=contract, version="2.0.0")
    contract.metadata_record = newer_record
    contract.save()
    factories.QualityViolationFactory(data_contract=contract)

    with user_scope(steward):
        work = my_work(user=steward)

    assert (work.contracts_needing_attention, work.owned_contract_count) == ([], 0)


def test_another_spaces_contracts_are_never_mine(space, other_space, steward):
    foreign_owner = factories.OwnerFactory(organization=other_space.organization,
                                           id=steward.username)
    factories.QualityViolationFactory(data_contract=_owned_contract(other_space, foreign_owner))

    with user_scope(steward):
        work = my_work(user=steward)

    assert work.owned_contract_count == 0


# Incidents


def test_incidents_group_violations_by_contract_version_field_and_rule(space, other_space, steward):
    contract = factories.DataContractFactory(space=space, name="flights")
    for days_ago, severity in [(3, "info"), (1, "critical")]:
        factories.QualityViolationFactory(
            data_contract=contract, field_name="age", rule="minimum", severity=severity,
            check_timestamp=NOW - timedelta(days=days_ago),
        )
    factories.QualityViolationFactory(data_contract=contract, field_name="age", rule="maximum",
                                      severity="warning")
    factories.QualityViolationFactory(data_contract=contract, field_name="age", rule="minimum",
                                      status="resolved")
    factories.QualityViolationFactory(data_contract__space=other_space, field_name="age",
                                      rule="minimum")

    with user_scope(steward):
        incidents = [incident_from_row(row) for row in incident_list()]

    assert [(incident.contract_name, incident.field_name, incident.rule,
             incident.violation_count, incident.worst_severity) for incident in incidents] == [
        ("flights", "age", "minimum", 2, "critical"), ("flights", "age", "maximum", 1, "warning")
    ]
    assert incidents[0].oldest == NOW - timedelta(days=3)
    assert incidents[0].newest == NOW - timedelta(days=1)


def test_an_incidents_token_names_all_of_its_violations_in_any_status(space, steward):
    contract = factories.DataContractFactory(space=space)
    grouped = [
        factories.QualityViolationFactory(data_contract=contract, rule=None, status=status)
        for status in ("open", "resolved")
    ]
    factories.QualityViolationFactory(data_contract=contract, rule="minimum")
    with user_scope(steward):
        [incident] = [incident_from_row(row) for row in incident_list(data_contract_id=contract.pk)
                      if row["rule"] is None]

        violations = set(incident_violations(tokens=[incident.token]))

    assert violations == set(grouped)


def test_an_incident_without_a_contract_or_rule_still_filters_the_list(space, steward):
    violation = factories.QualityViolationFactory(data_contract__space=space, rule=None)
    QualityViolation.objects.filter(pk=violation.pk).update(data_contract=None)  # contract deleted
    with user_scope(steward):
        [incident] = [incident_from_row(row) for row in incident_list()]

    assert incident.lookups == {
        "data_contract__isnull": "True", "schema_version": "1.0.0", "field_name": "age",
        "error_type": "validation_error", "rule__isnull": "True",
    }


@pytest.mark.parametrize("token", ["not json", "[1, 2]", '["a", "b", "c", "d", 5]'])
def test_a_token_that_is_not_an_incident_is_refused(token, space, steward):
    with user_scope(steward), pytest.raises(ValueError):
        incident_violations(tokens=[token])


def test_incident_tokens_cannot_reach_another_space(space, other_space, steward):
    foreign = factories.QualityViolationFactory(data_contract__space=other_space)
    token = (f'["{foreign.data_contract_id}", "1.0.0", "age", "validation_error", null]')

    with user_scope(steward):
        assert list(incident_violations(tokens=[token])) == []
    assert QualityViolation.objects.filter(pk=foreign.pk).exists()


# Who may be assigned


def test_assignee_candidates_work_in_every_space_of_the_selection(organization, space):
    second_space = factories.SpaceFactory(organization=organization)
    in_both = factories.MembershipFactory(space=space, role=Role.ADMIN).user
    factories.MembershipFactory(space=second_space, user=in_both)
    only_first = factories.MembershipFactory(space=space).user
    viewer_of_one = factories.MembershipFactory(space=space, role=Role.VIEWER).user
    factories.MembershipFactory(space=second_space, user=viewer_of_one)
    administrator = factories.OrganizationAdminFactory(organization=organization).user
    inactive = factories.MembershipFactory(space=space, user__is_active=False).user
    factories.MembershipFactory(space=second_space, user=inactive)

    candidates = violation_assignee_candidates(space_ids=[space.pk, second_space.pk])

    assert set(candidates) == {in_both, administrator}
    assert only_first not in candidates
    assert viewer_of_one not in candidates


def test_the_assignee_filter_offers_who_may_be_assigned_in_any_space_of_the_selection(
    organization, space, other_space
):
    second_space = factories.SpaceFactory(organization=organization)
    first_only = factories.MembershipFactory(space=space, user__username="bea").user
    second_admin = factories.MembershipFactory(space=second_space, role=Role.ADMIN,
                                               user__username="al").user
    administrator = factories.OrganizationAdminFactory(organization=organization,
                                                       user__username="zed").user
    factories.MembershipFactory(space=space, role=Role.VIEWER)
    factories.MembershipFactory(space=space, user__is_active=False)
    factories.MembershipFactory(space=other_space)
    factories.OrganizationAdminFactory(organization=other_space.organization)

    choices = space_member_choices(space_ids=[space.pk, second_space.pk])

    assert choices == [(second_admin.pk, "al"), (first_only.pk, "bea"),
                       (administrator.pk, "zed")]
    assert space_member_choices(space_ids=[]) == []
