"""The README's one command can be run again on the same folder."""

from io import StringIO

import pytest
from django.core.management import call_command

from contracts.models import DataContract
from tenancy.commands import space_resolve

pytestmark = pytest.mark.usefixtures("unscoped")


def test_a_second_run_after_a_steward_edited_a_demo_contract_reuses_the_data(db, settings):
    settings.DEBUG = True
    call_command("run_demo", "--no-serve", stdout=StringIO())
    contract = DataContract.objects.get(name="flight_bookings", version="1.1.0")
    contract.description = "Edited by a steward"
    contract.save()
    count = DataContract.objects.count()
    output = StringIO()

    call_command("run_demo", "--no-serve", stdout=output)

    contract.refresh_from_db()
    assert "Reusing the demo data already in this database (3 spaces)" in output.getvalue()
    assert contract.description == "Edited by a steward"
    assert DataContract.objects.count() == count


def test_the_demo_run_prints_the_space_argument_of_every_demo_contract(db, settings):
    settings.DEBUG = True
    output = StringIO()

    call_command("run_demo", "--no-serve", stdout=output)

    text = output.getvalue()
    for line in (
        "    skyline/flight-operations   flight_bookings, aircraft_registrations",
        "    skyline/customer-analytics  customer_profiles",
        "    northwind/orders            retail_orders",
        "    python manage.py run_quality_check flight_bookings flight_bookings.jsonl "
        "--space skyline/flight-operations",
        "    python manage.py import_contract flight_bookings.yaml "
        "--space skyline/flight-operations",
    ):
        assert line in text.splitlines()
    for argument, name in (("skyline/flight-operations", "aircraft_registrations"),
                           ("skyline/customer-analytics", "customer_profiles"),
                           ("northwind/orders", "retail_orders")):
        assert DataContract.objects.filter(space=space_resolve(argument), name=name).exists()


def test_the_demo_worker_stops_with_the_server(db, settings):
    from quality.management.commands.run_demo import Command

    settings.DEBUG = True
    command = Command(stdout=StringIO())

    with command.background_worker() as worker:
        running = worker.poll()

    assert running is None
    assert worker.returncode is not None
