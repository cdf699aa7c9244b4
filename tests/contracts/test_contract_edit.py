"""Editing a contract, its current parts and its links through the services."""

import pytest
from django.core.exceptions import ValidationError

from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    DataContract,
    MetadataRecordDomain,
    MetadataRecordSystemPush,
    Owner,
    Schema,
    ValidationRuleSet,
)
from contracts.selectors import contract_get, contract_links_get
from contracts.services.contract_edit import (
    contract_content_errors,
    contract_create,
    contract_delete,
    contract_update,
    metadata_domains_set,
    metadata_owners_set,
    metadata_systems_set,
    reference_entity_save,
)
from tenancy.models import AuditLogEntry
from tenancy.scoping import space_scope
from tests import factories
from tests.contracts.admin.contract_graph import (
    BOOKING_SCHEMA,
    contract_with_parts,
    link_owner,
    with_required_owners,
)

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def draft(space):
    return contract_with_parts(space)


def _fresh(contract):
    return contract_get(contract_id=contract.pk)


def test_a_draft_is_edited_in_place(space, steward, draft):
    rules = {"booking_id": {"max_length": {"threshold": 10}}, "fare": {"greater_than_or_equal_to":
                                                                      {"threshold": 1}}}
    with space_scope(space):
        contract_update(contract=_fresh(draft), actor=steward, validation_rules=rules,
                        description="Fares are positive.")

    contract = _fresh(draft)
    assert contract.validation_rules.rules == rules
    assert contract.validation_rules.version == "1.0.0"
    assert ValidationRuleSet.objects.filter(data_contract=draft).count() == 1
    assert (contract.description, contract.updated_by) == ("Fares are positive.",
                                                           steward.username)


def test_unknown_rules_are_refused_with_the_field_and_rule_named(space, steward, draft):
    with space_scope(space), pytest.raises(ValidationError) as raised:
        contract_update(contract=_fresh(draft), actor=steward,
                        validation_rules={"fare": {"max_lenght": {"threshold": 3}}},
                        coercion_rules={"seat": "coerce_to_string"})

    assert raised.value.message_dict == {
        "validation_rules": ["Field “fare”, rule “max_lenght”: unknown validation"],
        "coercion_rules": ["Field “seat”, rule “coercion”: the schema has no such field"],
    }
    assert _fresh(draft).validation_rules.rules == {"booking_id": {"max_length":
                                                                   {"threshold": 12}}}


def test_an_invalid_json_schema_is_refused(space, steward, draft):
    with space_scope(space), pytest.raises(ValidationError) as raised:
        contract_update(contract=_fresh(draft), actor=steward, schema_data={"type": "objekt"})

    assert list(raised.value.message_dict) == ["schema_data"]
    assert raised.value.message_dict["schema_data"][0].startswith(
        "Not a valid JSON Schema (Draft 2020-12) at type"
    )


def test_each_problem_lands_on_the_part_that_brings_it():
    schema = {**BOOKING_SCHEMA, "properties": {**BOOKING_SCHEMA["properties"]}}

    errors = contract_content_errors(
        schema_data=schema,
        coercion_rules={"fare": "coerce_to_money"},
        validation_rules={"cabin": {"is_cabin": None}},
    )

    assert errors == {
        "coercion_rules": ["Field “fare”, rule “coerce_to_money”: unknown coercion"],
        "validation_rules": ["Field “cabin”, rule “is_cabin”: unknown validation"],
    }


@pytest.mark.parametrize("status", ["active", "deprecated"])
def test_the_schema_and_rules_of_a_published_version_are_locked(status, space, steward):
    contract = contract_with_parts(space, status=status)

    with space_scope(space), pytest.raises(ValidationError) as raised:
        contract_update(contract=_fresh(contract), actor=steward,
                        validation_rules={"fare": {"greater_than_or_equal_to": {"threshold": 1}}})

    assert raised.value.message_dict == {"validation_rules": [
        f"The validation rules of this {status} contract cannot change: create a new version."
    ]}


def test_the_metadata_of_a_published_version_stays_editable(space, steward):
    contract = contract_with_parts(space, status="active")

    with space_scope(space):
        contract_update(contract=_fresh(contract), actor=steward, metadata_type="object",
                        metadata_description="Bookings", governance_rules={"pii": ["email"]},
                        validation_rules=contract.validation_rules.rules)

    record = _fresh(contract).metadata_record
    assert (record.type, record.description, record.governance_rules) == (
        "object", "Bookings", {"pii": ["email"]}
    )


def test_a_missing_part_is_created_with_the_contracts_version(space, steward):
    contract = factories.DataContractFactory(space=space, name="orders", version="2.1.0")

    with space_scope(space):
        contract_update(contract=_fresh(contract), actor=steward, schema_data=BOOKING_SCHEMA,
                        validation_rules={"fare": {"greater_than_or_equal_to": {"threshold": 0}}},
                        metadata_type="object")

    contract = _fresh(contract)
    assert (contract.schema.version, contract.schema_version) == ("2.1.0", "2.1.0")
    assert contract.schema.title == "Booking"
    assert contract.validation_rules.schema_id == contract.schema_id
    assert (contract.validation_rules.title, contract.validation_rules_version) == (
        "orders_validation_rules", "2.1.0"
    )
    assert contract.coercion_rules is None
    assert (contract.metadata_record.title, contract.metadata_record.type) == (
        "orders_metadata", "object"
    )


