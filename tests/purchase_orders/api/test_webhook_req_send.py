"""POST /api/v0/purchase-order/req-send: a purchase order sent to a supplier hosted here."""

from decimal import Decimal

import pytest

from purchase_orders.enkash import conventions, encoding, payloads
from purchase_orders.models import (
    Business,
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.factories import BusinessFactory, PurchaseOrderFactory
from tests.plugins.webhooks import (
    ADDITIONAL_INFOS,
    answer,
    elsewhere,
    send_body,
    sent_elsewhere_body,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_elsewhere(trading_pair) -> dict:
    """The req-send body of a purchase order raised on another platform, not held here."""
    return sent_elsewhere_body(trading_pair)


def test_a_purchase_order_for_a_hosted_supplier_is_created(
    trading_pair,
    sent_elsewhere,
    signed_post,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("req-send", sent_elsewhere)

    body = answer(response)
    assert (response.status_code, body["response_code"]) == (200, 0)
    assert set(body["payload"]) == {"b2bIds", "resp", "purchaseOrder", "additionalInfos"}
    assert body["payload"]["resp"]["result"] == "SUCCESS"
    created = PurchaseOrder.objects.get(object_id=sent_elsewhere["purchaseOrder"]["objectId"])
    assert (created.buyer, created.supplier, created.status, created.version) == (
        trading_pair.buyer,
        trading_pair.supplier,
        "CREATED",
        1,
    )
    assert created.delivered_at is not None
    # Everything the message carries is kept, and comes back out unchanged.
    fresh = get_purchase_order_with_contents(pk=created.pk)
    assert payloads.build_purchase_order(fresh) == sent_elsewhere["purchaseOrder"]
    assert fresh.additional_infos == ADDITIONAL_INFOS
    assert fresh.lines.count() == 3
    assert PurchaseOrderVersion.objects.get(purchase_order=created).version == 1
    change = StatusChange.objects.get(purchase_order=created)
    assert (change.to_status, change.action, change.via_network, change.actor_business) == (
        "CREATED",
        "SEND",
        True,
        trading_pair.buyer,
    )
    assert InboundEvent.objects.get().purchase_order == created
    send_queued_mail()
    assert [message.to for message in mailoutbox] == [[trading_pair.supplier_user.email]]


def test_an_unknown_buyer_is_created_as_a_business_not_hosted_here(sent_elsewhere, signed_post):
    buyer_details = sent_elsewhere["purchaseOrder"]["buyerDetails"]
    buyer_details["b2bId"] = sent_elsewhere["b2bIds"]["buyerB2BId"] = "B2B-ELSEWHERE-1"
    buyer_details["legalName"] = "Elsewhere Traders LLP"

    response = signed_post("req-send", sent_elsewhere)

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    buyer = Business.objects.get(b2b_id="B2B-ELSEWHERE-1")
    assert (buyer.is_hosted, buyer.legal_name, buyer.gstin, buyer.state_code) == (
        False,
        "Elsewhere Traders LLP",
        buyer_details["gstin"],
        buyer_details["stateCode"],
    )
    assert (
        PurchaseOrder.objects.get(object_id=sent_elsewhere["purchaseOrder"]["objectId"]).buyer
        == buyer
    )


def test_a_purchase_order_sent_from_here_is_applied_when_delivered_and_not_copied(
    trading_pair,
    draft_purchase_order,
    signed_post,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    # Both parties are hosted here: the send waits, pending, until the
    # network delivers its req-send to the supplier (this same row).
    send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    draft_purchase_order.refresh_from_db()
    assert (draft_purchase_order.status, draft_purchase_order.pending_action) == ("DRAFT", "SEND")
    assert draft_purchase_order.delivered_at is None
    message = OutboundMessage.objects.get(kind="req-send")
    count = PurchaseOrder.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("req-send", encoding.loads(message.body))

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    assert PurchaseOrder.objects.count() == count
    draft_purchase_order.refresh_from_db()
    assert (draft_purchase_order.status, draft_purchase_order.version) == ("CREATED", 1)
    assert draft_purchase_order.pending_action == ""
    assert draft_purchase_order.delivered_at is not None
    assert InboundEvent.objects.get().purchase_order == draft_purchase_order
    assert StatusChange.objects.filter(via_network=True).count() == 0
    assert list(
        StatusChange.objects.filter(purchase_order=draft_purchase_order)
        .order_by("pk")
        .values_list("action", "stage")
    ) == [("SEND", "attempted"), ("SEND", "applied")]
    assert send_queued_mail() == 1
    assert [mail.to for mail in mailoutbox] == [[trading_pair.supplier_user.email]]

    # The network's acknowledgement then comes: the send is not applied again.
    with django_capture_on_commit_callbacks(execute=True):
        settle_outbound_message(message=message, succeeded=True)

    assert StatusChange.objects.filter(purchase_order=draft_purchase_order).count() == 2
    assert send_queued_mail() == 0
    assert len(mailoutbox) == 1


def test_a_send_made_here_and_acknowledged_is_marked_delivered_and_not_copied(
    trading_pair, sent_purchase_order, signed_post
):
    # Acknowledged first, delivered to the supplier afterwards.
    sent_purchase_order.delivered_at = None
    sent_purchase_order.save(update_fields=["delivered_at"])
    changes = StatusChange.objects.count()
    count = PurchaseOrder.objects.count()

    response = signed_post("req-send", send_body(sent_purchase_order))

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    assert PurchaseOrder.objects.count() == count
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.delivered_at is not None
    assert InboundEvent.objects.get().purchase_order == sent_purchase_order
    assert StatusChange.objects.count() == changes


def test_a_send_of_another_version_of_a_purchase_order_held_here_is_refused(
    trading_pair, signed_post, unchanged
):
    # Received from a buyer elsewhere at version 2; version 1 comes again.
    elsewhere(trading_pair.buyer)
    purchase_order = trading_pair.purchase_order(sent=True, version=2, previous_version=1)
    sent = send_body(purchase_order)
    sent["purchaseOrder"]["objectVersion"] = {"currentVersion": 0, "newVersion": 1}
    check = unchanged(purchase_order)

    resp = answer(signed_post("req-send", sent))["payload"]["resp"]

    assert (resp["errorCd"], resp["errorField"]) == (
        "STALE_VERSION",
        "purchaseOrder.objectVersion.newVersion",
    )
    check()


@pytest.mark.parametrize("supplier", ["unknown", "not hosted"])
def test_a_purchase_order_for_a_supplier_not_hosted_here_is_refused(
    trading_pair, sent_elsewhere, signed_post, supplier
):
    if supplier == "unknown":
        b2b_id = "B2B-NOBODY"
    else:
        b2b_id = BusinessFactory(is_hosted=False).b2b_id
    sent_elsewhere["b2bIds"]["supplierB2BId"] = b2b_id
    sent_elsewhere["purchaseOrder"]["supplierDetails"]["b2bId"] = b2b_id
    count = PurchaseOrder.objects.count()

    response = signed_post("req-send", sent_elsewhere)

    body = answer(response)
    assert (response.status_code, body["response_code"]) == (200, conventions.RESPONSE_CODE_REFUSED)
    assert (body["payload"]["resp"]["errorCd"], body["payload"]["resp"]["errorField"]) == (
        "PARTY_NOT_FOUND",
        "b2bIds.supplierB2BId",
    )
    assert set(body["payload"]) == {"b2bIds", "resp", "purchaseOrder", "additionalInfos"}
    assert PurchaseOrder.objects.count() == count
    assert InboundEvent.objects.get().state == "refused"


def test_parties_that_differ_from_b2b_ids_are_refused(sent_elsewhere, signed_post):
    sent_elsewhere["purchaseOrder"]["buyerDetails"]["b2bId"] = "B2B-SOMEONE-ELSE"

    resp = answer(signed_post("req-send", sent_elsewhere))["payload"]["resp"]

    assert (resp["errorCd"], resp["errorField"]) == (
        "PARTY_MISMATCH",
        "purchaseOrder.buyerDetails.b2bId",
    )


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("itemLists", 1, "totalItemValue"), "purchaseOrder.itemLists[1].totalItemValue"),
        (("itemLists", 0, "totalAmt"), "purchaseOrder.itemLists[0].totalAmt"),
        (("poValueDetails", "totalPOValue"), "purchaseOrder.poValueDetails.totalPOValue"),
    ],
)
def test_totals_that_do_not_add_up_are_refused(sent_elsewhere, signed_post, path, field):
    target = sent_elsewhere["purchaseOrder"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] += Decimal("10.00")
    count = PurchaseOrder.objects.count()

    resp = answer(signed_post("req-send", sent_elsewhere))["payload"]["resp"]

    assert (resp["errorCd"], resp["errorField"]) == ("TOTALS_MISMATCH", field)
    assert "make" in resp["errorDtl"]
    assert PurchaseOrder.objects.count() == count


def test_a_po_number_the_buyer_already_used_is_refused(trading_pair, sent_elsewhere, signed_post):
    PurchaseOrderFactory(
        buyer=trading_pair.buyer,
        supplier=trading_pair.supplier,
        buyer_po_number=sent_elsewhere["purchaseOrder"]["buyerPONumber"],
    )
    count = PurchaseOrder.objects.count()

    resp = answer(signed_post("req-send", sent_elsewhere))["payload"]["resp"]

    assert (resp["errorCd"], resp["errorField"]) == (
        "DUPLICATE_PO_NUMBER",
        "purchaseOrder.buyerPONumber",
    )
    assert PurchaseOrder.objects.count() == count


def test_a_send_that_is_not_created_is_refused(sent_elsewhere, signed_post):
    sent_elsewhere["purchaseOrder"]["poStatusTransition"]["newStatus"] = "ACCEPTED"

    resp = answer(signed_post("req-send", sent_elsewhere))["payload"]["resp"]

    assert (resp["errorCd"], resp["errorField"]) == (
        "TRANSITION_NOT_ALLOWED",
        "purchaseOrder.poStatusTransition.newStatus",
    )


@pytest.mark.parametrize(("current", "new"), [(0, 0), (0, 1), (2, 3)])
def test_a_new_purchase_order_is_kept_at_the_version_the_network_states(
    trading_pair, sent_elsewhere, signed_post, current, new
):
    # EnKash's documented req-send body says 0 -> 0; what it states is kept.
    sent_elsewhere["purchaseOrder"]["objectVersion"] = {
        "currentVersion": current,
        "newVersion": new,
    }

    response = signed_post("req-send", sent_elsewhere)

    assert answer(response)["response_code"] == 0
    created = PurchaseOrder.objects.get(object_id=sent_elsewhere["purchaseOrder"]["objectId"])
    assert (created.previous_version, created.version, created.previous_status) == (
        current,
        new,
        "CREATED",
    )
    assert StatusChange.objects.get(purchase_order=created).version == new
