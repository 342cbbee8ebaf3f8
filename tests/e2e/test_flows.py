"""The four flows end to end: service, worker, sandbox over HTTP, webhooks back to the portal.

Both businesses are hosted on the portal under test, so each request comes
back twice: the response webhook settles the buyer's or supplier's message,
and the request webhook reaches the counterparty, on the same purchase order.
"""

from decimal import Decimal

import pytest

from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder
from purchase_orders.selectors import network_timeline
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from tests.plugins.network import revised_contents

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]


def sent(network, trading_pair) -> PurchaseOrder:
    """Send a new purchase order and let the network settle it."""
    purchase_order = send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    network.drain()
    return purchase_order


def accepted(network, trading_pair) -> PurchaseOrder:
    purchase_order = confirm_purchase_order(
        purchase_order=sent(network, trading_pair),
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks="Will ship on time.",
    )
    network.drain()
    return purchase_order


def events(purchase_order: PurchaseOrder) -> list[tuple[str, str]]:
    return sorted(
        InboundEvent.objects.filter(object_id=purchase_order.object_id).values_list(
            "kind", "state"
        )
    )


def messages(purchase_order: PurchaseOrder) -> list[tuple[str, int, str]]:
    return list(
        OutboundMessage.objects.filter(object_id=purchase_order.object_id)
        .order_by("pk")
        .values_list("kind", "object_version", "state")
    )


def timeline(purchase_order: PurchaseOrder) -> list:
    """Return the page's timeline as (direction, kind, state, [response kinds])."""
    page = PurchaseOrder.objects.prefetch_related("outbound_messages", "inbound_events").get(
        pk=purchase_order.pk
    )
    return [
        ("out", entry.message.kind, entry.message.state, [e.kind for e in entry.responses])
        if entry.is_outbound
        else ("in", entry.event.kind, entry.event.state, [])
        for entry in network_timeline(page)
    ]


def test_send_reaches_the_supplier_on_the_same_order(network, trading_pair):
    purchase_order = sent(network, trading_pair)

    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)
    assert purchase_order.delivered_at is not None
    assert PurchaseOrder.objects.count() == 1
    assert messages(purchase_order) == [("req-send", 1, "acknowledged")]
    assert events(purchase_order) == [("req-send", "applied"), ("resp-send", "applied")]
    assert set(
        InboundEvent.objects.values_list("purchase_order_id", flat=True)
    ) == {purchase_order.pk}
    assert network.received(purchase_order.object_id) == [("req-send", 1)]
    assert [(d["kind"], d["outcome"]) for d in network.sandbox.delivered] == [
        ("req-send", "delivered"),
        ("resp-send", "delivered"),
    ]
    assert timeline(purchase_order) == [
        ("out", "req-send", "acknowledged", ["resp-send"]),
        ("in", "req-send", "applied", []),
    ]


@pytest.mark.parametrize(("accept", "status"), [(True, "ACCEPTED"), (False, "REJECTED")])
def test_confirm_reaches_the_buyer(network, trading_pair, accept, status):
    purchase_order = confirm_purchase_order(
        purchase_order=sent(network, trading_pair),
        confirmed_by=trading_pair.supplier_user,
        accept=accept,
        remarks="Prices as agreed." if accept else "Out of stock until March.",
    )
    network.drain()

    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == (status, 1)
    assert messages(purchase_order) == [
        ("req-send", 1, "acknowledged"),
        ("req-confirm", 1, "acknowledged"),
    ]
    assert events(purchase_order) == [
        ("req-confirm", "applied"),
        ("req-send", "applied"),
        ("resp-confirm", "applied"),
        ("resp-send", "applied"),
    ]
    confirmation = network.sandbox.received[-1]["body"]["poConfirmation"]
    assert confirmation["supplierResponse"] == ("ACCEPT" if accept else "REJECT")
    assert confirmation["objectId"] == purchase_order.object_id
    assert network.received(purchase_order.object_id) == [("req-send", 1), ("req-confirm", 1)]
    assert timeline(purchase_order)[-2:] == [
        ("out", "req-confirm", "acknowledged", ["resp-confirm"]),
        ("in", "req-confirm", "applied", []),
    ]


def test_edit_reaches_the_supplier_as_version_2(network, trading_pair):
    purchase_order = accepted(network, trading_pair)
    purchase_order = edit_purchase_order(
        purchase_order=purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=revised_contents(purchase_order, Decimal("25.000")),
        reason="Twenty-five units after all.",
        expected_version=1,
    )
    network.drain()

    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 2)
    assert purchase_order.lines.order_by("position").first().quantity == Decimal("25.000")
    assert messages(purchase_order)[-1] == ("req-edit", 2, "acknowledged")
    assert ("req-edit", "applied") in events(purchase_order)
    assert ("resp-edit", "applied") in events(purchase_order)
    edit = network.sandbox.received[-1]["body"]["purchaseOrder"]
    assert edit["objectVersion"] == {"currentVersion": 1, "newVersion": 2}
    assert edit["itemLists"][0]["quantity"] == Decimal("25.000")
    assert network.received(purchase_order.object_id) == [
        ("req-send", 1),
        ("req-confirm", 1),
        ("req-edit", 2),
    ]
    assert timeline(purchase_order)[-2:] == [
        ("out", "req-edit", "acknowledged", ["resp-edit"]),
        ("in", "req-edit", "applied", []),
    ]


def test_status_change_reaches_the_supplier(network, trading_pair):
    purchase_order = change_purchase_order_status(
        purchase_order=accepted(network, trading_pair),
        changed_by=trading_pair.buyer_user,
        action="FULFILL",
        remarks="All delivered.",
    )
    network.drain()

    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("FULFILLED", 1)
    assert messages(purchase_order)[-1] == ("req-status-change", 1, "acknowledged")
    assert ("req-status-change", "applied") in events(purchase_order)
    assert ("resp-status-change", "applied") in events(purchase_order)
    status = network.sandbox.received[-1]["body"]["poStatus"]
    assert (status["buyerAction"], status["poStatusTransition"]["newStatus"]) == (
        "FULFILL",
        "FULFILLED",
    )
    assert timeline(purchase_order)[-2:] == [
        ("out", "req-status-change", "acknowledged", ["resp-status-change"]),
        ("in", "req-status-change", "applied", []),
    ]
