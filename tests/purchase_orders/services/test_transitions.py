"""transitions: the one step that moves an order, and the attempts that wait for the network."""

import pytest

from purchase_orders import lifecycle
from purchase_orders.exceptions import TransitionNotAllowed
from purchase_orders.models import OutboundMessage, PurchaseOrder, StatusChange
from purchase_orders.services.transitions import (
    Marks,
    begin_action,
    ensure_nothing_pending,
    move_purchase_order,
    record_outcome,
)

pytestmark = pytest.mark.django_db


def test_a_move_of_the_table_sets_status_version_and_their_marks_and_writes_one_audit_row(
    trading_pair,
):
    draft = trading_pair.purchase_order()

    change = move_purchase_order(
        purchase_order=draft,
        action=lifecycle.SEND,
        actor=trading_pair.buyer_user,
        business=trading_pair.buyer,
        remarks="First issue.",
    )

    fresh = PurchaseOrder.objects.get(pk=draft.pk)
    # The network has no DRAFT: a send travels as CREATED -> CREATED.
    assert (fresh.status, fresh.previous_status, fresh.version, fresh.previous_version) == (
        "CREATED",
        "CREATED",
        1,
        0,
    )
    assert list(StatusChange.objects.values_list("pk", flat=True)) == [change.pk]
    assert (change.from_status, change.to_status, change.version, change.action) == (
        "DRAFT",
        "CREATED",
        1,
        "SEND",
    )
    assert (change.actor, change.actor_business, change.remarks, change.via_network) == (
        trading_pair.buyer_user,
        trading_pair.buyer,
        "First issue.",
        False,
    )


def test_a_move_the_table_does_not_allow_changes_nothing(trading_pair):
    draft = trading_pair.purchase_order()

    with pytest.raises(TransitionNotAllowed) as refused:
        move_purchase_order(purchase_order=draft, action=lifecycle.ACCEPT)

    assert refused.value.message == (
        "This purchase order cannot be accepted: its status is “Draft”."
    )
    assert refused.value.code == "TRANSITION_NOT_ALLOWED"
    assert PurchaseOrder.objects.get(pk=draft.pk).status == "DRAFT"
    assert not StatusChange.objects.exists()


def test_an_order_arriving_from_the_network_is_inserted_and_its_history_starts_here(
    trading_pair,
):
    arriving = PurchaseOrder(
        object_id="PO" + "A" * 32,
        buyer=trading_pair.buyer,
        supplier=trading_pair.supplier,
        buyer_po_number="REMOTE/1",
        status=lifecycle.DRAFT,
    )

    change = move_purchase_order(
        purchase_order=arriving,
        action=lifecycle.SEND,
        business=trading_pair.buyer,
        via_network=True,
    )

    assert PurchaseOrder.objects.get(object_id="PO" + "A" * 32).status == "CREATED"
    assert (change.from_status, change.to_status, change.via_network) == ("", "CREATED", True)


def test_begin_action_records_the_attempt_and_marks_the_order_pending_without_moving_it(
    trading_pair, sent_purchase_order
):
    message = OutboundMessage.objects.create(
        purchase_order=sent_purchase_order,
        kind="req-confirm",
        req_msg_id="R" * 32,
        object_id=sent_purchase_order.object_id,
        object_version=1,
        body="{}",
    )
    before = StatusChange.objects.count()

    attempt = begin_action(
        purchase_order=sent_purchase_order,
        action=lifecycle.ACCEPT,
        actor=trading_pair.supplier_user,
        business=trading_pair.supplier,
        message=message,
        remarks="Will ship.",
    )

    fresh = PurchaseOrder.objects.get(pk=sent_purchase_order.pk)
    assert (fresh.status, fresh.version) == ("CREATED", 1)
    assert (fresh.pending_action, fresh.pending_message, fresh.pending_since) == (
        "ACCEPT",
        message,
        message.created_at,
    )
    assert StatusChange.objects.count() == before + 1
    assert (attempt.from_status, attempt.to_status, attempt.version, attempt.action) == (
        "CREATED",
        "ACCEPTED",
        1,
        "ACCEPT",
    )
    assert (attempt.stage, attempt.message, attempt.moved) == ("attempted", message, False)
    assert (attempt.actor, attempt.actor_business, attempt.remarks) == (
        trading_pair.supplier_user,
        trading_pair.supplier,
        "Will ship.",
    )


