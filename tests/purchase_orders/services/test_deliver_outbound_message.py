"""deliver_outbound_message against the EnKash sandbox, over real HTTP."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from purchase_orders.models import OutboundMessage, PurchaseOrder, StatusChange
from purchase_orders.services.acknowledgements import apply_sent_action
from purchase_orders.services.outbound import (
    deliver_outbound_message,
    retry_outbound_message,
    sweep_outbox,
)
from purchase_orders.services.outbound.delivery import retry_delay
from purchase_orders.services.purchase_orders import change_purchase_order_status

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


@pytest.fixture
def fast_retries(settings):
    settings.ENKASH_RETRY_BASE_SECONDS = 0
    settings.ENKASH_RETRY_MAX_SECONDS = 0
    settings.ENKASH_MAX_ATTEMPTS = 3


def requests_for(sandbox, message: OutboundMessage) -> list[dict]:
    """Return the API requests the sandbox received carrying this message's reqMsgId."""
    return [entry for entry in sandbox.received if entry["req_msg_id"] == message.req_msg_id]


def test_an_acknowledged_message_is_sent_and_awaits_its_response(sandbox, pending_send):
    message = OutboundMessage.objects.get()

    delivered = deliver_outbound_message(message_id=message.pk)

    assert delivered.state == "sent"
    assert delivered.attempts == 1
    assert delivered.sent_at is not None
    assert delivered.response_status == 200
    assert '"response_code":0' in delivered.response_body
    assert len(requests_for(sandbox, message)) == 1


def test_a_message_is_delivered_by_the_worker(sandbox, pending_send, run_tasks):
    message = OutboundMessage.objects.get()
    sweep_outbox()

    run_tasks()

    message.refresh_from_db()
    assert message.state in ("sent", "acknowledged")
    assert len(requests_for(sandbox, message)) == 1


def test_a_server_error_is_retried_until_the_network_recovers(
    sandbox, pending_send, fast_retries, run_tasks
):
    sandbox.add_fault(mode="http_500", kind="req-send", times=2)
    message = OutboundMessage.objects.get()

    first = deliver_outbound_message(message_id=message.pk)

    assert (first.state, first.attempts, first.response_status) == ("retrying", 1, 500)
    # A sentence for the order's page, without the exception's class name.
    assert first.last_error == "EnKash answered req-send with HTTP 500."
    run_tasks()
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 3)
    assert len(requests_for(sandbox, message)) == 3


def test_a_time_out_is_retried(sandbox, pending_send, fast_retries, settings):
    settings.ENKASH_TIMEOUT_SECONDS = 0.3
    sandbox.add_fault(mode="timeout", kind="req-send", times=1, seconds=1)
    message = OutboundMessage.objects.get()

    delivered = deliver_outbound_message(message_id=message.pk)

    assert (delivered.state, delivered.attempts) == ("retrying", 1)
    assert delivered.next_attempt_at <= timezone.now()


def test_a_refusal_is_recorded_and_the_draft_left_as_it_was(sandbox, pending_send):
    sandbox.add_fault(
        mode="reject",
        kind="req-send",
        times=1,
        error_code="PARTY_NOT_FOUND",
        error_detail="Supplier B2B ID is not registered",
        error_field="b2bIds.supplierB2BId",
    )
    message = OutboundMessage.objects.get()

    delivered = deliver_outbound_message(message_id=message.pk)

    assert delivered.state == "rejected"
    assert (delivered.error_code, delivered.error_detail, delivered.error_field) == (
        "PARTY_NOT_FOUND",
        "Supplier B2B ID is not registered",
        "b2bIds.supplierB2BId",
    )
    assert delivered.attempts == 1
    purchase_order = PurchaseOrder.objects.get()
    assert (purchase_order.status, purchase_order.version) == ("DRAFT", 0)
    assert purchase_order.pending_action == ""
    refusal = StatusChange.objects.get(stage="refused")
    assert (refusal.action, refusal.message) == ("SEND", message)
    assert "Supplier B2B ID is not registered" in refusal.remarks
    assert (refusal.error_code, refusal.error_field) == ("PARTY_NOT_FOUND", "b2bIds.supplierB2BId")


def test_after_the_last_attempt_the_message_fails_until_retried(
    sandbox, trading_pair, pending_send, fast_retries, run_tasks
):
    sandbox.add_fault(mode="http_500", kind="req-send", times=3)
    message = OutboundMessage.objects.get()
    deliver_outbound_message(message_id=message.pk)
    run_tasks()
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("failed", 3)
    assert message.last_error == "Gave up after 3 attempts: EnKash answered req-send with HTTP 500."
    # The send is not delivered: the order stays a draft, the send pending until retried.
    purchase_order = PurchaseOrder.objects.get()
    assert (purchase_order.status, purchase_order.pending_action) == ("DRAFT", "SEND")
    assert purchase_order.pending_message == message
    undelivered = StatusChange.objects.get(stage="undelivered")
    assert (undelivered.action, undelivered.message) == ("SEND", message)
    assert "Gave up after 3 attempts" in undelivered.remarks

    retry_outbound_message(message=message, retried_by=trading_pair.buyer_user)
    delivered = deliver_outbound_message(message_id=message.pk)

    assert (delivered.state, delivered.attempts) == ("sent", 1)
    assert len(requests_for(sandbox, message)) == 4
    assert PurchaseOrder.objects.get().pending_message == message
    assert StatusChange.objects.filter(stage="undelivered").count() == 1


