"""The sandbox checks every request strictly: documented shape, types and conventions."""

import copy
import re
from decimal import Decimal

import pytest
import requests
from django.conf import settings

from purchase_orders.enkash import conventions, encoding
from purchase_orders.sandbox.server import SandboxServer
from purchase_orders.sandbox.validation import OPTIONAL_FIELDS, load_shape
from tests.plugins.sandbox import conforming_request

pytestmark = pytest.mark.sandbox

KINDS = conventions.REQUEST_KINDS


class Api:
    """Post bodies to one sandbox shared by the module, with a valid token."""

    def __init__(self, server: SandboxServer):
        self.server = server
        self.session = requests.Session()
        answer = self.session.post(
            server.url + settings.ENKASH_TOKEN_PATH,
            json={
                "accessKey": settings.ENKASH_CLIENT_ID,
                "secretKey": settings.ENKASH_CLIENT_SECRET,
            },
            timeout=5,
        ).json()
        self.token = answer["token"]

    def post(self, kind: str, body, *, headers: dict | None = None) -> requests.Response:
        data = body if isinstance(body, bytes) else encoding.dumps(body).encode()
        return self.session.post(
            self.server.url + conventions.API_PREFIX + kind,
            data=data,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                conventions.REQ_MSG_ID_HEADER: "req-validation",
                **(headers or {}),
            },
            timeout=5,
        )


@pytest.fixture(scope="module")
def api():
    server = SandboxServer().start()
    yield Api(server)
    server.stop()


def refusal(response) -> tuple[int, str, str, str]:
    """Return (HTTP status, errorCd, errorField, errorDtl) of a refused request."""
    body = encoding.loads(response.content)
    resp = body["payload"]["resp"]
    assert body["response_code"] == response.status_code
    assert resp["result"] == "FAILURE"
    assert resp["reqMsgId"] == "req-validation"
    return response.status_code, resp["errorCd"], resp["errorField"], resp["errorDtl"]


# -- paths of the documented shapes ------------------------------------------------


def shape_paths(value, path: str = "", pattern: str = ""):
    """Yield (path, pattern, example value) of every key, arrays at their first entry."""
    if isinstance(value, dict):
        for key, item in value.items():
            sub_path = f"{path}.{key}" if path else key
            sub_pattern = f"{pattern}.{key}" if pattern else key
            yield sub_path, sub_pattern, item
            yield from shape_paths(item, sub_path, sub_pattern)
    elif isinstance(value, list):
        yield from shape_paths(value[0], f"{path}[0]", f"{pattern}[]")


def cases(kinds=KINDS, *, leaves_only: bool = False):
    """Return pytest params (kind, path, example value) over the documented keys."""
    params = []
    for kind in kinds:
        for path, pattern, example in shape_paths(load_shape(kind)):
            if leaves_only and isinstance(example, (dict, list)):
                continue
            params.append(pytest.param(kind, path, pattern, example, id=f"{kind}:{path}"))
    return params


# Edits share the send shape: checking both once each is enough.
SHAPED_KINDS = ("req-send", "req-confirm", "req-status-change")

STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split(path: str) -> list:
    return [int(index) if index else key for key, index in STEP.findall(path)]


def parent_of(body: dict, path: str):
    steps = split(path)
    node = body
    for step in steps[:-1]:
        node = node[step]
    return node, steps[-1]


def misspell(key: str) -> str:
    return key[:-2] + key[-1] + key[-2] if len(key) > 2 and key[-1] != key[-2] else key + key[-1]


# -- what is accepted ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "example"),
    [
        ("req-send", "api-req-send.json"),
        ("req-edit", "api-req-send.json"),
        ("req-confirm", "webhook-req-confirm.json"),
        ("req-status-change", "api-req-status-change.json"),
        ("req-status-change", "webhook-req-status-change.json"),
    ],
)
def test_every_documented_example_with_conforming_values_is_acknowledged(api, kind, example):
    response = api.post(kind, conforming_request(kind, example))

    assert response.status_code == 200
    assert encoding.loads(response.content) == conventions.success_envelope()


