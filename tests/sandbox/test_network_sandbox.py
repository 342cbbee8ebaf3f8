"""The network_sandbox fixture: the sandbox delivering to the portal under test."""

import pytest

from purchase_orders.models import InboundEvent, OutboundMessage
from purchase_orders.services.outbound import deliver_outbound_message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]


def test_a_sent_purchase_order_comes_back_acknowledged(network_sandbox, sent_purchase_order):
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
