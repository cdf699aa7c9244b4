import pytest

from tests.factories import DataContractFactory, SchemaFactory


@pytest.fixture
def contract(space, unscoped):
    """The active contract `flights` 1.0.0 of the space, with a schema to check records by."""
    contract = DataContractFactory(space=space, name="flights", status="active")
    contract.schema = SchemaFactory(data_contract=contract)
    contract.schema_version = "1.0.0"
    contract.save()
    return contract
