"""Every field a buyer sets on the form reaches the network, and comes back unchanged.

The form is posted as a browser posts it, the worker sends the order to the
sandbox over HTTP, and the sandbox's record of what it received
(``/_sandbox/received``) is read over HTTP too. Both businesses are hosted
here, so the network's request webhook lands on the same order: what it
carries, read back into the order, is what the order says (model ->
message -> model). An edit through the form goes the same way.
"""

from decimal import Decimal as D

import pytest
import requests
from django.urls import reverse

from purchase_orders.contents import read_contents
from purchase_orders.enkash import encoding, payloads
from purchase_orders.models import PurchaseOrder
from purchase_orders.selectors import get_purchase_order_with_contents

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]

# Worked out by hand (Karnataka to Maharashtra: IGST), each amount rounded half-up:
# line 1: 4 x 2,500.00 = 10,000.00 less discounts 500.00 + 250.00 = 9,250.00;
#   IGST 0.25% 23.13, cess 1% 92.50, green cess 0.5% 46.25: 9,411.88;
# line 2: 1,000.00 + IGST 18% 180.00 = 1,180.00;
# freight 200.00 and a round-off of -0.88: 10,791.00 in all.
LINES = [
    {
        "product_description": "Gold-plated connectors, 24 pin",
        "hsn_code": "85369090",
        "quantity": "4",
        "unit": "nos",
        "unit_price": "2500.00",
        "discount": "500",
        "gst_rate": "0.25",
        "serial_no": "A-1",
        "bar_code": "8901234567890",
        "free_quantity": "1",
        "order_line_reference": "OLR-7",
        "origin_country": "Japan",
        "product_serial_number": "SN-445",
        "batch_number": "B-12",
        "batch_expiry_on": "2027-06-30",
        "batch_warranty_on": "2028-06-30",
        "other_taxes": [{"name": "Cess", "rate": "1"}, {"name": "Green cess", "rate": "0.5"}],
        "value_details": [
            {"type": "MRP", "value": "3000"},
            {"type": "Discount", "value": "250.00"},
        ],
        "rates": [{"type": "MRP per unit", "value": "750.5"}],
        "attributes": [{"name": "Colour", "value": "Gold"}, {"name": "Pins", "value": "24"}],
    },
    {
        "product_description": "Installation at site",
        "hsn_code": "998719",
        "quantity": "1",
        "unit_price": "1000",
        "is_service": "on",
        "serial_no": "A-2",
    },
]
TOTAL = D("10791.00")


def every_field(people, form_data, **changes) -> dict:
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=LINES,
        charges=[
            {"charge_type": "Freight", "amount": "200"},
            {"charge_type": "Round-off", "amount": "-0.88"},
        ],
        milestones=[
            {"due_on": "2026-12-01", "due_amount": "5000"},
            {"due_on": "2026-12-31", "due_amount": "5791.00"},
        ],
        buyer_po_number="PO/2026-27/00777",
        order_date="2026-11-23",
        delivery_date="2026-12-15",
        subject="Connectors for the panel line",
        buyer_gstin=people.buyer.gstin,
        place_of_supply="29",
        shipping_terms="FOR destination",
        shipping_bearing_party="SUPPLIER",
        shipping_charges="150",
        intent="send",
    )
    rows = {
        "addresses": [
            {
                "purpose": "delivery",
                "address_type": "WAREHOUSE",
                "address_line1": "Plot 7, Peenya 2nd Stage",
                "address_line2": "Gate 3",
                "city": "Bengaluru",
                "state": "Karnataka",
                "country": "India",
                "pincode": "560058",
            }
        ],
        "contract_references": [
            {
                "contract_reference_no": "RC-2026-14",
                "project_reference_no": "PRJ-9",
                "receipt_advice_no": "RA-311",
                "receipt_advice_date": "2026-11-20",
                "batch_reference_no": "BR-5",
                "extra_reference_no": "QT-88",
            }
        ],
        "documents": [
            {
                "url": "https://example.in/drawings/42-b.pdf",
                "document": "Drawing 42-B",
                "info": "Revision C",
            }
        ],
        "po_infos": [{"detail_type": "Project", "detail_value": "Line 3 expansion"}],
        "additional_infos": [{"name": "Cost centre", "value": "CC-12"}],
    }
    for prefix, entries in rows.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(entries))
        for index, entry in enumerate(entries):
            for name, value in entry.items():
                data[f"{prefix}-{index}-{name}"] = value
    data.update(changes)
    return data