def test_begin_action_announces_the_version_a_send_would_make(trading_pair, pending_send):
    attempt = StatusChange.objects.get()

    assert (attempt.from_status, attempt.to_status, attempt.version) == ("DRAFT", "CREATED", 1)
    assert PurchaseOrder.objects.get(pk=pending_send.pk).version == 0


def test_begin_action_refuses_a_move_the_table_does_not_allow(
    trading_pair, draft_purchase_order, unchanged
):
    message = OutboundMessage.objects.create(
        purchase_order=draft_purchase_order,
        kind="req-confirm",
        req_msg_id="R" * 32,
        object_id=draft_purchase_order.object_id,
        object_version=0,
        body="{}",
    )
    check = unchanged(draft_purchase_order)

    with pytest.raises(TransitionNotAllowed):
        begin_action(
            purchase_order=draft_purchase_order,
            action=lifecycle.ACCEPT,
            actor=trading_pair.supplier_user,
            business=trading_pair.supplier,
            message=message,
        )

    check()


def test_begin_action_refuses_a_second_action_while_one_is_pending(
    trading_pair, pending_send, unchanged
):
    message = OutboundMessage.objects.get()
    check = unchanged(pending_send)

    with pytest.raises(TransitionNotAllowed) as refused:
        begin_action(
            purchase_order=PurchaseOrder.objects.get(pk=pending_send.pk),
            action=lifecycle.SEND,
            actor=trading_pair.buyer_user,
            business=trading_pair.buyer,
            message=message,
        )

    assert refused.value.message.startswith("This purchase order has been sent, and is waiting")
    check()


def test_ensure_nothing_pending_lets_an_order_with_nothing_pending_be(sent_purchase_order):
    assert ensure_nothing_pending(sent_purchase_order) is None


def test_a_move_records_the_message_it_applies(trading_pair, pending_send):
    message = OutboundMessage.objects.get()

    change = move_purchase_order(
        purchase_order=PurchaseOrder.objects.get(pk=pending_send.pk),
        action=lifecycle.SEND,
        actor=trading_pair.buyer_user,
        business=trading_pair.buyer,
        message=message,
    )

    assert (change.stage, change.message, change.moved) == ("applied", message, True)
    assert PurchaseOrder.objects.get(pk=pending_send.pk).status == "CREATED"


def test_a_move_to_another_status_than_its_table_says_is_refused(trading_pair):
    draft = trading_pair.purchase_order()

    with pytest.raises(TransitionNotAllowed):
        move_purchase_order(
            purchase_order=draft,
            action=lifecycle.SEND,
            stated=Marks(status="ACCEPTED", version=1, previous_status="", previous_version=0),
        )

    assert PurchaseOrder.objects.get(pk=draft.pk).status == "DRAFT"
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("stage", ["refused", "undelivered", "overtaken"])
def test_record_outcome_writes_the_attempts_fate_and_leaves_the_order(
    trading_pair, pending_send, stage
):
    attempt = StatusChange.objects.get()
    before = PurchaseOrder.objects.values().get(pk=pending_send.pk)

    change = record_outcome(
        purchase_order=pending_send,
        attempt=attempt,
        stage=stage,
        remarks="The network refused the send.\nThe purchase order is as it was.",
        error_code="INVALID_FIELD",
        error_field="b2bIds.supplierB2BId",
    )

    assert PurchaseOrder.objects.values().get(pk=pending_send.pk) == before
    assert (change.from_status, change.to_status, change.version) == ("DRAFT", "DRAFT", 0)
    assert (change.action, change.stage, change.message, change.moved) == (
        "SEND",
        stage,
        attempt.message,
        False,
    )
    assert (change.actor, change.actor_business, change.via_network) == (
        None,
        trading_pair.buyer,
        True,
    )
    assert change.is_refusal is (stage == "refused")
    assert change.refusal_codes == "field b2bIds.supplierB2BId; code INVALID_FIELD"
    assert change.refusal_reason == "The network refused the send."
    assert change.refusal_outcome == "The purchase order is as it was."
