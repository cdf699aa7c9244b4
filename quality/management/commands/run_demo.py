"""One command to try the site: migrate, load the demo data, print the sign-in, serve,
with a background worker beside the server so jobs complete."""

import secrets
import signal
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from quality.demo import demo_space_arguments


class Command(BaseCommand):
    help = ("Migrate, load (or reuse) the demo data and run the site on 127.0.0.1:8000 with a "
            "background worker (DEBUG only).")

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare, but do not serve.")

    def handle(self, *args, address, no_serve, **options):
        if not settings.DEBUG:
            raise CommandError("run_demo is for trying the site out: run it with DEBUG=1.")
        call_command("migrate", interactive=False, verbosity=0)
        password = secrets.token_urlsafe(12)
        call_command("seed_demo", password=password, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"\n  PyCharter Governance is at http://{address}/admin/\n"
            f"  Sign in as admin (superuser), priya (steward), vera (viewer),\n"
            f"  olivia (organization admin) or nora (steward, other organization).\n"
            f"  Password for all of them: {password}\n"
        ))
        self.print_pipeline_commands()
        if not no_serve:
            with self.background_worker():
                call_command("runserver", address, use_reloader=False)

    def print_pipeline_commands(self):
        """Commands name their space with `--space organization/space`: say which exist."""
        arguments = demo_space_arguments()
        self.stdout.write("  Pipeline commands name a space with --space:")
        width = max(map(len, arguments))
        for argument, contract_names in arguments.items():
            self.stdout.write(f"    {argument:<{width}}  {', '.join(contract_names)}")
        argument, contract_names = next(iter(arguments.items()))
        contract = contract_names[0]
        self.stdout.write(
            "  For example:\n"
            f"    python manage.py run_quality_check {contract} {contract}.jsonl "
            f"--space {argument}\n"
            f"    python manage.py export_contract {contract} --space {argument}\n"
            f"    python manage.py import_contract {contract}.yaml --space {argument}\n"
            f"    python manage.py export_data violations --contract {contract} "
            f"--output violations.csv --space {argument}\n"
            f"    python manage.py import_data violations violations.csv --space {argument}\n"
        )

    @contextmanager
    def background_worker(self):
        """A `run_worker` child process for as long as the server runs. SIGTERM and SIGHUP
        (`kill`, a closed terminal) end the demo like Ctrl-C does, stopping the worker too
        instead of leaving it behind."""
        worker = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker", "--no-reload",
             "--verbosity", "0"],
        )
        self.stdout.write(f"  A background worker runs the jobs (process {worker.pid}).\n")
        previous = {number: signal.signal(number, _stop_demo)
                    for number in (signal.SIGTERM, signal.SIGHUP)}
        try:
            yield worker
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


def _stop_demo(signal_number, frame):
    raise SystemExit(128 + signal_number)
