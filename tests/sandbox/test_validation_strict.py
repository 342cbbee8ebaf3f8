"""The sandbox refuses what a real network would: no lines, empty identities, bad GSTINs,
dates out of range and amounts that do not add up, each naming the field at fault.
"""

from decimal import Decimal

import pytest

from tests.plugins.sandbox import conforming_request
from tests.sandbox.conftest import parent_of, refill_totals, refusal

pytestmark = pytest.mark.sandbox

PO = "purchaseOrder"
LINE = "purchaseOrder.itemLists[0]"
SUPPLIER = "purchaseOrder.supplierDetails"
BUYER = "purchaseOrder.buyerDetails"
# A GSTIN registered in Maharashtra (27), its check character right.
MAHARASHTRA_GSTIN = "27AAACM9012N1Z9"


def post_with(api, kind: str, changes: dict, *, refill: bool = False):
    body = conforming_request(kind)
    for path, value in changes.items():
        node, key = parent_of(body, path)
        node[key] = value
    return api.post(kind, refill_totals(body) if refill else body)


# -- the five that used to pass ----------------------------------------------------------


def test_a_send_without_lines_is_refused(api):
    status, code, field, detail = refusal(post_with(api, "req-send", {f"{PO}.itemLists": []}))

    assert (status, code, field) == (400, "INVALID_FIELD", "purchaseOrder.itemLists")
    assert detail == "purchaseOrder.itemLists must have at least one line."


@pytest.mark.parametrize(
    "path",
    [
        f"{SUPPLIER}.gstin",
        f"{BUYER}.gstin",
        f"{SUPPLIER}.legalName",
        f"{BUYER}.legalName",
        f"{SUPPLIER}.b2bId",
        f"{PO}.objectId",
        f"{PO}.buyerPONumber",
        f"{LINE}.productDescription",
        f"{LINE}.hsnCode",
        f"{LINE}.otherTaxes[0].name",
        f"{LINE}.itemValueDetails[0].type",
        f"{PO}.poValueDetails.otherValues[0].type",
        "poConfirmation.objectId",
        "poStatus.buyerPONumber",
    ],
)
def test_an_empty_identity_or_description_is_refused(api, path):
    kind = {"poConfirmation": "req-confirm", "poStatus": "req-status-change"}.get(
        path.split(".")[0], "req-send"
    )

    status, code, field, detail = refusal(post_with(api, kind, {path: ""}))

    assert (status, code, field) == (400, "INVALID_FIELD", path)
    assert detail.startswith(path)


@pytest.mark.parametrize("path", [f"{PO}.orderDate", f"{PO}.ts"])
def test_an_empty_required_date_is_refused(api, path):
    status, code, field, _ = refusal(post_with(api, "req-send", {path: ""}))

    assert (status, code, field) == (400, "INVALID_FIELD", path)


@pytest.mark.parametrize(
    "path",
    [
        f"{PO}.deliveryDate",
        f"{PO}.paymentMilestones[0].milestoneDate",
        f"{LINE}.batchDetails.expiryDate",
        f"{PO}.contractReferenceDetails[0].receiptAdviceDate",
    ],
)
def test_a_date_that_may_be_empty_is_accepted_empty(api, path):
    assert post_with(api, "req-send", {path: ""}).status_code == 200


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("XYZ", "must be a 15-character GSTIN such as 29ABCDE1234F1Z5"),
        ("29aabcs1234k1zc", "must be a 15-character GSTIN"),
        ("29AABCS1234K1ZD", "ends with D, but its check character is C."),
        ("29AABCS1234K0ZC", "must be a 15-character GSTIN"),
        ("00AABCS1234K1ZC", "starts with 00, which is not a GST state code."),
        ("29AABCS1234K1ZC\n", "must be a 15-character GSTIN"),
    ],
)
def test_a_malformed_gstin_is_refused(api, value, detail):
    status, code, field, message = refusal(post_with(api, "req-send", {f"{SUPPLIER}.gstin": value}))

    assert (status, code, field) == (400, "INVALID_FIELD", f"{SUPPLIER}.gstin")
    assert detail in message


def test_a_total_that_is_not_the_sum_of_its_lines_is_refused(api):
    path = f"{PO}.poValueDetails.totalPOValue"

    status, code, field, detail = refusal(post_with(api, "req-send", {path: 1}))

    assert (status, code, field) == (400, "TOTALS_MISMATCH", path)
    assert detail == (
        "purchaseOrder.poValueDetails.totalPOValue is 1, but the lines' totalItemValue "
        "+ otherValues makes 3688.97."
    )


# -- parties -------------------------------------------------------------------------------


