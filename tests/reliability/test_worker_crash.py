"""A worker that dies mid-delivery, and a worker started with work already due.

The first tests run ``manage.py db_worker`` as a real process on the
PostgreSQL test database and kill it with SIGKILL while the sandbox holds
its request unanswered; the next worker takes the message over once its
sending lease ends. The last runs on both databases.
"""

import time

import pytest
from django_tasks_db.models import DBTaskResult

from purchase_orders.models import (
    InboundEvent,
    OutboundMessage,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.services.purchase_orders import send_purchase_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]

LEASE_SECONDS = 2.0
WORKER_SETTINGS = {
    "sending_lease_seconds": LEASE_SECONDS,
    "sweep_interval_seconds": 0.5,
    "timeout_seconds": 20,
    "retry_base_seconds": 0.05,
    "retry_max_seconds": 0.2,
}


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Waited {timeout} s for {what}")
        time.sleep(0.05)


def message_state() -> str:
    return OutboundMessage.objects.get().state


@pytest.fixture
def quick_sweeps(settings):
    # The test process schedules the first sweep when it queues the send.
    settings.ENKASH_SWEEP_INTERVAL_SECONDS = WORKER_SETTINGS["sweep_interval_seconds"]


def test_a_message_in_flight_when_the_worker_is_killed_is_delivered_by_the_next(
    network_sandbox, worker_process, trading_pair, quick_sweeps
):
    # The sandbox holds the first request far longer than the test lasts.
    network_sandbox.add_fault("timeout", kind="req-send", times=1, seconds=120)
    first = worker_process(**WORKER_SETTINGS)
    purchase_order = send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    wait_until(lambda: len(network_sandbox.received) == 1, 30, "the request in flight")
    assert message_state() == "sending"

    first.kill()
    killed_at = time.monotonic()
    # The dead worker's task stays "running" for ever; only the outbox knows better.
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1
    assert message_state() == "sending"
    second = worker_process(**WORKER_SETTINGS)
    wait_until(lambda: message_state() == "acknowledged", 30, "the acknowledgement")
    recovered_in = time.monotonic() - killed_at

    message = OutboundMessage.objects.get()
    assert message.attempts == 2
    assert recovered_in >= LEASE_SECONDS
    received = network_sandbox.received
    assert [entry["req_msg_id"] for entry in received] == [message.req_msg_id] * 2
    # The first request is still held; the second was acted on, once.
    assert [(entry["status"], entry.get("repeat")) for entry in received] == [
        (None, None),
        (200, False),
    ]
    # (Waiting for the sandbox to be idle would wait for the held request.)
    deliveries = network_sandbox.wait_for_deliveries(2)
    assert [entry["kind"] for entry in deliveries] == ["req-send", "resp-send"]
    # The portal's side changed once.
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)
    assert StatusChange.objects.filter(purchase_order=purchase_order).count() == 1
    assert PurchaseOrderVersion.objects.filter(purchase_order=purchase_order).count() == 1
    assert sorted(InboundEvent.objects.values_list("kind", "state")) == [
        ("req-send", "applied"),
        ("resp-send", "applied"),
    ]
    assert second.process.poll() is None
    print(
        f"\nworker crash: killed mid-request; the next worker delivered it "
        f"{recovered_in:.1f} s later (lease {LEASE_SECONDS} s), attempts {message.attempts}"
    )


def test_a_killed_worker_whose_request_arrived_causes_no_second_exchange(
    network_sandbox, worker_process, trading_pair, quick_sweeps
):
    # The sandbox acts on the request but answers too late for the dead worker.
    network_sandbox.add_fault("timeout", kind="req-send", times=1, seconds=1)
    first = worker_process(**WORKER_SETTINGS)
    send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    wait_until(lambda: len(network_sandbox.received) == 1, 30, "the request in flight")
    first.kill()
    worker_process(**WORKER_SETTINGS)

    wait_until(lambda: message_state() == "acknowledged", 30, "the acknowledgement")
    network_sandbox.wait_until_idle()

    accepted = [e for e in network_sandbox.received if e["status"] == 200 and not e["repeat"]]
    assert len(accepted) == 1
    assert [entry["kind"] for entry in network_sandbox.delivered] == ["req-send", "resp-send"]
    assert InboundEvent.objects.count() == 2


def test_a_fresh_worker_delivers_what_is_due_though_no_task_is_queued(
    network, trading_pair
):
    send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    # A restart lost every task: no delivery and no sweep is queued.
    DBTaskResult.objects.all().delete()
    assert message_state() == "queued"

    network.work()

    assert message_state() == "acknowledged"
    assert [entry["kind"] for entry in network.sandbox.delivered] == ["req-send", "resp-send"]
