"""Relationship hardening (seed 004): an unplanned lazy load is an error in tests."""

import pytest
from seal.exceptions import UnsealedAttributeAccess

from contracts.models import DataContract
from contracts.selectors import contract_get, contract_page_get
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


def test_a_lazy_load_on_a_sealed_queryset_raises(space):
    factories.SchemaFactory(data_contract__space=space)
    contract = DataContract.objects.seal().get()

    with pytest.raises(UnsealedAttributeAccess):
        _ = contract.space.name
    with pytest.raises(UnsealedAttributeAccess):
        list(contract.schemas.all())


def test_relations_loaded_up_front_can_be_used(space):
    factories.SchemaFactory(data_contract__space=space)

    contract = DataContract.objects.select_related("space").prefetch_related("schemas").seal().get()

    assert contract.space.name == "Flights"
    assert len(contract.schemas.all()) == 1


def test_the_contract_selector_loads_what_its_callers_read(space, django_assert_num_queries):
    contract = factories.DataContractFactory(space=space)
    schema = factories.SchemaFactory(data_contract=contract)
    contract.schema = schema
    contract.save()

    with django_assert_num_queries(1):
        loaded = contract_get(contract_id=contract.pk)
        assert (loaded.space.slug, loaded.schema.version, loaded.metadata_record) == (
            "flights", "1.0.0", None
        )


def _field_values(obj):
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_the_contract_page_read_loads_what_the_selector_loads(space, other_space,
                                                               django_assert_num_queries):
    contract = factories.DataContractFactory(space=space)
    contract.schema = factories.SchemaFactory(data_contract=contract)
    contract.validation_rules = factories.ValidationRuleSetFactory(data_contract=contract)
    contract.metadata_record = factories.MetadataRecordFactory(
        data_contract=contract, governance_rules={"retention": {"days": 30}})
    contract.save()
    expected = contract_get(contract_id=contract.pk)

    with django_assert_num_queries(1):
        loaded = contract_page_get(contract_id=str(contract.pk), space_ids=[space.pk])
        relations = [loaded, loaded.space, loaded.space.organization, loaded.schema,
                     loaded.validation_rules, loaded.metadata_record]
        assert loaded.coercion_rules is None

    assert [_field_values(obj) for obj in relations] == [_field_values(obj) for obj in [
        expected, expected.space, space.organization, expected.schema,
        expected.validation_rules, expected.metadata_record]]
    assert loaded.metadata_record.governance_rules == {"retention": {"days": 30}}


def test_the_contract_page_read_finds_nothing_outside_the_spaces_or_for_a_bad_id(space,
                                                                                 other_space):
    contract = factories.DataContractFactory(space=space)

    assert contract_page_get(contract_id=contract.pk, space_ids=[other_space.pk]) is None
    assert contract_page_get(contract_id=contract.pk, space_ids=[]) is None
    assert contract_page_get(contract_id="not-a-uuid", space_ids=[space.pk]) is None
    assert contract_page_get(contract_id=contract.pk, space_ids=[other_space.pk, space.pk]).pk \
        == contract.pk
