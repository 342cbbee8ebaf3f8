"""Reading what arrives: strict about what identifies or changes a PO, tolerant of the rest."""

import copy
import re
from decimal import Decimal

import pytest

from purchase_orders.enkash import conventions, encoding
from purchase_orders.enkash.kinds import REQUEST_KINDS
from purchase_orders.models import InboundEvent, PurchaseOrder
from purchase_orders.sandbox.answers import answer_drift
from tests.plugins.webhooks import (
    ADDITIONAL_INFOS,
    answer,
    answered_error,
    elsewhere,
    row_counts,
    send_body,
)

pytestmark = pytest.mark.django_db

MISSING = object()


@pytest.fixture
def send_request(trading_pair) -> dict:
    """A valid req-send body for the hosted supplier, of a purchase order not held here."""
    elsewhere(trading_pair.buyer)
    body = send_body(trading_pair.purchase_order(sent=True))
    body["purchaseOrder"]["objectId"] = conventions.new_object_id()
    body["purchaseOrder"]["buyerPONumber"] = "ERP/2026/7"
    body["purchaseOrder"]["itemLists"][1]["otherTaxes"] = []
    body["additionalInfos"] = copy.deepcopy(ADDITIONAL_INFOS)
    return body


def change(body: dict, path: str, value) -> dict:
    """Return a copy of a body with the value at a dotted path replaced (or removed)."""
    body = copy.deepcopy(body)
    keys = [int(key) if key.isdigit() else key for key in re.findall(r"[^.\[\]]+", path)]
    target = body
    for key in keys[:-1]:
        target = target[key]
    if value is MISSING:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return body


def assert_invalid(response, field: str, before: dict, *, kind: str = "req-send") -> dict:
    """Assert a refusal of an invalid body naming ``field``; return its resp.

    A response webhook's answer has no resp: its errors are read from the
    response_message into a dict of errorCd, errorDtl and errorField.
    """
    assert response.status_code == 400
    body = answer(response)
    assert body["response_code"] == conventions.RESPONSE_CODE_INVALID
    # Still the documented shape of the kind's answer, as the sandbox checks it.
    assert answer_drift(kind, 400, body) == ""
    code, detail, error_field = answered_error(response)
    assert (code, error_field) == ("INVALID_FIELD", field)
    resp = {"errorCd": code, "errorDtl": detail, "errorField": error_field}
    if kind in REQUEST_KINDS:
        assert body["payload"]["resp"] == {**body["payload"]["resp"], **resp, "result": "FAILURE"}
        resp = body["payload"]["resp"]
    else:
        assert body["payload"] == "FAILURE"
    assert detail.startswith(f"{field}: ") if field else detail
    event = InboundEvent.objects.get()
    assert (event.state, event.error_field, event.response_status) == ("invalid", field, 400)
    # Nothing is stored but the delivery itself.
    after = row_counts()
    assert (
        after.pop("purchase_orders.InboundEvent") == before.pop("purchase_orders.InboundEvent") + 1
    )
    assert after == before
    return resp


REQUIRED = [
    "device",
    "device.tag",
    "device.tag.name",
    "b2bIds",
    "b2bIds.buyerB2BId",
    "b2bIds.supplierB2BId",
    "purchaseOrder",
    "additionalInfos",
    "purchaseOrder.objectId",
    "purchaseOrder.buyerPONumber",
    "purchaseOrder.ts",
    "purchaseOrder.orderDate",
    "purchaseOrder.objectVersion",
    "purchaseOrder.objectVersion.currentVersion",
    "purchaseOrder.objectVersion.newVersion",
    "purchaseOrder.poStatusTransition.newStatus",
    "purchaseOrder.supplierDetails.gstin",
    "purchaseOrder.buyerDetails.placeOfSupply",
    "purchaseOrder.buyerDetails.address.pincode",
    "purchaseOrder.buyerDetails.contactNumber",
    "purchaseOrder.addressDetails[0].addressType",
    "purchaseOrder.itemLists",
    "purchaseOrder.itemLists[1].quantity",
    "purchaseOrder.itemLists[0].unitPrice",
    "purchaseOrder.itemLists[1].hsnCode",
    "purchaseOrder.itemLists[0].batchDetails.expiryDate",
    "purchaseOrder.itemLists[1].otherTaxes",
    "purchaseOrder.poValueDetails.totalPOValue",
    "purchaseOrder.paymentMilestones[0].dueAmount",
    "purchaseOrder.shippingTermsDetails.charges",
]