def test_a_message_that_is_not_due_is_left_alone(sandbox, pending_send):
    OutboundMessage.objects.update(
        state="retrying", next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    message = OutboundMessage.objects.get()

    assert deliver_outbound_message(message_id=message.pk) is None
    assert sandbox.received == []


@pytest.mark.parametrize("state", ["sent", "acknowledged", "rejected", "failed"])
def test_a_message_past_delivery_is_not_posted_again(sandbox, pending_send, state):
    OutboundMessage.objects.update(state=state)
    message = OutboundMessage.objects.get()

    assert deliver_outbound_message(message_id=message.pk) is None
    assert sandbox.received == []


def test_a_message_left_sending_by_a_dead_worker_is_taken_over(sandbox, pending_send):
    OutboundMessage.objects.update(
        state="sending", attempts=1, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    message = OutboundMessage.objects.get()

    delivered = deliver_outbound_message(message_id=message.pk)

    assert (delivered.state, delivered.attempts) == ("sent", 2)


def test_a_message_waits_for_the_earlier_messages_of_its_purchase_order(
    sandbox, trading_pair, pending_send, run_tasks
):
    send = OutboundMessage.objects.get(kind="req-send")
    # The network delivered the send to the supplier, hosted here, before this
    # worker recorded its answer: the send is applied, its message still out.
    apply_sent_action(purchase_order=PurchaseOrder.objects.get(), message=send)
    change_purchase_order_status(
        purchase_order=pending_send,
        changed_by=trading_pair.buyer_user,
        action="CANCEL",
        remarks="Ordered twice.",
    )
    cancel = OutboundMessage.objects.get(kind="req-status-change")

    assert deliver_outbound_message(message_id=cancel.pk) is None
    assert sandbox.received == []
    deliver_outbound_message(message_id=send.pk)
    run_tasks()

    cancel.refresh_from_db()
    assert cancel.state in ("sent", "acknowledged")
    assert [entry["kind"] for entry in sandbox.received][:2] == ["req-send", "req-status-change"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
)
def test_two_workers_deliver_a_message_once(sandbox, pending_send):
    message = OutboundMessage.objects.get()
    barrier = threading.Barrier(2)
    results = []

    def deliver():
        try:
            barrier.wait(timeout=5)
            results.append(deliver_outbound_message(message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(result is None for result in results) == [False, True]
    assert len(requests_for(sandbox, message)) == 1


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition did not come true in time")
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_the_response_webhook_acknowledges_a_delivered_send(
    network_sandbox, pending_send
):
    message = OutboundMessage.objects.get()

    deliver_outbound_message(message_id=message.pk)

    wait_until(lambda: OutboundMessage.objects.get(pk=message.pk).state == "acknowledged")
    purchase_order = PurchaseOrder.objects.get()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)
    assert purchase_order.delivered_at is not None
    assert purchase_order.pending_action == ""
    assert StatusChange.objects.filter(message=message, stage="applied").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refusing_response_webhook_leaves_the_draft_as_it_was(
    network_sandbox, pending_send
):
    network_sandbox.add_fault(
        mode="reject_async",
        kind="req-send",
        error_code="PARTY_NOT_FOUND",
        error_detail="Supplier B2B ID is not registered",
        error_field="b2bIds.supplierB2BId",
    )
    message = OutboundMessage.objects.get()

    # The response webhook may settle it before the worker reads it back.
    assert deliver_outbound_message(message_id=message.pk).state in ("sent", "rejected")

    wait_until(lambda: OutboundMessage.objects.get(pk=message.pk).state == "rejected")
    message.refresh_from_db()
    assert (message.error_code, message.error_field) == ("PARTY_NOT_FOUND", "b2bIds.supplierB2BId")
    purchase_order = PurchaseOrder.objects.get()
    assert (purchase_order.status, purchase_order.version) == ("DRAFT", 0)
    assert purchase_order.pending_action == ""
    refusal = StatusChange.objects.get(stage="refused")
    assert (refusal.action, refusal.error_code) == ("SEND", "PARTY_NOT_FOUND")


def test_retries_back_off_exponentially_to_a_cap_with_full_jitter(settings):
    settings.ENKASH_RETRY_BASE_SECONDS = 2
    settings.ENKASH_RETRY_MAX_SECONDS = 60

    delays = {attempts: [retry_delay(attempts) for _ in range(200)] for attempts in (1, 3, 9)}

    # The ceiling doubles with each attempt (2, 8, then capped at 60 s)...
    for attempts, ceiling in ((1, 2), (3, 8), (9, 60)):
        assert all(0 <= delay <= ceiling for delay in delays[attempts])
        # ...and the delay is drawn from all of it, so retries do not stampede
        # (200 draws all in one tenth of the range: about 1 in 10^9).
        assert max(delays[attempts]) > 0.9 * ceiling
        assert min(delays[attempts]) < 0.1 * ceiling


def test_a_fault_of_the_portals_own_is_told_in_words_and_retried(sandbox, pending_send):
    message = OutboundMessage.objects.get()
    OutboundMessage.objects.filter(pk=message.pk).update(body="{not json")

    delivered = deliver_outbound_message(message_id=message.pk)

    assert (delivered.state, delivered.attempts) == ("retrying", 1)
    assert delivered.last_error == (
        "The portal could not prepare the message; its log has the details."
    )
    assert requests_for(sandbox, message) == []
