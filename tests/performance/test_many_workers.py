"""Two ``db_worker`` processes drain one outbox: each message once, each order in order.

The sandbox holds each answer a little, as EnKash across the internet
would, so that neither worker can drain the queue alone before the other
starts. Which worker ran a delivery is the worker id its task result keeps.

One action at a time: an order's next action is made once the network has
answered the previous one, so its messages are written, delivered and
acknowledged in turn through the real workers and the sandbox, while
several orders move at once.
"""

import collections
import os
import time

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from benchmarks.drain import check_exactly_once, drain, queue_messages
from purchase_orders import tasks
from purchase_orders.models import OutboundMessage, PurchaseOrder, StatusChange
from purchase_orders.sandbox.validation import BODY_OBJECTS
from purchase_orders.services.purchase_orders import edit_purchase_order, send_purchase_order
from tests.performance.conftest import postgresql_only
from tests.plugins.network import contents_of

ANSWER_LATENCY_SECONDS = 0.05
EDITS = 4
ORDERS = 6


def database_url() -> str:
    """Return the URL of the test database, for processes of their own."""
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


def worker_environment(sandbox) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ENKASH_BASE_URL": sandbox.url,
        "ENKASH_CLIENT_ID": settings.ENKASH_CLIENT_ID,
        "ENKASH_CLIENT_SECRET": settings.ENKASH_CLIENT_SECRET,
        "LOG_LEVEL": "WARNING",
    }


def act_in_turn(trading_pair, orders: list[PurchaseOrder], timeout: float = 120.0) -> None:
    """Send each order and edit it ``EDITS`` times, each action once the previous is answered.

    The orders move side by side: whichever has no action pending gets its next one.
    """
    steps = {order.pk: ["send"] + [f"Edit {number}" for number in range(EDITS)] for order in orders}
    deadline = time.monotonic() + timeout
    while any(steps.values()):
        for order in orders:
            order.refresh_from_db()
            if order.pending_action or not steps[order.pk]:
                continue
            step = steps[order.pk].pop(0)
            if step == "send":
                send_purchase_order(purchase_order=order, sent_by=trading_pair.buyer_user)
                continue
            contents = contents_of(order)
            contents.header.subject = step
            edit_purchase_order(
                purchase_order=order,
                edited_by=trading_pair.buyer_user,
                contents=contents,
                reason=f"Subject: {step}",
                expected_version=order.version,
            )
        assert time.monotonic() < deadline, f"actions still to make: {steps}"
        time.sleep(0.02)
    unsettled = OutboundMessage.objects.exclude(state=OutboundMessage.State.ACKNOWLEDGED)
    while unsettled.exists():
        assert time.monotonic() < deadline, list(unsettled.values_list("kind", "state"))
        time.sleep(0.05)


def workers_by_message() -> dict[int, set[str]]:
    """Return the ids of the workers that ran each message's delivery tasks."""
    results = DBTaskResult.objects.filter(
        task_path=tasks.deliver_outbound_message_task.module_path
    ).values_list("args_kwargs", "worker_ids")
    workers = collections.defaultdict(set)
    for args_kwargs, ids in results:
        workers[args_kwargs["kwargs"]["message_id"]].update(ids)
    return workers


def received_for(sandbox, object_id: str) -> list[tuple[str, int, str]]:
    """Return (kind, newVersion, reqMsgId) of each request for one order, as received."""
    received = []
    for entry in sandbox.received:
        body = entry["body"][BODY_OBJECTS[entry["kind"]]]
        if body["objectId"] == object_id:
            version = body["objectVersion"]["newVersion"]
            received.append((entry["kind"], version, entry["req_msg_id"]))
    return received


@postgresql_only
@pytest.mark.sandbox
def test_two_workers_share_100_messages_each_delivered_exactly_once(transactional_db, sandbox):
    sandbox.answer_latency = ANSWER_LATENCY_SECONDS
    req_msg_ids = queue_messages(100)

    seconds = drain(2, env=worker_environment(sandbox))

    counts = collections.Counter(entry["req_msg_id"] for entry in sandbox.received)
    assert check_exactly_once(req_msg_ids, counts) == []
    assert sum(counts.values()) == 100
    # One task each, so the worker that ran it is the one that delivered it.
    by_worker = collections.Counter(
        worker for workers in workers_by_message().values() for worker in workers
    )
    assert len(by_worker) == 2, by_worker
    assert sum(by_worker.values()) == 100
    print(f"\n2 workers drained 100 messages in {seconds:.1f} s: {sorted(by_worker.values())}")


@postgresql_only
@pytest.mark.sandbox
def test_orders_acting_in_turn_on_two_workers_arrive_once_each_in_the_order_written(
    network, trading_pair, worker_process, settings
):
    network.sandbox.answer_latency = ANSWER_LATENCY_SECONDS
    for _ in range(2):
        worker_process(
            client_id=settings.ENKASH_CLIENT_ID, client_secret=settings.ENKASH_CLIENT_SECRET
        )
    orders = [trading_pair.purchase_order() for _ in range(ORDERS)]

    started = time.monotonic()
    act_in_turn(trading_pair, orders)
    seconds = time.monotonic() - started

    written = []
    for order in orders:
        messages = list(OutboundMessage.objects.filter(object_id=order.object_id).order_by("pk"))
        assert len(messages) == EDITS + 1
        written += [message.req_msg_id for message in messages]
        expected = [("req-send", 1, messages[0].req_msg_id)] + [
            ("req-edit", version, message.req_msg_id)
            for version, message in enumerate(messages[1:], start=2)
        ]
        assert received_for(network.sandbox, order.object_id) == expected
        order.refresh_from_db()
        assert (order.version, order.subject, order.pending_action) == (
            EDITS + 1,
            f"Edit {EDITS - 1}",
            "",
        )
        # Each message's action applied once, whichever of its webhooks came first.
        for message in messages:
            assert StatusChange.objects.filter(message=message, stage="applied").count() == 1
    counts = collections.Counter(entry["req_msg_id"] for entry in network.sandbox.received)
    assert {req_msg_id: counts[req_msg_id] for req_msg_id in written} == dict.fromkeys(written, 1)
    assert sum(counts.values()) == len(written) == ORDERS * (EDITS + 1)
    # Both workers delivered.
    workers = workers_by_message()
    by_worker = collections.Counter(
        worker for message_workers in workers.values() for worker in message_workers
    )
    assert len(by_worker) == 2, by_worker
    per_order = [
        len(set().union(*(workers[message.pk] for message in order.outbound_messages.all())))
        for order in orders
    ]
    print(
        f"\n{ORDERS} orders x {EDITS + 1} actions in turn on 2 workers in {seconds:.1f} s: "
        f"tasks per worker {sorted(by_worker.values())}, workers per order {per_order}"
    )
