"""An idle db_worker is woken by a queued task: a notification on PostgreSQL, a poll otherwise.

The notification tests listen on a connection of their own to the committed
test database (PostgreSQL). Their time bounds are far longer than any
wake-up takes and far shorter than the poll interval they are set against,
so only a missing wake-up makes them fail.
"""

import os
import signal
import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.management.commands import db_worker as library_db_worker
from django_tasks_db.models import DBTaskResult
from psycopg import sql

from purchase_orders import tasks
from purchase_orders.management.commands import db_worker
from purchase_orders.models import OutboundMessage
from purchase_orders.services.purchase_orders import send_purchase_order
from purchase_orders.wakeup import CHANNEL, Waker

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="notifications need PostgreSQL"
)

# Far longer than a wake-up takes, far shorter than the poll intervals below.
WAKE_BOUND_SECONDS = 30
LONG_POLL_SECONDS = 120


@pytest.fixture
def listener():
    """A connection of the test's own, listening on the workers' channel."""
    listening = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    listening.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
    yield listening
    listening.close()


def notifications(listening, *, timeout: float, stop_after: int | None = None) -> list:
    return [
        (notify.channel, notify.payload)
        for notify in listening.notifies(timeout=timeout, stop_after=stop_after)
    ]


@postgresql_only
def test_a_task_queued_in_a_transaction_notifies_workers_when_it_commits(listener):
    with transaction.atomic():
        tasks.sweep_outbox_task.enqueue()
        # Not before the commit: a woken worker would not see the task yet.
        assert notifications(listener, timeout=0.3) == []
    assert notifications(listener, timeout=WAKE_BOUND_SECONDS, stop_after=1) == [
        (CHANNEL, "default")
    ]


@postgresql_only
def test_a_rolled_back_or_deferred_task_notifies_nobody(listener):
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.sweep_outbox_task.enqueue()
        raise RuntimeError("rolled back")
    tasks.sweep_outbox_task.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    # Notifications arrive in the order of their commits: this one comes last.
    tasks.sweep_outbox_task.enqueue()

    received = notifications(listener, timeout=WAKE_BOUND_SECONDS, stop_after=1)
    received += notifications(listener, timeout=0.3)
    assert received == [(CHANNEL, "default")]


@postgresql_only
def test_a_waiting_waker_returns_when_a_task_is_queued(settings):
    settings.TASKS_LISTEN = True
    waker = Waker()
    try:
        # The first wait starts listening and returns at once, so that the
        # worker looks at what was queued before.
        started = time.monotonic()
        waker.sleep(LONG_POLL_SECONDS)
        assert time.monotonic() - started < WAKE_BOUND_SECONDS

        woke = threading.Event()

        def wait() -> None:
            waker.sleep(LONG_POLL_SECONDS)
            woke.set()

        waiting = threading.Thread(target=wait, daemon=True)
        waiting.start()
        assert woke.wait(0.3) is False
        tasks.sweep_outbox_task.enqueue()
        assert woke.wait(WAKE_BOUND_SECONDS) is True
        waiting.join(WAKE_BOUND_SECONDS)
    finally:
        waker.close()


@postgresql_only
def test_a_waker_that_loses_its_connection_listens_again(settings):
    settings.TASKS_LISTEN = True
    waker = Waker()
    try:
        waker.sleep(LONG_POLL_SECONDS)
        first = waker.connection
        first.close()
        # A closed connection is opened again and listens, then returns to poll.
        started = time.monotonic()
        waker.sleep(LONG_POLL_SECONDS)
        assert time.monotonic() - started < WAKE_BOUND_SECONDS
        assert waker.connection is not first
        tasks.sweep_outbox_task.enqueue()
        started = time.monotonic()
        waker.sleep(LONG_POLL_SECONDS)
        assert time.monotonic() - started < WAKE_BOUND_SECONDS
    finally:
        waker.close()


def listening_workers() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle' AND query = %s",
            [f'LISTEN "{CHANNEL}"'],
        )
        return cursor.fetchone()[0]


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Waited {timeout} s for {what}")
        time.sleep(0.02)


@postgresql_only
@pytest.mark.sandbox
def test_an_idle_worker_process_delivers_a_send_long_before_its_next_poll(
    network_sandbox, worker_process, trading_pair, monkeypatch
):
    monkeypatch.setenv("TASKS_POLL_INTERVAL_SECONDS", str(LONG_POLL_SECONDS))
    worker_process()
    wait_until(lambda: listening_workers() == 1, WAKE_BOUND_SECONDS, "the worker to listen")
    # Past its first poll after listening: from here only a notification wakes it.
    time.sleep(0.5)

    send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    wait_until(
        lambda: len(network_sandbox.received) == 1,
        WAKE_BOUND_SECONDS,
        "the worker to deliver the message",
    )
    assert network_sandbox.received[0]["kind"] == "req-send"
    assert OutboundMessage.objects.get().attempts == 1


def test_the_worker_polls_at_the_configured_interval_by_default(settings):
    settings.TASKS_POLL_INTERVAL_SECONDS = 0.25
    parser = db_worker.Command().create_parser("manage.py", "db_worker")
    assert parser.parse_args([]).interval == 0.25


def test_without_notifications_an_idle_worker_polls_and_finds_a_task_due_later(settings):
    """SQLite's way, and PostgreSQL's with TASKS_LISTEN off.

    The task is deferred rather than queued by a second writer: SQLite's
    shared in-memory test database refuses a writer while the worker's poll
    holds its lock. To the poll both are a row that was not ready before.
    """
    settings.TASKS_LISTEN = False
    settings.TASKS_POLL_INTERVAL_SECONDS = 0.05
    assert Waker().listens is False
    tasks.sweep_outbox_task.using(run_after=timezone.now() + timedelta(seconds=0.3)).enqueue()

    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    # A worker that never found the task would wait for ever; stop it as SIGTERM would.
    watchdog = threading.Timer(WAKE_BOUND_SECONDS, os.kill, [os.getpid(), signal.SIGTERM])
    watchdog.start()
    try:
        call_command(
            "db_worker", "--max-tasks", "1", "--no-reload", "--no-startup-delay", verbosity=0
        )
    finally:
        watchdog.cancel()
        for number, handler in handlers.items():
            signal.signal(number, handler)
    finished = DBTaskResult.objects.filter(task_path=tasks.sweep_outbox_task.module_path)
    assert list(finished.values_list("status", flat=True).order_by("status")) == [
        "READY",  # the next sweep, deferred, which the sweep schedules
        "SUCCESSFUL",
    ]
    # The library's loop gets its own ``time`` module back.
    assert library_db_worker.time is time
