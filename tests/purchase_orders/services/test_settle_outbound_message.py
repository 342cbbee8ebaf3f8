"""settle_outbound_message: the network's verdict applies the action a message carries, or not."""

import copy
import datetime
from decimal import Decimal

import pytest

from purchase_orders.enkash import payloads
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.acknowledgements import apply_sent_action
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from purchase_orders.totals import apply_computed_totals
from tests.plugins.mail import queued_mail
from tests.plugins.network import acknowledged, purchase_order_state

pytestmark = pytest.mark.django_db

REFUSAL = {
    "error_code": "INVALID_FIELD",
    "error_detail": "Supplier is not registered on Bharat Connect.",
    "error_field": "b2bIds.supplierB2BId",
}


def refuse(message: OutboundMessage) -> OutboundMessage:
    return settle_outbound_message(message=message, succeeded=False, **REFUSAL)


def succeed(message: OutboundMessage) -> OutboundMessage:
    return settle_outbound_message(message=message, succeeded=True)


def marks(purchase_order) -> tuple:
    purchase_order.refresh_from_db()
    return (
        purchase_order.status,
        purchase_order.previous_status,
        purchase_order.version,
        purchase_order.previous_version,
    )


def pending(purchase_order) -> tuple:
    purchase_order.refresh_from_db()
    return (purchase_order.pending_action, purchase_order.pending_message_id)


def stages(purchase_order) -> list[tuple[str, str]]:
    return list(
        StatusChange.objects.filter(purchase_order=purchase_order).values_list("action", "stage")
    )


def edit_quantity(trading_pair, purchase_order, quantity: str) -> PurchaseOrder:
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    contents = payloads.parse_purchase_order(
        payloads.build_purchase_order(fresh), fresh.additional_infos
    )
    contents.header.subject = "Revised"
    contents.lines[0].quantity = Decimal(quantity)
    total = apply_computed_totals(copy.deepcopy(contents)).header.total_po_value
    contents.milestones[0].due_amount = total
    return edit_purchase_order(
        purchase_order=purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=contents,
        reason="More paper.",
        expected_version=fresh.version,
    )


# -- acknowledged ---------------------------------------------------------------------


def test_an_acknowledged_send_applies_it_and_marks_the_version_delivered(
    trading_pair, pending_send
):
    message = OutboundMessage.objects.get(kind="req-send")
    assert marks(pending_send) == ("DRAFT", "", 0, 0)

    settled = succeed(message)

    assert settled.state == "acknowledged"
    assert settled.settled_at is not None
    assert marks(pending_send) == ("CREATED", "CREATED", 1, 0)
    assert pending_send.sent_at == message.created_at
    assert pending_send.delivered_at is not None
    assert abs(pending_send.delivered_at - settled.settled_at) < datetime.timedelta(seconds=5)
    assert pending(pending_send) == ("", None)
    assert pending_send.pending_since is None
    assert stages(pending_send) == [("SEND", "attempted"), ("SEND", "applied")]
    applied = StatusChange.objects.get(stage="applied")
    assert (applied.from_status, applied.to_status, applied.version, applied.message) == (
        "DRAFT",
        "CREATED",
        1,
        message,
    )
    assert (applied.actor, applied.actor_business) == (
        trading_pair.buyer_user,
        trading_pair.buyer,
    )


def test_an_acknowledged_edit_takes_its_contents_from_the_versions_snapshot(
    trading_pair, sent_purchase_order
):
    edit_quantity(trading_pair, sent_purchase_order, "20")
    message = OutboundMessage.objects.get(kind="req-edit")
    snapshot = PurchaseOrderVersion.objects.get(version=2).snapshot["purchaseOrder"]

    succeed(message)

    assert marks(sent_purchase_order) == ("CREATED", "CREATED", 2, 1)
    fresh = get_purchase_order_with_contents(pk=sent_purchase_order.pk)
    assert fresh.subject == "Revised"
    assert fresh.lines.all()[0].quantity == Decimal("20")
    assert payloads.parse_purchase_order(payloads.build_purchase_order(fresh)) == (
        payloads.parse_purchase_order(snapshot)
    )
    assert fresh.delivered_at is not None
    assert pending(fresh) == ("", None)