def received_by_the_sandbox(network, kind: str) -> dict:
    """Return the body of the last request of a kind, read from the sandbox's control API."""
    response = requests.get(f"{network.sandbox.url}/_sandbox/received", timeout=5)
    response.raise_for_status()
    taken = [e for e in encoding.loads(response.text) if e["kind"] == kind and e["status"] == 200]
    assert taken, f"the sandbox took no {kind}"
    return taken[-1]["body"]


def test_every_field_typed_on_the_form_reaches_the_network_and_comes_back(
    people, form_data, network
):
    response = people.buyer_client.post(
        reverse("purchase_orders:create"), every_field(people, form_data)
    )
    assert response.status_code == 302
    network.drain()

    body = received_by_the_sandbox(network, "req-send")
    order = body["purchaseOrder"]
    assert order["buyerPONumber"] == "PO/2026-27/00777"
    assert (order["orderDate"], order["deliveryDate"]) == ("2026-11-23", "2026-12-15")
    assert order["subject"] == "Connectors for the panel line"
    assert order["buyerDetails"]["gstin"] == people.buyer.gstin
    assert order["buyerDetails"]["placeOfSupply"] == "29"
    assert order["addressDetails"] == [
        {
            "addressType": "DELIVERY",
            "address": {
                "type": "WAREHOUSE",
                "addressLine1": "Plot 7, Peenya 2nd Stage",
                "addressLine2": "Gate 3",
                "city": "Bengaluru",
                "state": "Karnataka",
                "country": "India",
                "pincode": "560058",
            },
        }
    ]
    first, second = order["itemLists"]
    assert first == {
        "serialno": "A-1",
        "productDescription": "Gold-plated connectors, 24 pin",
        "isService": "N",
        "hsnCode": "85369090",
        "barCode": "8901234567890",
        "quantity": D("4.000"),
        "freeQuantity": D("1.000"),
        "unit": "NOS",
        "unitPrice": D("2500.00"),
        "totalAmt": D("10000.00"),
        "assessmentAmount": D("9250.00"),
        "gstRate": D("0.25"),
        "totalItemValue": D("9411.88"),
        "orderLineReference": "OLR-7",
        "originCountry": "Japan",
        "productSerialNumber": "SN-445",
        "itemValueDetails": [
            {"type": "DISCOUNT", "value": D("500.00")},
            {"type": "MRP", "value": D("3000.00")},
            {"type": "DISCOUNT", "value": D("250.00")},
        ],
        "rates": [{"type": "MRP PER UNIT", "value": D("750.5")}],
        "batchDetails": {
            "batchNumber": "B-12",
            "expiryDate": "2027-06-30",
            "batchWarrantyDate": "2028-06-30",
        },
        "attributeDetails": [
            {"name": "Colour", "value": "Gold"},
            {"name": "Pins", "value": "24"},
        ],
        "otherTaxes": [
            {"name": "Cess", "rate": D(1), "amount": D("92.50")},
            {"name": "Green cess", "rate": D("0.5"), "amount": D("46.25")},
        ],
    }
    assert (second["serialno"], second["isService"], second["totalItemValue"]) == (
        "A-2",
        "Y",
        D("1180.00"),
    )
    assert order["poValueDetails"] == {
        "totalPOValue": TOTAL,
        "otherValues": [
            {"type": "Freight", "value": D("200.00")},
            {"type": "Round-off", "value": D("-0.88")},
        ],
    }
    assert order["poInfos"] == [{"detailType": "Project", "detailValue": "Line 3 expansion"}]
    assert order["contractReferenceDetails"] == [
        {
            "receiptAdviceNo": "RA-311",
            "receiptAdviceDate": "2026-11-20",
            "batchReferenceNo": "BR-5",
            "contractReferenceNo": "RC-2026-14",
            "extraReferenceNo": "QT-88",
            "projectReferenceNo": "PRJ-9",
        }
    ]
    assert order["additionalDocumentDetails"] == [
        {
            "url": "https://example.in/drawings/42-b.pdf",
            "document": "Drawing 42-B",
            "info": "Revision C",
        }
    ]
    assert order["paymentMilestones"] == [
        {"milestoneDate": "2026-12-01", "dueAmount": D("5000.00")},
        {"milestoneDate": "2026-12-31", "dueAmount": D("5791.00")},
    ]
    assert order["shippingTermsDetails"] == {
        "terms": "FOR destination",
        "bearingParty": "SUPPLIER",
        "charges": D("150.00"),
    }
    assert body["additionalInfos"] == [{"name": "Cost centre", "value": "CC-12"}]

    # The network accepted it and delivered it to the supplier, hosted here,
    # on the same order: the message read back is the order as it stands.
    purchase_order = PurchaseOrder.objects.get()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)
    assert purchase_order.delivered_at is not None
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    assert payloads.parse_purchase_order(order, body["additionalInfos"]) == read_contents(fresh)


