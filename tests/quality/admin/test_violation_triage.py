"""Bulk triage from the violations list and from a violation's page."""

import pytest

from quality.models import QualityViolation, ViolationTransition
from tenancy.models import Role
from tests import factories
from tests.quality.admin.helpers import listed, violation_url, violations_url

pytestmark = pytest.mark.usefixtures("unscoped")


def _violations(contract, *record_identifiers, **fields):
    return [factories.QualityViolationFactory(data_contract=contract,
                                              record_identifier=record_identifier, **fields)
            for record_identifier in record_identifiers]


def _start(client, action, violations, url=None, **extra):
    """What the list's action bar posts."""
    return client.post(url or violations_url(), {
        "action": action, "index": "0", "select_across": "0",
        "_selected_action": [violation.pk for violation in violations], **extra,
    })


def _confirm(client, action, violations, url=None, **answers):
    """What the intermediate page posts."""
    return client.post(url or violations_url(), {
        "action": action, "select_across": "0", "apply": "yes",
        "_selected_action": [violation.pk for violation in violations], **answers,
    })


def _status(violation):
    return QualityViolation.objects.get(pk=violation.pk).status


def _messages(response):
    return [str(message) for message in response.wsgi_request._messages]


def test_acknowledging_selected_violations_needs_no_questions(
    contract, steward_client, foreign_violation
):
    first, second, untouched = _violations(contract, "first", "second", "untouched")

    response = _start(steward_client, "acknowledge_violations", [first, second])

    assert response.status_code == 302
    assert response["Location"] == violations_url()
    assert [_status(first), _status(second), _status(untouched)] == [
        "acknowledged", "acknowledged", "open"
    ]
    assert _messages(response) == ["Acknowledged 2 violations."]
    assert _status(foreign_violation) == "open"


def test_resolving_asks_for_a_reason_and_a_note_first(contract, steward_client):
    first, second = _violations(contract, "first", "second")

    page = _start(steward_client, "resolve_violations", [first, second])

    assert page.status_code == 200
    assert page.templates[0].name == "admin/quality/triage_confirmation.html"
    assert b"Resolve <strong>2 violations</strong>" in page.content
    assert b'<option value="false_positive">False positive</option>' in page.content
    assert b"No longer found" not in page.content
    assert [_status(first), _status(second)] == ["open", "open"]


def test_resolving_with_a_reason_and_a_note_closes_and_records_them(
    contract, steward, steward_client
):
    first, second = _violations(contract, "first", "second")

    response = _confirm(steward_client, "resolve_violations", [first, second],
                        reason="fixed_at_source", note="Feed repaired upstream.")

    assert response.status_code == 302
    for violation in (first, second):
        violation.refresh_from_db()
        assert (violation.status, violation.resolution_reason, violation.resolution_note,
                violation.resolved_by) == ("resolved", "fixed_at_source",
                                           "Feed repaired upstream.", steward.username)
    assert ViolationTransition.objects.filter(to_status="resolved", reason="fixed_at_source",
                                              actor=steward).count() == 2


def test_resolving_without_a_reason_says_so_and_changes_nothing(contract, steward_client):
    [violation] = _violations(contract, "first")

    response = _confirm(steward_client, "ignore_violations", [violation], reason="", note="")
    other = _confirm(steward_client, "ignore_violations", [violation], reason="other", note="")

    assert response.status_code == 200
    assert b"Choose a reason." in response.content
    assert b"Say what happened when the reason is" in other.content
    assert _status(violation) == "open"


def test_assigning_offers_by_full_name_only_those_who_may_act_in_the_violations_space(
    contract, space, steward_client, colleague, other_steward, viewer
):
    colleague.first_name, colleague.last_name = "Priya", "Natarajan"
    colleague.save()
    space_admin = factories.MembershipFactory(space=space, role=Role.ADMIN,
                                              user__username="space_admin").user
    organization_admin = factories.OrganizationAdminFactory(
        organization=space.organization, user__username="org_admin").user
    [violation] = _violations(contract, "first")

    page = _start(steward_client, "assign_violations", [violation])

    field = page.context["form"].fields["assignee"]
    choices = sorted(label for value, label in field.choices if value)
    assert choices == sorted(["Priya Natarajan (colleague)", space_admin.username,
                              organization_admin.username,
                              page.wsgi_request.user.username])
    assert viewer.username.encode() not in page.content
    assert other_steward.username.encode() not in page.content