def test_a_gstin_of_another_state_than_the_party_is_refused(api):
    status, code, field, detail = refusal(
        post_with(api, "req-send", {f"{BUYER}.gstin": MAHARASHTRA_GSTIN})
    )

    assert (status, code, field) == (400, "INVALID_FIELD", f"{BUYER}.gstin")
    assert detail == (
        "purchaseOrder.buyerDetails.gstin is registered in state 27, but "
        "purchaseOrder.buyerDetails.stateCode is 29."
    )


def test_a_party_of_another_state_with_its_own_gstin_is_accepted(api):
    changes = {f"{SUPPLIER}.gstin": MAHARASHTRA_GSTIN, f"{SUPPLIER}.stateCode": "27"}

    assert post_with(api, "req-send", changes, refill=True).status_code == 200


@pytest.mark.parametrize(
    ("party", "b2b_key"), [("supplierDetails", "supplierB2BId"), ("buyerDetails", "buyerB2BId")]
)
def test_a_party_whose_b2b_id_is_not_the_bodys_is_refused(api, party, b2b_key):
    status, code, field, detail = refusal(
        post_with(api, "req-send", {f"{PO}.{party}.b2bId": "B2B99999999"})
    )

    assert (status, code, field) == (400, "INVALID_FIELD", f"{PO}.{party}.b2bId")
    assert f"but b2bIds.{b2b_key} is" in detail


@pytest.mark.parametrize(
    ("path", "value", "detail"),
    [
        (f"{PO}.objectId", "PO123", "must be PO followed by 32 upper-case letters and digits"),
        (f"{PO}.objectId", "INV" + "A" * 32, "must be PO followed by 32"),
        ("poStatus.objectId", "po" + "a1b2c3d4" * 4, "must be PO followed by 32"),
        (f"{LINE}.hsnCode", "48A2", "HSN or SAC code of 4, 6 or 8 digits"),
        (f"{LINE}.hsnCode", "48025", "HSN or SAC code of 4, 6 or 8 digits"),
        (f"{SUPPLIER}.address.pincode", "056001", "six-digit PIN code"),
        (f"{PO}.addressDetails[0].address.pincode", "5600", "six-digit PIN code"),
        (f"{BUYER}.stateCode", "00", "two-digit GST state code"),
        # A pattern is matched whole: a trailing newline is no part of a code.
        (f"{PO}.objectId", "PO" + "A" * 32 + "\n", "must be PO followed by 32"),
        (f"{LINE}.hsnCode", "4802\n", "HSN or SAC code of 4, 6 or 8 digits"),
        (f"{SUPPLIER}.address.pincode", "560001\n", "six-digit PIN code"),
    ],
)
def test_a_malformed_identifier_or_code_is_refused(api, path, value, detail):
    kind = "req-status-change" if path.startswith("poStatus") else "req-send"

    status, code, field, message = refusal(post_with(api, kind, {path: value}))

    assert (status, code, field) == (400, "INVALID_FIELD", path)
    assert detail in message


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "detail"),
    [
        (f"{PO}.orderDate", "1999-12-31", "must fall between 2000-01-01 and 2199-12-31"),
        (f"{PO}.deliveryDate", "2200-01-01", "must fall between 2000-01-01 and 2199-12-31"),
        (f"{PO}.ts", "0226-11-23T10:15:00+05:30", "must fall between 2000-01-01"),
        (f"{LINE}.batchDetails.expiryDate", "9999-12-31", "must fall between"),
        (f"{PO}.paymentMilestones[0].milestoneDate", "2026-13-01", "date written YYYY-MM-DD"),
        (f"{PO}.deliveryDate", "2026-11-22", "is before the orderDate 2026-11-23."),
    ],
)
def test_a_date_out_of_range_or_before_the_order_is_refused(api, path, value, detail):
    status, code, field, message = refusal(post_with(api, "req-send", {path: value}))

    assert (status, code, field) == (400, "INVALID_FIELD", path)
    assert detail in message


def test_a_delivery_on_the_order_date_and_an_empty_one_are_accepted(api):
    for delivery in ("2026-11-23", ""):
        response = post_with(api, "req-send", {f"{PO}.deliveryDate": delivery})
        assert response.status_code == 200, delivery


# -- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "detail"),
    [
        (f"{LINE}.quantity", 0, "must be more than 0, not 0."),
        (f"{LINE}.freeQuantity", -1, "must not be less than 0, not -1."),
        (f"{LINE}.unitPrice", Decimal("-1250.50"), "must not be less than 0"),
        (f"{LINE}.gstRate", 101, "must not be more than 100, not 101."),
        (f"{LINE}.gstRate", Decimal("18.0001"), "at most 3 decimal places"),
        (f"{LINE}.otherTaxes[0].rate", -1, "must not be less than 0"),
        (f"{PO}.paymentMilestones[0].dueAmount", 0, "must be more than 0"),
        (f"{PO}.shippingTermsDetails.charges", -5, "must not be less than 0"),
        (f"{PO}.poValueDetails.totalPOValue", Decimal("1E+16"), "must be less than 10^16"),
    ],
)
def test_a_number_out_of_range_is_refused(api, path, value, detail):
    status, code, field, message = refusal(post_with(api, "req-send", {path: value}))

    assert (status, code, field) == (400, "INVALID_FIELD", path)
    assert message == f"{path} {detail}" or detail in message


