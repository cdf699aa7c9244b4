"""schemathesis against /api/schema/: no request it generates makes a server error or an
answer the schema does not describe. A bounded run, authenticated as a pipeline of a space;
each operation is fuzzed with generated ids and with the ids of real rows of the space."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api_helpers import token_secret
from tests.factories import (
    DataContractFactory,
    OwnerFactory,
    QualityViolationFactory,
    SchemaFactory,
)

pytestmark = pytest.mark.django_db
EXAMPLES_PER_OPERATION = 5
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def fuzzed_site(settings, space, other_space, unscoped):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"api_token": "100000/minute"}}
    for tenant in (other_space, space):  # the ids fuzzed below are the space's own
        contracts = [DataContractFactory(space=tenant, name="flights", version=version,
                                         status=status)
                     for version, status in (("1.0.0", "active"), ("2.0.0", "draft"))]
        for contract in contracts:
            contract.schema = SchemaFactory(data_contract=contract)
            contract.save()
        violation = QualityViolationFactory(data_contract=contracts[0])
        owner = OwnerFactory(organization=tenant.organization)
    headers = {"Authorization": f"Token {token_secret(space, can_write=True)}"}
    real_ids = {"contract_id": str(contracts[0].pk), "violation_id": str(violation.pk),
                "pk": owner.pk, "object_id": str(violation.pk)}
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json",
                                                get_wsgi_application(), headers=headers)
        yield schema, headers, real_ids
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(operation, headers, mode, path_parameters=None):
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(fuzzed_site):
    schema, headers, real_ids = fuzzed_site
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        _fuzz(operation, headers, GenerationMode.POSITIVE)
        if len(operation.body) or len(operation.query):
            # Only typed inputs have invalid values: a path of free text has none.
            _fuzz(operation, headers, GenerationMode.NEGATIVE)
        if names:
            _fuzz(operation, headers, GenerationMode.POSITIVE,
                  {name: real_ids[name] for name in names if name in real_ids})
