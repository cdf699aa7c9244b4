"""One command to try the site: migrate, load the demo data, print the sign-in, serve,
with a background worker beside the server so jobs complete."""

import secrets
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


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
        if not no_serve:
            with self.background_worker():
                call_command("runserver", address, use_reloader=False)

    @contextmanager
    def background_worker(self):
        """A `run_worker` child process for as long as the server runs."""
        worker = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker", "--no-reload",
             "--verbosity", "0"],
        )
        self.stdout.write(f"  A background worker runs the jobs (process {worker.pid}).\n")
        try:
            yield worker
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
