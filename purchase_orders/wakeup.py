"""Waking an idle ``db_worker`` as soon as a task is queued.

On PostgreSQL every task queued to run now sends a notification on
``CHANNEL`` from the connection that inserted it. PostgreSQL delivers a
notification when its transaction commits (at once in autocommit) and never
for one rolled back, so a worker woken by it finds the task's row committed.
An idle worker waits for it on a connection of its own, in ``LISTEN``, for
at most its poll interval (``TASKS_POLL_INTERVAL_SECONDS``), then looks at
the queue either way. The poll stays the authority: a notification missed
while the worker reconnected, or a task deferred to later (a retry, the
next sweep), costs at most one interval. SQLite has no notifications; there
the worker polls only, at a shorter interval.
"""

import logging
import time

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

logger = logging.getLogger(__name__)

CHANNEL = "procurement_tasks"


def notify_task_enqueued(sender, task_result, **kwargs) -> None:
    """Tell idle workers that a task ready to run was queued in the database.

    Connected to django-tasks' ``task_enqueued`` signal. A deferred task
    wakes nobody: the poll finds it when it is due.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not issubclass(sender, DatabaseBackend):
        return
    run_after = task_result.task.run_after
    if run_after is not None and run_after > timezone.now():
        return
    connection = connections[router.db_for_write(DBTaskResult)]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, task_result.task.queue_name])


def listening_connection(channel: str, *, using: str = "default"):
    """Open a PostgreSQL connection of its own, in autocommit, listening on ``channel``."""
    import psycopg
    from psycopg import sql

    params = connections[using].get_connection_params()
    connection = psycopg.connect(**params, autocommit=True)
    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
    return connection


class Waker:
    """Wait until a task is queued, or for at most the given seconds.

    Holds one connection of its own in ``LISTEN``, opened at the first wait
    and again after a failure; Django's connection of the worker is left to
    its own life (``CONN_MAX_AGE``).
    """

    def __init__(self, using: str = "default"):
        self.using = using
        self.connection = None

    @property
    def listens(self) -> bool:
        return settings.TASKS_LISTEN and connections[self.using].vendor == "postgresql"

    def sleep(self, seconds: float) -> None:
        """Return when a notification arrives or ``seconds`` have passed."""
        if seconds <= 0:
            return
        if not self.listens:
            time.sleep(seconds)
            return
        import psycopg

        try:
            if self.connection is None or self.connection.closed:
                self._listen()
                # What was queued before LISTEN woke nobody: look at the queue now.
                return
            for _ in self.connection.notifies(timeout=seconds, stop_after=1):
                pass
        except psycopg.Error as error:
            logger.warning("Waiting for queued tasks failed, polling instead: %s", error)
            self.close()
            time.sleep(seconds)

    def _listen(self) -> None:
        self.connection = listening_connection(CHANNEL, using=self.using)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
