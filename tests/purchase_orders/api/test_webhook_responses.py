"""POST /api/v0/purchase-order/resp-*: the network's verdict on a request sent from here."""

import pytest

from purchase_orders.enkash import conventions, encoding, kinds, payloads
from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder, StatusChange
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from tests.plugins.network import acknowledged
from tests.plugins.webhooks import answer, response_body

pytestmark = pytest.mark.django_db

SUCCESS = {"payload": "SUCCESS", "response_code": 0, "response_message": "SUCCESS"}


@pytest.fixture
def pending_purchase_order(trading_pair, draft_purchase_order) -> PurchaseOrder:
    """A draft sent through the service, its send waiting for the network's answer."""
    send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    draft_purchase_order.refresh_from_db()
    return draft_purchase_order


@pytest.fixture
def sent_message(pending_purchase_order) -> OutboundMessage:
    return OutboundMessage.objects.get(kind="req-send")


def stages(purchase_order: PurchaseOrder) -> list[tuple[str, str]]:
    return list(
        StatusChange.objects.filter(purchase_order=purchase_order)
        .order_by("pk")
        .values_list("action", "stage")
    )


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
    # Its result is not SUCCESS, so the send counts as refused: still a draft.
    sent_message.refresh_from_db()
    assert (sent_message.state, sent_message.error_code) == ("rejected", "string")
    purchase_order = PurchaseOrder.objects.get(pk=sent_message.purchase_order_id)
    assert (purchase_order.status, purchase_order.pending_action) == ("DRAFT", "")


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
    trading_pair,
    pending_purchase_order,
    sent_message,
    signed_post,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    assert (pending_purchase_order.status, pending_purchase_order.version) == ("DRAFT", 0)
    assert pending_purchase_order.pending_action == "SEND"
    body = response_body(request_of(sent_message), req_msg_id=sent_message.req_msg_id)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("resp-send", body)

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    sent_message.refresh_from_db()
    assert sent_message.state == "acknowledged"
    pending_purchase_order.refresh_from_db()
    assert (pending_purchase_order.status, pending_purchase_order.version) == ("CREATED", 1)
    assert (pending_purchase_order.pending_action, pending_purchase_order.pending_message) == (
        "",
        None,
    )
    assert pending_purchase_order.delivered_at is not None
    assert pending_purchase_order.delivered_at >= sent_message.created_at
    assert stages(pending_purchase_order) == [("SEND", "attempted"), ("SEND", "applied")]
    assert send_queued_mail() == 1
    assert [message.to for message in mailoutbox] == [[trading_pair.supplier_user.email]]
    event = InboundEvent.objects.get()
    assert (event.state, event.outbound_message, event.purchase_order, event.req_msg_id) == (
        "applied",
        sent_message,
        pending_purchase_order,
        sent_message.req_msg_id,
    )


