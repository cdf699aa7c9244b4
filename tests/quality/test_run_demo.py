"""The README's one command can be run again on the same folder."""

from io import StringIO

import pytest
from django.core.management import call_command

from contracts.models import DataContract

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


def test_the_demo_worker_stops_with_the_server(db, settings):
    from quality.management.commands.run_demo import Command

    settings.DEBUG = True
    command = Command(stdout=StringIO())

    with command.background_worker() as worker:
        running = worker.poll()

    assert running is None
    assert worker.returncode is not None
