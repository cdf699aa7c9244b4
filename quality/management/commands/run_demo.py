"""One command to try the site: migrate, load the demo data, print the sign-in, serve."""

import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Migrate, load the demo data and run the site on 127.0.0.1:8000 (DEBUG only)."

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
            call_command("runserver", address, use_reloader=False)
