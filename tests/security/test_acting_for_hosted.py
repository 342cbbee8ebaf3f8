"""No one acts for a business hosted here: the network's requests for it must echo this portal's.

A signed webhook proves that the network sent it, not that the business it
names acted. A business hosted here acts only through the portal; the
network's request acting for it is accepted only as the delivery of a
message sent from here, and a purchase order naming it must carry its own
details. Whatever else is refused, changes nothing, and is flagged for the
admins.
"""

import pytest
from django.test import Client

from purchase_orders.enkash import conventions
from purchase_orders.models import Business, InboundEvent, PurchaseOrder, StatusChange
from purchase_orders.selectors import namesakes
from purchase_orders.services.purchase_orders import confirm_purchase_order, send_purchase_order
from tests.factories import BusinessFactory, UserFactory
from tests.plugins.webhooks import (
    answer,
    edited_body,
    row_counts,
    send_body,
    sent_elsewhere_body,
)

pytestmark = pytest.mark.django_db


def refusal(response) -> tuple[int, int, str, str]:
    body = answer(response)
    resp = body["payload"]["resp"]
    return response.status_code, body["response_code"], resp["errorCd"], resp["errorField"]


def test_a_confirmation_no_one_at_a_hosted_supplier_made_is_refused_and_flagged(
    trading_pair, sent_purchase_order, signed_post
):
    # The network's request says the supplier accepted; no one there did.
    body = send_body(sent_purchase_order)
    confirmation = {
        "device": body["device"],
        "b2bIds": body["b2bIds"],
        "poConfirmation": {
            "objectId": sent_purchase_order.object_id,
            "buyerPONumber": sent_purchase_order.buyer_po_number,
            "supplierResponse": "ACCEPT",
            "supplierRemarks": "",
            "objectVersion": {"currentVersion": 1, "newVersion": 1},
            "poStatusTransition": {"currentStatus": "CREATED", "newStatus": "ACCEPTED"},
        },
        "additionalInfos": [],
    }
    before = row_counts()

    response = signed_post("req-confirm", confirmation)

    assert refusal(response) == (
        200,
        conventions.RESPONSE_CODE_REFUSED,
        conventions.ERROR_NOT_SENT_FROM_HERE,
        "b2bIds.supplierB2BId",
    )
    assert "acts only through it" in answer(response)["payload"]["resp"]["errorDtl"]
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.status == PurchaseOrder.Status.CREATED
    assert not StatusChange.objects.filter(
        purchase_order=sent_purchase_order, action="ACCEPT"
    ).exists()
    event = InboundEvent.objects.get()
    assert (event.flagged, event.error_code) == (True, conventions.ERROR_NOT_SENT_FROM_HERE)
    after = row_counts()
    event_rows = "purchase_orders.InboundEvent"
    assert after.pop(event_rows) == before.pop(event_rows) + 1
    assert after == before


def test_a_send_naming_a_hosted_buyer_that_never_sent_it_creates_nothing(trading_pair, signed_post):
    body = sent_elsewhere_body(trading_pair)
    # The buyer is hosted here, and sent no such order.
    trading_pair.buyer.is_hosted = True
    trading_pair.buyer.save(update_fields=["is_hosted"])
    orders = PurchaseOrder.objects.count()

    response = signed_post("req-send", body)

    assert refusal(response) == (
        200,
        conventions.RESPONSE_CODE_REFUSED,
        conventions.ERROR_NOT_SENT_FROM_HERE,
        "b2bIds.buyerB2BId",
    )
    assert PurchaseOrder.objects.count() == orders
    assert not PurchaseOrder.objects.filter(object_id=body["purchaseOrder"]["objectId"]).exists()
    assert InboundEvent.objects.get().flagged


def test_a_hosted_buyers_own_send_is_applied_when_the_network_delivers_it(
    trading_pair, draft_purchase_order, signed_post
):
    send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    draft_purchase_order.refresh_from_db()
    message = draft_purchase_order.pending_message

    response = signed_post(
        "req-send",
        _announced(message),
        headers={conventions.REQ_MSG_ID_HEADER: message.req_msg_id},
    )

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    draft_purchase_order.refresh_from_db()
    assert (draft_purchase_order.status, draft_purchase_order.pending_action) == ("CREATED", "")
    assert not InboundEvent.objects.get().flagged


def test_an_echo_is_found_by_kind_and_version_when_the_network_gives_no_req_msg_id(
    trading_pair, sent_purchase_order, signed_post
):
    confirm_purchase_order(
        purchase_order=sent_purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks="",
    )
    sent_purchase_order.refresh_from_db()
    message = sent_purchase_order.pending_message

    response = signed_post("req-confirm", _announced(message))

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.status == PurchaseOrder.Status.ACCEPTED


