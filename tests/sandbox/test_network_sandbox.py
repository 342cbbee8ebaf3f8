"""The network_sandbox fixture: the sandbox delivering to the portal under test."""

import pytest

from purchase_orders.models import InboundEvent, OutboundMessage, StatusChange
from purchase_orders.services.outbound import deliver_outbound_message
from purchase_orders.services.purchase_orders import send_purchase_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]


def test_a_sent_purchase_order_comes_back_acknowledged(
    network_sandbox, trading_pair, draft_purchase_order
):
    send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    message = OutboundMessage.objects.get()

    deliver_outbound_message(message_id=message.pk)
    request, response = network_sandbox.wait_for_deliveries(2, timeout=10)

    outcomes = [(entry["kind"], entry["status"], entry["outcome"]) for entry in (request, response)]
    assert outcomes == [
        ("req-send", 200, "delivered"),
        ("resp-send", 200, "delivered"),
    ]
    message.refresh_from_db()
    assert message.state == "acknowledged"
    assert sorted(InboundEvent.objects.values_list("kind", flat=True)) == ["req-send", "resp-send"]
    draft_purchase_order.refresh_from_db()
    assert (draft_purchase_order.status, draft_purchase_order.pending_action) == ("CREATED", "")
    assert StatusChange.objects.filter(stage="applied").count() == 1
