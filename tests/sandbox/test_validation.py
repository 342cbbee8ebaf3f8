"""The sandbox checks every request strictly: documented shape, types and framing.

The conventions and the version and status rules are in test_validation_conventions.py.
"""

import copy

import pytest

from purchase_orders.enkash import conventions, encoding, kinds
from purchase_orders.sandbox.validation import OPTIONAL_FIELDS, load_shape
from tests.conftest import load_example
from tests.plugins.sandbox import conforming_request
from tests.sandbox.conftest import parent_of, refusal

pytestmark = pytest.mark.sandbox

KINDS = kinds.REQUEST_KINDS


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
    assert refusal(api.post(kind, [conforming_request(kind)]))[:3] == (400, "INVALID_FIELD", "")


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

    assert (status, code, field) == (400, "INVALID_FIELD", "")
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
        assert shape == load_example(
            {
                "req-send": "api-req-send.json",
                "req-edit": "api-req-send.json",
                "req-confirm": "webhook-req-confirm.json",
                "req-status-change": "api-req-status-change.json",
            }[kind]
        )
    assert copy.deepcopy(load_shape("req-send")) == load_shape("req-edit")