def test_an_echo_with_another_action_than_the_one_sent_is_refused(
    trading_pair, sent_purchase_order, signed_post
):
    confirm_purchase_order(
        purchase_order=sent_purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=False,
        remarks="Out of stock.",
    )
    sent_purchase_order.refresh_from_db()
    message = sent_purchase_order.pending_message
    body = _announced(message)
    body["poConfirmation"]["supplierResponse"] = "ACCEPT"
    body["poConfirmation"]["poStatusTransition"]["newStatus"] = "ACCEPTED"

    response = signed_post(
        "req-confirm", body, headers={conventions.REQ_MSG_ID_HEADER: message.req_msg_id}
    )

    assert refusal(response)[2] == conventions.ERROR_NOT_SENT_FROM_HERE
    sent_purchase_order.refresh_from_db()
    assert (sent_purchase_order.status, sent_purchase_order.pending_action) == (
        "CREATED",
        "REJECT",
    )


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("legalName", "Someone Else Private Limited", "purchaseOrder.supplierDetails.legalName"),
        ("gstin", "27AAPFU0939F1ZV", "purchaseOrder.supplierDetails.gstin"),
        ("stateCode", "29", "purchaseOrder.supplierDetails.stateCode"),
    ],
)
def test_an_edit_from_the_network_cannot_rewrite_a_hosted_suppliers_details(
    trading_pair, signed_post, key, value, field
):
    purchase_order = trading_pair.purchase_order(sent=True)
    body = edited_body(trading_pair, purchase_order)
    body["purchaseOrder"]["supplierDetails"][key] = value

    response = signed_post("req-edit", body)

    assert refusal(response) == (
        200,
        conventions.RESPONSE_CODE_REFUSED,
        conventions.ERROR_HOSTED_DETAILS_MISMATCH,
        field,
    )
    purchase_order.refresh_from_db()
    assert purchase_order.version == 1
    supplier = purchase_order.parties.get(role="supplier")
    assert (supplier.legal_name, supplier.gstin) == (
        trading_pair.supplier.legal_name,
        trading_pair.supplier.gstin,
    )
    assert InboundEvent.objects.get().flagged


def test_a_send_naming_a_hosted_supplier_under_another_gstin_is_refused(trading_pair, signed_post):
    body = sent_elsewhere_body(trading_pair)
    body["purchaseOrder"]["supplierDetails"]["gstin"] = "27AAPFU0939F1ZV"

    response = signed_post("req-send", body)

    assert refusal(response)[2:] == (
        conventions.ERROR_HOSTED_DETAILS_MISMATCH,
        "purchaseOrder.supplierDetails.gstin",
    )
    assert not PurchaseOrder.objects.filter(object_id=body["purchaseOrder"]["objectId"]).exists()


def test_a_new_buyer_carrying_a_hosted_businesss_gstin_is_refused(trading_pair, signed_post):
    # A B2B ID of its own, and the legal name and GSTIN of a business hosted here.
    hosted = BusinessFactory()
    body = sent_elsewhere_body(trading_pair)
    body["b2bIds"]["buyerB2BId"] = body["purchaseOrder"]["buyerDetails"]["b2bId"] = "B2B-LOOKALIKE"
    body["purchaseOrder"]["buyerDetails"]["legalName"] = hosted.legal_name
    body["purchaseOrder"]["buyerDetails"]["gstin"] = hosted.gstin.lower()

    response = signed_post("req-send", body)

    assert refusal(response)[2:] == (
        conventions.ERROR_HOSTED_DETAILS_MISMATCH,
        "purchaseOrder.buyerDetails.gstin",
    )
    assert hosted.b2b_id in answer(response)["payload"]["resp"]["errorDtl"]
    assert not PurchaseOrder.objects.filter(object_id=body["purchaseOrder"]["objectId"]).exists()
    assert not Business.objects.filter(b2b_id="B2B-LOOKALIKE").exists()
    assert InboundEvent.objects.get().flagged


def test_a_hosted_suppliers_name_written_another_way_is_the_same_name(trading_pair, signed_post):
    body = sent_elsewhere_body(trading_pair)
    details = body["purchaseOrder"]["supplierDetails"]
    details["legalName"] = "  " + details["legalName"].upper().replace(" ", "  ") + " "

    response = signed_post("req-send", body)

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"


def test_a_request_for_a_party_not_hosted_here_is_not_received(
    trading_pair, sent_purchase_order, signed_post
):
    # A status change goes to the supplier; this one is elsewhere.
    from tests.plugins.webhooks import elsewhere, status_change_body

    body = status_change_body(sent_purchase_order, "CANCEL")
    elsewhere(sent_purchase_order.supplier)

    response = signed_post("req-status-change", body)

    assert refusal(response)[2:] == (conventions.ERROR_PARTY_NOT_FOUND, "b2bIds.supplierB2BId")
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.status == PurchaseOrder.Status.CREATED


