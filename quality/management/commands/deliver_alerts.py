"""Retry the alert deliveries that failed or never ran (e.g. from cron)."""

from django.core.management.base import BaseCommand

from quality.alerting.services import delivery_attempt
from quality.models import AlertDelivery, DeliveryStatus
from tenancy.commands import space_resolve, spaces_all
from tenancy.scoping import space_scope


class Command(BaseCommand):
    help = ("Retry pending and failed alert deliveries that have attempts left, space by space. "
            "Exits 1 when deliveries still fail.")

    def add_arguments(self, parser):
        parser.add_argument("--space", help="organization/space (default: every space).")

    def handle(self, *args, space=None, **options):
        spaces = [space_resolve(space)] if space else spaces_all()
        failed = delivered = 0
        for each_space in spaces:
            with space_scope(each_space):
                deliveries = AlertDelivery.objects.select_related(
                    "channel", "alert", "alert__data_contract"
                ).exclude(status=DeliveryStatus.DELIVERED)
                for delivery in deliveries:
                    delivery.attempts = 0  # a new round of attempts
                    result = delivery_attempt(delivery=delivery)
                    if result.status == DeliveryStatus.DELIVERED:
                        delivered += 1
                    else:
                        failed += 1
                        self.stderr.write(f"{each_space.organization.slug}/{each_space.slug}: "
                                          f"{result.channel} still failing: {result.last_error}")
        self.stdout.write(f"{delivered} delivered, {failed} still failing.")
        if failed:
            raise SystemExit(1)
