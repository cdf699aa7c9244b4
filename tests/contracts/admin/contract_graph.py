"""Builders shared by the contract admin, edit and lifecycle tests: a whole contract, and a
small rule checker standing in for the quality engine's."""

from contracts.models import OWNERSHIP_ROLE_LINKS, SYSTEM_ROLE_LINKS, MetadataRecordDomain
from tests import factories

BOOKING_SCHEMA = {
    "type": "object",
    "title": "Booking",
    "properties": {
        "booking_id": {"type": "string", "minLength": 6},
        "fare": {"type": "number", "minimum": 0},
        "cabin": {"type": "string", "enum": ["economy", "business", "first"]},
    },
    "required": ["booking_id", "fare"],
}
BOOKING_COERCIONS = {"fare": "coerce_to_float"}
BOOKING_VALIDATIONS = {"booking_id": {"max_length": {"threshold": 12}}}


def contract_with_parts(space, *, name="bookings", version="1.0.0", status="draft",
                        schema_data=None, coercion_rules=None, validation_rules=None):
    """A contract of `space` with a current schema, both rule sets and a metadata record."""
    contract = factories.DataContractFactory(space=space, name=name, version=version,
                                             status=status)
    schema = factories.SchemaFactory(
        data_contract=contract, version=version, title="Booking",
        schema_data=schema_data if schema_data is not None else BOOKING_SCHEMA,
    )
    contract.schema, contract.schema_version = schema, version
    contract.coercion_rules = factories.CoercionRuleSetFactory(
        data_contract=contract, version=version, schema=schema,
        rules=coercion_rules if coercion_rules is not None else BOOKING_COERCIONS,
    )
    contract.validation_rules = factories.ValidationRuleSetFactory(
        data_contract=contract, version=version, schema=schema,
        rules=validation_rules if validation_rules is not None else BOOKING_VALIDATIONS,
    )
    contract.metadata_record = factories.MetadataRecordFactory(
        data_contract=contract, version=version, status=status, title=name
    )
    contract.coercion_rules_version = contract.validation_rules_version = version
    contract.metadata_version = version
    contract.save()
    return contract


def link_owner(contract, role, owner):
    OWNERSHIP_ROLE_LINKS[role].objects.create(metadata_record=contract.metadata_record,
                                              owner=owner)


def link_system(contract, role, system):
    SYSTEM_ROLE_LINKS[role].objects.create(metadata_record=contract.metadata_record,
                                           system=system)


def link_domain(contract, domain):
    MetadataRecordDomain.objects.create(metadata_record=contract.metadata_record, domain=domain)


def with_required_owners(contract):
    """Give the contract the business owner and IT application owner activation needs."""
    organization = contract.space.organization
    link_owner(contract, "business_owners", factories.OwnerFactory(organization=organization))
    link_owner(contract, "it_application_owners",
               factories.OwnerFactory(organization=organization))
    return contract
