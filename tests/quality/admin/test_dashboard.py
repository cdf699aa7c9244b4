"""The admin's front page: the quality of the user's spaces above the models."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quality.models import Alert, AlertKind
from tests import factories
from tests.quality.admin.helpers import signed_in

pytestmark = pytest.mark.usefixtures("unscoped")

INDEX_URL = reverse("admin:index")


def _alert(space, message):
    return Alert.objects.create(organization=space.organization, space=space, severity="critical",
                                kind=AlertKind.QUALITY_CHECK_FAILED, message=message)


def test_the_front_page_draws_the_users_quality_above_the_models(
    contract, steward_client, foreign_violation
):
    factories.QualityViolationFactory(data_contract=contract, severity="critical")
    factories.QualityMetricFactory(
        data_contract=contract, passed="false", overall_score=61.0,
        field_scores={"age": 42.0}, threshold_breaches=["overall score 61.0 < 90"],
        check_timestamp=timezone.now() - timedelta(hours=1),
    )
    _alert(contract.space, "flights check failed")

    response = steward_client.get(INDEX_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index('class="quality-dashboard"') < content.index('class="app-quality module')
    assert '<svg class="quality-chart quality-bars"' in content
    assert "<title>Critical: 1</title>" in content
    assert "<title>flights 1.0.0 · age: 42.0 / 100</title>" in content
    assert ">42.0 / 100</text>" in content
    assert "<h2>Worst fields: lowest field scores</h2>" in content
    assert "Field score, 0 to 100, in the latest check of each contract" in content
    assert "overall score 61.0 &lt; 90" in content
    assert "flights check failed" in content
    assert "zz_foreign" not in content


def test_severity_bars_link_to_the_violations_that_need_work(contract, steward_client):
    factories.QualityViolationFactory(data_contract=contract, severity="critical")

    response = steward_client.get(INDEX_URL)

    link = reverse("admin:quality_qualityviolation_changelist")
    assert f'<a href="{link}?status=unresolved&amp;severity__exact=critical">'.encode() \
        in response.content


def test_an_organization_admin_sees_the_alerts_of_all_its_spaces(
    organization, space, other_space
):
    second_space = factories.SpaceFactory(organization=organization)
    _alert(space, "flights alert")
    _alert(second_space, "cargo alert")
    _alert(other_space, "zz_foreign alert")
    administrator = factories.OrganizationAdminFactory(organization=organization).user

    response = signed_in(administrator).get(INDEX_URL)

    assert b"flights alert" in response.content
    assert b"cargo alert" in response.content
    assert b"zz_foreign" not in response.content
    assert b"Alerts not yet acknowledged (2)" in response.content


def test_a_user_without_spaces_sees_no_dashboard(db, unscoped):
    outsider = factories.UserFactory()

    response = signed_in(outsider).get(INDEX_URL)

    assert response.status_code == 200
    assert b"quality-dashboard" not in response.content
