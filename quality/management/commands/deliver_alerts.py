"""Retry the alert deliveries that failed or never ran (e.g. from cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from quality.alerting.outbox import deliveries_due, deliveries_send
from quality.models import AlertDelivery, DeliveryStatus
from tenancy.commands import space_resolve, spaces_all
from tenancy.scoping import space_scope


class Command(BaseCommand):
    help = ("Send, in this process, pending and failed alert deliveries (a new round of "
            "attempts for each), space by space. Exits 1 when deliveries still fail.")

    def add_arguments(self, parser):
        parser.add_argument("--space", help="organization/space (default: every space).")

    def handle(self, *args, space=None, **options):
        spaces = [space_resolve(space)] if space else spaces_all()
        failed = delivered = 0
        for each_space in spaces:
            with space_scope(each_space):
                AlertDelivery.objects.exclude(
                    status__in=(DeliveryStatus.DELIVERED, DeliveryStatus.SENDING)
                ).update(attempts=0, next_attempt_at=timezone.now())
                tried = set()
                while due := [delivery_id for delivery_id in deliveries_due()
                              if delivery_id not in tried]:
                    tried.update(due)
                    counts = deliveries_send(delivery_ids=due)
                    delivered += counts["delivered"]
                for delivery in AlertDelivery.objects.filter(
                    pk__in=tried, status=DeliveryStatus.FAILED
                ).select_related("channel"):
                    failed += 1
                    self.stderr.write(f"{each_space.organization.slug}/{each_space.slug}: "
                                      f"{delivery.channel} still failing: {delivery.last_error}")
        self.stdout.write(f"{delivered} delivered, {failed} still failing.")
        if failed:
            raise SystemExit(1)
