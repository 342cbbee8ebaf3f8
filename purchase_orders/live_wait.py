"""Long-polled stamps: a poll held until its page's stamp changes, woken by the database.

A page's poll may ask to wait (``X-Live-Wait``, seconds, at most
``MAX_WAIT_SECONDS``). When the stamp it names in ``If-None-Match`` is
still the scope's, the request is held, costing no CPU, until a change that
concerns it commits or the wait is over (then 304, as before), and the page
asks again at once. So a page that shows nothing new costs one request every
``MAX_WAIT_SECONDS`` instead of one a second, and still follows a change
within a fraction of a second.

What wakes a waiting request, in each web process:

- On PostgreSQL, a ``Hub`` holds one connection of its own in ``LISTEN
  procurement_live``. Migration 0006's trigger notifies that channel with an
  order's ``[object_id, buyer_id, supplier_id]`` whenever the order, one of
  its outbound messages or one of its inbound events is written; PostgreSQL
  delivers it when the writing transaction commits. Only the waiters whose
  scope the order concerns (the order's page, its buyer's list, its
  supplier's inbox, either side's home) re-check their stamp, with the same
  one query as a poll. When the listening connection is lost, every waiter
  re-checks every ``RECHECK_SECONDS`` until it is back, and once more then.
- On SQLite (development, tests), or with ``LIVE_LISTEN`` off (a pooler in
  transaction mode, which cannot hold a ``LISTEN``), every waiter re-checks
  its stamp every ``RECHECK_SECONDS``.

A waiting request holds its server thread: only servers with many threads
(gunicorn's ``gthread`` worker, ``runserver``) or an ASGI server should let
polls wait. A poll whose WSGI server says it is single-threaded
(``wsgi.multithread`` false: gunicorn's sync worker) is answered at once, as
is one arriving while ``LIVE_WAITERS_PER_PROCESS`` requests already wait in
the process, so the threads left serve the pages; such a page polls again a
second later, as before.
"""

import json
import logging
import os
import threading
import time

from django.conf import settings
from django.db import connections
from django.http import Http404

from purchase_orders.views import live
from purchase_orders.wakeup import listening_connection

logger = logging.getLogger(__name__)

CHANNEL = "procurement_live"
WAIT_HEADER = "X-Live-Wait"
MAX_WAIT_SECONDS = 25.0
RECHECK_SECONDS = 0.5
# How long the listener waits before connecting again after a failure.
RECONNECT_SECONDS = 2.0


def requested_wait(value: str | None) -> float:
    """Return the seconds a poll asked to wait (its ``X-Live-Wait``), within bounds."""
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        return 0.0
    if not seconds > 0:  # NaN included
        return 0.0
    return min(seconds, MAX_WAIT_SECONDS)


def unchanged_by(if_none_match: str):
    """Return whether a stamp is one that ``If-None-Match`` names (so the page has it)."""
    from django.utils.http import parse_etags

    tags = {tag.removeprefix("W/") for tag in parse_etags(if_none_match or "")}
    return lambda stamp: "*" in tags or f'"{stamp}"' in tags


class Waiter:
    """One waiting poll: its scope, the businesses its token names, what wakes it."""

    def __init__(self, scope: str, viewer, loop=None):
        self.scope = scope
        self.buyer_ids = frozenset(viewer.buyer_ids)
        self.supplier_ids = frozenset(viewer.supplier_ids)
        self.event = threading.Event()
        # An ASGI waiter waits on an asyncio event, set from the listener's thread.
        self.loop = loop
        self.async_event = None
        if loop is not None:
            import asyncio

            self.async_event = asyncio.Event()

    def concerns(self, object_id, buyer_id, supplier_id) -> bool:
        """Whether a change to this order can change this waiter's stamp.

        A supplier search's notification names its page's scope in place of
        an order's object id (migration 0012).
        """
        if self.scope.startswith(live.SEARCH_SCOPE_PREFIX):
            return self.scope == object_id
        if self.scope == live.HOME:
            ids = self.buyer_ids | self.supplier_ids
            return buyer_id in ids or supplier_id in ids
        if self.scope == live.LIST:
            return buyer_id in self.buyer_ids
        if self.scope == live.INBOX:
            return supplier_id in self.supplier_ids
        return self.scope == live.purchase_order_scope(object_id)

    def wake(self) -> None:
        self.event.set()
        if self.loop is not None:
            try:
                self.loop.call_soon_threadsafe(self.async_event.set)
            except RuntimeError:  # the loop is closed: its request is gone
                pass

    def sleep(self, seconds: float) -> bool:
        """Return whether woken, when woken or after ``seconds``.

        A wake-up that comes during the check that follows is kept for the
        next sleep.
        """
        woken = self.event.wait(seconds)
        self.event.clear()
        return woken

    async def asleep(self, seconds: float) -> bool:
        import asyncio

        try:
            await asyncio.wait_for(self.async_event.wait(), seconds)
        except TimeoutError:
            pass
        self.async_event.clear()
        woken = self.event.is_set()
        self.event.clear()
        return woken


