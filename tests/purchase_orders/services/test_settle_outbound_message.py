"""settle_outbound_message: the network's verdict, and undoing what it refused."""

import copy
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
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    edit_purchase_order,
    send_purchase_order,
)
from purchase_orders.totals import apply_computed_totals
from tests.plugins.network import purchase_order_state

pytestmark = pytest.mark.django_db

REFUSAL = {
    "error_code": "INVALID_FIELD",
    "error_detail": "Supplier is not registered on Bharat Connect.",
    "error_field": "b2bIds.supplierB2BId",
}


def refuse(message: OutboundMessage) -> OutboundMessage:
    return settle_outbound_message(message=message, succeeded=False, **REFUSAL)


def marks(purchase_order) -> tuple:
    purchase_order.refresh_from_db()
    return (
        purchase_order.status,
        purchase_order.previous_status,
        purchase_order.version,
        purchase_order.previous_version,
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


@pytest.mark.parametrize("kind", ["req-send", "req-edit"])
def test_an_acknowledged_send_or_edit_marks_the_version_delivered(
    trading_pair, sent_purchase_order, kind
):
    if kind == "req-edit":
        send = OutboundMessage.objects.get(kind="req-send")
        settle_outbound_message(message=send, succeeded=True)
        edit_quantity(trading_pair, sent_purchase_order, "20")
    message = OutboundMessage.objects.get(kind=kind)

    settled = settle_outbound_message(message=message, succeeded=True)

    assert settled.state == "acknowledged"
    assert settled.settled_at is not None
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.delivered_at == settled.settled_at


def test_an_acknowledged_confirmation_or_status_change_leaves_the_order_as_it_is(
    trading_pair, accepted_purchase_order
):
    change_purchase_order_status(
        purchase_order=accepted_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="CLOSE",
        remarks="",
    )
    before = purchase_order_state(accepted_purchase_order)["row"]

    for kind in ("req-confirm", "req-status-change"):
        message = OutboundMessage.objects.get(kind=kind)
        settled = settle_outbound_message(message=message, succeeded=True)
        assert settled.state == "acknowledged"

    assert purchase_order_state(accepted_purchase_order)["row"] == before
    assert marks(accepted_purchase_order) == ("CLOSED", "ACCEPTED", 1, 1)


def test_settling_twice_changes_nothing(trading_pair, sent_purchase_order):
    message = OutboundMessage.objects.get()
    first = settle_outbound_message(message=message, succeeded=True)
    check = purchase_order_state(sent_purchase_order)

    again = refuse(message)

    assert (again.state, again.settled_at, again.error_code) == (
        "acknowledged",
        first.settled_at,
        "",
    )
    assert purchase_order_state(sent_purchase_order) == check


def test_a_refused_send_puts_the_purchase_order_back_to_draft(trading_pair, sent_purchase_order):
    message = refuse(OutboundMessage.objects.get())

    assert message.state == "rejected"
    assert (message.error_code, message.error_detail, message.error_field) == (
        "INVALID_FIELD",
        "Supplier is not registered on Bharat Connect.",
        "b2bIds.supplierB2BId",
    )
    assert marks(sent_purchase_order) == ("DRAFT", "", 0, 0)
    assert sent_purchase_order.sent_at is None
    assert not PurchaseOrderVersion.objects.exists()
    refusal = StatusChange.objects.get(action="REFUSED")
    assert (refusal.from_status, refusal.to_status, refusal.version, refusal.via_network) == (
        "CREATED",
        "DRAFT",
        0,
        True,
    )
    assert refusal.remarks == (
        "The network refused the send: Supplier is not registered on Bharat Connect.\n"
        "The purchase order is back to “Draft”, version 0."
    )
    assert (refusal.error_code, refusal.error_field) == ("INVALID_FIELD", "b2bIds.supplierB2BId")
    assert refusal.refusal_codes == "field b2bIds.supplierB2BId; code INVALID_FIELD"


def test_after_a_refused_send_the_buyer_can_send_again(trading_pair, sent_purchase_order):
    refuse(OutboundMessage.objects.get())

    send_purchase_order(purchase_order=sent_purchase_order, sent_by=trading_pair.buyer_user)

    assert marks(sent_purchase_order) == ("CREATED", "CREATED", 1, 0)
    assert OutboundMessage.objects.filter(kind="req-send", state="queued").count() == 1
    assert PurchaseOrderVersion.objects.get().version == 1


def test_a_refused_edit_restores_the_previous_version_and_contents(
    trading_pair, accepted_purchase_order
):
    settle_outbound_message(message=OutboundMessage.objects.get(kind="req-send"), succeeded=True)
    accepted_purchase_order.refresh_from_db()
    delivered_at = accepted_purchase_order.delivered_at
    before = purchase_order_state(accepted_purchase_order)
    edit_quantity(trading_pair, accepted_purchase_order, "40")
    assert marks(accepted_purchase_order) == ("CREATED", "ACCEPTED", 2, 1)

    refuse(OutboundMessage.objects.get(kind="req-edit"))

    assert marks(accepted_purchase_order) == ("ACCEPTED", "CREATED", 1, 1)
    after = purchase_order_state(accepted_purchase_order)
    assert after["contents"] == before["contents"]
    assert after["row"]["subject"] == "Office supplies"
    assert accepted_purchase_order.delivered_at == delivered_at
    assert list(PurchaseOrderVersion.objects.values_list("version", flat=True)) == [1]
    refusal = StatusChange.objects.get(action="REFUSED")
    assert (refusal.from_status, refusal.to_status, refusal.version) == ("CREATED", "ACCEPTED", 1)
    assert "refused the edit" in refusal.remarks


def test_a_refused_second_edit_goes_back_to_the_first_edit(trading_pair, sent_purchase_order):
    edit_quantity(trading_pair, sent_purchase_order, "20")
    version_2 = purchase_order_state(sent_purchase_order)["contents"]
    edit_quantity(trading_pair, sent_purchase_order, "30")

    refuse(OutboundMessage.objects.get(kind="req-edit", object_version=3))

    assert marks(sent_purchase_order) == ("CREATED", "CREATED", 2, 1)
    assert purchase_order_state(sent_purchase_order)["contents"] == version_2


def test_a_refused_confirmation_puts_the_purchase_order_back_to_created(
    trading_pair, accepted_purchase_order
):
    refuse(OutboundMessage.objects.get(kind="req-confirm"))

    assert marks(accepted_purchase_order) == ("CREATED", "CREATED", 1, 0)
    assert PurchaseOrderVersion.objects.get().version == 1


def test_a_refused_status_change_restores_the_previous_status(
    trading_pair, accepted_purchase_order
):
    change_purchase_order_status(
        purchase_order=accepted_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="CANCEL",
        remarks="",
    )

    refuse(OutboundMessage.objects.get(kind="req-status-change"))

    assert marks(accepted_purchase_order) == ("ACCEPTED", "CREATED", 1, 1)


def test_a_refusal_leaves_a_purchase_order_that_has_moved_on(
    trading_pair, accepted_purchase_order
):
    check = purchase_order_state(accepted_purchase_order)

    message = refuse(OutboundMessage.objects.get(kind="req-send"))

    assert message.state == "rejected"
    after = purchase_order_state(accepted_purchase_order)
    assert (after["row"], after["contents"]) == (check["row"], check["contents"])
    refusal = StatusChange.objects.get(action="REFUSED")
    assert (refusal.from_status, refusal.to_status) == ("ACCEPTED", "ACCEPTED")
    assert refusal.remarks.endswith("has changed since, so it was left as it is.")
