"""No silent lazy loading: every quality page runs as many queries for 1 row as for 200."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import MetadataRecordBusinessOwner
from quality.models import Alert, AlertKind, ViolationTransition
from tenancy.models import Role
from tests import factories
from tests.quality.admin.helpers import admin_url, violation_url, violations_url

pytestmark = pytest.mark.usefixtures("unscoped")


class Rows:
    """Adds rows of one kind, related to different contracts and people, and knows the page's
    URL. (Querysets are sealed: loading any relation lazily fails the test outright.)"""

    def __init__(self, space, steward):
        self.space = space
        self.steward = steward
        self.added = 0
        self.subject = None
        self.people = [steward] + [
            factories.MembershipFactory(space=space, role=Role.STEWARD).user for _ in range(2)
        ]

    def contract(self):
        return factories.DataContractFactory(space=self.space)

    def user(self):
        self.added += 1
        return self.people[self.added % len(self.people)]


class ViolationRows(Rows):
    def add(self, count):
        for _ in range(count):
            factories.QualityViolationFactory(data_contract=self.contract(), assignee=self.user(),
                                              status="assigned")

    def url(self):
        return violations_url()


class FilteredViolationRows(ViolationRows):
    def url(self):
        return violations_url("status=unresolved&assignee=nobody&checked_since=2000-01-01")


class ViolationHistoryRows(Rows):
    """One violation's page, with a longer and longer history."""

    def add(self, count):
        if self.subject is None:
            self.subject = factories.QualityViolationFactory(data_contract=self.contract())
        for _ in range(count):
            ViolationTransition.objects.create(
                violation=self.subject, from_status="open", to_status="assigned",
                actor=self.user(), actor_name="someone", assignee=self.user(),
                reason="other", note="again",
            )

    def url(self):
        return violation_url(self.subject)


class CheckRows(Rows):
    def add(self, count):
        for _ in range(count):
            self.subject = factories.QualityMetricFactory(data_contract=self.contract())

    def url(self):
        return admin_url("qualitymetric")


class CheckPageRows(Rows):
    """One check's page, with more and more field scores."""

    def add(self, count):
        if self.subject is None:
            self.subject = factories.QualityMetricFactory(data_contract=self.contract(),
                                                          field_scores={})
        size = len(self.subject.field_scores) + count
        self.subject.field_scores = {f"field_{number}": 50.0 for number in range(size)}
        self.subject.save()

    def url(self):
        return admin_url("qualitymetric", "change", self.subject.pk)


class TransitionRows(Rows):
    def add(self, count):
        for _ in range(count):
            violation = factories.QualityViolationFactory(data_contract=self.contract())
            self.subject = ViolationTransition.objects.create(
                violation=violation, from_status="open", to_status="assigned",
                actor=self.user(), actor_name="someone", assignee=self.user(),
            )

    def url(self):
        return admin_url("violationtransition")


class TransitionPageRows(TransitionRows):
    def add(self, count):
        if self.subject is None:
            super().add(1)
            count -= 1
        for _ in range(count):
            ViolationTransition.objects.create(violation=self.subject.violation,
                                               from_status="assigned", to_status="open",
                                               actor_name="someone")

    def url(self):
        return admin_url("violationtransition", "change", self.subject.pk)


class AlertRows(Rows):
    def add(self, count):
        for _ in range(count):
            contract = self.contract()
            self.subject = Alert.objects.create(
                organization=self.space.organization, space=self.space, data_contract=contract,
                quality_metric=factories.QualityMetricFactory(data_contract=contract),
                kind=AlertKind.QUALITY_CHECK_FAILED, message="failed",
                acknowledged_by=self.user(), acknowledged_at=timezone.now(),
            )

    def url(self):
        return admin_url("alert")


class AlertPageRows(AlertRows):
    def url(self):
        return admin_url("alert", "change", self.subject.pk)


class IncidentRows(Rows):
    def add(self, count):
        for _ in range(count):
            factories.QualityViolationFactory(data_contract=self.contract(),
                                              field_name=f"field_{self.user().pk}_{self.added}")

    def url(self):
        return admin_url("qualityviolation", "incidents")


class MyWorkRows(Rows):
    """Violations assigned to the steward and contracts they own, both growing."""

    def add(self, count):
        owner = factories.OwnerFactory._meta.model.objects.filter(pk=self.steward.username).first()
        if owner is None:
            owner = factories.OwnerFactory(organization=self.space.organization,
                                           id=self.steward.username)
        for _ in range(count):
            record = factories.MetadataRecordFactory(data_contract=self.contract())
            contract = record.data_contract
            contract.metadata_record = record
            contract.save()
            MetadataRecordBusinessOwner.objects.create(metadata_record=record, owner=owner)
            factories.QualityViolationFactory(data_contract=contract, assignee=self.steward,
                                              status="assigned")

    def url(self):
        return admin_url("qualityviolation", "my_work")


class DashboardRows(Rows):
    def add(self, count):
        for _ in range(count):
            contract = self.contract()
            check = factories.QualityMetricFactory(
                data_contract=contract, passed="false",
                check_timestamp=timezone.now() - timedelta(minutes=count),
            )
            factories.QualityViolationFactory(data_contract=contract)
            Alert.objects.create(organization=self.space.organization, space=self.space,
                                 data_contract=contract, quality_metric=check,
                                 kind=AlertKind.QUALITY_CHECK_FAILED, message="failed")

    def url(self):
        return reverse("admin:index")


PAGES = {
    "violations list": ViolationRows,
    "violations list, filtered": FilteredViolationRows,
    "violation page": ViolationHistoryRows,
    "checks list": CheckRows,
    "check page": CheckPageRows,
    "history list": TransitionRows,
    "history page": TransitionPageRows,
    "alerts list": AlertRows,
    "alert page": AlertPageRows,
    "incidents": IncidentRows,
    "my work": MyWorkRows,
    "front page": DashboardRows,
}


def _query_count(client, url):
    # Warms what the site keeps between requests: content types, the user's navigation.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_runs_as_many_queries_for_one_row_as_for_two_hundred(
    page, space, steward, steward_client
):
    rows = PAGES[page](space, steward)
    rows.add(1)
    with_one_row = _query_count(steward_client, rows.url())

    rows.add(199)
    with_two_hundred_rows = _query_count(steward_client, rows.url())

    assert with_two_hundred_rows == with_one_row