def test_an_edit_of_every_kind_of_field_on_the_form_reaches_the_network(people, form_data, network):
    people.buyer_client.post(reverse("purchase_orders:create"), every_field(people, form_data))
    network.drain()
    purchase_order = PurchaseOrder.objects.get()
    edited = every_field(
        people,
        form_data,
        reason="Silver plating; one more cess",
        expected_version="1",
        **{
            "lines-0-gst_rate": "3",
            "lines-0-attributes-0-value": "Silver",
            "lines-0-rates-0-value": "812.25",
            "lines-0-other_taxes-TOTAL_FORMS": "3",
            "lines-0-other_taxes-2-name": "Handling levy",
            "lines-0-other_taxes-2-rate": "0.125",
            "lines-0-value_details-0-DELETE": "on",
            "milestones-TOTAL_FORMS": "0",
            "additional_infos-0-value": "CC-14",
        },
    )

    response = people.buyer_client.post(
        reverse("purchase_orders:edit", args=[purchase_order.object_id]), edited
    )
    assert response.status_code == 302
    network.drain()

    body = received_by_the_sandbox(network, "req-edit")
    order = body["purchaseOrder"]
    line = order["itemLists"][0]
    assert order["objectVersion"] == {"currentVersion": 1, "newVersion": 2}
    assert line["gstRate"] == D(3)
    assert line["attributeDetails"][0] == {"name": "Colour", "value": "Silver"}
    assert line["rates"] == [{"type": "MRP PER UNIT", "value": D("812.25")}]
    # 9,250.00 taxable: handling levy 0.125% = 11.5625 -> 11.56.
    assert line["otherTaxes"][2] == {
        "name": "Handling levy",
        "rate": D("0.125"),
        "amount": D("11.56"),
    }
    assert line["itemValueDetails"] == [
        {"type": "DISCOUNT", "value": D("500.00")},
        {"type": "DISCOUNT", "value": D("250.00")},
    ]
    assert order["paymentMilestones"] == []
    assert body["additionalInfos"] == [{"name": "Cost centre", "value": "CC-14"}]
    purchase_order.refresh_from_db()
    assert purchase_order.version == 2
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    assert payloads.parse_purchase_order(order, body["additionalInfos"]) == read_contents(fresh)