def test_failure_rejects_the_send_and_leaves_the_draft(
    trading_pair,
    pending_purchase_order,
    sent_message,
    signed_post,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    body = response_body(
        request_of(sent_message),
        req_msg_id=sent_message.req_msg_id,
        result="FAILURE",
        error_code="INVALID_FIELD",
        error_detail="Supplier is not registered.",
        error_field="b2bIds.supplierB2BId",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("resp-send", body)

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    sent_message.refresh_from_db()
    assert (
        sent_message.state,
        sent_message.error_code,
        sent_message.error_detail,
        sent_message.error_field,
    ) == ("rejected", "INVALID_FIELD", "Supplier is not registered.", "b2bIds.supplierB2BId")
    pending_purchase_order.refresh_from_db()
    assert (pending_purchase_order.status, pending_purchase_order.version) == ("DRAFT", 0)
    assert (pending_purchase_order.pending_action, pending_purchase_order.delivered_at) == (
        "",
        None,
    )
    assert stages(pending_purchase_order) == [("SEND", "attempted"), ("SEND", "refused")]
    refusal = StatusChange.objects.get(purchase_order=pending_purchase_order, stage="refused")
    assert (refusal.error_code, refusal.error_field) == ("INVALID_FIELD", "b2bIds.supplierB2BId")
    assert "Supplier is not registered" in refusal.remarks
    # The supplier never hears of it; the buyer who sent it is told of the refusal.
    assert send_queued_mail() == 1
    recipients = [address for message in mailoutbox for address in message.to]
    assert trading_pair.supplier_user.email not in recipients
    assert recipients == [trading_pair.buyer_user.email]


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
    assert body["payload"] == "FAILURE"
    assert body["response_message"].startswith("MESSAGE_NOT_FOUND at resp.reqMsgId: No req-send")
    sent_message.refresh_from_db()
    assert sent_message.state == "queued"
    event = InboundEvent.objects.get()
    assert (event.state, event.outbound_message) == ("refused", None)


def test_settling_twice_is_harmless(pending_purchase_order, sent_message, signed_post):
    body = response_body(request_of(sent_message), req_msg_id=sent_message.req_msg_id)
    signed_post("resp-send", body, msg_id="msg_first")
    settled = OutboundMessage.objects.get(pk=sent_message.pk)
    failure = response_body(
        request_of(sent_message), req_msg_id=sent_message.req_msg_id, result="FAILURE"
    )

    response = signed_post("resp-send", failure, msg_id="msg_second")

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    assert OutboundMessage.objects.get(pk=sent_message.pk).state == settled.state == "acknowledged"
    pending_purchase_order.refresh_from_db()
    assert (pending_purchase_order.status, pending_purchase_order.version) == ("CREATED", 1)
    assert stages(pending_purchase_order) == [("SEND", "attempted"), ("SEND", "applied")]
    assert InboundEvent.objects.filter(state="applied").count() == 2


def test_confirm_edit_and_status_change_responses_settle_their_requests(
    trading_pair, pending_purchase_order, signed_post
):
    """Each action waits for its response webhook; then the next one starts from there."""
    purchase_order = acknowledged(pending_purchase_order)

    def settle(kind: str) -> None:
        message = OutboundMessage.objects.get(kind=kind)
        body = response_body(request_of(message), req_msg_id=message.req_msg_id)
        response = signed_post(kinds.response_kind(kind), body)
        assert (response.status_code, answer(response)) == (200, SUCCESS)
        message.refresh_from_db()
        assert message.state == "acknowledged"

    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    contents = payloads.parse_purchase_order(
        payloads.build_purchase_order(fresh), fresh.additional_infos
    )
    contents.header.subject = "Revised"
    edit_purchase_order(
        purchase_order=purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=contents,
        reason="Subject.",
        expected_version=1,
    )
    purchase_order.refresh_from_db()
    assert (purchase_order.version, purchase_order.pending_action) == (1, "EDIT")
    settle("req-edit")
    purchase_order.refresh_from_db()
    assert (purchase_order.version, purchase_order.subject) == (2, "Revised")

    confirm_purchase_order(
        purchase_order=purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks="",
    )
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == "CREATED"
    settle("req-confirm")
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == "ACCEPTED"

    change_purchase_order_status(
        purchase_order=purchase_order,
        changed_by=trading_pair.buyer_user,
        action="FULFILL",
        remarks="",
    )
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == "ACCEPTED"
    settle("req-status-change")

    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.pending_action) == ("FULFILLED", "")
    assert InboundEvent.objects.filter(purchase_order=purchase_order).count() == 3
    assert [(action, stage) for action, stage in stages(purchase_order) if stage == "applied"] == [
        ("SEND", "applied"),
        ("EDIT", "applied"),
        ("ACCEPT", "applied"),
        ("FULFILL", "applied"),
    ]


def test_a_refused_status_change_leaves_the_order_as_it_was(
    trading_pair, accepted_purchase_order, signed_post
):
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
    assert (accepted_purchase_order.status, accepted_purchase_order.pending_action) == (
        "ACCEPTED",
        "",
    )
    assert stages(accepted_purchase_order)[-2:] == [("CLOSE", "attempted"), ("CLOSE", "refused")]
