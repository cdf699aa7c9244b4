"""Quality checks, triage history and alerts: read-only facts, scoped; alerts get acknowledged."""

import pytest

from quality.models import Alert, AlertKind, ViolationTransition
from tests import factories
from tests.quality.admin.helpers import admin_url, signed_in

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def check(contract):
    return factories.QualityMetricFactory(data_contract=contract, field_scores={"age": 42.0},
                                          threshold_breaches=["age score 42.0 < 80"])


@pytest.fixture
def foreign_check(other_space):
    return factories.QualityMetricFactory(data_contract__space=other_space,
                                          data_contract__name="zz_foreign_contract")


@pytest.fixture
def transition(contract, steward):
    violation = factories.QualityViolationFactory(data_contract=contract, status="acknowledged")
    return ViolationTransition.objects.create(violation=violation, from_status="open",
                                              to_status="acknowledged", actor=steward,
                                              actor_name=steward.username)


def _alert(space, message, **fields):
    return Alert.objects.create(organization=space.organization, space=space,
                                kind=AlertKind.QUALITY_CHECK_FAILED, message=message, **fields)


@pytest.mark.parametrize("model_name", ["qualitymetric", "violationtransition", "alert"])
def test_nobody_adds_changes_or_deletes_quality_facts(
    model_name, check, transition, space, steward_client
):
    row = {"qualitymetric": check, "violationtransition": transition,
           "alert": _alert(space, "failed")}[model_name]

    add = steward_client.get(admin_url(model_name, "add"))
    change = steward_client.post(admin_url(model_name, "change", row.pk), {})
    delete = steward_client.post(admin_url(model_name, "delete", row.pk), {"post": "yes"})
    page = steward_client.get(admin_url(model_name, "change", row.pk))

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert type(row).objects.filter(pk=row.pk).exists()


def test_the_checks_list_shows_the_users_checks_only(check, foreign_check, steward_client):
    response = steward_client.get(admin_url("qualitymetric"))

    assert list(response.context["cl"].result_list) == [check]
    assert b"zz_foreign" not in response.content


def test_a_checks_page_draws_its_field_scores_and_lists_its_breaches(check, steward_client):
    response = steward_client.get(admin_url("qualitymetric", "change", check.pk))

    assert b"<title>age: 42.0 / 100</title>" in response.content
    assert b"<li>age score 42.0 &lt; 80</li>" in response.content


def test_failed_checks_filter(contract, check, steward_client):
    failed = factories.QualityMetricFactory(data_contract=contract, passed="false")

    response = steward_client.get(admin_url("qualitymetric") + "?outcome=failed")

    assert list(response.context["cl"].result_list) == [failed]


def test_the_history_list_shows_the_users_transitions_only(
    transition, foreign_violation, other_steward, steward_client
):
    ViolationTransition.objects.create(violation=foreign_violation, from_status="open",
                                       to_status="ignored", actor_name=other_steward.username)

    response = steward_client.get(admin_url("violationtransition"))

    assert list(response.context["cl"].result_list) == [transition]
    assert b"zz_foreign" not in response.content


@pytest.mark.parametrize("model_name", ["qualitymetric", "violationtransition", "alert"])
def test_another_spaces_row_is_not_found(model_name, other_space, other_steward, steward_client):
    foreign_violation = factories.QualityViolationFactory(data_contract__space=other_space)
    row = {
        "qualitymetric": lambda: factories.QualityMetricFactory(data_contract__space=other_space),
        "violationtransition": lambda: ViolationTransition.objects.create(
            violation=foreign_violation, from_status="open", to_status="ignored",
            actor_name="someone"),
        "alert": lambda: _alert(other_space, "foreign"),
    }[model_name]()

    response = steward_client.get(admin_url(model_name, "change", row.pk))

    assert response.status_code == 404


def test_a_steward_acknowledges_alerts_of_their_space(space, other_space, steward, steward_client):
    mine = _alert(space, "mine")
    foreign = _alert(other_space, "foreign")

    response = steward_client.post(admin_url("alert"), {
        "action": "acknowledge_alerts", "index": "0",
        "_selected_action": [mine.pk, foreign.pk],
    })

    assert response.status_code == 302
    mine.refresh_from_db()
    foreign.refresh_from_db()
    assert (mine.acknowledged_by, foreign.acknowledged_by) == (steward, None)


def test_a_viewer_cannot_acknowledge_alerts(space, viewer_client):
    alert = _alert(space, "mine")

    page = viewer_client.get(admin_url("alert"))
    viewer_client.post(admin_url("alert"), {"action": "acknowledge_alerts", "index": "0",
                                            "_selected_action": [alert.pk]})

    assert b"acknowledge_alerts" not in page.content
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_unacknowledged_filter(space, steward, steward_client):
    waiting = _alert(space, "waiting")
    _alert(space, "seen", acknowledged_by=steward, acknowledged_at=waiting.created_at)

    response = steward_client.get(admin_url("alert") + "?acknowledged=no")

    assert list(response.context["cl"].result_list) == [waiting]


def test_the_space_filter_lists_only_the_users_spaces(
    organization, space, other_space, steward
):
    second_space = factories.SpaceFactory(organization=organization, name="Cargo")
    factories.MembershipFactory(space=second_space, user=steward)
    _alert(space, "mine")

    response = signed_in(steward).get(admin_url("alert"))

    [space_filter] = [spec for spec in response.context["cl"].filter_specs
                      if spec.title == "space"]
    assert [label for _, label in space_filter.lookup_choices] == ["Cargo", "Flights"]
