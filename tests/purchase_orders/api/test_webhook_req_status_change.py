"""POST /api/v0/purchase-order/req-status-change: the buyer cancels, fulfils or closes."""

import pytest

from purchase_orders.enkash import conventions, encoding
from purchase_orders.models import InboundEvent, OutboundMessage, StatusChange
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import change_purchase_order_status
from tests.plugins.network import purchase_order_state
from tests.plugins.webhooks import answer, key_shape, status_change_body

pytestmark = pytest.mark.django_db


def test_the_documented_example_is_answered_in_the_documented_shape(signed_post, example):
    response = signed_post("req-status-change", example("webhook-req-status-change.json"))

    # Its objectId names no purchase order held here (yet): refused for now.
    assert response.status_code == 409
    body = answer(response)
    assert key_shape(body) == key_shape(example("webhook-req-status-change.response.json"))
    assert body["payload"]["resp"]["errorCd"] == "PO_NOT_FOUND"
    assert body["payload"]["resp"]["errorField"] == "poStatus.objectId"


@pytest.mark.parametrize(
    ("trait", "action", "status"),
    [
        ("sent", "CANCEL", "CANCELLED"),
        ("accepted", "CANCEL", "CANCELLED"),
        ("accepted", "FULFILL", "FULFILLED"),
        ("accepted", "CLOSE", "CLOSED"),
    ],
)
def test_a_status_change_moves_the_purchase_order(
    trading_pair,
    signed_post,
    example,
    mailoutbox,
    send_queued_mail,
    django_capture_on_commit_callbacks,
    trait,
    action,
    status,
):
    purchase_order = trading_pair.purchase_order(**{trait: True})
    from_status = purchase_order.status
    sent = status_change_body(purchase_order, action, remarks="Plans changed.")

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("req-status-change", sent)

    body = answer(response)
    assert response.status_code == 200
    assert key_shape(body) == key_shape(example("webhook-req-status-change.response.json"))
    assert (body["response_code"], body["payload"]["resp"]["result"]) == (0, "SUCCESS")
    assert body["payload"]["poStatus"] == sent["poStatus"]
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.previous_status, purchase_order.version) == (
        status,
        from_status,
        1,
    )
    change = StatusChange.objects.get(purchase_order=purchase_order)
    assert (change.action, change.remarks, change.via_network, change.actor_business) == (
        action,
        "Plans changed.",
        True,
        trading_pair.buyer,
    )
    send_queued_mail()
    assert [message.to for message in mailoutbox] == [[trading_pair.supplier_user.email]]


def test_a_status_change_made_here_is_applied_when_delivered_and_not_applied_again(
    trading_pair,
    accepted_purchase_order,
    signed_post,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    change_purchase_order_status(
        purchase_order=accepted_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="FULFILL",
        remarks="Delivered.",
    )
    accepted_purchase_order.refresh_from_db()
    assert (accepted_purchase_order.status, accepted_purchase_order.pending_action) == (
        "ACCEPTED",
        "FULFILL",
    )
    message = OutboundMessage.objects.get(kind="req-status-change")
    relayed = encoding.loads(message.body)
    mailoutbox.clear()

    # Both parties are hosted here: the network delivers it to the supplier.
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("req-status-change", relayed)

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    accepted_purchase_order.refresh_from_db()
    assert (accepted_purchase_order.status, accepted_purchase_order.pending_action) == (
        "FULFILLED",
        "",
    )
    fulfils = StatusChange.objects.filter(purchase_order=accepted_purchase_order, action="FULFILL")
    assert sorted(fulfils.values_list("stage", flat=True)) == ["applied", "attempted"]
    assert fulfils.get(stage="applied").remarks == "Delivered."
    assert send_queued_mail() == 1
    assert [mail.to for mail in mailoutbox] == [[trading_pair.supplier_user.email]]
    before = purchase_order_state(accepted_purchase_order)

    # Delivered again, then acknowledged: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        signed_post("req-status-change", relayed)
        settle_outbound_message(message=message, succeeded=True)

    after = purchase_order_state(accepted_purchase_order)
    assert (after["row"], after["status_changes"]) == (before["row"], before["status_changes"])
    assert send_queued_mail() == 0
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("trait", "action", "code", "field"),
    [
        ("sent", "FULFILL", "TRANSITION_NOT_ALLOWED", "poStatus.buyerAction"),
        ("sent", "ARCHIVE", "UNKNOWN_ACTION", "poStatus.buyerAction"),
        ("sent", "ACCEPT", "UNKNOWN_ACTION", "poStatus.buyerAction"),
    ],
)
def test_a_status_change_the_lifecycle_does_not_allow_is_refused(
    trading_pair, signed_post, unchanged, trait, action, code, field
):
    purchase_order = trading_pair.purchase_order(**{trait: True})
    check = unchanged(purchase_order)

    response = signed_post("req-status-change", status_change_body(purchase_order, action))

    body = answer(response)
    assert body["response_code"] == conventions.RESPONSE_CODE_REFUSED
    assert (body["payload"]["resp"]["errorCd"], body["payload"]["resp"]["errorField"]) == (
        code,
        field,
    )
    check()
    assert InboundEvent.objects.get().state == "refused"


def test_a_status_change_of_a_stale_version_is_refused(trading_pair, signed_post, unchanged):
    purchase_order = trading_pair.purchase_order(accepted=True, version=3, previous_version=2)
    sent = status_change_body(purchase_order, "CANCEL")
    sent["poStatus"]["objectVersion"] = {"currentVersion": 2, "newVersion": 2}
    check = unchanged(purchase_order)

    response = signed_post("req-status-change", sent)

    resp = answer(response)["payload"]["resp"]
    assert (resp["errorCd"], resp["errorField"]) == (
        "STALE_VERSION",
        "poStatus.objectVersion.currentVersion",
    )
    check()
