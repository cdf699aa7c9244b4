"""The demo data set that the README's first command loads."""

import pytest
from django.core.management import call_command

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract
from quality.models import QualityMetric, QualityViolation
from tenancy.models import Space

pytestmark = pytest.mark.usefixtures("unscoped")


def _counts():
    return (
        DataContract.objects.count(),
        QualityMetric.objects.count(),
        QualityViolation.objects.count(),
    )


def test_the_demo_spans_two_organizations_with_history_and_open_violations(db):
    call_command("seed_demo", password="demo-password-123", verbosity=0)

    spaces_with_contracts = Space.objects.filter(data_contracts__isnull=False).distinct()
    assert {space.organization.slug for space in spaces_with_contracts} == {"skyline", "northwind"}
    assert spaces_with_contracts.count() == 3
    assert DataContract.objects.filter(status="active").count() == 4
    assert QualityMetric.objects.filter(data_contract__name="flight_bookings").count() == 14
    assert QualityViolation.objects.filter(status="open").exists()
    for link_model in OWNERSHIP_ROLE_LINKS.values():
        assert link_model.objects.filter(
            metadata_record__data_contract__name="flight_bookings"
        ).count() == 2  # both versions


def test_seeding_twice_changes_nothing(db):
    call_command("seed_demo", password="demo-password-123", verbosity=0)
    first = _counts()

    call_command("seed_demo", password="demo-password-123", verbosity=0)

    assert _counts() == first


def test_demo_users_sign_in_with_the_printed_password(db, client):
    call_command("seed_demo", password="demo-password-123", verbosity=0)

    assert client.login(username="priya", password="demo-password-123")