def test_a_viewer_of_the_space_cannot_be_assigned(contract, steward_client, viewer):
    [violation] = _violations(contract, "first")

    response = _confirm(steward_client, "assign_violations", [violation], assignee=viewer.pk)

    assert b"Select a valid choice" in response.content
    assert _status(violation) == "open"


def test_assigning_a_colleague(contract, steward_client, colleague):
    [violation] = _violations(contract, "first")

    response = _confirm(steward_client, "assign_violations", [violation], assignee=colleague.pk)

    violation.refresh_from_db()
    assert (violation.status, violation.assignee) == ("assigned", colleague)
    assert _messages(response) == ["Assigned 1 violation."]


def test_someone_of_another_organization_cannot_be_assigned(
    contract, steward_client, other_steward
):
    [violation] = _violations(contract, "first")

    response = _confirm(steward_client, "assign_violations", [violation],
                        assignee=other_steward.pk)

    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert _status(violation) == "open"


def test_reopening_closed_violations(contract, steward_client):
    closed, still_open = _violations(contract, "closed", "still_open", status="ignored")
    QualityViolation.objects.filter(pk=still_open.pk).update(status="open")

    response = _start(steward_client, "reopen_violations", [closed, still_open])

    assert (_status(closed), _status(still_open)) == ("open", "open")
    assert _messages(response) == [
        "Reopened 1 violation. 1 violation left as it was: not in a status that can be "
        "reopened, or in a space you may only read."
    ]


def test_selecting_every_violation_of_a_filtered_list_triages_all_of_them(
    contract, space, steward_client
):
    critical = _violations(contract, *[f"critical_{n}" for n in range(3)], severity="critical")
    [info] = _violations(contract, "info", severity="info")
    query = "severity__exact=critical"

    response = steward_client.post(violations_url(query), {
        "action": "acknowledge_violations", "index": "0", "select_across": "1",
        "_selected_action": [critical[0].pk],
    })

    assert response.status_code == 302
    assert [_status(violation) for violation in critical] == ["acknowledged"] * 3
    assert _status(info) == "open"


def test_a_viewer_has_no_triage_actions_and_cannot_post_one(
    contract, viewer_client
):
    [violation] = _violations(contract, "first")

    page = viewer_client.get(violations_url())
    response = _start(viewer_client, "acknowledge_violations", [violation])
    confirmed = _confirm(viewer_client, "resolve_violations", [violation],
                         reason="false_positive")

    assert listed(page) == ["first"]
    assert b'name="action"' not in page.content
    assert b"_selected_action" not in page.content
    assert listed(response) == listed(confirmed) == ["first"]  # just the list again
    assert _status(violation) == "open"
    assert ViolationTransition.objects.count() == 0


def test_a_steward_cannot_triage_another_spaces_violation_by_its_id(
    contract, steward_client, foreign_violation
):
    [mine] = _violations(contract, "mine")

    _confirm(steward_client, "resolve_violations", [mine, foreign_violation],
             reason="false_positive")

    assert _status(mine) == "resolved"
    assert _status(foreign_violation) == "open"


def test_violations_of_a_space_where_the_steward_only_reads_are_left_alone(
    organization, contract, steward, steward_client
):
    read_only_space = factories.SpaceFactory(organization=organization)
    factories.MembershipFactory(space=read_only_space, user=steward, role=Role.VIEWER)
    [mine] = _violations(contract, "mine")
    [read_only] = _violations(factories.DataContractFactory(space=read_only_space), "read_only")

    response = _start(steward_client, "acknowledge_violations", [mine, read_only])

    assert (_status(mine), _status(read_only)) == ("acknowledged", "open")
    assert _messages(response) == [
        "Acknowledged 1 violation. 1 violation left as it was: not in a status that can be "
        "acknowledged, or in a space you may only read."
    ]


def test_a_step_started_on_a_violations_page_returns_to_that_page(contract, steward_client):
    [violation] = _violations(contract, "first")
    page_url = violation_url(violation)

    page = _start(steward_client, "resolve_violations", [violation], next=page_url)
    response = _confirm(steward_client, "resolve_violations", [violation], next=page_url,
                        reason="accepted_risk")

    assert f'name="next" value="{page_url}"'.encode() in page.content
    assert response["Location"] == page_url
    assert _status(violation) == "resolved"


def test_a_return_address_off_the_site_is_ignored(contract, steward_client):
    [violation] = _violations(contract, "first")

    response = _start(steward_client, "acknowledge_violations", [violation],
                      next="https://evil.example.com/")

    assert response["Location"] == violations_url()
