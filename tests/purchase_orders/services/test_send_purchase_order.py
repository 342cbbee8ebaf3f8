"""send_purchase_order: a draft goes out once, as the network will accept it."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from purchase_orders.enkash import encoding, payloads
from purchase_orders.exceptions import InvalidPurchaseOrder, NotAllowed, TransitionNotAllowed
from purchase_orders.forms.editor import field_name
from purchase_orders.models import (
    Membership,
    OutboundMessage,
    Party,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.factories import BusinessFactory, MembershipFactory
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db


def test_send_writes_the_message_and_waits_for_the_network_then_moves_to_created_version_1(
    trading_pair, draft_purchase_order
):
    sent = send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)

    # Sent, not yet acknowledged: the order stays a draft, its send pending.
    sent.refresh_from_db()
    assert (sent.status, sent.previous_status) == ("DRAFT", "")
    assert (sent.version, sent.previous_version) == (0, 0)
    assert sent.sent_at is None and sent.delivered_at is None
    message = OutboundMessage.objects.get()
    assert (sent.pending_action, sent.pending_message, sent.pending_since) == (
        "SEND",
        message,
        message.created_at,
    )
    assert message.kind == "req-send"
    assert (message.object_id, message.object_version) == (sent.object_id, 1)
    assert message.purchase_order == sent
    assert message.state == "queued"
    assert len(message.req_msg_id) == 32
    attempt = StatusChange.objects.get()
    assert (attempt.from_status, attempt.to_status, attempt.version, attempt.action) == (
        "DRAFT",
        "CREATED",
        1,
        "SEND",
    )
    assert (attempt.stage, attempt.message) == ("attempted", message)
    assert (attempt.actor, attempt.actor_business) == (trading_pair.buyer_user, trading_pair.buyer)
    version = PurchaseOrderVersion.objects.get()
    assert version.version == 1
    assert version.snapshot["purchaseOrder"]["objectVersion"] == {
        "currentVersion": 0,
        "newVersion": 1,
    }
    announced = encoding.loads(message.body)["purchaseOrder"]
    assert payloads.parse_purchase_order(announced) == (
        payloads.parse_purchase_order(version.snapshot["purchaseOrder"])
    )

    # The network takes it: the order is what the message announced.
    acknowledged(sent)

    assert (sent.status, sent.previous_status) == ("CREATED", "CREATED")
    assert (sent.version, sent.previous_version) == (1, 0)
    assert sent.sent_at == message.created_at
    assert sent.ts == payloads.parse_snapshot(version.snapshot).header.ts
    assert (sent.pending_action, sent.pending_message) == ("", None)
    fresh = get_purchase_order_with_contents(pk=sent.pk)
    assert message.body == encoding.dumps(payloads.build_send_request(fresh))
    assert payloads.parse_purchase_order(version.snapshot["purchaseOrder"]) == (
        payloads.parse_purchase_order(payloads.build_purchase_order(fresh))
    )
    assert list(StatusChange.objects.values_list("stage", flat=True)) == ["attempted", "applied"]


def test_send_queues_delivery_after_commit_and_the_supplier_is_mailed_once_delivered(
    trading_pair, draft_purchase_order, django_capture_on_commit_callbacks, send_queued_mail
):
    with django_capture_on_commit_callbacks(execute=True):
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)

    message = OutboundMessage.objects.get()
    delivery = DBTaskResult.objects.get(task_path__endswith="deliver_outbound_message_task")
    assert delivery.args_kwargs == {"args": [], "kwargs": {"message_id": message.pk}}
    assert DBTaskResult.objects.filter(task_path__endswith="sweep_outbox_task").count() == 1
    # Nothing is mailed, nor queued to be, before the network acknowledges.
    assert send_queued_mail() == 0
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        acknowledged(draft_purchase_order)
    assert send_queued_mail() == 1

    assert [email.to for email in mail.outbox] == [[trading_pair.supplier_user.email]]
    assert mail.outbox[0].subject == (
        f"New purchase order {draft_purchase_order.buyer_po_number} from {trading_pair.buyer}"
    )


def test_a_rolled_back_send_leaves_no_message_and_queues_nothing(
    trading_pair, draft_purchase_order, unchanged, django_capture_on_commit_callbacks
):
    check = unchanged(draft_purchase_order)

    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send_purchase_order(
                purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user
            )
            assert OutboundMessage.objects.count() == 1
            raise RuntimeError("the request failed after the send")

    check()
    assert OutboundMessage.objects.count() == 0
    assert callbacks == []


def test_a_double_clicked_send_sends_once(trading_pair, draft_purchase_order, unchanged):
    send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    check = unchanged(draft_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)

    assert refused.value.message == (
        "This purchase order has been sent, and is waiting for the network's answer. "
        "Try again once it has come (the page shows it)."
    )
    check()
    assert OutboundMessage.objects.count() == 1
    assert PurchaseOrder.objects.get().pending_action == "SEND"


def test_a_sent_purchase_order_cannot_be_sent_again(trading_pair, sent_purchase_order, unchanged):
    check = unchanged(sent_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        send_purchase_order(purchase_order=sent_purchase_order, sent_by=trading_pair.buyer_user)

    assert refused.value.message == (
        "This purchase order cannot be sent: its status is “Sent, awaiting confirmation”."
    )
    check()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
def test_two_simultaneous_sends_send_once(trading_pair, draft_purchase_order):
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        try:
            barrier.wait(timeout=5)
            send_purchase_order(
                purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user
            )
            outcomes.append("sent")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["refused", "sent"]
    assert OutboundMessage.objects.count() == 1
    assert StatusChange.objects.get().stage == "attempted"
    assert PurchaseOrder.objects.get().pending_action == "SEND"


def test_a_buyer_of_another_business_may_not_send(trading_pair, draft_purchase_order, unchanged):
    outsider = MembershipFactory(business=BusinessFactory(), role=Membership.Role.BUYER).user
    check = unchanged(draft_purchase_order)

    with pytest.raises(NotAllowed):
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=outsider)

    check()


@pytest.mark.parametrize("business", ["buyer", "supplier"])
def test_a_supplier_role_may_not_send(trading_pair, draft_purchase_order, unchanged, business):
    user = MembershipFactory(
        business=getattr(trading_pair, business), role=Membership.Role.SUPPLIER
    ).user
    check = unchanged(draft_purchase_order)

    with pytest.raises(NotAllowed):
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=user)

    check()


def test_an_accepted_purchase_order_cannot_be_sent(
    trading_pair, accepted_purchase_order, unchanged
):
    check = unchanged(accepted_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        send_purchase_order(purchase_order=accepted_purchase_order, sent_by=trading_pair.buyer_user)

    assert refused.value.message == "This purchase order cannot be sent: its status is “Accepted”."
    check()


def break_buyer_gstin(purchase_order):
    party = purchase_order.parties.get(role="buyer")
    # Same shape, wrong check character.
    party.gstin = party.gstin[:14] + ("A" if party.gstin[14] != "A" else "B")
    party.save()


def break_hsn_code(purchase_order):
    purchase_order.lines.filter(position=1).update(hsn_code="48A5")


def break_milestones(purchase_order):
    purchase_order.milestones.update(due_amount=Decimal("100.00"))


def remove_lines(purchase_order):
    purchase_order.lines.all().delete()
    purchase_order.milestones.all().delete()
    purchase_order.total_po_value = 0
    purchase_order.save()


def zero_quantity(purchase_order):
    purchase_order.lines.filter(position=0).update(
        quantity=0, total_amount=0, assessment_amount=0, total_item_value=0
    )


def break_place_of_supply(purchase_order):
    Party.objects.filter(purchase_order=purchase_order, role="buyer").update(
        place_of_supply="KA"
    )


def break_total(purchase_order):
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(total_po_value=Decimal("1.00"))


def break_delivery_pincode(purchase_order):
    purchase_order.addresses.update(pincode="056009")


def deliver_before_ordering(purchase_order):
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(
        delivery_date=datetime.date(2026, 11, 1)
    )


@pytest.mark.parametrize(
    ("breakage", "field", "message_start"),
    [
        (break_buyer_gstin, "buyer_gstin", "Buyer's GSTIN: This GSTIN's last character"),
        (break_hsn_code, "lines-1-hsn_code", "Line 2, HSN/SAC code: Enter an HSN or SAC code"),
        (break_milestones, "milestones", "The payment milestones add up to ₹100.00"),
        (remove_lines, "lines", "Add at least one line"),
        (zero_quantity, "lines-0-quantity", "Line 1: the quantity must be more than zero."),
        (break_place_of_supply, "place_of_supply", "Place of supply: Enter a two-digit"),
        (break_total, "total_po_value", "The purchase order's total (₹1.00)"),
        (break_delivery_pincode, "addresses-0-pincode", "Address 1, PIN code: Enter a six-digit"),
        (deliver_before_ordering, "delivery_date", "The delivery date is before the order date."),
    ],
)
def test_an_invalid_purchase_order_is_not_sent(
    trading_pair, draft_purchase_order, unchanged, breakage, field, message_start
):
    breakage(draft_purchase_order)
    check = unchanged(draft_purchase_order)

    with pytest.raises(InvalidPurchaseOrder) as refused:
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)

    assert field_name(refused.value.path) == field
    assert refused.value.message.startswith(message_start)
    check()