@pytest.mark.parametrize("path", REQUIRED)
def test_a_missing_field_is_named(send_request, signed_post, path):
    before = row_counts()

    response = signed_post("req-send", change(send_request, path, MISSING))

    resp = assert_invalid(response, path, before)
    assert resp["errorDtl"] == f"{path}: This field is required."


TIMESTAMP = "Must be an ISO-8601 timestamp with an offset, like 2026-11-23T10:15:00+05:30."
MISTYPED = [
    ("purchaseOrder.itemLists[1].quantity", "10", "Must be a JSON number."),
    ("purchaseOrder.itemLists[0].unitPrice", "125.50", "Must be a JSON number."),
    ("purchaseOrder.itemLists[0].gstRate", True, "Must be a JSON number."),
    ("purchaseOrder.poValueDetails.totalPOValue", None, "This field may not be null."),
    ("purchaseOrder.paymentMilestones[0].dueAmount", [1], "Must be a JSON number."),
    ("purchaseOrder.objectVersion.newVersion", None, "This field may not be null."),
    ("purchaseOrder.objectVersion.currentVersion", "0", "Must be a whole JSON number."),
    ("purchaseOrder.objectVersion.currentVersion", Decimal("0.5"), "Must be a whole JSON number."),
    ("purchaseOrder.objectVersion.newVersion", False, "Must be a whole JSON number."),
    (
        "purchaseOrder.objectVersion.newVersion",
        -1,
        "Ensure this value is greater than or equal to 0.",
    ),
    (
        "purchaseOrder.objectVersion.newVersion",
        2**31,
        "Ensure this value is less than or equal to 2147483647.",
    ),
    ("purchaseOrder.objectId", 12345, "Must be a JSON string."),
    ("purchaseOrder.objectId", "", "Must not be empty."),
    ("purchaseOrder.objectId", "P" * 101, "Ensure this field has no more than 100 characters."),
    ("b2bIds.supplierB2BId", None, "This field may not be null."),
    ("purchaseOrder.poStatusTransition.currentStatus", 1, "Must be a JSON string."),
    ("purchaseOrder.itemLists", {}, 'Expected a list of items but got type "dict".'),
    ("purchaseOrder.itemLists[1]", "a line", "Invalid data. Expected a dictionary, but got str."),
    ("purchaseOrder.buyerDetails", [], "Invalid data. Expected a dictionary, but got list."),
    (
        "purchaseOrder.itemLists[0].quantity",
        Decimal("1.2345"),
        "Must have at most 3 decimal places.",
    ),
    (
        "purchaseOrder.itemLists[1].unitPrice",
        Decimal("12.345"),
        "Must have at most 2 decimal places.",
    ),
    ("purchaseOrder.itemLists[1].unitPrice", -5, "Must not be negative."),
    (
        "purchaseOrder.poValueDetails.totalPOValue",
        Decimal("1E+20"),
        "Must have at most 16 digits before the decimal point.",
    ),
    (
        "purchaseOrder.itemLists[0].otherTaxes",
        [{"name": "Cess", "rate": "1", "amount": 0}],
        "Must be a JSON number.",
    ),
    ("purchaseOrder.orderDate", "23-11-2026", "Must be a date written YYYY-MM-DD."),
    ("purchaseOrder.deliveryDate", "2026-02-30", "Must be a date written YYYY-MM-DD."),
    (
        "purchaseOrder.paymentMilestones[0].milestoneDate",
        "2026/12/31",
        "Must be a date written YYYY-MM-DD.",
    ),
    ("purchaseOrder.ts", "2026-11-23T10:00:00", TIMESTAMP),
    ("purchaseOrder.ts", "", TIMESTAMP),
    ("purchaseOrder.ts", "23/11/2026 10:00 +05:30", TIMESTAMP),
    ("purchaseOrder.buyerDetails.stateCode", "KAR", "Must be at most 2 characters long."),
    ("purchaseOrder.itemLists[0].hsnCode", "480256901", "Must be at most 8 characters long."),
    ("purchaseOrder.itemLists[1].isService", "YES", "Must be Y or N."),
    (
        "purchaseOrder.itemLists[0].itemValueDetails",
        [{"type": "DISCOUNT", "value": "5"}],
        "Must be a JSON number.",
    ),
    ("purchaseOrder.supplierDetails.address.city", 560001, "Must be a JSON string."),
    ("additionalInfos[0].name", 5, "Must be a JSON string."),
    ("additionalInfos", "none", 'Expected a list of items but got type "str".'),
]


