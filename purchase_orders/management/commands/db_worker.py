"""Run the database task worker, sweeping the outbox first."""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from purchase_orders.services.outbound import sweep_outbox


class Command(db_worker.Command):
    help = (
        "Run a database background worker. It first sweeps the outbox: every "
        "outbound network message already due is queued and the periodic sweep "
        "is scheduled, so a worker started after a restart or an outage delivers "
        "what is waiting even when no task is."
    )

    def handle(self, *args, **options):
        # With auto-reloading the parent process only watches files; the
        # child that runs the tasks sweeps.
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            sweep_outbox()
        super().handle(*args, **options)
