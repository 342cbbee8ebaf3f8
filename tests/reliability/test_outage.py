"""An outage of the network: nothing users do meanwhile is lost, and order is kept.

The buyer and the supplier perform 100 actions on 20 purchase orders, some
from the pages and some through the services, in five rounds. One action
at a time: each round's action waits, pending, for the network's answer,
so the network goes down during every round (time-outs first, then HTTP
500) while the worker keeps trying, and the orders stay as the network last
acknowledged them. Once it is back, every message is delivered once and
applied, in the order written per order, and the next round begins.
"""

import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from purchase_orders.models import OutboundMessage, PurchaseOrder, StatusChange
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from tests.plugins.network import revised_contents

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]

ORDERS = 20
# Per order: send, accept, edit, accept version 2, mark fulfilled.
ACTIONS = ["send", "accept", "edit", "accept", "fulfil"]
TIMED_OUT_REQUESTS = 8


@pytest.fixture
def compressed_backoff(settings):
    """Production's back-off in milliseconds instead of minutes.

    The attempt limit is raised so that the outage, though short, lasts many
    more attempts than a real one of the same number of attempts would.
    """
    settings.ENKASH_RETRY_BASE_SECONDS = 0.05
    settings.ENKASH_RETRY_MAX_SECONDS = 0.4
    settings.ENKASH_TIMEOUT_SECONDS = 0.2
    settings.ENKASH_MAX_ATTEMPTS = 1000


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, purchase_order: PurchaseOrder) -> str:
    return reverse(f"purchase_orders:{name}", args=[purchase_order.object_id])


class Users:
    """Perform each action, from the page for even-numbered orders, else by service."""

    def __init__(self, trading_pair):
        self.pair = trading_pair
        self.buyer = signed_in(trading_pair.buyer_user)
        self.supplier = signed_in(trading_pair.supplier_user)

    def perform(self, action: str, index: int, purchase_order: PurchaseOrder) -> None:
        purchase_order.refresh_from_db()
        from_page = index % 2 == 0
        if action == "send" and from_page:
            self._post(self.buyer, url("send", purchase_order), {})
        elif action == "send":
            send_purchase_order(purchase_order=purchase_order, sent_by=self.pair.buyer_user)
        elif action == "accept" and from_page:
            data = {"remarks": "Confirmed.", "expected_version": purchase_order.version}
            self._post(self.supplier, url("confirm", purchase_order), data)
        elif action == "accept":
            confirm_purchase_order(
                purchase_order=purchase_order,
                confirmed_by=self.pair.supplier_user,
                accept=True,
                remarks="Confirmed.",
                expected_version=purchase_order.version,
            )
        elif action == "edit":
            edit_purchase_order(
                purchase_order=purchase_order,
                edited_by=self.pair.buyer_user,
                contents=revised_contents(purchase_order, Decimal(10 + index)),
                reason="Revised quantity.",
                expected_version=purchase_order.version,
            )
        elif from_page:
            data = {"action": "FULFILL", "remarks": "All delivered."}
            self._post(self.buyer, url("change-status", purchase_order), data)
        else:
            change_purchase_order_status(
                purchase_order=purchase_order,
                changed_by=self.pair.buyer_user,
                action="FULFILL",
                remarks="All delivered.",
            )

    @staticmethod
    def _post(client: Client, path: str, data: dict) -> None:
        response = client.post(path, data)
        # Every action succeeds and goes back to the order's page.
        assert response.status_code == 302, response.content.decode()[:500]
        assert response["Location"] == path.rsplit("/", 2)[0] + "/"


def sandbox_order(network, object_id: str) -> list[str]:
    """Return the reqMsgIds the sandbox acted on for one order, in the order it took them."""
    return [
        entry["req_msg_id"]
        for entry in network.sandbox.received
        if entry["status"] == 200 and not entry["repeat"] and object_id in str(entry["body"])
    ]


def assert_acted_on_in_the_order_performed(network, purchase_order, messages) -> None:
    """Check that every action on the order was written, and acted on, in the order performed."""
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("FULFILLED", 2)
    written = list(
        messages.filter(object_id=purchase_order.object_id).values_list("req_msg_id", "kind")
    )
    assert [kind for _, kind in written] == [
        "req-send",
        "req-confirm",
        "req-edit",
        "req-confirm",
        "req-status-change",
    ]
    assert sandbox_order(network, purchase_order.object_id) == [
        req_msg_id for req_msg_id, _ in written
    ]