def test_flagged_deliveries_are_listed_for_admins_and_counted_by_healthz(
    trading_pair, sent_purchase_order, signed_post
):
    body = sent_elsewhere_body(trading_pair)
    trading_pair.buyer.is_hosted = True
    trading_pair.buyer.save(update_fields=["is_hosted"])
    signed_post("req-send", body)
    signed_post("req-send", sent_elsewhere_body(trading_pair))  # the buyer is remote now: fine
    flagged = InboundEvent.objects.get(flagged=True)

    assert Client().get("/healthz").json()["queue"]["inbound_flagged"] == 1
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = admin.get("/admin/purchase_orders/flaggeddelivery/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert conventions.ERROR_NOT_SENT_FROM_HERE in listing.content.decode()

    admin.post(
        "/admin/purchase_orders/flaggeddelivery/",
        {"action": "mark_reviewed", "_selected_action": [flagged.pk]},
    )

    flagged.refresh_from_db()
    assert flagged.reviewed_at is not None and flagged.reviewed_by
    assert Client().get("/healthz").json()["queue"]["inbound_flagged"] == 0


def test_a_remote_namesake_of_a_hosted_business_is_told_apart_on_the_pages(people):
    hosted = BusinessFactory(legal_name="Sahyadri Tools Private Limited", trade_name="")
    namesake = BusinessFactory(
        legal_name="Sahyadri Tools Private Limited",
        trade_name="",
        is_hosted=False,
        state_code="27",
    )
    purchase_order = people.purchase_order(supplier=namesake, sent=True)
    assert hosted.gstin != namesake.gstin
    client = people.buyer_client

    detail = client.get(purchase_order.get_absolute_url()).content.decode()
    listing = client.get("/purchase-orders/").content.decode()

    assert "Not the Sahyadri Tools Private Limited on this portal" in detail
    assert namesake.gstin in detail
    assert "on the network, not the Sahyadri Tools Private Limited on this portal" in listing
    assert namesake.gstin in listing


@pytest.mark.parametrize(
    ("name", "gstin_of_hosted", "told_apart"),
    [
        ("sahyadri  TOOLS private limited", False, True),
        ("Deccan Fasteners LLP", True, True),
        ("Deccan Fasteners LLP", False, False),
    ],
)
def test_a_namesake_is_told_apart_by_name_written_another_way_or_by_gstin(
    people, name, gstin_of_hosted, told_apart
):
    hosted = BusinessFactory(legal_name="Sahyadri Tools Private Limited", trade_name="")
    remote = BusinessFactory(legal_name=name, trade_name="", is_hosted=False, state_code="27")
    if gstin_of_hosted:
        Business.objects.filter(pk=remote.pk).update(gstin=hosted.gstin)
        remote.refresh_from_db()

    assert (remote.pk in namesakes([remote, hosted])) is told_apart


def _announced(message) -> dict:
    """Return the body of a message sent from here, as the network delivers it on."""
    from purchase_orders.enkash import encoding

    return encoding.loads(message.body)


@pytest.mark.django_db(transaction=True)
def test_over_http_a_forged_acceptance_is_refused_and_the_order_stays(
    trading_pair, live_server, settings
):
    import requests

    from purchase_orders.enkash import encoding, payloads, signing
    from purchase_orders.selectors import get_purchase_order_with_contents

    purchase_order = trading_pair.purchase_order(sent=True)
    body = payloads.build_confirm_request(
        get_purchase_order_with_contents(pk=purchase_order.pk),
        supplier_response="ACCEPT",
        remarks="",
        from_status=purchase_order.status,
    )
    body["poConfirmation"]["poStatusTransition"]["newStatus"] = "ACCEPTED"
    raw = encoding.dumps(body).encode()

    response = requests.post(
        f"{live_server.url}/api/v0/purchase-order/req-confirm",
        data=raw,
        headers={
            "Content-Type": "application/json",
            **signing.signature_headers(
                secret=settings.ENKASH_WEBHOOK_SECRET, msg_id="msg_forged", body=raw
            ),
        },
        timeout=10,
    )

    assert response.status_code == 200
    resp = encoding.loads(response.content)["payload"]["resp"]
    assert (resp["result"], resp["errorCd"]) == ("FAILURE", conventions.ERROR_NOT_SENT_FROM_HERE)
    purchase_order.refresh_from_db()
    assert purchase_order.status == PurchaseOrder.Status.CREATED
    assert (
        requests.get(f"{live_server.url}/healthz", timeout=10).json()["queue"]["inbound_flagged"]
        == 1
    )
