"""Fixtures of the contract admin tests: signed-in clients."""

import pytest


@pytest.fixture
def steward_client(client, steward):
    client.force_login(steward)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client