def test_empty_arrays_and_texts_are_accepted(api):
    body = conforming_request("req-send")
    order = body["purchaseOrder"]
    for key in ("addressDetails", "poInfos", "contractReferenceDetails",
                "additionalDocumentDetails", "paymentMilestones"):
        order[key] = []
    order["poValueDetails"]["otherValues"] = []
    line = order["itemLists"][0]
    for key in ("itemValueDetails", "rates", "attributeDetails", "otherTaxes"):
        line[key] = []
    line["barCode"] = ""
    line["batchDetails"] = {"batchNumber": "", "expiryDate": "", "batchWarrantyDate": ""}
    order["deliveryDate"] = ""
    body["additionalInfos"] = [{}, {"name": "Cost centre"}, {"value": "CC-17"}]

    assert api.post("req-send", body).status_code == 200


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("purchaseOrder.itemLists[0].quantity", Decimal("1.125")),
        ("purchaseOrder.itemLists[0].unitPrice", Decimal("10.500")),
        ("purchaseOrder.itemLists[0].gstRate", Decimal("0.25")),
        ("purchaseOrder.ts", "2026-11-23T10:15:00Z"),
        ("purchaseOrder.ts", "2026-11-23T04:45:00.123456+00:00"),
        ("purchaseOrder.itemLists[0].isService", "Y"),
        ("purchaseOrder.buyerDetails.placeOfSupply", "97"),
    ],
)
def test_values_within_the_conventions_are_accepted(api, path, value):
    body = conforming_request("req-send")
    node, key = parent_of(body, path)
    node[key] = value

    assert api.post("req-send", body).status_code == 200


# -- missing, misspelt and unknown fields --------------------------------------------------


@pytest.mark.parametrize(("kind", "path", "pattern", "example"), cases(SHAPED_KINDS))
def test_a_missing_field_is_refused_naming_it(api, kind, path, pattern, example):
    body = conforming_request(kind)
    node, key = parent_of(body, path)
    del node[key]

    response = api.post(kind, body)

    if pattern in OPTIONAL_FIELDS:
        assert response.status_code == 200
    else:
        assert refusal(response) == (400, "INVALID_FIELD", path, f"{path} is required.")


@pytest.mark.parametrize(("kind", "path", "pattern", "example"), cases(SHAPED_KINDS))
def test_a_misspelt_field_is_refused_naming_it(api, kind, path, pattern, example):
    body = conforming_request(kind)
    node, key = parent_of(body, path)
    node[misspell(key)] = node.pop(key)
    misspelt_path = path[: -len(key)] + misspell(key)

    status, code, field, detail = refusal(api.post(kind, body))

    assert (status, code, field) == (400, "INVALID_FIELD", misspelt_path)
    assert detail.startswith(f"{misspelt_path} is not a documented field.")
    if len(key) > 3:
        assert detail.endswith(f"Did you mean {key}?")


@pytest.mark.parametrize(
    "path",
    ["extra", "device.tag.extra", "purchaseOrder.extra", "purchaseOrder.itemLists[0].discount",
     "purchaseOrder.buyerDetails.address.landmark", "additionalInfos[0].note"],
)
def test_an_unknown_field_is_refused(api, path):
    body = conforming_request("req-send")
    node, key = parent_of(body, path)
    node[key] = "x"

    assert refusal(api.post("req-send", body))[:3] == (400, "INVALID_FIELD", path)


def test_supplier_details_take_no_place_of_supply(api):
    body = conforming_request("req-send")
    body["purchaseOrder"]["supplierDetails"]["placeOfSupply"] = "27"

    assert refusal(api.post("req-send", body))[2] == "purchaseOrder.supplierDetails.placeOfSupply"


def test_a_device_is_not_part_of_a_response_webhook_body(api):
    body = conforming_request("req-send")
    body["resp"] = conventions.resp_block(req_msg_id="x")

    assert refusal(api.post("req-send", body))[2] == "resp"


# -- types -------------------------------------------------------------------------------


def wrong_values(example) -> list:
    if isinstance(example, dict):
        return [[], "x", None]
    if isinstance(example, list):
        return [{}, "x", None]
    if isinstance(example, str):
        return [0, None, True]
    return ["0", True, None, [0]]


@pytest.mark.parametrize(("kind", "path", "pattern", "example"), cases(SHAPED_KINDS))
def test_a_value_of_the_wrong_type_is_refused(api, kind, path, pattern, example):
    expected = {dict: "an object", list: "an array", str: "a string"}.get(type(example), "a number")
    for wrong in wrong_values(example):
        body = conforming_request(kind)
        node, key = parent_of(body, path)
        node[key] = wrong

        status, code, field, detail = refusal(api.post(kind, body))

        assert (status, code, field) == (400, "INVALID_FIELD", path), wrong
        assert detail.startswith(f"{path} must be {expected}, not "), detail


@pytest.mark.parametrize("kind", SHAPED_KINDS)
def test_a_body_that_is_not_an_object_is_refused(api, kind):
    assert refusal(api.post(kind, [conforming_request(kind)]))[:3] == (400, "INVALID_FIELD", None)


# -- conventions ----------------------------------------------------------------------------

PO = "purchaseOrder"
LINE = "purchaseOrder.itemLists[0]"


