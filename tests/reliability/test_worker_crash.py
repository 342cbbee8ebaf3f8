"""A worker that dies mid-delivery, and a worker started with work already due.

The first tests run ``manage.py db_worker`` as a real process on the
PostgreSQL test database and kill it with SIGKILL while the sandbox holds
its request unanswered; the next worker takes the message over once its
sending lease, counted from the claim, ends. Another holds a live worker's
answer past the lease: the read time-out, shorter than the lease, ends the
wait first, and the message is settled once. The last runs on both databases.
"""

import datetime
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

# Short time-outs and a lease just longer than both together, as the
# system check purchase_orders.E001 requires (README, "Running at scale").
CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0
LEASE_SECONDS = 3.5
WORKER_SETTINGS = {
    "sending_lease_seconds": LEASE_SECONDS,
    "sweep_interval_seconds": 0.5,
    "connect_timeout_seconds": CONNECT_TIMEOUT_SECONDS,
    "timeout_seconds": READ_TIMEOUT_SECONDS,
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


def claimed_at() -> datetime.datetime:
    """Return when the message in ``sending`` was claimed: its lease's end less the lease."""
    message = OutboundMessage.objects.get()
    assert message.state == "sending"
    return message.next_attempt_at - datetime.timedelta(seconds=LEASE_SECONDS)


def received_at(entry: dict) -> datetime.datetime:
    return datetime.datetime.fromisoformat(entry["received_at"])


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
    first_claimed_at = claimed_at()

    first.kill()
    # The dead worker's task stays "running" for ever; only the outbox knows better.
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1
    assert message_state() == "sending"
    second = worker_process(**WORKER_SETTINGS)
    wait_until(lambda: message_state() == "acknowledged", 60, "the acknowledgement")

    message = OutboundMessage.objects.get()
    assert message.attempts == 2
    received = network_sandbox.received
    # Taken over only once the lease, counted from the claim, had ended.
    recovered_in = (received_at(received[1]) - first_claimed_at).total_seconds()
    assert recovered_in >= LEASE_SECONDS
    assert message.sent_at - first_claimed_at >= datetime.timedelta(seconds=LEASE_SECONDS)
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
    # Attempted once, applied once.
    assert sorted(
        StatusChange.objects.filter(purchase_order=purchase_order).values_list("stage", flat=True)
    ) == ["applied", "attempted"]
    assert PurchaseOrderVersion.objects.filter(purchase_order=purchase_order).count() == 1
    assert sorted(InboundEvent.objects.values_list("kind", "state")) == [
        ("req-send", "applied"),
        ("resp-send", "applied"),
    ]
    assert second.process.poll() is None
    print(
        f"\nworker crash: killed mid-request; the next worker delivered it "
        f"{recovered_in:.1f} s after its claim (lease {LEASE_SECONDS} s), "
        f"attempts {message.attempts}"
    )


def test_a_killed_worker_whose_request_arrived_causes_no_second_exchange(
    network_sandbox, worker_process, trading_pair, quick_sweeps
):
    # The sandbox acts on the request, after the dead worker would have given up.
    network_sandbox.add_fault(
        "timeout", kind="req-send", times=1, seconds=READ_TIMEOUT_SECONDS + 0.5
    )
    first = worker_process(**WORKER_SETTINGS)
    send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    wait_until(lambda: len(network_sandbox.received) == 1, 30, "the request in flight")
    first.kill()
    worker_process(**WORKER_SETTINGS)

    wait_until(lambda: message_state() == "acknowledged", 60, "the acknowledgement")
    network_sandbox.wait_until_idle(30)

    accepted = [e for e in network_sandbox.received if e["status"] == 200 and not e["repeat"]]
    assert len(accepted) == 1
    assert [entry["kind"] for entry in network_sandbox.delivered] == ["req-send", "resp-send"]
    assert InboundEvent.objects.count() == 2


def test_a_request_held_past_the_lease_is_settled_once_though_the_network_sees_it_twice(
    network_sandbox, worker_process, trading_pair, quick_sweeps
):
    # The sandbox holds the first answer longer than the lease; its worker
    # gives up at its read time-out, which ends before the lease does.
    held_for = LEASE_SECONDS + 1.5
    network_sandbox.add_fault("timeout", kind="req-send", times=1, seconds=held_for)
    workers = [worker_process(**WORKER_SETTINGS) for _ in range(2)]
    purchase_order = send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    wait_until(lambda: len(network_sandbox.received) == 1, 30, "the request in flight")
    first_claimed_at = claimed_at()

    wait_until(lambda: message_state() == "acknowledged", 60, "the acknowledgement")
    # The held request ends too: received, read and answered as a repeat.
    wait_until(
        lambda: all(entry["status"] for entry in network_sandbox.received),
        held_for + 30,
        "the held request's answer",
    )
    network_sandbox.wait_until_idle(30)

    message = OutboundMessage.objects.get()
    received = network_sandbox.received
    assert [entry["req_msg_id"] for entry in received] == [message.req_msg_id] * 2
    # The retry came before the lease had ended, from the read time-out.
    retried_in = (received_at(received[1]) - first_claimed_at).total_seconds()
    assert READ_TIMEOUT_SECONDS <= retried_in < LEASE_SECONDS
    # The retry was acted on; the held request, answered later, was a repeat.
    assert sorted((entry["status"], entry["repeat"]) for entry in received) == [
        (200, False),
        (200, True),
    ]
    assert [entry["kind"] for entry in network_sandbox.delivered] == ["req-send", "resp-send"]
    assert (message.state, message.attempts) == ("acknowledged", 2)
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)
    # Attempted once, applied once.
    assert sorted(
        StatusChange.objects.filter(purchase_order=purchase_order).values_list("stage", flat=True)
    ) == ["applied", "attempted"]
    assert sorted(InboundEvent.objects.values_list("kind", "state")) == [
        ("req-send", "applied"),
        ("resp-send", "applied"),
    ]
    assert [worker.process.poll() for worker in workers] == [None, None]


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
