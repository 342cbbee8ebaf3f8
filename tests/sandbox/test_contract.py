"""What the portal sends is what the network accepts: its own bodies against the sandbox."""

import datetime
from decimal import Decimal

import pytest

from purchase_orders.contents import ChargeContents, MilestoneContents, TaxContents
from purchase_orders.enkash import encoding, payloads
from purchase_orders.enkash.client import get_enkash_client
from purchase_orders.models import OutboundMessage
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from purchase_orders.totals import apply_computed_totals
from tests.plugins.network import acknowledged

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


# One action at a time: each is acknowledged (as the network's SUCCESS response
# would) before the next is made; then their messages go to the sandbox in turn.


def post_every_message(sandbox) -> list[tuple[str, int]]:
    """Post every outbound message as the worker would; return (kind, status) answered."""
    with get_enkash_client() as client:
        for message in OutboundMessage.objects.order_by("pk"):
            body = encoding.loads(message.body)
            client.request(message.kind, body, req_msg_id=message.req_msg_id)
    return [(entry["kind"], entry["status"]) for entry in sandbox.received]


def test_a_send_an_edit_and_a_confirmation_are_accepted(
    sandbox, trading_pair, accepted_purchase_order
):
    fresh = get_purchase_order_with_contents(pk=accepted_purchase_order.pk)
    contents = payloads.parse_purchase_order(
        payloads.build_purchase_order(fresh), fresh.additional_infos
    )
    contents.header.subject = "Revised"
    edited = acknowledged(
        edit_purchase_order(
            purchase_order=accepted_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=contents,
            reason="New subject.",
            expected_version=1,
        )
    )
    confirm_purchase_order(
        purchase_order=edited,
        confirmed_by=trading_pair.supplier_user,
        accept=False,
        remarks="Out of stock.",
    )

    assert post_every_message(sandbox) == [
        ("req-send", 200),
        ("req-confirm", 200),
        ("req-edit", 200),
        ("req-confirm", 200),
    ]


def test_every_buyer_status_change_is_accepted(sandbox, trading_pair, accepted_purchase_order):
    fulfilled = acknowledged(
        change_purchase_order_status(
            purchase_order=accepted_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="FULFILL",
            remarks="Delivered.",
        )
    )
    change_purchase_order_status(
        purchase_order=fulfilled, changed_by=trading_pair.buyer_user, action="CLOSE", remarks=""
    )
    cancelled = acknowledged(
        send_purchase_order(
            purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
        )
    )
    change_purchase_order_status(
        purchase_order=cancelled,
        changed_by=trading_pair.buyer_user,
        action="CANCEL",
        remarks="Ordered twice.",
    )

    statuses = post_every_message(sandbox)

    assert [status for _, status in statuses] == [200] * 6
    assert [kind for kind, _ in statuses].count("req-status-change") == 3


def test_an_edit_with_discounts_taxes_charges_and_milestones_is_accepted(
    sandbox, trading_pair, accepted_purchase_order
):
    """Every amount the sandbox checks on its own, as the portal states it across two states."""
    fresh = get_purchase_order_with_contents(pk=accepted_purchase_order.pk)
    contents = payloads.parse_purchase_order(
        payloads.build_purchase_order(fresh), fresh.additional_infos
    )
    first, second = contents.lines
    first.value_details = [{"type": "DISCOUNT", "value": Decimal("25.55")}]
    first.other_taxes = [TaxContents(name="Compensation cess", rate=Decimal("1.5"))]
    second.gst_rate = Decimal(5)
    second.free_quantity = Decimal("2.000")
    contents.other_charges = [
        ChargeContents(charge_type="FREIGHT", amount=Decimal("500.00")),
        ChargeContents(charge_type="ROUND_OFF", amount=Decimal("-0.37")),
    ]
    total = apply_computed_totals(contents).header.total_po_value
    contents.milestones = [
        MilestoneContents(due_on=datetime.date(2026, 12, 1), due_amount=Decimal("1000.00")),
        MilestoneContents(due_on=datetime.date(2027, 1, 15), due_amount=total - 1000),
    ]
    edit_purchase_order(
        purchase_order=accepted_purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=contents,
        reason="Discount, cess and freight.",
        expected_version=1,
    )

    assert post_every_message(sandbox) == [
        ("req-send", 200),
        ("req-confirm", 200),
        ("req-edit", 200),
    ]
    edit = encoding.loads(OutboundMessage.objects.get(kind="req-edit").body)["purchaseOrder"]
    assert edit["itemLists"][0]["otherTaxes"][0]["amount"] > 0
    assert edit["poValueDetails"]["totalPOValue"] == total
