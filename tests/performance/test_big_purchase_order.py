"""A purchase order of 1,000 lines is written, checked, sent and shown like a small one."""

from decimal import Decimal

import pytest

from benchmarks.big_po import exercise
from purchase_orders.enkash import encoding
from purchase_orders.models import LineItem, OutboundMessage, PurchaseOrder

pytestmark = pytest.mark.django_db


def test_a_purchase_order_of_1000_lines_is_created_sent_and_shown(people, counted_get):
    template = people.purchase_order(lines=3)
    small_order = people.purchase_order(lines=3, sent=True)
    small = counted_get(people.buyer_client, small_order.get_absolute_url())

    big = exercise(
        template=template, buyer_user=people.buyer_user, client=people.buyer_client, lines=1000
    )

    sent = PurchaseOrder.objects.get(pk=big.purchase_order.pk)
    assert (sent.status, sent.version) == (PurchaseOrder.Status.CREATED, 1)
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
    assert big.page_queries == len(small)
