"""POST /api/v0/purchase-order/req-edit: a new version of a purchase order (n -> n+1)."""

import pytest

from purchase_orders.enkash import encoding, payloads
from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrderVersion, StatusChange
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import edit_purchase_order
from tests.plugins.webhooks import answer, edited_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("trait", ["sent", "accepted"])
def test_an_edit_replaces_the_contents_with_the_next_version(
    trading_pair,
    signed_post,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
    trait,
):
    purchase_order = trading_pair.purchase_order(**{trait: True})
    from_status = purchase_order.status
    sent = edited_body(trading_pair, purchase_order)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("req-edit", sent)

    body = answer(response)
    assert (response.status_code, body["response_code"]) == (200, 0)
    assert body["payload"]["purchaseOrder"] == sent["purchaseOrder"]
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    assert (fresh.version, fresh.previous_version, fresh.status, fresh.previous_status) == (
        2,
        1,
        "CREATED",
        from_status,
    )
    assert fresh.subject == "Office supplies, revised"
    assert fresh.lines.count() == 3
    assert fresh.delivered_at is not None
    assert payloads.build_purchase_order(fresh)["itemLists"] == sent["purchaseOrder"]["itemLists"]
    assert (
        PurchaseOrderVersion.objects.get(purchase_order=fresh, version=2).snapshot["purchaseOrder"][
            "subject"
        ]
        == "Office supplies, revised"
    )
    change = StatusChange.objects.get(purchase_order=fresh)
    assert (change.action, change.version, change.via_network) == ("EDIT", 2, True)
    send_queued_mail()
    assert [message.to for message in mailoutbox] == [[trading_pair.supplier_user.email]]
    assert InboundEvent.objects.get().purchase_order == purchase_order


def test_an_edit_made_here_is_applied_when_delivered_and_not_applied_again(
    trading_pair,
    sent_purchase_order,
    signed_post,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    # Both parties are hosted here: the buyer's edit waits, pending, until
    # the network delivers its req-edit to the supplier (this same row).
    fresh = get_purchase_order_with_contents(pk=sent_purchase_order.pk)
    contents = payloads.parse_purchase_order(
        payloads.build_purchase_order(fresh), fresh.additional_infos
    )
    contents.header.subject = "Revised here"
    edit_purchase_order(
        purchase_order=sent_purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=contents,
        reason="New subject.",
        expected_version=1,
    )
    sent_purchase_order.refresh_from_db()
    assert (sent_purchase_order.version, sent_purchase_order.pending_action) == (1, "EDIT")
    assert sent_purchase_order.subject != "Revised here"
    message = OutboundMessage.objects.get(kind="req-edit")
    relayed = encoding.loads(message.body)
    versions = PurchaseOrderVersion.objects.count()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("req-edit", relayed)

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    sent_purchase_order.refresh_from_db()
    assert (sent_purchase_order.version, sent_purchase_order.subject) == (2, "Revised here")
    assert (sent_purchase_order.status, sent_purchase_order.pending_action) == ("CREATED", "")
    assert sent_purchase_order.delivered_at is not None
    # The snapshot kept with the edit is the version's; no second one is made.
    assert PurchaseOrderVersion.objects.count() == versions
    edits = StatusChange.objects.filter(purchase_order=sent_purchase_order, action="EDIT")
    assert sorted(edits.values_list("stage", flat=True)) == ["applied", "attempted"]
    assert edits.get(stage="applied").message == message
    assert send_queued_mail() == 1
    assert [mail.to for mail in mailoutbox] == [[trading_pair.supplier_user.email]]

    # The same delivery again, and the network's acknowledgement: applied once.
    with django_capture_on_commit_callbacks(execute=True):
        signed_post("req-edit", relayed)
        settle_outbound_message(message=message, succeeded=True)

    sent_purchase_order.refresh_from_db()
    assert (sent_purchase_order.version, sent_purchase_order.subject) == (2, "Revised here")
    assert PurchaseOrderVersion.objects.count() == versions
    assert edits.count() == 2
    assert send_queued_mail() == 0
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("versions", "code", "field"),
    [
        ((0, 1), "STALE_VERSION", "purchaseOrder.objectVersion.currentVersion"),
        ((1, 2), "STALE_VERSION", "purchaseOrder.objectVersion.currentVersion"),
        ((3, 4), "OUT_OF_ORDER", "purchaseOrder.objectVersion.currentVersion"),
        ((2, 4), "STALE_VERSION", "purchaseOrder.objectVersion.newVersion"),
        ((2, 2), "STALE_VERSION", "purchaseOrder.objectVersion.newVersion"),
    ],
)
def test_an_edit_of_another_version_is_refused(
    trading_pair, signed_post, unchanged, versions, code, field
):
    purchase_order = trading_pair.purchase_order(sent=True, version=2, previous_version=1)
    sent = edited_body(trading_pair, purchase_order)
    current, new = versions
    sent["purchaseOrder"]["objectVersion"] = {"currentVersion": current, "newVersion": new}
    check = unchanged(purchase_order)

    resp = answer(signed_post("req-edit", sent))["payload"]["resp"]

    assert (resp["errorCd"], resp["errorField"]) == (code, field)
    check()


def test_an_edit_of_a_cancelled_purchase_order_is_refused(trading_pair, signed_post, unchanged):
    purchase_order = trading_pair.purchase_order(
        status="CANCELLED", version=1, previous_status="CREATED"
    )
    sent = edited_body(trading_pair, purchase_order)
    check = unchanged(purchase_order)

    resp = answer(signed_post("req-edit", sent))["payload"]["resp"]

    assert (resp["errorCd"], resp["errorField"]) == (
        "TRANSITION_NOT_ALLOWED",
        "purchaseOrder.poStatusTransition.currentStatus",
    )
    check()


def test_an_edit_of_an_unknown_purchase_order_is_refused(trading_pair, signed_post):
    purchase_order = trading_pair.purchase_order(sent=True)
    sent = edited_body(trading_pair, purchase_order)
    sent["purchaseOrder"]["objectId"] = "PO" + "Z" * 32

    resp = answer(signed_post("req-edit", sent))["payload"]["resp"]

    assert (resp["errorCd"], resp["errorField"]) == ("PO_NOT_FOUND", "purchaseOrder.objectId")
    assert InboundEvent.objects.get().purchase_order is None