class Hub:
    """A web process's waiting polls, and the connection that listens for changes."""

    def __init__(self, using: str = "default"):
        self.using = using
        self.lock = threading.Lock()
        self.waiters: set[Waiter] = set()
        self.listening = False  # connected and in LISTEN
        # Moves whenever listening starts or stops: a wait that saw it unmoved heard everything.
        self.epoch = 0
        self.thread: threading.Thread | None = None
        self.connection = None
        self.stopped = threading.Event()
        self.pid = None

    @property
    def listens(self) -> bool:
        return settings.LIVE_LISTEN and connections[self.using].vendor == "postgresql"

    @property
    def started(self) -> bool:
        return self.thread is not None

    def heard(self) -> tuple:
        """A mark to compare after a wait: unchanged and listening, no change was missed."""
        return (self.listening, self.epoch)

    def heard_all_since(self, mark: tuple) -> bool:
        return mark[0] and self.heard() == mark

    def recheck_seconds(self, left: float) -> float:
        """How long a waiter may sleep before it looks at its stamp again."""
        return left if self.listening else min(left, RECHECK_SECONDS)

    def add(self, scope: str, viewer, loop=None) -> Waiter | None:
        """Register a waiter, or return None when the process holds as many as it may."""
        with self.lock:
            if len(self.waiters) >= settings.LIVE_WAITERS_PER_PROCESS:
                return None
            waiter = Waiter(scope, viewer, loop)
            self.waiters.add(waiter)
            if self.listens and (self.thread is None or self.pid != os.getpid()):
                self._start()
            return waiter

    def remove(self, waiter: Waiter | None) -> None:
        if waiter is not None:
            with self.lock:
                self.waiters.discard(waiter)

    def wake(self, payload: str) -> None:
        """Wake the waiters a notification's order concerns (all, if it cannot be read)."""
        try:
            object_id, buyer_id, supplier_id = json.loads(payload)
        except (ValueError, TypeError):
            self.wake_all()
            return
        with self.lock:
            woken = [w for w in self.waiters if w.concerns(object_id, buyer_id, supplier_id)]
        for waiter in woken:
            waiter.wake()

    def wake_all(self) -> None:
        with self.lock:
            woken = list(self.waiters)
        for waiter in woken:
            waiter.wake()

    def _start(self) -> None:
        # A process forked with a running hub (a preloaded app) starts its own.
        self.pid = os.getpid()
        self.stopped.clear()
        self.listening = False
        self.thread = threading.Thread(target=self._listen, name="live-listen", daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        import psycopg

        while not self.stopped.is_set():
            try:
                self.connection = listening_connection(CHANNEL, using=self.using)
                self.listening = True
                self.epoch += 1
                # What changed before LISTEN woke nobody: every waiter looks once.
                self.wake_all()
                while not self.stopped.is_set():
                    for notify in self.connection.notifies(timeout=1.0):
                        self.wake(notify.payload)
            except psycopg.Error as error:
                if self.stopped.is_set():
                    break
                logger.warning("Listening for live changes failed, re-checking instead: %s", error)
            finally:
                self.listening = False
                self.epoch += 1
                if self.connection is not None:
                    try:
                        self.connection.close()
                    except psycopg.Error:
                        pass
                    self.connection = None
            self.wake_all()
            self.stopped.wait(RECONNECT_SECONDS)

    def close(self) -> None:
        """Stop listening (tests; a process's end)."""
        self.stopped.set()
        connection = self.connection
        if connection is not None:
            try:
                connection.cancel_safe()
            except Exception:  # best effort: the thread closes it anyway
                pass
        if self.thread is not None and self.thread.is_alive():
            self.thread.join(timeout=10)
        self.thread = None


HUB = Hub()


def wait_for_stamp(token: str, *, scope: str, stamp_of, unchanged, seconds: float, run=None):
    """Return (200, stamp) once the stamp differs or ``seconds`` have passed, or (403|404, None).

    ``unchanged(stamp)`` says whether the page already has ``stamp``;
    ``run(function)`` runs a stamp query (``live_wsgi`` retries it on a
    fresh connection). With ``seconds`` 0 this is one token check and one
    query, as ``live.stamp_for_token``.
    """
    run = run or (lambda function: function())
    try:
        viewer = live.viewer_from_token(token, scope=scope)
    except live.RefusedToken:
        return 403, None
    # Registered before the first query, so that a change committed during it still wakes it.
    waiter = HUB.add(scope, viewer) if seconds > 0 else None
    deadline = time.monotonic() + seconds
    try:
        look = True
        while True:
            if look:
                try:
                    stamp = run(lambda: stamp_of(viewer))
                except Http404:
                    return 404, None
            left = deadline - time.monotonic()
            if waiter is None or left <= 0 or not unchanged(stamp):
                return 200, stamp
            release_connection()
            mark = HUB.heard()
            woken = waiter.sleep(HUB.recheck_seconds(left))
            # Not woken, and listening all along: nothing that concerns it committed.
            look = woken or not HUB.heard_all_since(mark)
    finally:
        HUB.remove(waiter)


def release_connection(using: str = "default") -> None:
    """Close the thread's PostgreSQL connection while its request waits.

    A held poll would otherwise keep a database connection idle for as long
    as it waits, one per waiting request; the next query opens one again.
    Never inside a transaction (a test's), and never SQLite's, which costs
    nothing to keep.
    """
    connection = connections[using]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        connection.close()
