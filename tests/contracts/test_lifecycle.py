"""A contract version's life: new version, gated activation, deprecation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.models import BreakingChangeSignOff, DataContract, MetadataRecordDomain
from contracts.selectors import contract_get, contract_links_get
from contracts.services.lifecycle import (
    VersionBump,
    contract_activate,
    contract_activation_review,
    contract_deprecate,
    contract_new_version,
    version_bumped,
)
from tenancy.scoping import space_scope
from tests import factories
from tests.contracts.admin.contract_graph import (
    BOOKING_SCHEMA,
    contract_with_parts,
    link_domain,
    link_owner,
    link_system,
    with_required_owners,
)

pytestmark = pytest.mark.usefixtures("unscoped")

NARROWER_SCHEMA = {
    **BOOKING_SCHEMA,
    "properties": {key: value for key, value in BOOKING_SCHEMA["properties"].items()
                   if key != "cabin"},
}


def _statuses(space, name="bookings"):
    return dict(DataContract.objects.filter(space=space, name=name)
                .values_list("version", "status"))


@pytest.mark.parametrize(("bump", "expected"), [(VersionBump.MAJOR, "2.0.0"),
                                                (VersionBump.MINOR, "1.3.0"),
                                                (VersionBump.PATCH, "1.2.4")])
def test_a_bump_raises_one_part_of_the_version(bump, expected):
    assert version_bumped("1.2.3", bump) == expected


def test_a_new_version_is_a_draft_copy_of_every_part_and_link(space, other_space, steward):
    source = contract_with_parts(space, status="active")
    owners = factories.OwnerFactory.create_batch(2, organization=space.organization)
    for owner in reversed(owners):
        link_owner(source, "business_owners", owner)
    system = factories.SystemFactory(organization=space.organization)
    link_system(source, "pulls_from", system)
    link_domain(source, factories.DomainFactory(organization=space.organization, name="Revenue"))
    contract_with_parts(other_space)

    with space_scope(space):
        copy = contract_new_version(contract=source, bump=VersionBump.MINOR, actor=steward)
        copy = contract_get(contract_id=copy.pk)
        links = contract_links_get(metadata_record=copy.metadata_record)

    assert (copy.version, copy.status, copy.created_by) == ("1.1.0", "draft", steward.username)
    assert (copy.schema.version, copy.schema.schema_data) == ("1.1.0", BOOKING_SCHEMA)
    assert copy.coercion_rules.rules == source.coercion_rules.rules
    assert copy.validation_rules.schema_id == copy.schema_id
    assert (copy.metadata_record.version, copy.metadata_record.status) == ("1.1.0", "draft")
    assert links.owners["business_owners"] == tuple(reversed(owners))
    assert links.systems["pulls_from"] == (system,)
    assert [domain.name for domain in links.domains] == ["Revenue"]
    assert MetadataRecordDomain.objects.filter(metadata_record=source.metadata_record).count() == 1
    assert _statuses(space) == {"1.0.0": "active", "1.1.0": "draft"}
    assert _statuses(other_space) == {"1.0.0": "draft"}


def test_a_new_version_that_exists_is_refused(space, steward):
    source = contract_with_parts(space)
    contract_with_parts(space, version="2.0.0")

    with space_scope(space), pytest.raises(ValidationError) as raised:
        contract_new_version(contract=source, bump=VersionBump.MAJOR, actor=steward)

    assert raised.value.message_dict == {"version": ["bookings 2.0.0 already exists."]}


def test_activation_needs_a_business_owner_and_an_it_application_owner(space, steward):
    contract = contract_with_parts(space)
    link_owner(contract, "business_owners", factories.OwnerFactory(organization=space.organization))

    with space_scope(space), pytest.raises(ValidationError) as raised:
        contract_activate(contract=contract, actor=steward)

    assert raised.value.messages == ["An active contract needs at least one IT application owner."]
    assert _statuses(space) == {"1.0.0": "draft"}


def test_activating_deprecates_the_version_that_was_active(space, steward):
    first = with_required_owners(contract_with_parts(space, status="active"))
    second = with_required_owners(contract_with_parts(space, version="1.1.0"))

    with space_scope(space):
        activated = contract_activate(contract=second, actor=steward)

    assert activated.pk == second.pk
    assert _statuses(space) == {"1.0.0": "deprecated", "1.1.0": "active"}
    with space_scope(space):
        assert contract_get(contract_id=first.pk).metadata_record.status == "deprecated"
        assert contract_get(contract_id=second.pk).metadata_record.status == "active"
    assert not BreakingChangeSignOff.objects.exists()


def test_a_breaking_version_needs_a_stewards_sign_off(space, steward):
    with_required_owners(contract_with_parts(space, status="active"))
    breaking = with_required_owners(
        contract_with_parts(space, version="2.0.0", schema_data=NARROWER_SCHEMA)
    )

    with space_scope(space), pytest.raises(ValidationError) as raised:
        contract_activate(contract=breaking, actor=steward)

    assert raised.value.code == "sign_off_required"
    assert raised.value.messages == [
        "bookings 2.0.0 breaks what bookings 1.0.0 accepted (1 breaking change): a steward "
        "must sign off before it is activated."
    ]
    assert _statuses(space) == {"1.0.0": "active", "2.0.0": "draft"}


def test_a_sign_off_is_recorded_with_the_version_it_lets_through(space, steward):
    with_required_owners(contract_with_parts(space, status="active"))
    breaking = with_required_owners(
        contract_with_parts(space, version="2.0.0", schema_data=NARROWER_SCHEMA)
    )

    with space_scope(space):
        contract_activate(contract=breaking, actor=steward, accept_breaking_changes=True,
                          note="Consumers moved off cabin.")

    sign_off = BreakingChangeSignOff.objects.get()
    assert (sign_off.data_contract_id, sign_off.compared_with_version) == (breaking.pk, "1.0.0")
    assert (sign_off.signed_off_by, sign_off.signed_off_by_name) == (steward, steward.username)
    assert sign_off.note == "Consumers moved off cabin."
    assert [(change["field"], change["kind"]) for change in sign_off.breaking_changes] == [
        ("cabin", "removed")
    ]
    assert _statuses(space) == {"1.0.0": "deprecated", "2.0.0": "active"}


def test_a_recorded_sign_off_for_the_same_changes_lets_a_version_be_activated_again(
    space, steward
):
    with_required_owners(contract_with_parts(space, status="active"))
    breaking = with_required_owners(
        contract_with_parts(space, version="2.0.0", schema_data=NARROWER_SCHEMA)
    )
    with space_scope(space):
        contract_activate(contract=breaking, actor=steward, accept_breaking_changes=True)
        contract_deprecate(contract=breaking, actor=steward)
        contract_activate(contract=DataContract.objects.get(version="1.0.0"), actor=steward)
        review = contract_activation_review(contract=breaking)
        contract_activate(contract=breaking, actor=steward)

    assert review.sign_off == BreakingChangeSignOff.objects.get()
    assert review.needs_sign_off is False
    assert _statuses(space) == {"1.0.0": "deprecated", "2.0.0": "active"}


def test_a_minor_version_with_breaking_changes_is_refused_with_the_list_of_changes(
    space, steward
):
    with_required_owners(contract_with_parts(space, status="active"))
    breaking = with_required_owners(contract_with_parts(
        space, version="1.1.0", schema_data=NARROWER_SCHEMA,
        validation_rules={"booking_id": {"max_length": {"threshold": 10}}},
    ))

    with space_scope(space), pytest.raises(ValidationError) as raised:
        contract_activate(contract=breaking, actor=steward, accept_breaking_changes=True)

    assert raised.value.code == "major_version_required"
    assert raised.value.messages == [
        "bookings 1.1.0 is not a major version after bookings 1.0.0, but it breaks consumers "
        "(schema cabin: field removed; validation rules booking_id: max_length threshold: "
        "12 → 10 (tighter)). Number it 2.0.0, or record in the sign-off's note why the version "
        "stays."
    ]
    assert _statuses(space) == {"1.0.0": "active", "1.1.0": "draft"}
    assert not BreakingChangeSignOff.objects.exists()


def test_a_breaking_patch_version_activates_with_the_reason_recorded_in_the_sign_off(
    space, steward
):
    with_required_owners(contract_with_parts(space, status="active"))
    breaking = with_required_owners(
        contract_with_parts(space, version="1.0.1", schema_data=NARROWER_SCHEMA)
    )

    with space_scope(space):
        contract_activate(contract=breaking, actor=steward, accept_breaking_changes=True,
                          note="cabin was never filled: no consumer reads it.")

    assert BreakingChangeSignOff.objects.get().note == (
        "cabin was never filled: no consumer reads it."
    )
    assert _statuses(space) == {"1.0.0": "deprecated", "1.0.1": "active"}


@pytest.mark.parametrize(("schema_data", "suggested"), [
    (NARROWER_SCHEMA, "2.0.0"),
    ({**BOOKING_SCHEMA, "properties": {**BOOKING_SCHEMA["properties"],
                                       "seat": {"type": "string"}}}, "1.1.0"),
    ({**BOOKING_SCHEMA, "description": "Bookings, as sold."}, "1.0.1"),
])
def test_the_review_suggests_the_next_version_from_the_changes(space, steward, schema_data,
                                                               suggested):
    with_required_owners(contract_with_parts(space, status="active"))
    candidate = contract_with_parts(space, version="1.5.0", schema_data=schema_data)

    with space_scope(space):
        review = contract_activation_review(contract=candidate)

    assert review.suggested_version == suggested


def test_a_copied_schema_carries_the_new_version_inside_it(space, steward):
    source = contract_with_parts(space, status="active",
                                 schema_data={**BOOKING_SCHEMA, "version": "1.0.0"})

    with space_scope(space):
        copy = contract_new_version(contract=source, bump=VersionBump.MAJOR, actor=steward)
        copy = contract_get(contract_id=copy.pk)

    assert (copy.schema.version, copy.schema.schema_data["version"]) == ("2.0.0", "2.0.0")
    assert contract_get(contract_id=source.pk).schema.schema_data["version"] == "1.0.0"


def test_the_review_compares_with_the_active_version_of_the_same_space_only(
    space, other_space, steward
):
    with_required_owners(contract_with_parts(other_space, status="active"))
    candidate = with_required_owners(
        contract_with_parts(space, version="2.0.0", schema_data=NARROWER_SCHEMA)
    )

    with space_scope(space):
        review = contract_activation_review(contract=candidate)
        contract_activate(contract=candidate, actor=steward)

    assert (review.active_version, review.diff, review.problems) == (None, None, [])
    assert _statuses(other_space) == {"1.0.0": "active"}


def test_deprecating_twice_is_refused(space, steward):
    contract = contract_with_parts(space, status="active")

    with space_scope(space):
        contract_deprecate(contract=contract, actor=steward)
        with pytest.raises(ValidationError) as raised:
            contract_deprecate(contract=contract, actor=steward)

    assert raised.value.messages == ["bookings 1.0.0 is already deprecated."]
    assert _statuses(space) == {"1.0.0": "deprecated"}


def test_the_database_keeps_one_active_version_of_a_name_per_space(space, other_space, unscoped):
    contract_with_parts(space, status="active")
    contract_with_parts(other_space, status="active")
    second = contract_with_parts(space, version="1.1.0")

    second.status = "active"
    with pytest.raises(IntegrityError), transaction.atomic():
        DataContract.objects.filter(pk=second.pk).update(status="active")
    with pytest.raises(ValidationError) as raised:
        second.full_clean()

    assert raised.value.messages == [
        "Another version of this contract is already active in this space: activate this one "
        "to deprecate it."
    ]
    assert _statuses(space) == {"1.0.0": "active", "1.1.0": "draft"}
