"""Fixtures: the parties of a purchase order, its actions, running queued tasks, the network."""

import copy
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict

from purchase_orders.contents import MilestoneContents, read_contents
from purchase_orders.enkash import payloads
from purchase_orders.models import (
    Business,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.sandbox.validation import BODY_OBJECTS
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.totals import apply_computed_totals
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    PurchaseOrderFactory,
    link_supplier,
)


@dataclass
class TradingPair:
    """A buying and a supplying business, each with one person in its role."""

    buyer: Business
    supplier: Business
    buyer_user: object
    supplier_user: object

    def purchase_order(self, **kwargs) -> PurchaseOrder:
        """Create a draft purchase order from the buyer to the supplier."""
        return PurchaseOrderFactory(buyer=self.buyer, supplier=self.supplier, **kwargs)


@pytest.fixture
def trading_pair(db, settings) -> TradingPair:
    # Hashing the factories' passwords at full strength would take most of the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    buyer = BusinessFactory()
    supplier = BusinessFactory(state_code="27", city="Pune", state="Maharashtra", pincode="411001")
    link_supplier(buyer, supplier)
    return TradingPair(
        buyer=buyer,
        supplier=supplier,
        buyer_user=MembershipFactory(business=buyer, role=Membership.Role.BUYER).user,
        supplier_user=MembershipFactory(business=supplier, role=Membership.Role.SUPPLIER).user,
    )


@pytest.fixture
def draft_purchase_order(trading_pair) -> PurchaseOrder:
    return trading_pair.purchase_order()


def acknowledged(purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Settle the order's pending action as the network's SUCCESS response would; return it fresh.

    For tests about what comes after an acknowledged action; the network's
    own part is covered where the sandbox delivers the response webhook.
    """
    from purchase_orders.services.outbound import settle_outbound_message

    purchase_order.refresh_from_db()
    assert purchase_order.pending_message is not None, "nothing is pending"
    settle_outbound_message(message=purchase_order.pending_message, succeeded=True)
    purchase_order.refresh_from_db()
    return purchase_order


@pytest.fixture
def pending_send(trading_pair, draft_purchase_order) -> PurchaseOrder:
    """A draft sent through the service, not yet acknowledged: still DRAFT, its send pending.

    Its req-send is queued, for tests about delivering it to the network.
    """
    from purchase_orders.services.purchase_orders import send_purchase_order

    send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    draft_purchase_order.refresh_from_db()
    return draft_purchase_order


@pytest.fixture
def sent_purchase_order(trading_pair, draft_purchase_order) -> PurchaseOrder:
    """A purchase order sent through the service and acknowledged: version 1, CREATED."""
    from purchase_orders.services.purchase_orders import send_purchase_order

    return acknowledged(
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    )


@pytest.fixture
def accepted_purchase_order(trading_pair, sent_purchase_order) -> PurchaseOrder:
    from purchase_orders.services.purchase_orders import confirm_purchase_order

    return acknowledged(
        confirm_purchase_order(
            purchase_order=sent_purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=True,
            remarks="Will ship on time.",
        )
    )


def contents_of(purchase_order: PurchaseOrder) -> dict:
    """Return a purchase order's contents in the shape the edit service takes."""
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    return payloads.parse_purchase_order(
        payloads.build_purchase_order(fresh), fresh.additional_infos
    )


def revised_contents(purchase_order: PurchaseOrder, quantity: Decimal) -> dict:
    """Return the contents with line 1 at ``quantity`` and one milestone for the new total."""
    contents = contents_of(purchase_order)
    contents.lines[0].quantity = quantity
    total = apply_computed_totals(copy.deepcopy(contents)).header.total_po_value
    contents.milestones = [MilestoneContents(due_on=None, due_amount=total)]
    return contents


def edit_subject(
    purchase_order: PurchaseOrder, user, subject: str, *, expected_version: int | None = None
) -> PurchaseOrder:
    """Give a purchase order a new version with another subject, through the edit service."""
    from purchase_orders.services.purchase_orders import edit_purchase_order

    contents = contents_of(purchase_order)
    contents.header.subject = subject
    return acknowledged(
        edit_purchase_order(
            purchase_order=purchase_order,
            edited_by=user,
            contents=contents,
            reason=f"Subject: {subject}",
            expected_version=purchase_order.version
            if expected_version is None
            else expected_version,
        )
    )


def at_once(actions: list) -> list:
    """Run each callable in its own thread, released together; return results or exceptions.

    Each thread closes its database connection when done.
    """
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=20)
            outcomes[index] = action()
        except Exception as error:  # noqa: BLE001 - the outcome is what the caller checks
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def purchase_order_state(purchase_order: PurchaseOrder) -> dict:
    """Return everything an action could change about a purchase order."""
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    return {
        "row": model_to_dict(fresh),
        "updated_at": fresh.updated_at,
        # As the network would carry it; an order waiting for approval, which
        # has no status there, as it is read.
        "contents": (
            read_contents(fresh)
            if fresh.status == PurchaseOrder.Status.AWAITING_APPROVAL
            else payloads.build_purchase_order(fresh)
        ),
        "messages": list(OutboundMessage.objects.filter(object_id=fresh.object_id).values()),
        "status_changes": list(StatusChange.objects.filter(purchase_order=fresh).values()),
        "versions": list(PurchaseOrderVersion.objects.filter(purchase_order=fresh).values()),
    }


