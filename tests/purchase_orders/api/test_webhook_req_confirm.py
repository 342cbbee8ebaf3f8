"""POST /api/v0/purchase-order/req-confirm: the supplier accepts or rejects over the network."""

import pytest

from purchase_orders.enkash import conventions, encoding
from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder, StatusChange
from tests.plugins.webhooks import answer, confirm_body, key_shape

pytestmark = pytest.mark.django_db


def test_the_documented_example_is_answered_in_the_documented_shape(signed_post, example):
    response = signed_post("req-confirm", example("webhook-req-confirm.json"))

    # Its objectId names no purchase order held here (yet): refused for now.
    assert response.status_code == 409
    body = answer(response)
    assert key_shape(body) == key_shape(example("webhook-req-confirm.response.json"))
    assert body["response_code"] == conventions.RESPONSE_CODE_NOT_YET
    assert body["payload"]["resp"]["errorCd"] == "PO_NOT_FOUND"
    assert body["payload"]["resp"]["errorField"] == "poConfirmation.objectId"
    assert (
        body["payload"]["poConfirmation"] == example("webhook-req-confirm.json")["poConfirmation"]
    )
    assert InboundEvent.objects.get().state == InboundEvent.State.RECEIVED


def test_an_acceptance_accepts_the_purchase_order(
    trading_pair,
    signed_post,
    example,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    purchase_order = trading_pair.purchase_order(sent=True)
    sent = confirm_body(purchase_order, "ACCEPT", remarks="Will ship by Friday.")

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("req-confirm", sent, msg_id="msg_accept")

    assert response.status_code == 200
    body = answer(response)
    assert key_shape(body) == key_shape(example("webhook-req-confirm.response.json"))
    assert (body["response_code"], body["response_message"]) == (0, "SUCCESS")
    assert body["payload"]["resp"] == {
        "reqMsgId": "msg_accept",
        "result": "SUCCESS",
        "errorCd": "",
        "errorDtl": "",
        "errorField": "",
    }
    assert body["payload"]["poConfirmation"] == sent["poConfirmation"]
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.previous_status, purchase_order.version) == (
        "ACCEPTED",
        "CREATED",
        1,
    )
    change = StatusChange.objects.get(purchase_order=purchase_order)
    assert (change.from_status, change.to_status, change.action, change.version) == (
        "CREATED",
        "ACCEPTED",
        "ACCEPT",
        1,
    )
    assert (change.remarks, change.via_network, change.actor_business) == (
        "Will ship by Friday.",
        True,
        trading_pair.supplier,
    )
    event = InboundEvent.objects.get()
    assert (event.state, event.purchase_order, event.object_id) == (
        "applied",
        purchase_order,
        purchase_order.object_id,
    )
    send_queued_mail()
    assert [message.to for message in mailoutbox] == [[trading_pair.buyer_user.email]]
    assert "accepted" in mailoutbox[0].subject


def test_a_rejection_rejects_the_purchase_order(trading_pair, signed_post):
    purchase_order = trading_pair.purchase_order(sent=True)

    response = signed_post(
        "req-confirm", confirm_body(purchase_order, "REJECT", remarks="Prices too high.")
    )

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    purchase_order.refresh_from_db()
    assert purchase_order.status == PurchaseOrder.Status.REJECTED
    assert StatusChange.objects.get(purchase_order=purchase_order).remarks == "Prices too high."


def test_a_confirmation_made_here_is_acknowledged_and_not_applied_again(
    trading_pair, accepted_purchase_order, signed_post, unchanged
):
    # Both parties are hosted here: the network relays the supplier's own
    # message to the buyer, whose purchase order is the same row.
    relayed = encoding.loads(OutboundMessage.objects.get(kind="req-confirm").body)
    check = unchanged(accepted_purchase_order)

    response = signed_post("req-confirm", relayed)

    body = answer(response)
    assert (response.status_code, body["response_code"]) == (200, 0)
    assert body["payload"]["resp"]["result"] == "SUCCESS"
    check()
    assert InboundEvent.objects.get().purchase_order == accepted_purchase_order