def test_acknowledged_confirmations_and_status_changes_move_the_order(
    trading_pair, sent_purchase_order
):
    confirm_purchase_order(
        purchase_order=sent_purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks="",
    )
    assert marks(sent_purchase_order) == ("CREATED", "CREATED", 1, 0)

    succeed(OutboundMessage.objects.get(kind="req-confirm"))

    assert marks(sent_purchase_order) == ("ACCEPTED", "CREATED", 1, 1)
    change_purchase_order_status(
        purchase_order=sent_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="CLOSE",
        remarks="",
    )
    assert marks(sent_purchase_order) == ("ACCEPTED", "CREATED", 1, 1)

    succeed(OutboundMessage.objects.get(kind="req-status-change"))

    assert marks(sent_purchase_order) == ("CLOSED", "ACCEPTED", 1, 1)
    assert pending(sent_purchase_order) == ("", None)


def test_settling_twice_changes_nothing(trading_pair, pending_send):
    message = OutboundMessage.objects.get()
    first = succeed(message)
    check = purchase_order_state(pending_send)

    again = refuse(message)
    succeed(message)

    assert (again.state, again.settled_at, again.error_code) == (
        "acknowledged",
        first.settled_at,
        "",
    )
    assert purchase_order_state(pending_send) == check
    assert stages(pending_send) == [("SEND", "attempted"), ("SEND", "applied")]


def test_an_acknowledgement_after_the_delivery_here_applied_it_applies_it_once(
    trading_pair, pending_send
):
    message = OutboundMessage.objects.get()
    # The counterparty is hosted here: the network delivered the req-send to it first.
    apply_sent_action(purchase_order=PurchaseOrder.objects.get(), message=message)
    check = purchase_order_state(pending_send)

    settled = succeed(message)

    assert settled.state == "acknowledged"
    after = purchase_order_state(pending_send)
    assert (after["row"], after["contents"], after["status_changes"]) == (
        check["row"],
        check["contents"],
        check["status_changes"],
    )
    assert marks(pending_send) == ("CREATED", "CREATED", 1, 0)


# -- refused ----------------------------------------------------------------------


def test_a_refused_send_leaves_the_draft_as_it_was(trading_pair, pending_send):
    message = refuse(OutboundMessage.objects.get())

    assert message.state == "rejected"
    assert (message.error_code, message.error_detail, message.error_field) == (
        "INVALID_FIELD",
        "Supplier is not registered on Bharat Connect.",
        "b2bIds.supplierB2BId",
    )
    assert marks(pending_send) == ("DRAFT", "", 0, 0)
    assert pending_send.sent_at is None
    assert pending(pending_send) == ("", None)
    assert not PurchaseOrderVersion.objects.exists()
    refusal = StatusChange.objects.get(stage="refused")
    assert (refusal.action, refusal.message) == ("SEND", message)
    assert (refusal.from_status, refusal.to_status, refusal.version, refusal.via_network) == (
        "DRAFT",
        "DRAFT",
        0,
        True,
    )
    assert refusal.actor_business == trading_pair.buyer
    assert refusal.remarks == (
        "The network refused the send: Supplier is not registered on Bharat Connect.\n"
        "The purchase order is as it was."
    )
    assert (refusal.error_code, refusal.error_field) == ("INVALID_FIELD", "b2bIds.supplierB2BId")
    assert refusal.refusal_codes == "field b2bIds.supplierB2BId; code INVALID_FIELD"
    assert refusal.is_refusal is True
    assert stages(pending_send) == [("SEND", "attempted"), ("SEND", "refused")]


def test_after_a_refused_send_the_buyer_can_send_again(trading_pair, pending_send):
    refuse(OutboundMessage.objects.get())

    send_purchase_order(purchase_order=pending_send, sent_by=trading_pair.buyer_user)

    assert marks(pending_send) == ("DRAFT", "", 0, 0)
    again = OutboundMessage.objects.get(kind="req-send", state="queued")
    assert pending(pending_send) == ("SEND", again.pk)
    assert PurchaseOrderVersion.objects.get().version == 1
    assert marks(acknowledged(pending_send)) == ("CREATED", "CREATED", 1, 0)


