"""Two ``db_worker`` processes drain one outbox: each message once, each order in order.

The sandbox holds each answer a little, as EnKash across the internet
would, so that neither worker can drain the queue alone before the other
starts. Which worker ran a delivery is the worker id its task result keeps.
"""

import collections
import os

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from benchmarks.drain import check_exactly_once, drain, queue_messages
from purchase_orders import tasks
from purchase_orders.models import OutboundMessage
from purchase_orders.sandbox.validation import BODY_OBJECTS
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.performance.conftest import postgresql_only
from tests.plugins.network import edit_subject

ANSWER_LATENCY_SECONDS = 0.05
EDITS = 4


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


def one_order_with_edits(trading_pair) -> str:
    """Send a purchase order and edit it ``EDITS`` times; return its objectId.

    Its messages are queued one behind the other, each with its own task.
    """
    purchase_order = send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    for number in range(EDITS):
        purchase_order = edit_subject(purchase_order, trading_pair.buyer_user, f"Edit {number}")
    return purchase_order.object_id


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
def test_two_workers_share_100_messages_each_delivered_exactly_once(
    transactional_db, sandbox
):
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
def test_one_orders_messages_drained_by_two_workers_arrive_in_the_order_written(
    transactional_db, sandbox, trading_pair
):
    sandbox.answer_latency = ANSWER_LATENCY_SECONDS
    # Other orders' messages, queued first, have both workers running by the
    # time this order's tasks come up, and keep them busy meanwhile.
    others = queue_messages(60)
    object_id = one_order_with_edits(trading_pair)
    written = list(
        OutboundMessage.objects.filter(object_id=object_id)
        .order_by("pk")
        .values_list("req_msg_id", flat=True)
    )
    assert len(written) == EDITS + 1

    drain(2, env=worker_environment(sandbox))

    expected = [("req-send", 1, written[0])] + [
        ("req-edit", version, req_msg_id)
        for version, req_msg_id in enumerate(written[1:], start=2)
    ]
    assert received_for(sandbox, object_id) == expected
    counts = collections.Counter(entry["req_msg_id"] for entry in sandbox.received)
    assert check_exactly_once(written + others, counts) == []
    # Both workers ran this order's tasks: a task whose message waited
    # behind an earlier one was refused by the claim and queued again later.
    workers = workers_by_message()
    pks = OutboundMessage.objects.filter(object_id=object_id).values_list("pk", flat=True)
    order_workers = [workers[pk] for pk in sorted(pks)]
    assert len(set().union(*order_workers)) == 2, order_workers
    print(f"\none order's messages, workers running their tasks: {list(map(len, order_workers))}")
