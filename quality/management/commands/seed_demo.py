"""Load the demo data set (idempotent)."""

import secrets

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from quality.demo import USERS, demo_exists, demo_seed


class Command(BaseCommand):
    help = "Create the demo organizations, spaces, users, contracts and quality history."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password of every demo user (default: random).")

    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(12)
        # Seeding creates organizations and spaces, which no tenant scope can contain yet.
        with scopes_disabled():
            reused = demo_exists()
            spaces, _ = demo_seed(password=password)
        if reused:
            self.stdout.write(self.style.SUCCESS(
                f"Reusing the demo data already in this database ({len(spaces)} spaces): "
                "your edits are kept, anything missing is brought back."
            ))
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo data created in {len(spaces)} spaces."))
        self.stdout.write(f"Users ({', '.join(USERS)}) share the password: {password}")
