"""POST /api/v0/purchase-order/resp-*: the network's verdict on a request sent from here."""

import pytest

from purchase_orders.enkash import conventions, encoding, kinds, payloads
from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    edit_purchase_order,
)
from tests.plugins.webhooks import answer, response_body

pytestmark = pytest.mark.django_db

SUCCESS = {"payload": "SUCCESS", "response_code": 0, "response_message": "SUCCESS"}


@pytest.fixture
def sent_message(sent_purchase_order) -> OutboundMessage:
    return OutboundMessage.objects.get(kind="req-send")


def request_of(message: OutboundMessage) -> dict:
    return encoding.loads(message.body)


def test_the_documented_send_example_is_answered_with_the_documented_body(
    sent_message, signed_post, example
):
    sent_message.req_msg_id = example("webhook-resp-send.json")["resp"]["reqMsgId"]
    sent_message.save()

    response = signed_post("resp-send", example("webhook-resp-send.json"))

    assert response.status_code == 200
    assert answer(response) == example("webhook-resp-send.response.json")
    # Its result is not SUCCESS, so the send counts as refused.
    sent_message.refresh_from_db()
    assert (sent_message.state, sent_message.error_code) == ("rejected", "string")


def test_the_documented_status_change_example_is_answered_with_the_success_envelope(
    trading_pair, accepted_purchase_order, signed_post, example
):
    change_purchase_order_status(
        purchase_order=accepted_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="CANCEL",
        remarks="Not needed.",
    )
    message = OutboundMessage.objects.get(kind="req-status-change")
    message.req_msg_id = "string"
    message.save()

    response = signed_post("resp-status-change", example("webhook-resp-status-change.json"))

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    assert InboundEvent.objects.get().outbound_message == message


def test_success_acknowledges_the_send_and_marks_it_delivered(
    sent_purchase_order, sent_message, signed_post
):
    body = response_body(request_of(sent_message), req_msg_id=sent_message.req_msg_id)

    response = signed_post("resp-send", body)

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    sent_message.refresh_from_db()
    assert sent_message.state == "acknowledged"
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.delivered_at == sent_message.settled_at
    event = InboundEvent.objects.get()
    assert (event.state, event.outbound_message, event.purchase_order, event.req_msg_id) == (
        "applied",
        sent_message,
        sent_purchase_order,
        sent_message.req_msg_id,
    )


def test_failure_rejects_the_send_and_undoes_it(sent_purchase_order, sent_message, signed_post):
    body = response_body(
        request_of(sent_message),
        req_msg_id=sent_message.req_msg_id,
        result="FAILURE",
        error_code="INVALID_FIELD",
        error_detail="Supplier is not registered.",
        error_field="b2bIds.supplierB2BId",
    )

    response = signed_post("resp-send", body)

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    sent_message.refresh_from_db()
    assert (
        sent_message.state,
        sent_message.error_code,
        sent_message.error_detail,
        sent_message.error_field,
    ) == ("rejected", "INVALID_FIELD", "Supplier is not registered.", "b2bIds.supplierB2BId")
    sent_purchase_order.refresh_from_db()
    assert (sent_purchase_order.status, sent_purchase_order.version) == ("DRAFT", 0)


def test_a_response_with_an_unknown_req_msg_id_is_matched_by_object_and_version(
    sent_message, signed_post
):
    body = response_body(request_of(sent_message), req_msg_id="not-ours")

    signed_post("resp-send", body)

    sent_message.refresh_from_db()
    assert sent_message.state == "acknowledged"
    assert InboundEvent.objects.get().outbound_message == sent_message


def test_a_response_to_nothing_sent_from_here_is_refused(sent_message, signed_post):
    body = response_body(request_of(sent_message), req_msg_id="not-ours")
    body["purchaseOrder"]["objectVersion"]["newVersion"] = 7

    response = signed_post("resp-send", body)

    assert response.status_code == 200
    body = answer(response)
    assert set(body) == {"payload", "response_code", "response_message"}
    assert body["response_code"] == conventions.RESPONSE_CODE_REFUSED
    assert (body["payload"]["resp"]["errorCd"], body["payload"]["resp"]["errorField"]) == (
        "MESSAGE_NOT_FOUND",
        "resp.reqMsgId",
    )
    sent_message.refresh_from_db()
    assert sent_message.state == "queued"
    event = InboundEvent.objects.get()
    assert (event.state, event.outbound_message) == ("refused", None)


def test_settling_twice_is_harmless(sent_purchase_order, sent_message, signed_post):
    body = response_body(request_of(sent_message), req_msg_id=sent_message.req_msg_id)
    signed_post("resp-send", body, msg_id="msg_first")
    settled = OutboundMessage.objects.get(pk=sent_message.pk)
    failure = response_body(
        request_of(sent_message), req_msg_id=sent_message.req_msg_id, result="FAILURE"
    )

    response = signed_post("resp-send", failure, msg_id="msg_second")

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    assert OutboundMessage.objects.get(pk=sent_message.pk).state == settled.state == "acknowledged"
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.status == "CREATED"
    assert InboundEvent.objects.filter(state="applied").count() == 2


def test_confirm_edit_and_status_change_responses_settle_their_requests(
    trading_pair, sent_purchase_order, signed_post
):
    from purchase_orders.services.purchase_orders import confirm_purchase_order

    fresh = get_purchase_order_with_contents(pk=sent_purchase_order.pk)
    contents = payloads.parse_purchase_order(
        payloads.build_purchase_order(fresh), fresh.additional_infos
    )
    contents.header.subject = "Revised"
    edit_purchase_order(
        purchase_order=sent_purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=contents,
        reason="Subject.",
        expected_version=1,
    )
    confirm_purchase_order(
        purchase_order=sent_purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks="",
    )
    change_purchase_order_status(
        purchase_order=sent_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="FULFILL",
        remarks="",
    )

    for kind in ("req-edit", "req-confirm", "req-status-change"):
        message = OutboundMessage.objects.get(kind=kind)
        body = response_body(request_of(message), req_msg_id=message.req_msg_id)
        response = signed_post(kinds.response_kind(kind), body)
        assert (response.status_code, answer(response)) == (200, SUCCESS)
        message.refresh_from_db()
        assert message.state == "acknowledged"

    assert PurchaseOrder.objects.get(pk=sent_purchase_order.pk).status == "FULFILLED"
    assert InboundEvent.objects.filter(purchase_order=sent_purchase_order).count() == 3


def test_a_refused_status_change_is_undone(trading_pair, accepted_purchase_order, signed_post):
    change_purchase_order_status(
        purchase_order=accepted_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="CLOSE",
        remarks="",
    )
    message = OutboundMessage.objects.get(kind="req-status-change")
    body = response_body(
        request_of(message),
        req_msg_id=message.req_msg_id,
        result="FAILURE",
        error_code="TRANSITION_NOT_ALLOWED",
    )

    signed_post("resp-status-change", body)

    accepted_purchase_order.refresh_from_db()
    assert accepted_purchase_order.status == "ACCEPTED"