@pytest.fixture
def unchanged():
    """Return ``watch(purchase_order)``, itself returning a check that nothing changed."""

    def watch(purchase_order: PurchaseOrder):
        before = purchase_order_state(purchase_order)

        def check() -> None:
            assert purchase_order_state(purchase_order) == before

        return check

    return watch


@pytest.fixture
def run_tasks(transactional_db):
    """Return ``run(max_tasks=None)``: run every due task in the queue, as ``db_worker`` does.

    With ``max_tasks`` it stops after that many, even if more became due.

    The worker runs in autocommit, as in production (and it closes a
    connection it finds inside a transaction), so a test using it runs
    outside a wrapping transaction.
    """
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]

    def run(max_tasks: int | None = None) -> None:
        # The worker installs its own signal handlers; give pytest its own back.
        handlers = {number: signal.getsignal(number) for number in signals}
        limit = [] if max_tasks is None else ["--max-tasks", str(max_tasks)]
        try:
            call_command(
                "db_worker", "--batch", "--interval", "0", "--no-reload", *limit, verbosity=0
            )
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)

    return run


# -- the whole network: sandbox, portal, worker ------------------------------------------

UNSETTLED_STATES = ("queued", "sending", "retrying", "sent")


@dataclass
class Network:
    """The sandbox delivering to the live portal, and the worker's tasks run on demand."""

    sandbox: object
    run_tasks: object

    def drain(self, timeout: float = 20.0) -> int:
        """Run due tasks until no message waits for delivery or a verdict; return the rounds.

        A message retrying later is waited for; one that failed for good
        counts as settled.
        """
        deadline = time.monotonic() + timeout
        rounds = 0
        while True:
            self.work(timeout)
            rounds += 1
            unsettled = OutboundMessage.objects.filter(state__in=UNSETTLED_STATES)
            if not unsettled.exists():
                return rounds
            if time.monotonic() > deadline:
                states = list(unsettled.values_list("kind", "state", "last_error"))
                raise TimeoutError(f"Messages still unsettled after {timeout} s: {states}")
            time.sleep(0.05)

    def work(self, timeout: float = 20.0, max_tasks: int | None = None) -> None:
        """Run the due tasks (at most ``max_tasks``), then wait for their webhooks.

        On SQLite the worker and the webhooks take turns, as its shared
        in-memory test database allows one writer at a time. While the
        network fails, retries keep becoming due: limit the tasks to end the
        round.
        """
        if connection.vendor == "sqlite":
            with self.sandbox.deliveries_paused():
                self.run_tasks(max_tasks)
        else:
            self.run_tasks(max_tasks)
        self.sandbox.wait_until_idle(timeout)

    def received(self, object_id: str) -> list[tuple[str, int]]:
        """Return (kind, newVersion) of each request the sandbox took for one order."""
        taken = []
        for entry in self.sandbox.received:
            if entry["status"] != 200:
                continue
            body = entry["body"][BODY_OBJECTS[entry["kind"]]]
            if body["objectId"] == object_id:
                taken.append((entry["kind"], body["objectVersion"]["newVersion"]))
        return taken


@pytest.fixture
def network(network_sandbox, run_tasks) -> Network:
    return Network(sandbox=network_sandbox, run_tasks=run_tasks)


# -- a real worker process ------------------------------------------------------------

BASE_DIR = Path(__file__).resolve().parents[2]


def database_url(settings_dict: dict) -> str:
    """Return a DATABASE_URL naming the database a connection uses now."""
    user = quote(settings_dict["USER"] or "")
    password = settings_dict["PASSWORD"]
    credentials = f"{user}:{quote(password)}@" if password else f"{user}@" if user else ""
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'])}"


class WorkerProcess:
    """``manage.py db_worker`` in its own process, on the test database."""

    def __init__(self, env: dict):
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()

    def start(self) -> "WorkerProcess":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def kill(self) -> None:
        """End the worker at once, as a crash or a lost machine would (SIGKILL)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


@pytest.fixture
def worker_process(transactional_db, settings):
    """Return ``start(**settings)``: a new ``db_worker`` process, stopped after the test.

    The process reads the committed test database, so this needs PostgreSQL:
    Django's SQLite test database lives in the memory of the pytest process.
    Keyword arguments become the worker's ``ENKASH_*`` settings.
    """
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL")
    workers = []

    def start(**overrides) -> WorkerProcess:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection.settings_dict),
            "ENKASH_BASE_URL": settings.ENKASH_BASE_URL,
            "DEBUG": "false",
            "LOG_LEVEL": "INFO",
        }
        env.update({f"ENKASH_{name.upper()}": str(value) for name, value in overrides.items()})
        worker = WorkerProcess(env).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
