"""answers: a webhook's answer in the documented shapes; the envelope's error read back."""

from decimal import Decimal

import pytest

from purchase_orders.enkash import answers, conventions, kinds
from purchase_orders.sandbox.answers import answer_drift

REFUSED = {"error_code": "STALE_VERSION", "error_detail": "Behind.", "error_field": "x.y"}


def test_the_documented_answers_are_the_shapes_of_their_kinds(example):
    for kind in ("req-confirm", "req-status-change"):
        documented = example(f"webhook-{kind}.response.json")["payload"]
        assert answers.payload_shape(kind) == documented


@pytest.mark.parametrize("kind", ["req-send", "req-edit"])
def test_a_purchase_order_is_answered_as_a_confirmation_is_with_the_send_apis_object(example, kind):
    shape = answers.payload_shape(kind)

    assert list(shape) == ["b2bIds", "resp", "purchaseOrder", "additionalInfos"]
    assert shape["purchaseOrder"] == example("api-req-send.json")["purchaseOrder"]
    documented = example("webhook-req-confirm.response.json")["payload"]
    assert (shape["b2bIds"], shape["resp"], shape["additionalInfos"]) == (
        documented["b2bIds"],
        documented["resp"],
        documented["additionalInfos"],
    )


def test_values_of_the_documented_type_are_echoed_and_the_rest_are_blanks():
    shape = {"text": "string", "amount": 0, "lines": [{"name": "string", "rate": 0}], "inner": {}}
    value = {
        "text": 12,
        "amount": Decimal("2.50"),
        "lines": [{"name": "a", "rate": True, "extra": 1}, "not an object"],
        "inner": None,
        "unknown": "dropped",
    }

    assert answers.shaped(value, shape) == {
        "text": "",
        "amount": Decimal("2.50"),
        "lines": [{"name": "a", "rate": 0}, {"name": "", "rate": 0}],
        "inner": {},
    }
    assert answers.shaped("not a body", shape) == {
        "text": "",
        "amount": 0,
        "lines": [],
        "inner": {},
    }


@pytest.mark.parametrize("kind", kinds.REQUEST_KINDS)
def test_a_request_refused_unread_has_the_whole_payload_in_blanks(example, kind):
    answer = answers.webhook_answer(kind, req_msg_id="", **REFUSED)

    shape = answers.payload_shape(kind)
    key = kinds.object_key(kind)
    assert list(answer["payload"]) == list(shape)
    assert answer["payload"][key].keys() == shape[key].keys()
    assert answer["payload"]["additionalInfos"] == []
    assert answer_drift(kind, 400, answer) == ""
    assert answer["payload"]["resp"] == {
        "reqMsgId": "",
        "result": "FAILURE",
        "errorCd": "STALE_VERSION",
        "errorDtl": "Behind.",
        "errorField": "x.y",
    }
    assert answer["payload"]["b2bIds"] == {"buyerB2BId": "", "supplierB2BId": ""}


def test_a_success_leaves_the_errors_blank_strings():
    answer = answers.webhook_answer("req-confirm", req_msg_id="req-1")

    assert answer["response_code"] == 0
    assert answer["payload"]["resp"] == {
        "reqMsgId": "req-1",
        "result": "SUCCESS",
        "errorCd": "",
        "errorDtl": "",
        "errorField": "",
    }


@pytest.mark.parametrize("kind", kinds.RESPONSE_KINDS)
def test_a_response_refused_keeps_its_string_payload_and_names_the_error(example, kind):
    answer = answers.webhook_answer(kind, req_msg_id="req-1", body={"resp": {}}, **REFUSED)

    assert answer == {
        "payload": "FAILURE",
        "response_code": 422,
        "response_message": "STALE_VERSION at x.y: Behind.",
    }
    assert answers.webhook_answer(kind, req_msg_id="req-1") == example(
        "webhook-resp-send.response.json"
    )


@pytest.mark.parametrize(
    ("envelope", "error"),
    [
        (
            conventions.response_refusal_envelope(
                error_code="INVALID_FIELD",
                error_detail="resp.result: This field is required.",
                error_field="resp.result",
            ),
            ("INVALID_FIELD", "resp.result: This field is required.", "resp.result"),
        ),
        (
            conventions.response_refusal_envelope(
                error_code="INTERNAL_ERROR", error_detail="Oops."
            ),
            ("INTERNAL_ERROR", "Oops.", ""),
        ),
        (
            conventions.refusal_envelope(
                req_msg_id="r", error_code="PARTY_NOT_FOUND", error_detail="No.", error_field="b"
            ),
            ("PARTY_NOT_FOUND", "No.", "b"),
        ),
        ({"response_code": 500, "response_message": "Down"}, ("", "Down", "")),
        ("not an envelope", ("", "", "")),
    ],
)
def test_the_error_is_read_back_from_either_shape(envelope, error):
    assert conventions.envelope_error(envelope) == error
