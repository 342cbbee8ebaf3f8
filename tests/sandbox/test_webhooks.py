"""The sandbox delivers signed webhooks after acknowledging a request, faults included."""

import threading
from datetime import datetime

import pytest
import requests
from django.conf import settings

from purchase_orders.enkash import answers, conventions, encoding, kinds, signing
from purchase_orders.enkash.client import clear_token_cache, get_enkash_client
from purchase_orders.enkash.exceptions import EnKashRejected
from purchase_orders.sandbox.server import SandboxServer
from tests.plugins.sandbox import answer_as_the_portal_does, conforming_request

pytestmark = pytest.mark.sandbox

OBJECT_FOR_KIND = {
    "req-send": "purchaseOrder",
    "req-edit": "purchaseOrder",
    "req-confirm": "poConfirmation",
    "req-status-change": "poStatus",
}
ERROR = {
    "error_code": "PARTY_NOT_FOUND",
    "error_detail": "Supplier B2B ID is not registered",
    "error_field": "b2bIds.supplierB2BId",
}


@pytest.fixture
def start_sandbox(settings, webhook_receiver):
    """Return ``start(**options)``: a sandbox delivering to the receiver, ENKASH_BASE_URL at it."""
    servers = []

    def start(**options) -> SandboxServer:
        options = {"deliver_to": webhook_receiver.url, "retry_backoff": 0.05, **options}
        server = SandboxServer(**options).start()
        servers.append(server)
        settings.ENKASH_BASE_URL = server.url
        clear_token_cache()
        return server

    yield start
    for server in servers:
        server.stop()
    clear_token_cache()


@pytest.fixture
def network(start_sandbox):
    return start_sandbox()


def post(kind: str, req_msg_id: str, body: dict | None = None) -> bytes:
    """Post a conforming request through the client; return the exact bytes sent."""
    body = body or conforming_request(kind)
    with get_enkash_client() as client:
        client.request(kind, body, req_msg_id=req_msg_id)
    return encoding.dumps(body).encode()


def verified_id(delivery) -> str:
    return signing.verify_signature(
        secrets=[settings.ENKASH_WEBHOOK_SECRET],
        headers=delivery.headers,
        body=delivery.raw,
        tolerance_seconds=settings.ENKASH_WEBHOOK_TOLERANCE_SECONDS,
    )


def health(server) -> dict:
    return requests.get(server.url + "/_sandbox/health", timeout=10).json()


def kinds_and_ids(deliveries) -> list[tuple[str, str]]:
    return [
        (delivery.kind, delivery.headers[conventions.REQ_MSG_ID_HEADER]) for delivery in deliveries
    ]


# -- the normal flow -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", kinds.REQUEST_KINDS)
def test_the_request_webhook_then_the_response_webhook_are_delivered_signed(
    network, webhook_receiver, kind
):
    sent = post(kind, "req-1")

    request, response = webhook_receiver.wait_for(2)

    assert (request.kind, response.kind) == (kind, kinds.response_kind(kind))
    assert request.raw == sent
    body = encoding.loads(sent)
    object_name = OBJECT_FOR_KIND[kind]
    assert response.body == {
        "b2bIds": body["b2bIds"],
        "resp": {
            "reqMsgId": "req-1",
            "result": "SUCCESS",
            "errorCd": "",
            "errorDtl": "",
            "errorField": "",
        },
        object_name: body[object_name],
        "additionalInfos": body["additionalInfos"],
    }
    assert "device" not in response.body
    assert verified_id(request) != verified_id(response)
    assert request.headers[conventions.REQ_MSG_ID_HEADER] == "req-1"
    assert response.headers["Content-Type"] == "application/json"


def test_deliveries_are_recorded(network, webhook_receiver):
    post("req-send", "req-1")

    request, response = network.wait_for_deliveries(2)

    assert request["url"] == webhook_receiver.url + "/api/v0/purchase-order/req-send"
    assert response["url"] == webhook_receiver.url + "/api/v0/purchase-order/resp-send"
    assert [
        (entry["kind"], entry["attempts"], entry["status"], entry["outcome"])
        for entry in (request, response)
    ] == [
        ("req-send", 1, 200, "delivered"),
        ("resp-send", 1, 200, "delivered"),
    ]
    assert request["webhook_id"] == webhook_receiver.deliveries[0].headers["webhook-id"]
    assert response["body"]["resp"]["reqMsgId"] == "req-1"


def test_webhooks_wait_for_the_delay(start_sandbox, webhook_receiver):
    network = start_sandbox(delay=0.4)
    post("req-send", "req-1")

    request, response = webhook_receiver.wait_for(2)

    # Counted from the moment the sandbox took the request, however long the answer took.
    received_at = datetime.fromisoformat(network.received[0]["received_at"])
    assert (request.arrived_at - received_at).total_seconds() >= 0.4
    assert response.arrived_at >= request.arrived_at


