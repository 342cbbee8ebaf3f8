"""Run the database task worker, sweeping the outbox first and woken by new tasks."""

import logging
import os
import time
from contextlib import contextmanager

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from procurement.startup import freeze_start_up_objects
from purchase_orders.services.outbound import sweep_outbox
from purchase_orders.services.reminders import send_reminders
from purchase_orders.wakeup import Waker

logger = logging.getLogger(__name__)


@contextmanager
def woken_by_notifications():
    """Make django-tasks-db's worker loop wait for a queued task instead of sleeping.

    The loop's only use of its ``time`` module is ``time.sleep(interval)``
    while the queue is empty (and a random start-up delay); a ``Waker``
    stands in for it there, so the loop itself stays the library's.
    """
    waker = Waker()
    db_worker.time = waker
    try:
        yield
    finally:
        db_worker.time = time
        waker.close()


class Command(db_worker.Command):
    help = (
        "Run a database background worker. It first sweeps the outbox: every "
        "outbound network message already due is queued and the periodic sweep "
        "is scheduled, so a worker started after a restart or an outage delivers "
        "what is waiting even when no task is; then it reminds the suppliers of the "
        "orders they have not answered and schedules the next reminders. On "
        "PostgreSQL an idle worker is woken as soon as a task is queued; --interval "
        "bounds its wait either way."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(interval=settings.TASKS_POLL_INTERVAL_SECONDS)

    def handle(self, *args, **options):
        # With auto-reloading the parent process only watches files; the
        # child that runs the tasks sweeps, and reminds (which schedules the
        # next run of the reminders, as the sweep schedules the next sweep).
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            sweep_outbox()
            try:
                send_reminders()
            except Exception:
                # Reminders are a courtesy: a failure must not stop deliveries.
                logger.exception("Reminders failed as the worker started")
            freeze_start_up_objects()
        with woken_by_notifications():
            super().handle(*args, **options)