@pytest.mark.parametrize(
    ("version", "code", "status", "response_code", "state"),
    [
        (0, "STALE_VERSION", 200, conventions.RESPONSE_CODE_REFUSED, "refused"),
        (1, "STALE_VERSION", 200, conventions.RESPONSE_CODE_REFUSED, "refused"),
        # Based on a version not received yet: refused for now, retried later.
        (3, "OUT_OF_ORDER", 409, conventions.RESPONSE_CODE_NOT_YET, "received"),
    ],
)
def test_a_confirmation_of_another_version_is_refused(
    trading_pair, signed_post, unchanged, example, version, code, status, response_code, state
):
    purchase_order = trading_pair.purchase_order(sent=True, version=2, previous_version=1)
    sent = confirm_body(purchase_order, "ACCEPT")
    sent["poConfirmation"]["objectVersion"] = {"currentVersion": version, "newVersion": version}
    check = unchanged(purchase_order)

    response = signed_post("req-confirm", sent)

    assert response.status_code == status
    body = answer(response)
    assert key_shape(body) == key_shape(example("webhook-req-confirm.response.json"))
    assert body["response_code"] == response_code
    assert body["payload"]["resp"]["result"] == "FAILURE"
    assert body["payload"]["resp"]["errorCd"] == code
    assert body["payload"]["resp"]["errorField"] == "poConfirmation.objectVersion.currentVersion"
    check()
    event = InboundEvent.objects.get()
    assert (event.state, event.error_code, event.purchase_order) == (
        state,
        code,
        purchase_order,
    )


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"supplierResponse": "APPROVE"}, "UNKNOWN_ACTION", "poConfirmation.supplierResponse"),
        ({"supplierResponse": "CANCEL"}, "UNKNOWN_ACTION", "poConfirmation.supplierResponse"),
        (
            {"objectVersion": {"currentVersion": 1, "newVersion": 2}},
            "STALE_VERSION",
            "poConfirmation.objectVersion.newVersion",
        ),
        (
            {"poStatusTransition": {"currentStatus": "ACCEPTED", "newStatus": "ACCEPTED"}},
            "TRANSITION_NOT_ALLOWED",
            "poConfirmation.poStatusTransition.currentStatus",
        ),
        (
            {"poStatusTransition": {"currentStatus": "CREATED", "newStatus": "REJECTED"}},
            "TRANSITION_NOT_ALLOWED",
            "poConfirmation.poStatusTransition.newStatus",
        ),
        ({"objectId": "PO" + "X" * 32}, "PO_NOT_FOUND", "poConfirmation.objectId"),
        ({"buyerPONumber": "PO/OTHER/1"}, "PO_NUMBER_MISMATCH", "poConfirmation.buyerPONumber"),
    ],
)
def test_a_confirmation_that_does_not_fit_is_refused(
    trading_pair, signed_post, unchanged, change, code, field
):
    purchase_order = trading_pair.purchase_order(sent=True)
    sent = confirm_body(purchase_order, "ACCEPT")
    sent["poConfirmation"].update(change)
    check = unchanged(purchase_order)

    response = signed_post("req-confirm", sent)

    resp = answer(response)["payload"]["resp"]
    # An order not received yet is refused for now (409), the others for good.
    status = 409 if code == "PO_NOT_FOUND" else 200
    assert (response.status_code, resp["errorCd"], resp["errorField"]) == (status, code, field)
    check()


def test_a_confirmation_of_an_accepted_purchase_order_is_refused(
    trading_pair, signed_post, unchanged
):
    purchase_order = trading_pair.purchase_order(accepted=True)
    check = unchanged(purchase_order)

    response = signed_post("req-confirm", confirm_body(purchase_order, "REJECT"))

    resp = answer(response)["payload"]["resp"]
    assert (resp["errorCd"], resp["errorField"]) == (
        "TRANSITION_NOT_ALLOWED",
        "poConfirmation.supplierResponse",
    )
    check()


@pytest.mark.parametrize("key", ["buyerB2BId", "supplierB2BId"])
def test_a_confirmation_between_other_businesses_is_refused(
    trading_pair, signed_post, unchanged, key
):
    purchase_order = trading_pair.purchase_order(sent=True)
    sent = confirm_body(purchase_order, "ACCEPT")
    sent["b2bIds"][key] = "B2B-SOMEONE-ELSE"
    check = unchanged(purchase_order)

    response = signed_post("req-confirm", sent)

    resp = answer(response)["payload"]["resp"]
    assert (resp["errorCd"], resp["errorField"]) == ("PARTY_MISMATCH", f"b2bIds.{key}")
    check()