def test_exchanges_are_delivered_in_the_order_of_their_requests(network, webhook_receiver):
    post("req-send", "req-1")
    post("req-status-change", "req-2")

    deliveries = webhook_receiver.wait_for(4)

    assert kinds_and_ids(deliveries) == [
        ("req-send", "req-1"),
        ("resp-send", "req-1"),
        ("req-status-change", "req-2"),
        ("resp-status-change", "req-2"),
    ]


def test_a_sandbox_without_deliver_to_delivers_nothing(sandbox):
    post("req-send", "req-1")

    # Acknowledged, and there is no deliverer that could send its webhooks later.
    assert [entry["status"] for entry in sandbox.received] == [200]
    assert health(sandbox)["deliver_to"] is None
    sandbox.wait_until_idle()
    assert sandbox.delivered == []


# -- the counterparty's answer ------------------------------------------------------------------


def test_a_refusal_by_the_counterparty_fails_the_response(network, webhook_receiver):
    def refuse_requests(kind, headers, raw):
        if kind == "req-send":
            return 200, answers.webhook_answer(
                kind,
                req_msg_id=headers[conventions.REQ_MSG_ID_HEADER],
                body=encoding.loads(raw),
                error_code="DUPLICATE_PO_NUMBER",
                error_detail="PO/2026-27/00001 is already in use",
                error_field="purchaseOrder.buyerPONumber",
            )
        return answer_as_the_portal_does(kind, headers, raw)

    webhook_receiver.answer = refuse_requests
    post("req-send", "req-1")

    request, response = network.wait_for_deliveries(2)

    assert (request["outcome"], request["attempts"], request["status"]) == ("refused", 1, 200)
    assert request["drifts"] == []
    assert response["body"]["resp"] == {
        "reqMsgId": "req-1",
        "result": "FAILURE",
        "errorCd": "DUPLICATE_PO_NUMBER",
        "errorDtl": "PO/2026-27/00001 is already in use",
        "errorField": "purchaseOrder.buyerPONumber",
    }
    assert webhook_receiver.deliveries[1].body["resp"]["result"] == "FAILURE"


# 409: the portal's "not yet", for a message that arrived before one it depends on.
@pytest.mark.parametrize("status", [500, 409])
def test_a_server_error_or_not_yet_is_retried_with_the_same_webhook_id(
    network, webhook_receiver, status
):
    failures = {"left": 2}

    def fail_twice(kind, headers, raw):
        if kind == "req-send" and failures["left"]:
            failures["left"] -= 1
            return status, {"response_code": status, "response_message": "Try again"}
        return answer_as_the_portal_does(kind, headers, raw)

    webhook_receiver.answer = fail_twice
    post("req-send", "req-1")

    request, response = network.wait_for_deliveries(2)

    attempts = webhook_receiver.deliveries[:3]
    assert [delivery.kind for delivery in attempts] == ["req-send"] * 3
    assert len({verified_id(delivery) for delivery in attempts}) == 1
    assert (request["attempts"], request["status"], request["outcome"]) == (3, 200, "delivered")
    assert response["body"]["resp"]["result"] == "SUCCESS"


def test_an_unreachable_counterparty_is_recorded_and_reported(start_sandbox, webhook_receiver):
    network = start_sandbox(delivery_attempts=3)

    def always_fail_requests(kind, headers, raw):
        if kind == "req-send":
            return 503, {"response_code": 500, "response_message": "Down"}
        return answer_as_the_portal_does(kind, headers, raw)

    webhook_receiver.answer = always_fail_requests
    post("req-send", "req-1")

    request, response = network.wait_for_deliveries(2)

    assert (request["outcome"], request["attempts"], request["status"]) == ("failed", 3, 503)
    assert response["body"]["resp"]["result"] == "FAILURE"
    assert response["body"]["resp"]["errorCd"] == conventions.ERROR_COUNTERPARTY_UNREACHABLE


def test_a_delivery_nobody_answers_is_recorded_as_failed(start_sandbox, webhook_receiver):
    network = start_sandbox(deliver_to="http://127.0.0.1:9", delivery_attempts=2)

    post("req-send", "req-1")

    request, response = network.wait_for_deliveries(2)
    assert (request["outcome"], request["attempts"], request["status"]) == ("failed", 2, None)
    assert request["error"].startswith("ConnectionError")
    assert response["outcome"] == "failed"
    assert webhook_receiver.deliveries == []


# -- faults ------------------------------------------------------------------------------------