def test_a_refused_edit_keeps_the_version_and_contents_and_drops_its_snapshot(
    trading_pair, accepted_purchase_order
):
    delivered_at = accepted_purchase_order.delivered_at
    before = purchase_order_state(accepted_purchase_order)
    edit_quantity(trading_pair, accepted_purchase_order, "40")
    assert marks(accepted_purchase_order) == ("ACCEPTED", "CREATED", 1, 1)
    assert list(PurchaseOrderVersion.objects.values_list("version", flat=True)) == [1, 2]

    refuse(OutboundMessage.objects.get(kind="req-edit"))

    assert marks(accepted_purchase_order) == ("ACCEPTED", "CREATED", 1, 1)
    after = purchase_order_state(accepted_purchase_order)
    assert after["contents"] == before["contents"]
    assert after["row"]["subject"] == "Office supplies"
    assert accepted_purchase_order.delivered_at == delivered_at
    assert pending(accepted_purchase_order) == ("", None)
    assert list(PurchaseOrderVersion.objects.values_list("version", flat=True)) == [1]
    refusal = StatusChange.objects.get(stage="refused")
    assert (refusal.action, refusal.from_status, refusal.to_status, refusal.version) == (
        "EDIT",
        "ACCEPTED",
        "ACCEPTED",
        1,
    )
    assert refusal.remarks.startswith("The network refused the edit: ")


def test_after_a_refused_edit_the_next_edit_makes_the_same_version(
    trading_pair, sent_purchase_order
):
    edit_quantity(trading_pair, sent_purchase_order, "20")
    refuse(OutboundMessage.objects.get(kind="req-edit"))

    edit_quantity(trading_pair, sent_purchase_order, "30")
    succeed(OutboundMessage.objects.get(kind="req-edit", state="queued"))

    assert marks(sent_purchase_order) == ("CREATED", "CREATED", 2, 1)
    fresh = get_purchase_order_with_contents(pk=sent_purchase_order.pk)
    assert fresh.lines.all()[0].quantity == Decimal("30")


@pytest.mark.parametrize("accept", [True, False])
def test_a_refused_confirmation_leaves_the_order_awaiting_confirmation(
    trading_pair, sent_purchase_order, accept
):
    confirm_purchase_order(
        purchase_order=sent_purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=accept,
        remarks="Out of stock.",
    )

    refuse(OutboundMessage.objects.get(kind="req-confirm"))

    assert marks(sent_purchase_order) == ("CREATED", "CREATED", 1, 0)
    assert pending(sent_purchase_order) == ("", None)
    assert PurchaseOrderVersion.objects.get().version == 1
    refusal = StatusChange.objects.get(stage="refused")
    assert (refusal.action, refusal.actor_business) == (
        "ACCEPT" if accept else "REJECT",
        trading_pair.supplier,
    )


def test_a_refused_status_change_keeps_the_status(trading_pair, accepted_purchase_order):
    change_purchase_order_status(
        purchase_order=accepted_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="CANCEL",
        remarks="",
    )

    refuse(OutboundMessage.objects.get(kind="req-status-change"))

    assert marks(accepted_purchase_order) == ("ACCEPTED", "CREATED", 1, 1)
    assert pending(accepted_purchase_order) == ("", None)


def test_a_refusal_after_the_delivery_here_applied_it_leaves_the_order_applied(
    trading_pair, pending_send, django_capture_on_commit_callbacks
):
    message = OutboundMessage.objects.get()
    apply_sent_action(purchase_order=PurchaseOrder.objects.get(), message=message)
    mail_before = queued_mail().count()

    with django_capture_on_commit_callbacks(execute=True):
        settled = refuse(message)

    # The action stands, so no e-mail says it was refused.
    assert queued_mail().count() == mail_before

    assert settled.state == "rejected"
    assert marks(pending_send) == ("CREATED", "CREATED", 1, 0)
    assert PurchaseOrderVersion.objects.get().version == 1
    refusal = StatusChange.objects.get(stage="refused")
    assert (refusal.from_status, refusal.to_status) == ("CREATED", "CREATED")
    assert refusal.remarks.endswith(
        "It had already been delivered here and applied, so the purchase order stays "
        "“Sent, awaiting confirmation”."
    )