# -- totals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "how"),
    [
        (f"{LINE}.totalAmt", Decimal("3126.27"), "quantity x unitPrice makes 3126.25."),
        (f"{LINE}.assessmentAmount", Decimal("3000.00"), "DISCOUNT itemValueDetails makes"),
        (f"{LINE}.totalItemValue", Decimal("3126.25"), "CGST + SGST at gstRate % + otherTaxes"),
        (f"{LINE}.otherTaxes[0].amount", Decimal("1.00"), "assessmentAmount x its rate % makes"),
    ],
)
def test_a_line_amount_that_does_not_follow_is_refused(api, path, value, how):
    status, code, field, detail = refusal(post_with(api, "req-send", {path: value}))

    assert (status, code, field) == (400, "TOTALS_MISMATCH", path)
    assert detail.startswith(f"{path} is {value}, but ")
    assert how in detail


def test_milestones_that_do_not_add_up_to_the_total_are_refused(api):
    body = conforming_request("req-send")
    body[PO]["paymentMilestones"] = [
        {"milestoneDate": "2026-12-01", "dueAmount": Decimal("1000.00")},
        {"milestoneDate": "2026-12-31", "dueAmount": Decimal("2688.96")},
    ]

    status, code, field, detail = refusal(api.post("req-send", body))

    assert (status, code, field) == (400, "TOTALS_MISMATCH", f"{PO}.paymentMilestones")
    assert detail == (
        "purchaseOrder.paymentMilestones add up to 3688.96, not to totalPOValue 3688.97."
    )


def test_milestones_that_divide_the_total_are_accepted(api):
    body = conforming_request("req-send")
    body[PO]["paymentMilestones"] = [
        {"milestoneDate": "2026-12-01", "dueAmount": Decimal("1000.00")},
        {"milestoneDate": "2026-12-31", "dueAmount": Decimal("2688.97")},
    ]

    assert api.post("req-send", body).status_code == 200


def test_a_discount_lowers_the_taxable_value(api):
    body = conforming_request("req-send")
    line = body[PO]["itemLists"][0]
    line["itemValueDetails"] = [{"type": "discount", "value": Decimal("126.25")}]
    line["assessmentAmount"] = Decimal("3000.00")
    line["totalItemValue"] = Decimal("3540.00")
    body[PO]["poValueDetails"]["totalPOValue"] = Decimal("3540.00")
    body[PO]["paymentMilestones"][0]["dueAmount"] = Decimal("3540.00")

    assert api.post("req-send", body).status_code == 200


def test_across_states_gst_is_one_igst_amount(api):
    """3126.25 at 18% IGST is 562.73 (562.725 rounded up), where two halves make 562.72."""
    body = conforming_request("req-send")
    body[PO]["buyerDetails"]["placeOfSupply"] = "27"
    body[PO]["itemLists"][0]["totalItemValue"] = Decimal("3688.98")
    body[PO]["poValueDetails"]["totalPOValue"] = Decimal("3688.98")
    body[PO]["paymentMilestones"][0]["dueAmount"] = Decimal("3688.98")

    assert api.post("req-send", body).status_code == 200


def test_other_taxes_and_charges_add_to_the_total_and_a_round_off_may_lower_it(api):
    body = conforming_request("req-send")
    line = body[PO]["itemLists"][0]
    line["otherTaxes"] = [{"name": "Cess", "rate": 1, "amount": Decimal("31.26")}]
    line["totalItemValue"] = Decimal("3720.23")
    body[PO]["poValueDetails"]["otherValues"] = [
        {"type": "FREIGHT", "value": Decimal("500.00")},
        {"type": "ROUND_OFF", "value": Decimal("-0.23")},
    ]
    body[PO]["poValueDetails"]["totalPOValue"] = Decimal("4220.00")
    body[PO]["paymentMilestones"][0]["dueAmount"] = Decimal("4220.00")

    assert api.post("req-send", body).status_code == 200


def test_a_paisa_either_way_is_agreement(api):
    body = conforming_request("req-send")
    body[PO]["itemLists"][0]["totalItemValue"] = Decimal("3688.98")
    body[PO]["poValueDetails"]["totalPOValue"] = Decimal("3688.98")
    body[PO]["paymentMilestones"][0]["dueAmount"] = Decimal("3688.98")

    assert api.post("req-send", body).status_code == 200


def test_shipping_charges_are_not_part_of_the_total(api):
    response = post_with(api, "req-send", {f"{PO}.shippingTermsDetails.charges": 250})

    assert response.status_code == 200
