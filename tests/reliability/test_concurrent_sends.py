"""Copies of one new purchase order, delivered at once under different webhook-ids.

Nothing serialises the deliveries of a req-send: each stores its own event
and inserts the order. The unique objectId (and a new buyer's B2B ID, and
the buyer's PO number) make all but one of the inserts fail once the first
commits; those deliveries are applied again and answered as a repeat is.
"""

import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from purchase_orders.enkash import conventions, encoding, signing
from purchase_orders.models import (
    Business,
    InboundEvent,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from tests.plugins.network import at_once
from tests.plugins.webhooks import as_bytes, sent_elsewhere_body, webhook_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every writer; concurrent deliveries need PostgreSQL",
    ),
]

COPIES = 8


def delivery(body: dict):
    """Return a callable that delivers ``body`` as a req-send under a webhook-id of its own."""
    raw = as_bytes(body)
    headers = signing.signature_headers(
        secret=settings.ENKASH_WEBHOOK_SECRET, msg_id=f"msg_{uuid.uuid4().hex}", body=raw
    )

    def deliver():
        response = Client().post(
            webhook_url("req-send"), data=raw, content_type="application/json", headers=headers
        )
        return response.status_code, encoding.loads(response.content)

    return deliver


def codes(answers) -> list:
    return sorted(
        (status, body["response_code"], (body["payload"] or {}).get("resp", {}).get("errorCd"))
        for status, body in answers
    )


def test_copies_of_one_new_order_at_once_create_it_once_and_all_succeed(trading_pair):
    body = sent_elsewhere_body(trading_pair)
    object_id = body["purchaseOrder"]["objectId"]

    answers = at_once([delivery(body) for _ in range(COPIES)])

    created = PurchaseOrder.objects.get(object_id=object_id)
    print(f"\n{COPIES} copies at once: answers {codes(answers)}")
    assert codes(answers) == [(200, 0, "")] * COPIES
    assert InboundEvent.objects.filter(state=InboundEvent.State.APPLIED).count() == COPIES
    assert set(InboundEvent.objects.values_list("purchase_order", flat=True)) == {created.pk}
    assert StatusChange.objects.filter(purchase_order=created).count() == 1
    assert PurchaseOrderVersion.objects.filter(purchase_order=created).count() == 1
    assert created.lines.count() == 3


def test_two_new_orders_with_one_number_at_once_create_one_and_refuse_the_other(trading_pair):
    first = sent_elsewhere_body(trading_pair)
    second = sent_elsewhere_body(trading_pair)
    before = PurchaseOrder.objects.count()
    assert first["purchaseOrder"]["buyerPONumber"] == second["purchaseOrder"]["buyerPONumber"]

    answers = at_once([delivery(first), delivery(second)])

    print(f"\ntwo orders numbered alike at once: answers {codes(answers)}")
    assert codes(answers) == [
        (200, 0, ""),
        (200, conventions.RESPONSE_CODE_REFUSED, conventions.ERROR_DUPLICATE_PO_NUMBER),
    ]
    assert PurchaseOrder.objects.count() == before + 1


def test_new_orders_of_a_buyer_not_known_here_at_once_create_the_buyer_once(trading_pair):
    bodies = [sent_elsewhere_body(trading_pair) for _ in range(4)]
    for index, body in enumerate(bodies):
        body["purchaseOrder"]["buyerPONumber"] = f"ERP/2026/{index:06d}"
        for details in (body["purchaseOrder"]["buyerDetails"], body["b2bIds"]):
            key = "b2bId" if "b2bId" in details else "buyerB2BId"
            details[key] = "B2B99999999"

    answers = at_once([delivery(body) for body in bodies])

    print(f"\nfour orders of a new buyer at once: answers {codes(answers)}")
    assert codes(answers) == [(200, 0, "")] * 4
    buyer = Business.objects.get(b2b_id="B2B99999999")
    assert PurchaseOrder.objects.filter(buyer=buyer).count() == 4
