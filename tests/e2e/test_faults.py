"""The network failing, refusing and expiring tokens, end to end through the sandbox."""

import time

import pytest
from django.test import Client

from purchase_orders.enkash import conventions
from purchase_orders.models import InboundEvent, OutboundMessage
from purchase_orders.services.purchase_orders import confirm_purchase_order, send_purchase_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.ENKASH_RETRY_BASE_SECONDS = 0.05
    settings.ENKASH_RETRY_MAX_SECONDS = 0.2


def send(trading_pair):
    return send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )


def confirm(trading_pair, purchase_order, remarks="Will ship on time."):
    return confirm_purchase_order(
        purchase_order=purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks=remarks,
    )


def statuses(network) -> list[tuple[str, int, bool]]:
    """Return (kind, HTTP status, repeat) of each request the sandbox received."""
    return [(e["kind"], e["status"], e["repeat"]) for e in network.sandbox.received]


def delivered(network) -> list[str]:
    return [entry["kind"] for entry in network.sandbox.delivered]


def page(user, purchase_order) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(purchase_order.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_http_500s_are_retried_until_delivered_once(network, trading_pair):
    network.sandbox.add_fault("http_500", times=3)
    purchase_order = send(trading_pair)

    network.drain()

    message = OutboundMessage.objects.get()
    assert (message.state, message.attempts) == ("acknowledged", 4)
    assert statuses(network) == [("req-send", 500, False)] * 3 + [("req-send", 200, False)]
    assert delivered(network) == ["req-send", "resp-send"]
    assert InboundEvent.objects.filter(object_id=purchase_order.object_id).count() == 2


def test_a_timed_out_request_that_arrived_is_not_exchanged_twice(network, trading_pair, settings):
    settings.ENKASH_TIMEOUT_SECONDS = 0.3
    # The sandbox answers after the portal stopped waiting, but it did act on
    # the request: the portal's retry carries the same reqMsgId.
    network.sandbox.add_fault("timeout", times=1, seconds=0.8)
    send(trading_pair)

    network.drain()

    message = OutboundMessage.objects.get()
    assert message.state == "acknowledged"
    # Either the retry went out before the late answer's webhooks settled the
    # message, and one of the two was taken as a repeat, or it never had to.
    assert sorted(statuses(network)) == [("req-send", 200, False)] + [
        ("req-send", 200, True)
    ] * (message.attempts - 1)
    assert {e["req_msg_id"] for e in network.sandbox.received} == {message.req_msg_id}
    assert delivered(network) == ["req-send", "resp-send"]


def test_a_stopped_network_shows_retrying_then_delivers_once_it_is_back(
    network, trading_pair
):
    network.sandbox.go_offline()
    purchase_order = send(trading_pair)

    network.run_tasks()
    message = OutboundMessage.objects.get()
    assert message.state == "retrying"
    assert message.attempts >= 1
    assert "could not be reached" in message.last_error
    assert "Retrying" in page(trading_pair.buyer_user, purchase_order)

    network.sandbox.go_online()
    network.drain()

    message.refresh_from_db()
    assert message.state == "acknowledged"
    assert message.attempts >= 2
    assert statuses(network) == [("req-send", 200, False)]
    assert delivered(network) == ["req-send", "resp-send"]
    assert "Retrying" not in page(trading_pair.buyer_user, purchase_order)


def test_a_token_is_fetched_again_once_it_expires(network, trading_pair):
    network.sandbox.token_ttl = conventions.TOKEN_REFRESH_MARGIN_SECONDS + 0.5
    purchase_order = send(trading_pair)
    network.drain()
    time.sleep(0.6)

    confirm(trading_pair, purchase_order)
    network.drain()

    assert statuses(network) == [("req-send", 200, False), ("req-confirm", 200, False)]
    assert [entry["status"] for entry in network.sandbox.token_requests] == [200, 200]
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"acknowledged"}


def test_a_401_fetches_a_new_token_once_within_the_attempt(network, trading_pair):
    purchase_order = send(trading_pair)
    network.drain()
    network.sandbox.expire_tokens()

    confirm(trading_pair, purchase_order)
    network.drain()

    assert statuses(network) == [
        ("req-send", 200, False),
        ("req-confirm", 401, False),
        ("req-confirm", 200, False),
    ]
    assert len(network.sandbox.token_requests) == 2
    message = OutboundMessage.objects.get(kind="req-confirm")
    assert (message.state, message.attempts) == ("acknowledged", 1)


@pytest.mark.parametrize("mode", ["reject", "reject_async"])
def test_a_refusal_lands_on_the_message_and_the_page(network, trading_pair, mode):
    purchase_order = send(trading_pair)
    network.drain()
    network.sandbox.add_fault(
        mode,
        kind="req-confirm",
        error_code="PO_LOCKED",
        error_detail="The purchase order is under audit.",
        error_field="poConfirmation.objectId",
    )

    confirm(trading_pair, purchase_order)
    network.drain()

    message = OutboundMessage.objects.get(kind="req-confirm")
    assert (message.state, message.error_code, message.error_detail, message.error_field) == (
        "rejected",
        "PO_LOCKED",
        "The purchase order is under audit.",
        "poConfirmation.objectId",
    )
    purchase_order.refresh_from_db()
    # The refused confirmation is undone: the order still awaits the supplier.
    assert purchase_order.status == "CREATED"
    for user in (trading_pair.supplier_user, trading_pair.buyer_user):
        content = page(user, purchase_order)
        assert "The network answered with error PO_LOCKED." in content
        assert "The purchase order is under audit." in content
    # The counterparty never heard of the refused confirmation.
    assert "req-confirm" not in delivered(network)
