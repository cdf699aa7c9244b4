"""List comments, attachments and annotations whose object is gone; remove them with --fix."""

from django.core.management.base import BaseCommand

from tenancy.shared import orphans_delete, orphans_find


class Command(BaseCommand):
    help = (
        "List shared resources (comments, attachments, annotations) whose target object no "
        "longer exists, e.g. after a raw SQL delete. Exits 1 when orphans remain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Delete the orphans (and files).")

    def handle(self, *args, fix, **options):
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
            return
        if fix:
            orphans_delete(orphans)
            self.stdout.write(self.style.SUCCESS(f"Removed {total} orphans."))
            return
        self.stderr.write(f"{total} orphans found; run with --fix to remove them.")
        raise SystemExit(1)
