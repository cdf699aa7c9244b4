"""Every API list runs the same number of queries for 1 row as for 100."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenancy.shared import comment_add
from tests.api_helpers import token_client
from tests.factories import (
    DataContractFactory,
    DomainFactory,
    OwnerFactory,
    QualityMetricFactory,
    QualityViolationFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db

LISTS = {
    "/api/v1/contracts/": lambda space, n: DataContractFactory.create_batch(n, space=space),
    "/api/v1/owners/": lambda space, n: OwnerFactory.create_batch(
        n, organization=space.organization),
    "/api/v1/systems/": lambda space, n: SystemFactory.create_batch(
        n, organization=space.organization),
    "/api/v1/domains/": lambda space, n: DomainFactory.create_batch(
        n, organization=space.organization),
    "/api/v1/quality/violations/": lambda space, n: QualityViolationFactory.create_batch(
        n, data_contract=DataContractFactory(space=space)),
    "/api/v1/quality/metrics/": lambda space, n: QualityMetricFactory.create_batch(
        n, data_contract=DataContractFactory(space=space)),
}


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", sorted(LISTS))
def test_a_list_runs_as_many_queries_for_100_rows_as_for_1(url, space, unscoped):
    client = token_client(space)
    client.get(url)  # the token's first use in a minute also records it
    LISTS[url](space, 1)
    with_one = _queries(client, url)
    LISTS[url](space, 99)

    assert _queries(client, url) == with_one


def test_incidents_and_a_thread_run_as_many_queries_for_100_rows_as_for_1(space, steward,
                                                                          unscoped):
    client = token_client(space)
    contract = DataContractFactory(space=space)
    incidents = "/api/v1/quality/incidents/"
    thread = f"/api/v1/comments/?object_type=contract&object_id={contract.pk}"
    client.get(incidents)

    def add(count, offset):
        for number in range(offset, offset + count):
            QualityViolationFactory(data_contract=contract, field_name=f"field_{number}")
            comment_add(target=contract, author=steward, body=f"comment {number}")

    add(1, 0)
    with_one = (_queries(client, incidents), _queries(client, thread))
    add(99, 1)

    assert (_queries(client, incidents), _queries(client, thread)) == with_one
