"""A purchase order of 1,000 lines is written, checked, sent and shown like a small one."""

from decimal import Decimal

import pytest

from benchmarks.big_po import exercise
from purchase_orders.enkash import encoding
from purchase_orders.models import LineItem, OutboundMessage, PurchaseOrder
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db


def test_a_purchase_order_of_1000_lines_is_created_sent_and_shown(people, counted_get):
    template = people.purchase_order(lines=3)
    small_order = people.purchase_order(lines=3, sent=True)
    small = counted_get(people.buyer_client, small_order.get_absolute_url())
    # A small order whose send waits for the network too: its page says so.
    small_pending = people.purchase_order(lines=3)
    send_purchase_order(purchase_order=small_pending, sent_by=people.buyer_user)
    pending = counted_get(people.buyer_client, small_pending.get_absolute_url())

    big = exercise(
        template=template, buyer_user=people.buyer_user, client=people.buyer_client, lines=1000
    )

    sent = PurchaseOrder.objects.get(pk=big.purchase_order.pk)
    # Sent, and waiting for the network's answer: still the draft, its send pending.
    assert (sent.status, sent.version, sent.pending_action) == (
        PurchaseOrder.Status.DRAFT,
        0,
        "SEND",
    )
    lines = LineItem.objects.filter(purchase_order=sent)
    assert lines.count() == 1000
    items = big.message["purchaseOrder"]["itemLists"]
    assert [item["serialno"] for item in items] == [str(n) for n in range(1, 1001)]
    # The template's three lines, repeated: 334 + 333 + 333 of them.
    template_values = list(
        LineItem.objects.filter(purchase_order=template).values_list("total_item_value", flat=True)
    )
    expected = sum(template_values[index % 3] for index in range(1000))
    assert sum(item["totalItemValue"] for item in items) == expected
    assert sent.total_po_value == expected
    assert big.message["purchaseOrder"]["poValueDetails"]["totalPOValue"] == expected
    outbound = OutboundMessage.objects.get(purchase_order=sent)
    assert len(encoding.loads(outbound.body)["purchaseOrder"]["itemLists"]) == 1000
    assert isinstance(expected, Decimal)
    assert big.page_status == 200
    assert big.page_queries == len(pending)

    # Once the network acknowledges it, the 1,000 lines are version 1's.
    sent = acknowledged(sent)
    assert (sent.status, sent.version, sent.pending_action) == (PurchaseOrder.Status.CREATED, 1, "")
    assert lines.count() == 1000
    assert sent.total_po_value == expected
    shown = counted_get(people.buyer_client, sent.get_absolute_url())
    assert len(shown) == len(small)
