"""Relationship hardening (seed 004): an unplanned lazy load is an error in tests."""

import pytest
from seal.exceptions import UnsealedAttributeAccess

from contracts.models import DataContract
from contracts.selectors import contract_get
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