@pytest.mark.parametrize(
    ("kind", "path", "value", "detail"),
    [
        ("req-send", "device.tag.name", "GPS", "must be GEOCODE."),
        ("req-send", "b2bIds.buyerB2BId", "", "must be 1 to 100 characters"),
        ("req-send", "b2bIds.supplierB2BId", 'B2B"1', "must be 1 to 100 characters"),
        ("req-send", f"{PO}.objectId", " ", "must not be empty."),
        ("req-confirm", "poConfirmation.buyerPONumber", "", "must not be empty."),
        ("req-send", f"{PO}.ts", "2026-11-23T10:15:00", "ISO-8601 timestamp with an offset"),
        ("req-send", f"{PO}.ts", "2026-11-23", "ISO-8601 timestamp with an offset"),
        ("req-send", f"{PO}.ts", "1763872500", "ISO-8601 timestamp with an offset"),
        ("req-send", f"{PO}.orderDate", "23-11-2026", "date written YYYY-MM-DD"),
        ("req-send", f"{PO}.orderDate", "2026-02-30", "date written YYYY-MM-DD"),
        ("req-send", f"{PO}.deliveryDate", "2026/12/15", "date written YYYY-MM-DD"),
        ("req-send", f"{LINE}.batchDetails.expiryDate", "31.12.2027", "date written YYYY-MM-DD"),
        ("req-send", f"{PO}.paymentMilestones[0].milestoneDate", "soon", "date written"),
        ("req-send", f"{PO}.contractReferenceDetails[0].receiptAdviceDate", "20/11", "date"),
        ("req-send", f"{PO}.supplierDetails.stateCode", "KA", "two-digit GST state code"),
        ("req-send", f"{PO}.buyerDetails.stateCode", "9", "two-digit GST state code"),
        ("req-send", f"{PO}.buyerDetails.placeOfSupply", "Karnataka", "two-digit GST state code"),
        ("req-send", f"{LINE}.isService", "YES", "must be one of Y, N"),
        ("req-send", f"{LINE}.isService", "n", "must be one of Y, N"),
        ("req-send", f"{PO}.poStatusTransition.currentStatus", "DRAFT", "must be one of CREATED"),
        ("req-send", f"{PO}.poStatusTransition.newStatus", "SENT", "must be one of CREATED"),
        ("req-confirm", "poConfirmation.supplierResponse", "APPROVE", "one of ACCEPT, REJECT"),
        ("req-status-change", "poStatus.buyerAction", "DELETE", "one of CANCEL, FULFILL, CLOSE"),
        ("req-send", f"{PO}.objectVersion.newVersion", Decimal("1.0"), "must be a whole number"),
        ("req-edit", f"{PO}.objectVersion.currentVersion", -1, "must be a whole number"),
        ("req-send", f"{LINE}.unitPrice", Decimal("10.005"), "at most 2 decimal places"),
        ("req-send", f"{LINE}.totalAmt", Decimal("0.001"), "at most 2 decimal places"),
        ("req-send", f"{LINE}.otherTaxes[0].amount", Decimal("1.234"), "at most 2 decimal places"),
        ("req-send", f"{PO}.poValueDetails.totalPOValue", Decimal("99.999"), "at most 2 decimal"),
        ("req-send", f"{PO}.poValueDetails.otherValues[0].value", Decimal("5.125"), "at most 2"),
        ("req-send", f"{PO}.paymentMilestones[0].dueAmount", Decimal("1.111"), "at most 2"),
        ("req-send", f"{PO}.shippingTermsDetails.charges", Decimal("0.005"), "at most 2"),
        ("req-send", f"{LINE}.quantity", Decimal("1.0005"), "at most 3 decimal places"),
        ("req-send", f"{LINE}.freeQuantity", Decimal("0.0001"), "at most 3 decimal places"),
    ],
)
def test_a_value_breaking_a_convention_is_refused(api, kind, path, value, detail):
    body = conforming_request(kind)
    node, key = parent_of(body, path)
    node[key] = value

    status, code, field, message = refusal(api.post(kind, body))

    assert (status, code, field) == (400, "INVALID_FIELD", path)
    assert detail in message


@pytest.mark.parametrize(
    ("kind", "current", "new", "field"),
    [
        ("req-send", 1, 2, "currentVersion"),
        ("req-send", 0, 0, "newVersion"),
        ("req-send", 0, 2, "newVersion"),
        ("req-edit", 0, 1, "currentVersion"),
        ("req-edit", 2, 2, "newVersion"),
        ("req-edit", 2, 4, "newVersion"),
        ("req-confirm", 1, 2, "newVersion"),
        ("req-confirm", 0, 0, "currentVersion"),
        ("req-status-change", 3, 2, "newVersion"),
    ],
)
def test_versions_follow_the_rule_of_their_kind(api, kind, current, new, field):
    body = conforming_request(kind)
    obj = body[{"req-confirm": "poConfirmation", "req-status-change": "poStatus"}.get(kind, PO)]
    obj["objectVersion"] = {"currentVersion": current, "newVersion": new}

    status, code, error_field, _ = refusal(api.post(kind, body))

    assert (status, code) == (400, "INVALID_FIELD")
    assert error_field.endswith(f".objectVersion.{field}")


