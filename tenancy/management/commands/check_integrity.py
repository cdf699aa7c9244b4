"""List what the database holds that the site would not have written; fix what is safe to fix.

Shared resources (comments, attachments, annotations) whose object is gone are listed
and, with --fix, removed. Each app may add its own findings through an
`integrity_problems()` method on its AppConfig (contracts: names that break the naming
rules); those are listed only, since fixing them needs a person's decision.
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from tenancy.shared import orphans_delete, orphans_find


class Command(BaseCommand):
    help = (
        "List shared resources (comments, attachments, annotations) whose target object no "
        "longer exists, e.g. after a raw SQL delete, and rows of every tenant whose names "
        "break the naming rules. Exits 1 when orphans or such names remain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Delete the orphans (and files).")

    def handle(self, *args, fix, **options):
        orphans_remain = self._orphans(fix)
        problems_remain = self._app_problems()
        if orphans_remain or problems_remain:
            raise SystemExit(1)

    def _orphans(self, fix):
        orphans = orphans_find()
        total = sum(len(rows) for rows in orphans.values())
        for model, rows in orphans.items():
            for row in rows:
                self.stdout.write(
                    f"orphan {model._meta.verbose_name} {row.id}: "
                    f"{row.content_type.app_label}.{row.content_type.model} {row.object_id} "
                    "does not exist"
                )
        if not total:
            self.stdout.write(self.style.SUCCESS("No orphans."))
            return False
        if fix:
            orphans_delete(orphans)
            self.stdout.write(self.style.SUCCESS(f"Removed {total} orphans."))
            return False
        self.stderr.write(f"{total} orphans found; run with --fix to remove them.")
        return True

    def _app_problems(self):
        problems = [
            line
            for config in apps.get_app_configs()
            if hasattr(config, "integrity_problems")
            for line in config.integrity_problems()
        ]
        for line in problems:
            self.stdout.write(line)
        if problems:
            self.stderr.write(
                f"{len(problems)} problems found that --fix leaves to a person; see above."
            )
        return bool(problems)