# What each round's action makes of an order once the network has acknowledged it.
STATUS_AFTER = {"send": "CREATED", "accept": "ACCEPTED", "edit": "CREATED", "fulfil": "FULFILLED"}


def test_an_outage_loses_no_action_and_keeps_each_orders_order(
    network, trading_pair, compressed_backoff, send_queued_mail, mailoutbox
):
    sandbox = network.sandbox
    users = Users(trading_pair)
    orders = [trading_pair.purchase_order(lines=1) for _ in range(ORDERS)]

    performed = 0
    retrying_seen = 0
    attempts_during_outage = 0
    drain_seconds = 0.0
    rounds = 0
    for turn, action in enumerate(ACTIONS):
        before = {order.pk: (order.status, order.version) for order in orders}
        if turn == 0:
            sandbox.add_fault("timeout", times=TIMED_OUT_REQUESTS, seconds=0.4)
        sandbox.add_fault("http_500", times=None)
        for index, purchase_order in enumerate(orders):
            users.perform(action, index, purchase_order)
            performed += 1
        # The worker keeps trying while the network is down.
        network.work(max_tasks=ORDERS)
        retrying = OutboundMessage.objects.filter(state="retrying")
        retrying_seen += retrying.count()
        page = users.buyer.get(retrying.first().purchase_order.get_absolute_url())
        assert "Retrying" in page.content.decode()
        assert "the portal tries again" in page.content.decode()
        # Meanwhile each order is as the network last acknowledged it, its action
        # pending; but for a timed-out request that the network did act on: applied.
        waiting = 0
        for purchase_order in orders:
            purchase_order.refresh_from_db()
            message = purchase_order.outbound_messages.order_by("pk").last()
            if message.state == "acknowledged":
                assert purchase_order.status == STATUS_AFTER[action]
                assert purchase_order.pending_action == ""
                continue
            waiting += 1
            assert (purchase_order.status, purchase_order.version) == before[purchase_order.pk]
            assert purchase_order.pending_message == message
        assert waiting >= ORDERS - TIMED_OUT_REQUESTS
        assert not OutboundMessage.objects.filter(state__in=["failed", "rejected"]).exists()
        attempts_during_outage += sum(
            OutboundMessage.objects.exclude(state="acknowledged").values_list("attempts", flat=True)
        )

        sandbox.clear_faults()
        started = time.monotonic()
        rounds += network.drain(timeout=120)
        drain_seconds += time.monotonic() - started
        # The e-mails of the round's acknowledgements go out, leaving the
        # queue to the next round's deliveries.
        send_queued_mail()
        for purchase_order in orders:
            purchase_order.refresh_from_db()
            assert (purchase_order.status, purchase_order.pending_action) == (
                STATUS_AFTER[action],
                "",
            )

    assert performed == ORDERS * len(ACTIONS) == 100
    assert OutboundMessage.objects.count() == performed

    messages = OutboundMessage.objects.order_by("pk")
    assert set(messages.values_list("state", flat=True)) == {"acknowledged"}
    for purchase_order in orders:
        assert_acted_on_in_the_order_performed(network, purchase_order, messages)
    # Each action applied once, and none refused or lost.
    assert StatusChange.objects.filter(stage="applied").count() == performed
    assert StatusChange.objects.filter(stage="attempted").count() == performed
    assert not StatusChange.objects.exclude(stage__in=["applied", "attempted"]).exists()
    accepted = [e for e in sandbox.received if e["status"] == 200 and not e["repeat"]]
    assert len(accepted) == performed
    webhooks = sandbox.delivered
    assert len(webhooks) == 2 * performed
    assert {entry["outcome"] for entry in webhooks} == {"delivered"}
    # Each applied action mailed the other side's one person, once.
    assert len(mailoutbox) == performed

    attempts = sum(messages.values_list("attempts", flat=True))
    print(
        f"\noutage: {performed} actions on {ORDERS} orders -> {messages.count()} messages; "
        f"{attempts_during_outage} attempts during the outages "
        f"({retrying_seen} retrying seen over {len(ACTIONS)} rounds), {attempts} in all; "
        f"{len(sandbox.received)} requests reached the sandbox, {len(accepted)} acted on; "
        f"drained in {drain_seconds:.1f} s ({rounds} worker rounds)"
    )