def _expected_field(path: str, value) -> str:
    # A list given in place of a value is reported at its first bad entry.
    if path.endswith("otherTaxes"):
        return path + "[0].rate"
    if path.endswith("itemValueDetails"):
        return path + "[0].value"
    return path


@pytest.mark.parametrize(("path", "value", "detail"), MISTYPED, ids=lambda item: repr(item)[:40])
def test_a_mistyped_field_is_named(send_request, signed_post, path, value, detail):
    before = row_counts()
    field = _expected_field(path, value)

    response = signed_post("req-send", change(send_request, path, value))

    resp = assert_invalid(response, field, before)
    assert resp["errorDtl"] == f"{field}: {detail}"


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("req-confirm", "poConfirmation.objectVersion.currentVersion", None),
        ("req-confirm", "poConfirmation.supplierResponse", 1),
        ("req-confirm", "poConfirmation.objectId", ""),
        ("req-status-change", "poStatus.buyerAction", MISSING),
        ("req-status-change", "poStatus.objectVersion.newVersion", "1"),
        ("resp-send", "resp.result", MISSING),
        ("resp-send", "resp.reqMsgId", None),
        ("resp-send", "resp.errorCd", 404),
        ("resp-send", "purchaseOrder.itemLists[0].quantity", "0"),
        ("resp-status-change", "resp", "SUCCESS"),
        ("resp-status-change", "poStatus.objectVersion.currentVersion", True),
    ],
)
def test_every_kind_checks_its_own_shape(signed_post, example, kind, path, value):
    before = row_counts()
    documented = example(f"webhook-{kind}.json")

    response = signed_post(kind, change(documented, path, value))

    assert_invalid(response, path, before, kind=kind)


def test_a_response_tolerates_nulls_empties_and_unknown_keys(sent_purchase_order, signed_post):
    from purchase_orders.models import OutboundMessage
    from tests.plugins.webhooks import response_body

    message = OutboundMessage.objects.get()
    body = response_body(encoding.loads(message.body), req_msg_id=message.req_msg_id)
    body["additionalInfos"] = [{"name": None}, {}]
    body["purchaseOrder"]["poInfos"] = []
    body["purchaseOrder"]["subject"] = ""
    body["resp"]["extra"] = {"anything": [1, 2]}
    body["network"] = "Bharat Connect"

    response = signed_post("resp-send", body)

    assert response.status_code == 200
    assert InboundEvent.objects.get().state == "applied"
    assert '"network":"Bharat Connect"' in InboundEvent.objects.get().body


def test_a_request_tolerates_empty_strings_and_unknown_keys(trading_pair, signed_post):
    from tests.plugins.webhooks import confirm_body

    purchase_order = trading_pair.purchase_order(sent=True)
    body = confirm_body(purchase_order, "ACCEPT")
    body["device"]["tag"]["value"] = ""
    body["poConfirmation"]["supplierRemarks"] = ""
    body["poConfirmation"]["deliveryPromise"] = "2026-12-01"
    body["additionalInfos"] = []

    response = signed_post("req-confirm", body)

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == "ACCEPTED"
    assert "deliveryPromise" not in answer(response)["payload"]["poConfirmation"]


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b'{"device": ', "The body is not valid JSON"),
        (b'{"b2bIds": NaN}', "The body is not valid JSON"),
        (b'{"b2bIds": Infinity}', "The body is not valid JSON"),
        (b"\xff\xfe{}", "The body is not valid JSON"),
        (b"[1, 2, 3]", "The body must be a JSON object."),
        (b'"SUCCESS"', "The body must be a JSON object."),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(signed_post, raw, detail):
    before = row_counts()

    response = signed_post("req-confirm", raw)

    resp = assert_invalid(response, "", before, kind="req-confirm")
    assert resp["errorDtl"].startswith(detail)


def test_a_body_that_is_not_json_is_refused_as_an_unsupported_media_type(signed_post, example):
    response = signed_post(
        "req-confirm", example("webhook-req-confirm.json"), content_type="text/plain"
    )

    assert response.status_code == 415
    resp = answer(response)["payload"]["resp"]
    assert resp["errorCd"] == "UNSUPPORTED_MEDIA_TYPE"
    assert InboundEvent.objects.get().state == "invalid"


def test_amounts_stay_decimal_from_body_to_purchase_order(send_request, signed_post):
    response = signed_post("req-send", send_request)

    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    created = PurchaseOrder.objects.get(object_id=send_request["purchaseOrder"]["objectId"])
    assert created.total_po_value == send_request["purchaseOrder"]["poValueDetails"]["totalPOValue"]
    assert isinstance(created.lines.first().unit_price, Decimal)
