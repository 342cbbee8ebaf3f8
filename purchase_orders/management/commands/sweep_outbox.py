"""Queue delivery of every outbound network message that is due."""

import contextlib
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from purchase_orders.services.outbound import sweep_outbox

# The signals that end --loop: Ctrl-C, and what a process manager sends.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stopped_by_signals(stop: threading.Event):
    """Set ``stop`` on SIGINT or SIGTERM while inside, instead of ending the process.

    A sweep under way finishes (its enqueued tasks are committed) before the
    loop ends. Outside the main thread signals cannot be caught; nothing is set up.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class Command(BaseCommand):
    help = (
        "Queue delivery of every outbound network message that is due (queued, "
        "retrying, or stuck in sending past its lease). Once, or with --loop "
        "every --interval seconds until SIGINT or SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Keep sweeping until interrupted (SIGINT or SIGTERM).",
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
        if not loop:
            self.sweep(options["verbosity"])
            return
        stop = threading.Event()
        with stopped_by_signals(stop):
            while not stop.is_set():
                self.sweep(options["verbosity"])
                stop.wait(interval)
        if options["verbosity"] > 0:
            self.stdout.write("Stopped.")

    def sweep(self, verbosity: int) -> None:
        count = sweep_outbox()
        if verbosity > 0:
            self.stdout.write(f"Queued {count} outbound message(s) for delivery.")
