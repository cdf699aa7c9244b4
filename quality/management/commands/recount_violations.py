"""Count the violations again into the violation counts the lists and summaries read."""

from django.core.management.base import BaseCommand
from django.db.models import Sum

from quality.models import ViolationCount
from quality.services.violation_counts import violation_counts_rebuild
from tenancy.commands import space_resolve, spaces_all
from tenancy.scoping import space_scope


class Command(BaseCommand):
    help = ("Count the violations of each space again (after other tools wrote violations "
            "with plain SQL), space by space, each in one transaction.")

    def add_arguments(self, parser):
        parser.add_argument("--space", help="organization/space (default: every space).")

    def handle(self, *args, space=None, **options):
        spaces = [space_resolve(space)] if space else spaces_all()
        for each_space in spaces:
            with space_scope(each_space):
                violation_counts_rebuild(space_ids=[each_space.pk])
                total = ViolationCount.objects.aggregate(total=Sum("count"))["total"] or 0
            self.stdout.write(f"{each_space.organization.slug}/{each_space.slug}: "
                              f"{total} violations counted.")
