"""Fixtures of the contract admin tests: signed-in clients and the stand-in rule checker."""

import pytest

from contracts import rule_checks
from tests.contracts.admin.contract_graph import known_rules_checker


@pytest.fixture(autouse=True)
def known_rules(monkeypatch):
    """Only the stand-in checker judges rules, whatever else registered itself."""
    monkeypatch.setattr(rule_checks, "_checkers", [])
    rule_checks.register_rule_checker(known_rules_checker)


@pytest.fixture
def steward_client(client, steward):
    client.force_login(steward)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in every test; the production hasher takes most of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
