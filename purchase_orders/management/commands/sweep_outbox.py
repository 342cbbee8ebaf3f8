"""Queue delivery of every outbound network message that is due."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from purchase_orders.services.outbound import sweep_outbox


class Command(BaseCommand):
    help = (
        "Queue delivery of every outbound network message that is due (queued, "
        "retrying, or stuck in sending past its lease). Once, or with --loop "
        "every --interval seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep sweeping until interrupted."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between sweeps with --loop "
            "(default: ENKASH_SWEEP_INTERVAL_SECONDS).",
        )

    def handle(self, *args, loop: bool, interval: float | None, **options):
        interval = settings.ENKASH_SWEEP_INTERVAL_SECONDS if interval is None else interval
        if interval <= 0:
            raise CommandError("--interval must be more than zero.")
        while True:
            count = sweep_outbox()
            if options["verbosity"] > 0:
                self.stdout.write(f"Queued {count} outbound message(s) for delivery.")
            if not loop:
                return
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return