@pytest.mark.parametrize(
    ("kind", "current", "new", "field"),
    [
        ("req-send", "ACCEPTED", "CREATED", "currentStatus"),
        ("req-edit", "CANCELLED", "CREATED", "currentStatus"),
        ("req-edit", "ACCEPTED", "ACCEPTED", "newStatus"),
        ("req-confirm", "ACCEPTED", "ACCEPTED", "currentStatus"),
        ("req-confirm", "CREATED", "REJECTED", "newStatus"),
        ("req-status-change", "CANCELLED", "CANCELLED", "currentStatus"),
        ("req-status-change", "ACCEPTED", "CLOSED", "newStatus"),
    ],
)
def test_a_transition_outside_the_table_is_refused(api, kind, current, new, field):
    body = conforming_request(kind)
    obj = body[{"req-confirm": "poConfirmation", "req-status-change": "poStatus"}.get(kind, PO)]
    obj["poStatusTransition"] = {"currentStatus": current, "newStatus": new}

    status, code, error_field, _ = refusal(api.post(kind, body))

    assert (status, code) == (422, "TRANSITION_NOT_ALLOWED")
    assert error_field.endswith(f".poStatusTransition.{field}")


@pytest.mark.parametrize(
    ("action", "current", "new"),
    [("ACCEPT", "CREATED", "ACCEPTED"), ("REJECT", "CREATED", "REJECTED")],
)
def test_both_supplier_answers_are_accepted(api, action, current, new):
    body = conforming_request("req-confirm")
    body["poConfirmation"]["supplierResponse"] = action
    body["poConfirmation"]["poStatusTransition"] = {"currentStatus": current, "newStatus": new}

    assert api.post("req-confirm", body).status_code == 200


@pytest.mark.parametrize(
    ("action", "current", "new"),
    [
        ("CANCEL", "CREATED", "CANCELLED"),
        ("CANCEL", "REJECTED", "CANCELLED"),
        ("FULFILL", "ACCEPTED", "FULFILLED"),
        ("CLOSE", "FULFILLED", "CLOSED"),
    ],
)
def test_every_buyer_action_in_the_table_is_accepted(api, action, current, new):
    body = conforming_request("req-status-change")
    body["poStatus"]["buyerAction"] = action
    body["poStatus"]["poStatusTransition"] = {"currentStatus": current, "newStatus": new}

    assert api.post("req-status-change", body).status_code == 200


# -- headers and framing -------------------------------------------------------------------


def test_the_req_msg_id_header_is_required(api):
    response = api.post(
        "req-send", conforming_request("req-send"), headers={conventions.REQ_MSG_ID_HEADER: ""}
    )

    body = encoding.loads(response.content)
    assert response.status_code == 400
    assert body["payload"]["resp"]["errorField"] == "X-Req-Msg-Id"
    assert body["payload"]["resp"]["errorDtl"] == "The X-Req-Msg-Id header is required."


def test_a_body_that_is_not_json_is_refused(api):
    status, code, field, detail = refusal(api.post("req-send", b'{"device": NaN}'))

    assert (status, code, field) == (400, "INVALID_FIELD", None)
    assert detail.startswith("The body is not JSON")


def test_a_body_not_sent_as_json_is_refused(api):
    response = api.post(
        "req-send", conforming_request("req-send"), headers={"Content-Type": "text/plain"}
    )

    assert refusal(response)[:3] == (400, "UNSUPPORTED_MEDIA_TYPE", "Content-Type")


def test_a_trailing_slash_reaches_the_same_api(api):
    response = api.post("req-send/", conforming_request("req-send"))

    assert response.status_code == 200


def test_the_shapes_are_the_documented_examples_unchanged():
    for kind in KINDS:
        shape = load_shape(kind)
        assert shape == encoding.loads(
            (settings.BASE_DIR / "tests" / "fixtures" / "enkash" / {
                "req-send": "api-req-send.json",
                "req-edit": "api-req-send.json",
                "req-confirm": "webhook-req-confirm.json",
                "req-status-change": "api-req-status-change.json",
            }[kind]).read_text()
        )
    assert copy.deepcopy(load_shape("req-send")) == load_shape("req-edit")
