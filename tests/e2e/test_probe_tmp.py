import subprocess

import pytest

from tests import factories
from tenancy.models import Role


@pytest.fixture
def report_sessions():
    yield
    print(subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
         "select pid, state, left(query, 120) from pg_stat_activity "
         "where datname = 'test_pycharter_contracts_probe'"],
        capture_output=True, text=True).stdout)


def test_probe(report_sessions, browser_page, sign_in, space):
    factories.MembershipFactory(space=space, role=Role.STEWARD,
                                user=factories.UserFactory(username="priya"))
    sign_in(browser_page, "priya", "correct horse battery staple")
    browser_page.goto("/admin/contracts/datacontract/")