def test_a_new_contract_is_a_draft_with_its_parts(space, steward):
    with space_scope(space):
        contract = contract_create(
            contract=DataContract(space=space, name="orders", version="1.0.0", status="active"),
            actor=steward, schema_data=BOOKING_SCHEMA,
            coercion_rules={"fare": "coerce_to_float"}, metadata_description="Orders",
        )

    contract = _fresh(contract)
    assert (contract.status, contract.created_by) == ("draft", steward.username)
    assert contract.schema.schema_data == BOOKING_SCHEMA
    assert contract.coercion_rules.rules == {"fare": "coerce_to_float"}
    assert contract.validation_rules is None
    assert (contract.metadata_record.status, contract.metadata_record.description) == (
        "draft", "Orders"
    )


def test_only_a_draft_can_be_deleted(space, draft):
    active = contract_with_parts(space, name="active_one", status="active")

    with space_scope(space):
        contract_delete(contract=_fresh(draft))
        with pytest.raises(ValidationError) as raised:
            contract_delete(contract=_fresh(active))

    assert list(DataContract.objects.values_list("name", flat=True)) == ["active_one"]
    assert Schema.objects.filter(data_contract_id=draft.pk).count() == 0
    assert raised.value.messages == [
        "active_one 1.0.0 is active: only drafts can be deleted; deprecate it instead."
    ]


def test_owners_are_set_per_role_in_the_order_given(space, steward, draft):
    first, second, third = factories.OwnerFactory.create_batch(3, organization=space.organization)
    link_owner(draft, "business_owners", first)

    with space_scope(space):
        metadata_owners_set(metadata_record=draft.metadata_record, role="business_owners",
                            owners=[third, first], actor=steward)
        metadata_owners_set(metadata_record=draft.metadata_record, role="it_sme",
                            owners=[second], actor=steward)
        links = contract_links_get(metadata_record=draft.metadata_record)

    assert links.owners["business_owners"] == (first, third)
    assert links.owners["it_sme"] == (second,)
    assert links.owners["bu_sme"] == ()
    assert _fresh(draft).metadata_record.updated_by == steward.username


def test_an_owner_of_another_organization_is_refused_without_naming_it(
    space, other_space, steward, draft
):
    foreign = factories.OwnerFactory(organization=other_space.organization, id="their_owner",
                                     name="Their Secret Name")

    with space_scope(space), pytest.raises(ValidationError) as raised:
        metadata_owners_set(metadata_record=draft.metadata_record, role="bu_sme",
                            owners=[foreign], actor=steward)

    assert raised.value.message_dict == {"bu_sme": ["None in this organization: their_owner."]}
    assert not OWNERSHIP_ROLE_LINKS["bu_sme"].objects.exists()


def test_systems_and_domains_of_another_organization_are_refused(space, other_space, steward,
                                                                 draft):
    own_system = factories.SystemFactory(organization=space.organization, name="RES")
    foreign_system = factories.SystemFactory(organization=other_space.organization, name="X")
    foreign_domain = factories.DomainFactory(organization=other_space.organization)

    with space_scope(space):
        metadata_systems_set(metadata_record=draft.metadata_record, role="pushes_to",
                             systems=[own_system], actor=steward)
        with pytest.raises(ValidationError):
            metadata_systems_set(metadata_record=draft.metadata_record, role="pulls_from",
                                 systems=[foreign_system], actor=steward)
        with pytest.raises(ValidationError):
            metadata_domains_set(metadata_record=draft.metadata_record, domains=[foreign_domain],
                                 actor=steward)

    assert list(MetadataRecordSystemPush.objects.values_list("system__name", flat=True)) == ["RES"]
    assert not MetadataRecordDomain.objects.exists()


@pytest.mark.parametrize(("role", "title"), [("business_owners", "business owner"),
                                             ("it_application_owners", "IT application owner")])
def test_an_active_contract_keeps_its_required_owners(role, title, space, steward):
    contract = with_required_owners(contract_with_parts(space, status="active"))

    with space_scope(space), pytest.raises(ValidationError) as raised:
        metadata_owners_set(metadata_record=contract.metadata_record, role=role, owners=[],
                            actor=steward)

    assert raised.value.message_dict == {role: [f"An active contract needs at least one {title}."]}


def test_link_changes_are_in_the_audit_log(space, steward, draft):
    owner = factories.OwnerFactory(organization=space.organization)

    with space_scope(space):
        metadata_owners_set(metadata_record=draft.metadata_record, role="support_lead",
                            owners=[owner], actor=steward)

    entry = AuditLogEntry.objects.get(action="contracts.link.added")
    assert (entry.object_id, entry.changes) == (str(draft.pk), {"support_lead": [None, str(owner)]})
    assert (entry.actor, entry.space_id) == (steward, space.pk)
    assert not AuditLogEntry.objects.filter(action="contracts.metadatarecordsupportlead.created")


def test_a_new_owner_cannot_take_the_id_or_email_of_another_organizations(space, other_space):
    factories.OwnerFactory(organization=other_space.organization, id="lincoln_mak",
                           email="lincoln@example.com", name="Lincoln")

    with space_scope(space), pytest.raises(ValidationError) as raised:
        reference_entity_save(entity=Owner(id="lincoln_mak", email="lincoln@example.com",
                                           organization=space.organization, name="Mine"))

    assert raised.value.message_dict == {
        "id": ["The owner id “lincoln_mak” is not available; choose another id."],
        "email": ["This email cannot be used for this owner."],
    }
    theirs = Owner.objects.get(pk="lincoln_mak")
    assert (theirs.organization_id, theirs.name) == (other_space.organization_id, "Lincoln")


def test_reference_data_is_saved_after_its_own_checks(space, steward):
    with space_scope(space):
        owner = reference_entity_save(entity=Owner(id="ops", organization=space.organization,
                                                   team="operations"))
        owner.team = "platform"
        reference_entity_save(entity=owner)

    assert Owner.objects.get(pk="ops").team == "platform"
