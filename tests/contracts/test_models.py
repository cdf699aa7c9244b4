"""The ERD's constraints, cascades and model-layer validation, through the ORM."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    CoercionRuleSet,
    DataContract,
    MetadataRecord,
    MetadataRecordDomain,
    Owner,
    Schema,
    ValidationRuleSet,
)
from quality.models import QualityMetric, QualityViolation
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


def _fails_unique(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.parametrize(
    "factory",
    [
        factories.SchemaFactory,
        factories.CoercionRuleSetFactory,
        factories.ValidationRuleSetFactory,
        factories.MetadataRecordFactory,
    ],
)
def test_component_version_is_unique_per_contract(factory, space):
    contract = factories.DataContractFactory(space=space)
    factory(data_contract=contract, version="1.0.0")

    _fails_unique(lambda: factory(data_contract=contract, version="1.0.0"))

    other_contract = factories.DataContractFactory(space=space)
    assert factory(data_contract=other_contract, version="1.0.0").pk


def test_contract_name_and_version_are_unique_within_a_space(space, other_space):
    factories.DataContractFactory(space=space, name="flights", version="1.0.0")

    _fails_unique(
        lambda: factories.DataContractFactory(space=space, name="flights", version="1.0.0")
    )
    factories.DataContractFactory(space=space, name="flights", version="1.1.0")
    factories.DataContractFactory(space=other_space, name="flights", version="1.0.0")

    assert DataContract.objects.filter(name="flights").count() == 3


@pytest.mark.parametrize("factory", [factories.SystemFactory, factories.DomainFactory])
def test_system_and_domain_names_are_unique_within_an_organization(
    factory, organization, other_organization
):
    factory(organization=organization, name="ICC")

    _fails_unique(lambda: factory(organization=organization, name="ICC"))
    assert factory(organization=other_organization, name="ICC").pk


def test_owner_id_is_the_primary_key_and_email_is_unique_only_when_present(organization):
    factories.OwnerFactory(organization=organization, id="lincoln_mak", email="l@example.com")

    _fails_unique(lambda: Owner.objects.create(id="other", email="l@example.com",
                                               organization=organization))
    Owner.objects.create(id="no_email_1", email=None, organization=organization)
    Owner.objects.create(id="no_email_2", email=None, organization=organization)

    assert Owner.objects.filter(email__isnull=True).count() == 2
    assert Owner.objects.get(pk="lincoln_mak").email == "l@example.com"


@pytest.mark.parametrize("role", sorted(OWNERSHIP_ROLE_LINKS))
def test_each_ownership_link_is_unique_per_record_and_owner(role, space):
    link_model = OWNERSHIP_ROLE_LINKS[role]
    record = factories.MetadataRecordFactory(data_contract__space=space)
    owner = factories.OwnerFactory(organization=space.organization)
    link_model.objects.create(metadata_record=record, owner=owner)

    _fails_unique(lambda: link_model.objects.create(metadata_record=record, owner=owner))
    assert list(getattr(record, role).all()) == [owner]


@pytest.mark.parametrize("role", sorted(SYSTEM_ROLE_LINKS))
def test_each_system_link_is_unique_per_record_and_system(role, space):
    link_model = SYSTEM_ROLE_LINKS[role]
    record = factories.MetadataRecordFactory(data_contract__space=space)
    system = factories.SystemFactory(organization=space.organization)
    link_model.objects.create(metadata_record=record, system=system)

    _fails_unique(lambda: link_model.objects.create(metadata_record=record, system=system))
    assert list(getattr(record, role).all()) == [system]


def test_domain_link_is_unique_per_record_and_domain(space):
    record = factories.MetadataRecordFactory(data_contract__space=space)
    domain = factories.DomainFactory(organization=space.organization)
    MetadataRecordDomain.objects.create(metadata_record=record, domain=domain)

    _fails_unique(
        lambda: MetadataRecordDomain.objects.create(metadata_record=record, domain=domain)
    )
    assert list(record.domains.all()) == [domain]


def _whole_contract(space):
    contract = factories.DataContractFactory(space=space)
    schema = factories.SchemaFactory(data_contract=contract)
    coercion = factories.CoercionRuleSetFactory(data_contract=contract, schema=schema)
    validation = factories.ValidationRuleSetFactory(data_contract=contract, schema=schema)
    record = factories.MetadataRecordFactory(data_contract=contract)
    owner = factories.OwnerFactory(organization=space.organization)
    system = factories.SystemFactory(organization=space.organization)
    domain = factories.DomainFactory(organization=space.organization)
    for link_model in OWNERSHIP_ROLE_LINKS.values():
        link_model.objects.create(metadata_record=record, owner=owner)
    for link_model in SYSTEM_ROLE_LINKS.values():
        link_model.objects.create(metadata_record=record, system=system)
    MetadataRecordDomain.objects.create(metadata_record=record, domain=domain)
    contract.schema, contract.coercion_rules = schema, coercion
    contract.validation_rules, contract.metadata_record = validation, record
    contract.save()
    metric = factories.QualityMetricFactory(data_contract=contract)
    violation = factories.QualityViolationFactory(data_contract=contract)
    return contract, schema, record, owner, system, domain, metric, violation


def _link_count():
    models = [*OWNERSHIP_ROLE_LINKS.values(), *SYSTEM_ROLE_LINKS.values(), MetadataRecordDomain]
    return sum(model.objects.count() for model in models)


def test_deleting_a_contract_cascades_to_components_and_links_and_keeps_quality_history(space):
    contract, _, _, owner, system, domain, metric, violation = _whole_contract(space)

    contract.delete()

    assert Schema.objects.count() == 0
    assert CoercionRuleSet.objects.count() == 0
    assert ValidationRuleSet.objects.count() == 0
    assert MetadataRecord.objects.count() == 0
    assert _link_count() == 0
    metric.refresh_from_db()
    violation.refresh_from_db()
    assert (metric.data_contract_id, violation.data_contract_id) == (None, None)
    assert {type(owner).objects.count(), type(system).objects.count()} == {1}
    assert type(domain).objects.count() == 1


def test_deleting_a_schema_sets_null_on_rules_and_contract(space):
    contract, schema, *_ = _whole_contract(space)

    schema.delete()

    contract.refresh_from_db()
    assert contract.schema_id is None
    assert CoercionRuleSet.objects.get().schema_id is None
    assert ValidationRuleSet.objects.get().schema_id is None


def test_deleting_reference_entities_cascades_to_their_links_only(space):
    contract, _, record, owner, system, domain, *_ = _whole_contract(space)

    owner.delete()
    system.delete()
    domain.delete()

    assert _link_count() == 0
    assert MetadataRecord.objects.get() == record
    assert DataContract.objects.get() == contract


def test_quality_rows_keep_their_space_when_the_contract_goes(space):
    contract, *_ = _whole_contract(space)

    contract.delete()

    assert QualityMetric.objects.get().space_id == space.pk
    assert QualityViolation.objects.get().space_id == space.pk


@pytest.mark.parametrize(
    ("schema_data", "message"),
    [
        ({"type": "objekt"}, "Not a valid JSON Schema (Draft 2020-12) at type"),
        ({"properties": {"age": {"minimum": "zero"}}}, "at properties/age/minimum"),
        (["not", "an", "object"], "A JSON Schema must be an object."),
    ],
)
def test_schema_data_must_be_a_valid_json_schema(schema_data, message, space):
    schema = factories.SchemaFactory.build(
        data_contract=factories.DataContractFactory(space=space), schema_data=schema_data
    )

    with pytest.raises(ValidationError) as error:
        schema.full_clean()

    assert list(error.value.message_dict) == ["schema_data"]
    assert message in error.value.message_dict["schema_data"][0]


@pytest.mark.parametrize("version", ["1", "1.0", "v1.0.0", "1.0.0.0", ""])
def test_versions_must_be_semantic(version, space):
    contract = factories.DataContractFactory.build(space=space, version=version)

    with pytest.raises(ValidationError) as error:
        contract.full_clean()

    assert "version" in error.value.message_dict


def test_semantic_versions_with_prerelease_are_accepted(space):
    contract = factories.DataContractFactory.build(space=space, version="2.1.0-rc.1")

    contract.full_clean()


@pytest.mark.parametrize("model_factory", [factories.DataContractFactory])
def test_status_must_be_active_deprecated_or_draft(model_factory, space):
    contract = model_factory.build(space=space, status="retired")

    with pytest.raises(ValidationError) as error:
        contract.full_clean()

    assert list(error.value.message_dict) == ["status"]


def test_metadata_status_must_be_active_deprecated_or_draft(space):
    record = factories.MetadataRecordFactory.build(
        data_contract=factories.DataContractFactory(space=space), status="archived"
    )

    with pytest.raises(ValidationError) as error:
        record.full_clean()

    assert list(error.value.message_dict) == ["status"]


def test_owner_email_must_be_valid(organization):
    owner = Owner(id="lincoln_mak", email="not-an-email", organization=organization)

    with pytest.raises(ValidationError) as error:
        owner.full_clean()

    assert list(error.value.message_dict) == ["email"]


def test_owner_name_defaults_to_its_id(organization):
    owner = Owner.objects.create(id="operations-team", organization=organization)

    assert str(owner) == "operations-team"
