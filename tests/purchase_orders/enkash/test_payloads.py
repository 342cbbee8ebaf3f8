"""The mapping between models and the network's purchaseOrder is lossless."""

import copy
from decimal import Decimal

import pytest

from purchase_orders.contents import field_values
from purchase_orders.enkash import paths, payloads
from purchase_orders.models import PurchaseOrder
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.documents import replace_contents
from tests.conftest import load_example
from tests.factories import BusinessFactory, make_gstin

pytestmark = pytest.mark.django_db

# The documented examples carry the placeholder "string" for every text field.
# Fields whose format the portal's conventions fix (DESIGN.md, "Formats") get
# a conforming value; every other placeholder is kept as it is.
CONFORMING = {
    "ts": "2026-11-23T10:15:30+05:30",
    "orderDate": "2026-11-23",
    "deliveryDate": "2026-12-20",
    "receiptAdviceDate": "2026-11-20",
    "expiryDate": "2027-11-30",
    "batchWarrantyDate": "2028-11-30",
    "milestoneDate": "2026-12-31",
    "isService": "N",
    "stateCode": "29",
    "placeOfSupply": "29",
    "pincode": "560001",
    "objectId": "PO0123456789ABCDEFGHIJKLMNOPQRSTUV",
}


def conform(value, key=None):
    """Return the example with convention-bound placeholders given real values."""
    if isinstance(value, dict):
        return {k: conform(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [conform(v, key) for v in value]
    return CONFORMING.get(key, value)


def save_message(purchase_order_data: dict, additional_infos: list) -> PurchaseOrder:
    """Store a purchaseOrder message the way an arriving webhook does."""
    parsed = payloads.parse_purchase_order(purchase_order_data, additional_infos)
    buyer = BusinessFactory(b2b_id=purchase_order_data["buyerDetails"]["b2bId"] + "-buyer")
    supplier = BusinessFactory(b2b_id=purchase_order_data["supplierDetails"]["b2bId"] + "-supplier")
    purchase_order = PurchaseOrder.objects.create(
        buyer=buyer, supplier=supplier, **field_values(parsed.header)
    )
    replace_contents(purchase_order=purchase_order, contents=parsed)
    return get_purchase_order_with_contents(pk=purchase_order.pk)


def test_documented_example_survives_round_trip_through_the_database():
    message = conform(load_example("api-req-send.json"))
    purchase_order = save_message(message["purchaseOrder"], message["additionalInfos"])

    rebuilt = payloads.build_send_request(purchase_order)

    assert rebuilt["purchaseOrder"] == message["purchaseOrder"]
    assert rebuilt["additionalInfos"] == message["additionalInfos"]
    assert set(rebuilt) == set(message)


def test_every_key_of_the_example_is_mapped():
    """The rebuilt message has exactly the documented keys, at every depth."""

    def keys(value, prefix=""):
        if isinstance(value, dict):
            return {
                k
                for key, v in value.items()
                for k in keys(v, f"{prefix}.{key}") | {f"{prefix}.{key}"}
            }
        if isinstance(value, list):
            return {k for v in value for k in keys(v, prefix + "[]")}
        return set()

    message = conform(load_example("api-req-send.json"))
    purchase_order = save_message(message["purchaseOrder"], message["additionalInfos"])
    assert keys(payloads.build_send_request(purchase_order)) == keys(message)


def filled_line(template_line: dict, index: int) -> dict:
    """Return a copy of the example's line, numbered ``index``, with every list filled."""
    line = copy.deepcopy(template_line)
    line.update(
        serialno=str(index + 1),
        productDescription=f"Stainless steel bolt M{index + 4} × 40 — ₹ grade A",
        isService="Y" if index % 7 == 0 else "N",
        hsnCode="73181500",
        quantity=Decimal("12.125") + index,
        freeQuantity=Decimal("0.500"),
        unitPrice=Decimal("1999.99"),
        totalAmt=Decimal("24249.88"),
        assessmentAmount=Decimal("24000.00"),
        gstRate=Decimal("0.25") if index % 2 else Decimal(28),
        totalItemValue=Decimal("30720.00"),
    )
    line["itemValueDetails"] = [
        {"type": "DISCOUNT", "value": Decimal("249.88")},
        {"type": "MRP", "value": Decimal("2500.00")},
    ]
    line["rates"] = [
        {"type": "CGST", "value": Decimal(14)},
        {"type": "SGST", "value": Decimal(14)},
    ]
    line["attributeDetails"] = [
        {"name": "finish", "value": "zinc"},
        {"name": "grade", "value": "8.8"},
    ]
    line["otherTaxes"] = [
        {"name": "CESS", "rate": Decimal("1.5"), "amount": Decimal("360.00")},
        {"name": "TCS", "rate": Decimal("0.1"), "amount": Decimal("24.00")},
    ]
    return line


def test_many_lines_and_every_optional_list_filled_survive_round_trip():
    message = conform(load_example("api-req-send.json"))
    order = message["purchaseOrder"]
    order["supplierDetails"]["gstin"] = make_gstin("27", 11)
    order["buyerDetails"]["gstin"] = make_gstin("29", 12)
    template_line = order["itemLists"][0]
    order["itemLists"] = []
    for index in range(60):
        order["itemLists"].append(filled_line(template_line, index))
    order["addressDetails"] *= 3
    order["poInfos"] = [{"detailType": f"NOTE{i}", "detailValue": f"value {i}"} for i in range(4)]
    order["contractReferenceDetails"] *= 2
    order["additionalDocumentDetails"] = [
        {"url": f"https://docs.example.in/{i}.pdf", "document": f"Drawing {i}", "info": "rev B"}
        for i in range(3)
    ]
    order["paymentMilestones"] = [
        {"milestoneDate": f"2026-12-{day:02d}", "dueAmount": Decimal("10000.50")}
        for day in (1, 15, 31)
    ]
    order["poValueDetails"] = {
        "totalPOValue": Decimal("1843230.00"),
        "otherValues": [
            {"type": "FREIGHT", "value": Decimal("1500.00")},
            {"type": "ROUNDOFF", "value": Decimal("-0.49")},
        ],
    }
    order["shippingTermsDetails"] = {
        "terms": "FOR destination",
        "bearingParty": "SUPPLIER",
        "charges": Decimal("1500.00"),
    }
    order["objectVersion"] = {"currentVersion": 3, "newVersion": 4}
    order["poStatusTransition"] = {"currentStatus": "ACCEPTED", "newStatus": "CREATED"}
    infos = [{"name": "costCentre", "value": "CC-104"}, {"name": "approver", "value": "Ananya Rao"}]

    purchase_order = save_message(order, infos)
    rebuilt = payloads.build_purchase_order(purchase_order)

    assert purchase_order.lines.count() == 60
    assert rebuilt == order
    assert purchase_order.additional_infos == infos


def test_amounts_stay_decimal_through_the_wire_encoding():
    from purchase_orders.enkash import encoding

    text = encoding.dumps({"value": Decimal("0.10") + Decimal("0.20")})
    assert text == '{"value":0.30}'
    assert encoding.loads(text)["value"] == Decimal("0.30")
    assert isinstance(encoding.loads(text)["value"], Decimal)


@pytest.mark.parametrize(
    ("path", "error_field"),
    [
        (("lines", 1, "assessment_amount"), "purchaseOrder.itemLists[1].assessmentAmount"),
        (("lines", 2, "total_item_value"), "purchaseOrder.itemLists[2].totalItemValue"),
        (
            ("lines", 2, "other_taxes", 0, "amount"),
            "purchaseOrder.itemLists[2].otherTaxes[0].amount",
        ),
        (("lines", 0, "hsn_code"), "purchaseOrder.itemLists[0].hsnCode"),
        (("total_po_value",), "purchaseOrder.poValueDetails.totalPOValue"),
        (("milestones",), "purchaseOrder.paymentMilestones"),
        (("parties", "buyer", "gstin"), "purchaseOrder.buyerDetails.gstin"),
        (("parties", "buyer", "place_of_supply"), "purchaseOrder.buyerDetails.placeOfSupply"),
        (("addresses", 0, "pincode"), "purchaseOrder.addressDetails[0].address.pincode"),
        (("delivery_date",), "purchaseOrder.deliveryDate"),
    ],
)
def test_a_contents_path_is_named_as_the_network_names_it(path, error_field):
    assert paths.error_field(path) == error_field
