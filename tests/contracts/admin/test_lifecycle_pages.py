"""New version, activation with its sign-off, deprecation and comparison, from the admin."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from contracts.models import BreakingChangeSignOff, DataContract
from tenancy.models import Role
from tests import factories
from tests.contracts.admin.contract_graph import (
    BOOKING_SCHEMA,
    contract_with_parts,
    with_required_owners,
)

pytestmark = pytest.mark.usefixtures("unscoped")

LIST_URL = reverse("admin:contracts_datacontract_changelist")
NARROWER_SCHEMA = {
    **BOOKING_SCHEMA,
    "properties": {key: value for key, value in BOOKING_SCHEMA["properties"].items()
                   if key != "cabin"},
}


def url(name, contract, *more):
    return reverse(f"admin:contracts_datacontract_{name}", args=[contract.pk, *more])


def _statuses(space, name="bookings"):
    return dict(DataContract.objects.filter(space=space, name=name)
                .values_list("version", "status"))


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_new_version_page_shows_each_bump_and_creates_the_chosen_one(steward_client, space):
    contract = contract_with_parts(space, version="1.4.2", status="active")

    page = steward_client.get(url("new_version", contract))
    response = steward_client.post(url("new_version", contract), {"bump": "major"})

    copy = DataContract.objects.get(version="2.0.0")
    assert page.context["previews"] == [
        (contract, {"major": "2.0.0", "minor": "1.5.0", "patch": "1.4.3"})
    ]
    assert response.url == url("change", copy)
    assert copy.status == "draft"
    assert _statuses(space) == {"1.4.2": "active", "2.0.0": "draft"}


def test_the_new_version_action_asks_for_the_bump_then_copies_each_selected(
    steward_client, space, other_space
):
    first = contract_with_parts(space, name="bookings")
    second = contract_with_parts(space, name="fares")
    selection = {"action": "new_version", "_selected_action": [first.pk, second.pk]}

    page = steward_client.post(LIST_URL, selection)
    response = steward_client.post(LIST_URL, {**selection, "apply": "1", "bump": "patch"})

    assert [contract for contract, _ in page.context["previews"]] == [first, second]
    assert response.status_code == 302
    assert _statuses(space, "bookings") == {"1.0.0": "draft", "1.0.1": "draft"}
    assert _statuses(space, "fares") == {"1.0.0": "draft", "1.0.1": "draft"}


def test_activation_without_the_required_owners_is_explained_and_refused(steward_client, space):
    contract = contract_with_parts(space)

    page = steward_client.get(url("activate", contract))
    steward_client.post(url("activate", contract))

    assert page.context["review"].problems == [
        "An active contract needs at least one business owner.",
        "An active contract needs at least one IT application owner.",
    ]
    assert "cannot be activated yet" in page.text
    assert _statuses(space) == {"1.0.0": "draft"}


def test_a_breaking_version_is_shown_with_its_changes_and_waits_for_a_sign_off(
    steward_client, space
):
    with_required_owners(contract_with_parts(space, status="active"))
    candidate = with_required_owners(
        contract_with_parts(space, version="2.0.0", schema_data=NARROWER_SCHEMA)
    )

    page = steward_client.get(url("activate", candidate))
    refused = steward_client.post(url("activate", candidate), {"note": ""})

    assert [(change.field, change.breaking) for change in page.context["review"].diff.changes] \
        == [("cabin", True)]
    assert "field removed" in page.text
    assert refused.context["form"].errors == {
        "accept_breaking_changes": ["Activating a breaking version needs your sign-off."]
    }
    assert _statuses(space) == {"1.0.0": "active", "2.0.0": "draft"}
    assert not BreakingChangeSignOff.objects.exists()


def test_a_signed_off_version_is_activated_and_the_old_one_deprecated(
    steward_client, space, steward
):
    with_required_owners(contract_with_parts(space, status="active"))
    candidate = with_required_owners(
        contract_with_parts(space, version="2.0.0", schema_data=NARROWER_SCHEMA)
    )

    response = steward_client.post(url("activate", candidate),
                                   {"accept_breaking_changes": "on", "note": "Told the BI team."})

    assert response.url == url("change", candidate)
    assert _statuses(space) == {"1.0.0": "deprecated", "2.0.0": "active"}
    sign_off = BreakingChangeSignOff.objects.get()
    assert (sign_off.signed_off_by, sign_off.note) == (steward, "Told the BI team.")
    assert _messages(response) == [
        "bookings 2.0.0: Activated; bookings 1.0.0 is now deprecated."
    ]


def test_the_activate_action_takes_one_contract_at_a_time(steward_client, space):
    first = contract_with_parts(space, name="bookings")
    second = contract_with_parts(space, name="fares")

    one = steward_client.post(LIST_URL, {"action": "activate", "_selected_action": [first.pk]})
    both = steward_client.post(LIST_URL, {"action": "activate",
                                          "_selected_action": [first.pk, second.pk]})

    assert one.url == url("activate", first)
    assert _messages(both) == [
        "Activate one contract at a time: each is reviewed against the version it replaces."
    ]


def test_the_deprecate_action_skips_contracts_the_user_only_reads(
    client, space, other_space
):
    user = factories.MembershipFactory(space=space, role=Role.STEWARD).user
    factories.MembershipFactory(space=other_space, user=user, role=Role.VIEWER)
    ours = contract_with_parts(space, status="active")
    read_only = contract_with_parts(other_space, status="active")
    client.force_login(user)

    response = client.post(LIST_URL, {"action": "deprecate",
                                      "_selected_action": [ours.pk, read_only.pk]})

    assert _statuses(space) == {"1.0.0": "deprecated"}
    assert _statuses(other_space) == {"1.0.0": "active"}
    assert _messages(response) == ["Skipped 1 contract(s) you may only read.",
                                   "bookings 1.0.0 is deprecated."]


def test_the_deprecate_page_confirms_first(steward_client, space):
    contract = contract_with_parts(space, status="active")

    page = steward_client.get(url("deprecate", contract))
    steward_client.post(url("deprecate", contract))

    assert "Consumers will have no active version of bookings" in page.text
    assert _statuses(space) == {"1.0.0": "deprecated"}


@pytest.mark.parametrize("name", ["new_version", "activate", "deprecate"])
def test_a_viewer_cannot_open_the_lifecycle_pages(name, viewer_client, space):
    contract = contract_with_parts(space)

    response = viewer_client.get(url(name, contract))

    assert response.status_code == 403


def test_the_compare_page_lists_the_changes_from_the_older_version(steward_client, space):
    older = contract_with_parts(space, status="active")
    newer = contract_with_parts(space, version="1.1.0", schema_data=NARROWER_SCHEMA,
                                validation_rules={"booking_id": {"max_length": {"threshold": 20}}})

    response = steward_client.get(url("compare", newer, older.pk))

    diff = response.context["diff"]
    assert (response.context["older"], response.context["newer"]) == (older, newer)
    assert [(change.component, change.field, change.breaking) for change in diff.changes] == [
        ("schema", "cabin", True), ("validation_rules", "booking_id", False)
    ]
    assert "max_length threshold: 12 → 20 (looser)" in response.text
    assert response.context["suggested_version"] == "2.0.0"
    assert ("Suggested version for these changes: <strong>2.0.0</strong>\n    (major: they "
            "break consumers); bookings 1.1.0 is numbered 1.1.0.") in response.text


def test_the_compare_page_suggests_a_minor_version_for_a_new_optional_field(
    steward_client, space
):
    older = contract_with_parts(space, status="active")
    wider = {**BOOKING_SCHEMA,
             "properties": {**BOOKING_SCHEMA["properties"], "seat": {"type": "string"}}}
    newer = contract_with_parts(space, version="1.1.0", schema_data=wider)

    response = steward_client.get(url("compare", older, newer.pk))

    assert response.context["suggested_version"] == "1.1.0"
    assert "(minor: they add or loosen, compatible)." in response.text


def test_a_breaking_minor_version_needs_the_reason_it_is_not_major(
    steward_client, space, steward
):
    with_required_owners(contract_with_parts(space, status="active"))
    candidate = with_required_owners(
        contract_with_parts(space, version="1.1.0", schema_data=NARROWER_SCHEMA)
    )

    page = steward_client.get(url("activate", candidate))
    refused = steward_client.post(url("activate", candidate), {"accept_breaking_changes": "on"})
    accepted = steward_client.post(url("activate", candidate), {
        "accept_breaking_changes": "on", "note": "Only the BI team reads it; they agreed.",
    })

    assert ("bookings 1.1.0 is not a major version after bookings 1.0.0, but it breaks "
            "consumers (schema cabin: field removed). Number it 2.0.0") in page.text
    assert refused.context["form"].errors == {
        "note": ["Say why a breaking version is not a major one."]
    }
    assert accepted.url == url("change", candidate)
    assert BreakingChangeSignOff.objects.get().note == "Only the BI team reads it; they agreed."
    assert _statuses(space) == {"1.0.0": "deprecated", "1.1.0": "active"}


def test_a_breaking_minor_draft_is_numbered_as_suggested_from_the_activation_page(
    steward_client, space
):
    with_required_owners(contract_with_parts(space, status="active"))
    candidate = with_required_owners(contract_with_parts(
        space, version="1.1.0", schema_data={**NARROWER_SCHEMA, "version": "1.1.0"}))

    page = steward_client.get(url("activate", candidate))
    renumbered = steward_client.post(url("renumber", candidate), {"version": "2.0.0"})
    activation = steward_client.get(renumbered.url)

    assert 'name="version" value="2.0.0">Number it 2.0.0</button>' in page.text
    assert renumbered.url == url("activate", candidate)
    draft = DataContract.objects.select_related("schema", "metadata_record").get(pk=candidate.pk)
    assert (draft.version, draft.schema.version, draft.schema.schema_data["version"],
            draft.schema_version, draft.metadata_record.version) == ("2.0.0",) * 5
    assert "not a major version" not in activation.text
    steward_client.post(url("activate", candidate), {"accept_breaking_changes": "on"})
    assert _statuses(space) == {"1.0.0": "deprecated", "2.0.0": "active"}


def test_only_a_draft_is_renumbered_and_never_onto_an_existing_version(steward_client, space):
    active = with_required_owners(contract_with_parts(space, status="active"))
    draft = contract_with_parts(space, version="1.1.0")

    steward_client.post(url("renumber", draft), {"version": "1.0.0"})
    refused = steward_client.post(url("renumber", active), {"version": "3.0.0"})

    assert _messages(refused) == [
        "bookings 1.0.0 already exists.",
        "bookings 1.0.0 is active: only a draft's version can change.",
    ]
    assert _statuses(space) == {"1.0.0": "active", "1.1.0": "draft"}


def test_the_compare_page_is_limited_to_versions_of_one_contract(
    steward_client, space, other_space
):
    contract = contract_with_parts(space)
    unrelated = contract_with_parts(space, name="fares")
    foreign = contract_with_parts(other_space)

    assert steward_client.get(url("compare", contract, unrelated.pk)).status_code == 404
    assert steward_client.get(url("compare", contract, foreign.pk)).status_code == 404
