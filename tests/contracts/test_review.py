"""Review before activation: a space that requires it activates only approved versions."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts.models import ContractReview, DataContract
from contracts.services.lifecycle import contract_activate
from contracts.services.review import (
    contract_review_approve,
    contract_review_request,
    contract_review_request_changes,
)
from tenancy.models import AuditLogEntry
from tenancy.scoping import space_scope
from tests import factories
from tests.contracts.admin.contract_graph import contract_with_parts, with_required_owners

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def reviewed_space(space):
    space.requires_review = True
    space.save()
    return space


@pytest.fixture
def author(reviewed_space):
    return factories.MembershipFactory(space=reviewed_space, role="steward",
                                       user__username="priya").user


@pytest.fixture
def reviewer(reviewed_space):
    return factories.MembershipFactory(space=reviewed_space, role="steward",
                                       user__username="tom").user


@pytest.fixture
def draft(reviewed_space, author):
    contract = with_required_owners(contract_with_parts(reviewed_space))
    contract.created_by = author.username
    contract.save()
    return contract


def _status(contract):
    return DataContract.objects.get(pk=contract.pk).status


def _review_actions(space):
    """The review steps in the audit log: one domain entry per step."""
    entries = AuditLogEntry.objects.filter(
        space=space, action__startswith="contracts.review."
    ).order_by("created_at")
    return [(entry.action, entry.actor_name, entry.changes["comment"][1]) for entry in entries]


def test_a_draft_is_activated_only_once_a_second_steward_approved_it(
    reviewed_space, draft, author, reviewer
):
    with space_scope(reviewed_space):
        with pytest.raises(ValidationError) as before_review:
            contract_activate(contract=draft, actor=author)
        contract_review_request(contract=draft, actor=author)
        with pytest.raises(ValidationError) as in_review:
            contract_activate(contract=draft, actor=author)
        contract_review_approve(contract=draft, actor=reviewer, comment="Owners confirmed.")
        contract_activate(contract=draft, actor=author)

    message = ("Flights requires review: a second steward must approve bookings 1.0.0 before "
               "it is activated.")
    assert before_review.value.messages == [message]
    assert in_review.value.messages == [message]
    assert _status(draft) == "active"
    review = ContractReview.objects.get()
    assert (review.status, review.requested_by, review.decided_by, review.comment) == (
        "approved", author, reviewer, "Owners confirmed."
    )


def test_every_review_step_is_audited(reviewed_space, draft, author, reviewer):
    from tenancy.audit import audit_actor

    with space_scope(reviewed_space):
        with audit_actor(user=author):
            contract_review_request(contract=draft, actor=author)
        with audit_actor(user=reviewer):
            contract_review_request_changes(contract=draft, actor=reviewer,
                                            comment="Add the IT SME.")
        with audit_actor(user=author):
            contract_review_request(contract=draft, actor=author)
        with audit_actor(user=reviewer):
            contract_review_approve(contract=draft, actor=reviewer)

    assert _review_actions(reviewed_space) == [
        ("contracts.review.requested", "priya", ""),
        ("contracts.review.changes_requested", "tom", "Add the IT SME."),
        ("contracts.review.requested", "priya", ""),
        ("contracts.review.approved", "tom", ""),
    ]


def test_the_author_cannot_approve_their_own_version(reviewed_space, draft, author):
    other = factories.MembershipFactory(space=reviewed_space, role="steward").user
    with space_scope(reviewed_space):
        contract_review_request(contract=draft, actor=other)
        with pytest.raises(ValidationError) as own_draft:
            contract_review_approve(contract=draft, actor=author)
        with pytest.raises(ValidationError) as own_request:
            contract_review_approve(contract=draft, actor=other)

    assert own_draft.value.messages == [
        "priya wrote or submitted bookings 1.0.0: a second steward reviews it."
    ]
    assert own_request.value.code == "own_version"
    assert ContractReview.objects.get().status == "in_review"
    assert _status(draft) == "draft"


def test_requesting_changes_needs_a_comment(reviewed_space, draft, author, reviewer):
    with space_scope(reviewed_space):
        contract_review_request(contract=draft, actor=author)
        with pytest.raises(ValidationError) as raised:
            contract_review_request_changes(contract=draft, actor=reviewer, comment=" ")

    assert raised.value.message_dict == {"comment": ["Say what must change."]}
    assert ContractReview.objects.get().status == "in_review"


def test_a_space_without_review_activates_directly_and_refuses_a_request(space, steward):
    draft = with_required_owners(contract_with_parts(space))

    with space_scope(space):
        with pytest.raises(ValidationError) as raised:
            contract_review_request(contract=draft, actor=steward)
        contract_activate(contract=draft, actor=steward)

    assert raised.value.messages == ["Flights does not require review: activate bookings 1.0.0 "
                                     "directly."]
    assert _status(draft) == "active"
    assert not ContractReview.objects.exists()


# The admin --------------------------------------------------------------------------------


def _url(name, contract):
    return reverse(f"admin:contracts_datacontract_{name}", args=[contract.pk])


def test_the_review_is_asked_for_and_approved_from_the_admin_and_shown_on_the_contract_page(
    client, reviewed_space, draft, author, reviewer
):
    client.force_login(author)
    asked = client.post(_url("review", draft), {"step": "request"})
    client.force_login(reviewer)
    approved = client.post(_url("review", draft), {"step": "approve",
                                                   "comment": "Looks right to me."})

    page = client.get(_url("change", draft))

    assert (asked.status_code, approved.status_code) == (302, 302)
    assert ContractReview.objects.get().status == "approved"
    assert '<span class="pycharter-badge pycharter-review--approved">Approved</span>' in page.text
    assert "<td>priya</td>" in page.text and "<td>tom</td>" in page.text
    assert "Looks right to me." in page.text
    assert _url("review", draft) in page.text


def test_the_admin_refuses_an_approval_by_the_author(client, reviewed_space, draft, author):
    client.force_login(author)
    client.post(_url("review", draft), {"step": "request"})

    response = client.post(_url("review", draft), {"step": "approve"})

    assert response.status_code == 200
    assert "priya wrote or submitted bookings 1.0.0: a second steward reviews it." in response.text
    assert ContractReview.objects.get().status == "in_review"


def test_a_viewer_cannot_review(client, reviewed_space, draft, author):
    viewer = factories.MembershipFactory(space=reviewed_space, role="viewer").user
    with space_scope(reviewed_space):
        contract_review_request(contract=draft, actor=author)
    client.force_login(viewer)

    response = client.post(_url("review", draft), {"step": "approve"})

    assert response.status_code == 403
    assert ContractReview.objects.get().status == "in_review"


def test_another_spaces_steward_gets_a_404(client, reviewed_space, draft, author,
                                           other_steward):
    with space_scope(reviewed_space):
        contract_review_request(contract=draft, actor=author)
    client.force_login(other_steward)

    response = client.post(_url("review", draft), {"step": "approve"})

    assert response.status_code == 404
    assert ContractReview.objects.get().status == "in_review"
    assert _status(draft) == "draft"


@pytest.mark.parametrize("round_state", ["in_review", "approved"])
def test_an_edit_after_review_outdates_the_round_and_activation_waits_for_a_new_one(
    reviewed_space, draft, author, reviewer, round_state
):
    from contracts.selectors import contract_get
    from contracts.services.contract_edit import contract_update

    with space_scope(reviewed_space):
        contract_review_request(contract=draft, actor=author)
        if round_state == "approved":
            contract_review_approve(contract=draft, actor=reviewer)
        # an unchanged save leaves the round as it is
        contract_update(contract=contract_get(contract_id=draft.pk), actor=author,
                        description=draft.description)
        assert ContractReview.objects.get().status == round_state

        contract_update(contract=contract_get(contract_id=draft.pk), actor=author,
                        description="Bookings, now with refunds.")
        with pytest.raises(ValidationError):
            contract_activate(contract=draft, actor=author)
        contract_review_request(contract=draft, actor=author)
        contract_review_approve(contract=draft, actor=reviewer)
        contract_activate(contract=draft, actor=author)

    assert list(ContractReview.objects.order_by("created_at").values_list("status", flat=True)) == [
        "outdated", "approved"]
    assert ("contracts.review.outdated", "priya", "") in _review_actions(reviewed_space)
    assert _status(draft) == "active"


def test_a_change_of_owners_after_approval_outdates_the_approval(
    reviewed_space, draft, author, reviewer
):
    from contracts.services.contract_edit import metadata_owners_set

    with space_scope(reviewed_space):
        contract_review_request(contract=draft, actor=author)
        contract_review_approve(contract=draft, actor=reviewer)
        record = draft.metadata_record
        metadata_owners_set(metadata_record=record, role="it_sme",
                            owners=[factories.OwnerFactory(
                                organization=reviewed_space.organization)],
                            actor=author)

    assert ContractReview.objects.get().status == "outdated"


def test_renumbering_an_approved_draft_outdates_the_approval(
    reviewed_space, draft, author, reviewer
):
    from contracts.services.lifecycle import contract_renumber

    with space_scope(reviewed_space):
        contract_review_request(contract=draft, actor=author)
        contract_review_approve(contract=draft, actor=reviewer)
        contract_renumber(contract=draft, version="2.0.0", actor=author)

    assert ContractReview.objects.get().status == "outdated"
