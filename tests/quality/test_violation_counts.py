"""Violation counts: after every writer of violations they equal a count over the violations.

Checks, re-runs, recorded results and triage each write them in their own
transaction; the other space's counts never move.
"""

import importlib
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from quality.models import QualityViolation, ViolationCount
from quality.services.results import ReportedViolation, quality_result_record
from quality.services.triage import (
    violation_acknowledge,
    violation_assign,
    violation_ignore,
    violation_reopen,
    violation_resolve,
)
from quality.services.violation_counts import violation_counts_rebuild
from tenancy.scoping import space_scope, user_scope
from tests import factories
from tests.quality.test_quality_check import VALID, _check, _contract, _jsonl, _records

pytestmark = pytest.mark.usefixtures("unscoped")

KEY = ("space_id", "data_contract_id", "field_name", "error_type", "severity", "status")


def _counted():
    totals = Counter()
    for *key, is_assigned, count in ViolationCount.objects.values_list(*KEY, "is_assigned",
                                                                       "count"):
        totals[(*key, is_assigned)] += count
    return {key: count for key, count in totals.items() if count}


def _by_status(**filters):
    totals = Counter()
    for status, count in ViolationCount.objects.filter(**filters).values_list("status", "count"):
        totals[status] += count
    return dict(totals)


def _assert_counts_match():
    actual = Counter()
    for *key, assignee_id in QualityViolation.objects.values_list(*KEY, "assignee_id"):
        actual[(*key, assignee_id is not None)] += 1
    assert _counted() == dict(actual)


def test_a_check_and_its_reruns_keep_the_counts_of_what_they_open_resolve_and_reopen(
    space, other_space, tmp_path
):
    _contract(space)
    theirs = factories.QualityViolationFactory(
        data_contract=factories.DataContractFactory(space=other_space)
    )
    their_counts = list(ViolationCount.objects.filter(space=other_space).values_list(
        "status", "count"))

    _check(space, _jsonl(tmp_path, _records()), expect_exit=1)
    _assert_counts_match()
    assert _by_status(space=space) == {"open": 3}

    # u3 fixed: its two violations are resolved by a complete re-run
    fixed = [record if record["card_number"] != "u3" else {**VALID, "card_number": "u3"}
             for record in _records()]
    _check(space, _jsonl(tmp_path, fixed, name="fixed.jsonl"), expect_exit=1)
    _assert_counts_match()
    assert _by_status(space=space) == {"open": 1, "resolved": 2}

    # broken again: reopened
    _check(space, _jsonl(tmp_path, _records(), name="again.jsonl"), expect_exit=1)
    _assert_counts_match()
    assert _by_status(space=space) == {"open": 3}
    assert list(ViolationCount.objects.filter(space=other_space).values_list(
        "status", "count")) == their_counts
    assert theirs.status == "open"


def test_triage_moves_counts_between_statuses_and_assignment(space, other_space, steward):
    contract = factories.DataContractFactory(space=space)
    violations = [factories.QualityViolationFactory(data_contract=contract,
                                                    severity=severity, field_name=field)
                  for severity, field in (("critical", "age"), ("warning", "age"),
                                          ("warning", "email"), ("info", None))]
    factories.QualityViolationFactory(data_contract=factories.DataContractFactory(
        space=other_space))
    every = QualityViolation.objects.filter(data_contract=contract)

    with user_scope(steward):
        violation_acknowledge(violations=every.filter(field_name="age"), actor=steward)
        _assert_counts_match()
        violation_assign(violations=every.filter(pk=violations[2].pk), actor=steward,
                         assignee=steward)
        _assert_counts_match()
        violation_resolve(violations=every.filter(pk__in=[violations[0].pk, violations[2].pk]),
                          actor=steward, reason="false_positive")
        _assert_counts_match()
        violation_ignore(violations=every, actor=steward, reason="accepted_risk")
        _assert_counts_match()
        violation_reopen(violations=every, actor=steward)
        _assert_counts_match()

    assert set(ViolationCount.objects.filter(data_contract=contract).values_list(
        "status", "is_assigned")) == {("open", False)}
    assert _by_status(data_contract=contract) == {"open": 4}


def test_a_recorded_result_counts_what_it_opens_and_refreshes(space, steward):
    contract = factories.DataContractFactory(space=space)
    known = factories.QualityViolationFactory(data_contract=contract, record_identifier="r1",
                                              field_name="age", error_type="type_error",
                                              severity="info")

    with space_scope(space):
        quality_result_record(
            contract=contract, metric={"record_count": 2}, passed=False, created_by="dbt",
            source="dbt", actor=steward,
            violations=[
                ReportedViolation(field_name="age", error_type="type_error",
                                  record_identifier="r1", severity="critical"),
                ReportedViolation(field_name="email", error_type="format",
                                  record_identifier="r2"),
            ],
        )

    _assert_counts_match()
    known.refresh_from_db()
    assert known.severity == "critical"
    assert dict(ViolationCount.objects.filter(data_contract=contract).values_list(
        "severity", "count")) == {"critical": 1, "warning": 1}


def test_recounting_a_space_counts_rows_other_tools_wrote_and_leaves_other_spaces(
    space, other_space
):
    contract = factories.DataContractFactory(space=space)
    factories.QualityViolationFactory(data_contract=contract)
    theirs = factories.QualityViolationFactory(
        data_contract=factories.DataContractFactory(space=other_space))
    # as a plain-SQL writer would: without the counts
    QualityViolation.objects.filter(data_contract=contract).update(status="ignored")
    QualityViolation.objects.bulk_create([
        QualityViolation(space=space, schema_id="user", field_name="age", status="open"),
    ])
    ViolationCount.objects.filter(space=other_space).update(count=7)

    call_command("recount_violations", "--space",
                 f"{space.organization.slug}/{space.slug}", stdout=io.StringIO())

    assert _by_status(space=space) == {"ignored": 1, "open": 1}
    assert list(ViolationCount.objects.filter(space=other_space).values_list(
        "count", flat=True)) == [7]
    with space_scope(other_space):
        violation_counts_rebuild(space_ids=[other_space.pk])
    _assert_counts_match()
    assert theirs.space_id == other_space.pk


def test_the_migration_counts_the_violations_already_there(space, other_space, steward):
    migration = importlib.import_module("quality.migrations.0008_violation_counts")
    contract = factories.DataContractFactory(space=space)
    for severity, status, assignee in (("critical", "open", None), ("critical", "open", None),
                                       ("info", "assigned", steward), ("info", "resolved", None)):
        factories.QualityViolationFactory(data_contract=contract, severity=severity,
                                          status=status, assignee=assignee)
    factories.QualityViolationFactory(data_contract=factories.DataContractFactory(
        space=other_space))
    ViolationCount.objects.all().delete()

    with connection.cursor() as cursor:
        cursor.execute(migration.COUNT_EXISTING_VIOLATIONS)

    _assert_counts_match()
    assert _by_status(data_contract=contract) == {"open": 2, "assigned": 1, "resolved": 1}