def test_duplicate_delivers_each_webhook_twice_with_the_same_id(network, webhook_receiver):
    network.add_fault(mode="duplicate", kind="req-send")
    post("req-send", "req-1")
    post("req-send", "req-2")

    deliveries = webhook_receiver.wait_for(6)

    assert kinds_and_ids(deliveries) == [
        ("req-send", "req-1"),
        ("req-send", "req-1"),
        ("resp-send", "req-1"),
        ("resp-send", "req-1"),
        ("req-send", "req-2"),
        ("resp-send", "req-2"),
    ]
    ids = [verified_id(delivery) for delivery in deliveries]
    assert ids[0] == ids[1] != ids[2] == ids[3]
    assert deliveries[0].raw == deliveries[1].raw
    assert deliveries[2].raw == deliveries[3].raw


def test_out_of_order_holds_the_exchange_until_the_next_one(network, webhook_receiver):
    network.add_fault(mode="out_of_order", kind="req-send")
    post("req-send", "req-1")

    network.wait_until_idle(timeout=15)  # the exchange is taken up, and held
    assert health(network)["held"] == 1
    assert webhook_receiver.deliveries == []
    post("req-status-change", "req-2")
    deliveries = webhook_receiver.wait_for(4)

    assert kinds_and_ids(deliveries) == [
        ("req-status-change", "req-2"),
        ("resp-status-change", "req-2"),
        ("resp-send", "req-1"),
        ("req-send", "req-1"),
    ]
    assert all(verified_id(delivery) for delivery in deliveries)


def test_held_exchanges_can_be_released(network, webhook_receiver):
    network.add_fault(mode="out_of_order", kind="*")
    post("req-send", "req-1")
    network.wait_until_idle(timeout=15)  # the exchange is taken up, and held
    assert webhook_receiver.deliveries == []

    assert network.release_held() == 1
    deliveries = webhook_receiver.wait_for(2)

    assert kinds_and_ids(deliveries) == [("resp-send", "req-1"), ("req-send", "req-1")]


def test_reject_async_acknowledges_then_fails_the_response(network, webhook_receiver):
    network.add_fault(mode="reject_async", kind="req-send", **ERROR)
    post("req-send", "req-1")  # acknowledged: no exception
    post("req-send", "req-2")

    deliveries = webhook_receiver.wait_for(3)

    assert kinds_and_ids(deliveries) == [
        ("resp-send", "req-1"),
        ("req-send", "req-2"),
        ("resp-send", "req-2"),
    ]
    assert deliveries[0].body["resp"] == {
        "reqMsgId": "req-1",
        "result": "FAILURE",
        "errorCd": "PARTY_NOT_FOUND",
        "errorDtl": "Supplier B2B ID is not registered",
        "errorField": "b2bIds.supplierB2BId",
    }
    assert [entry["status"] for entry in network.received] == [200, 200]


def test_reject_refuses_at_once_and_delivers_nothing(network, webhook_receiver):
    network.add_fault(mode="reject", kind="req-send", **ERROR)

    with pytest.raises(EnKashRejected):
        post("req-send", "req-1")
    post("req-send", "req-2")

    deliveries = webhook_receiver.wait_for(2)
    assert kinds_and_ids(deliveries) == [("req-send", "req-2"), ("resp-send", "req-2")]
    assert [entry["status"] for entry in network.received] == [422, 200]


FIRST, SECOND = "PO" + "A" * 32, "PO" + "B" * 32


def test_delivery_threads_deliver_orders_at_once_and_each_order_in_turn(
    start_sandbox, webhook_receiver
):
    """With two delivery threads one order's slow webhook holds back only that order."""
    second_order_seen = threading.Event()

    def answer(kind, headers, raw):
        object_id = encoding.loads(raw)[OBJECT_FOR_KIND.get(kind, "purchaseOrder")]["objectId"]
        if object_id == SECOND:
            second_order_seen.set()
        elif kind == "req-send":
            # The first order's portal is slow: the second's webhooks come meanwhile.
            assert second_order_seen.wait(10), "the second order waited for the first"
        return answer_as_the_portal_does(kind, headers, raw)

    webhook_receiver.answer = answer
    start_sandbox(delivery_threads=2)
    first = conforming_request("req-send")
    first["purchaseOrder"]["objectId"] = FIRST
    edit = conforming_request("req-edit")
    edit["purchaseOrder"]["objectId"] = FIRST
    second = conforming_request("req-send")
    second["purchaseOrder"]["objectId"] = SECOND
    second["purchaseOrder"]["buyerPONumber"] = "PO/B/1"
    post("req-send", "a-send", first)
    post("req-edit", "a-edit", edit)
    post("req-send", "b-send", second)

    deliveries = webhook_receiver.wait_for(6)

    order = [
        (delivery.kind, delivery.headers[conventions.REQ_MSG_ID_HEADER]) for delivery in deliveries
    ]
    assert order.index(("req-send", "b-send")) < order.index(("resp-send", "a-send"))
    # The first order's webhooks in the order its requests came.
    assert [entry for entry in order if entry[1].startswith("a-")] == [
        ("req-send", "a-send"),
        ("resp-send", "a-send"),
        ("req-edit", "a-edit"),
        ("resp-edit", "a-edit"),
    ]
