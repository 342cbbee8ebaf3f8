"""The sandbox checks every answer to a webhook against the documented shapes, and records drift."""

import copy

import pytest
import requests

from purchase_orders.enkash import answers, conventions, kinds
from purchase_orders.sandbox.answers import answer_drift, answer_shape
from tests.plugins.sandbox import answer_as_the_portal_does, fail_on_drifted_answers
from tests.sandbox import test_webhooks
from tests.sandbox.test_webhooks import post

# The sandbox delivering to a stand-in for the portal, as the delivery tests use it.
start_sandbox = test_webhooks.start_sandbox
network = test_webhooks.network

pytestmark = pytest.mark.sandbox

REFUSED = {"error_code": "STALE_VERSION", "error_detail": "Behind.", "error_field": "x.y"}


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("req-confirm", "webhook-req-confirm.response.json"),
        ("req-status-change", "webhook-req-status-change.response.json"),
        ("resp-send", "webhook-resp-send.response.json"),
        ("resp-status-change", "webhook-resp-send.response.json"),
    ],
)
def test_the_documented_answers_have_their_shapes(example, kind, name):
    answer = example(name)
    if kind in kinds.REQUEST_KINDS:
        answer["payload"]["resp"].update(result="SUCCESS", errorCd="", errorDtl="", errorField="")

    assert answer_drift(kind, 200, answer) == ""


def test_a_send_is_answered_with_the_send_apis_purchase_order(example):
    payload = answer_shape("req-send")["payload"]

    assert list(payload) == ["b2bIds", "resp", "purchaseOrder", "additionalInfos"]
    assert payload["purchaseOrder"] == example("api-req-send.json")["purchaseOrder"]
    assert answer_shape("req-edit") == answer_shape("req-send")


@pytest.mark.parametrize("kind", kinds.WEBHOOK_KINDS)
def test_the_portals_answers_have_their_shapes(kind):
    body = {"b2bIds": {"buyerB2BId": "B1", "supplierB2BId": "S1"}}

    assert answer_drift(kind, 200, answers.webhook_answer(kind, req_msg_id="r", body=body)) == ""
    refused = answers.webhook_answer(kind, req_msg_id="r", body=body, **REFUSED)
    assert answer_drift(kind, 200, refused) == ""
    assert answer_drift(kind, 400, refused) == ""


def _resp_alone() -> dict:
    return conventions.refusal_envelope(req_msg_id="r", **REFUSED)


def _success_with_nulls() -> dict:
    answer = answers.webhook_answer("req-confirm", req_msg_id="r")
    answer["payload"]["resp"].update(errorCd=None, errorDtl=None, errorField=None)
    return answer


def _with(kind: str, change, **error) -> dict:
    answer = copy.deepcopy(answers.webhook_answer(kind, req_msg_id="r", **error))
    change(answer)
    return answer


DRIFTS = [
    ("req-confirm", 400, _resp_alone(), "payload.b2bIds is required."),
    ("req-confirm", 200, _success_with_nulls(), "payload.resp.errorCd must be a string, not null."),
    (
        "resp-send",
        422,
        conventions.refusal_envelope(req_msg_id="r", **REFUSED),
        "payload must be a string, not an object.",
    ),
    ("resp-send", 500, "Internal Server Error", "is not a JSON object"),
    ("resp-send", 200, {"response_code": 0, "response_message": "OK"}, "payload is required."),
    (
        "resp-send",
        200,
        {"payload": "SUCCESS", "response_code": 0, "response_message": "OK"},
        "response_code 0 must be the documented SUCCESS",
    ),
    (
        "resp-edit",
        200,
        {"payload": "SUCCESS", "response_code": 422, "response_message": "No."},
        "response_code 422 answered with payload SUCCESS.",
    ),
    (
        "resp-confirm",
        500,
        conventions.success_envelope(),
        "HTTP 500 answered with response_code 0.",
    ),
    (
        "req-send",
        200,
        _with("req-send", lambda answer: answer.update(response_code="0")),
        "response_code must be a number, not a string.",
    ),
    (
        "req-edit",
        200,
        _with("req-edit", lambda answer: answer.update(response_code=0.0)),
        "response_code must be a whole number, not 0.0.",
    ),
    (
        "req-status-change",
        200,
        _with("req-status-change", lambda answer: answer.update(response_code=422)),
        "response_code 422 needs resp.result FAILURE.",
    ),
    (
        "req-status-change",
        200,
        _with("req-status-change", lambda answer: answer.update(response_code=0), **REFUSED),
        "response_code 0 needs resp.result SUCCESS.",
    ),
    (
        "req-confirm",
        200,
        _with("req-confirm", lambda answer: answer["payload"]["poConfirmation"].pop("objectId")),
        "payload.poConfirmation.objectId is required.",
    ),
    (
        "req-confirm",
        200,
        _with("req-confirm", lambda answer: answer["payload"].update(device={})),
        "payload.device is not a documented field.",
    ),
]


@pytest.mark.parametrize(("kind", "status", "answer", "drift"), DRIFTS)
def test_an_answer_out_of_its_shape_is_caught(kind, status, answer, drift):
    assert drift in answer_drift(kind, status, answer)


def test_a_refusal_without_an_error_code_is_caught():
    answer = answers.webhook_answer("req-confirm", req_msg_id="r", **REFUSED)
    answer["payload"]["resp"]["errorCd"] = ""

    assert answer_drift("req-confirm", 200, answer) == "response_code 422 needs an errorCd."


def test_a_request_answer_names_the_delivery_and_echoes_its_body(request_body):
    body = request_body("req-confirm")
    answer = answers.webhook_answer("req-confirm", req_msg_id="req-1", body=body)

    assert answer_drift("req-confirm", 200, answer, req_msg_id="req-1", body=body) == ""
    assert answer_drift("req-confirm", 200, answer, req_msg_id="req-2", body=body) == (
        "payload.resp.reqMsgId must be the delivery's 'req-2', not 'req-1'."
    )
    other = copy.deepcopy(body)
    other["poConfirmation"]["supplierRemarks"] = "Something else."
    assert answer_drift("req-confirm", 200, answer, req_msg_id="req-1", body=other) == (
        "payload.poConfirmation must echo the delivered poConfirmation."
    )


# -- over HTTP: a counterparty answering out of shape ---------------------------------------


def test_a_drifted_answer_is_recorded_and_shown_by_the_control_api(network, webhook_receiver):
    def answer_with_resp_alone(kind, headers, raw):
        if kind == "req-send":
            # The shape the portal used to refuse with: payload.resp and nothing else.
            return 400, conventions.refusal_envelope(
                req_msg_id=headers[conventions.REQ_MSG_ID_HEADER], **REFUSED
            )
        return answer_as_the_portal_does(kind, headers, raw)

    webhook_receiver.answer = answer_with_resp_alone
    post("req-send", "req-1")
    request, response = network.wait_for_deliveries(2)

    assert request["drifts"] == [
        {
            "attempt": 1,
            "status": 400,
            "answer": request["answer"],
            "drift": "payload.b2bIds is required.",
        }
    ]
    assert response["drifts"] == []
    assert network.drifted == [request]
    shown = requests.get(network.url + "/_sandbox/drifted", timeout=10).json()
    assert [(entry["kind"], entry["drifts"][0]["drift"]) for entry in shown] == [
        ("req-send", "payload.b2bIds is required.")
    ]
    network.reset()
    assert network.delivered == [] and len(network.drifted) == 1
    with pytest.raises(pytest.fail.Exception, match=r"req-send \(HTTP 400\): payload.b2bIds"):
        fail_on_drifted_answers(network)


def test_every_attempt_is_checked_even_when_a_retry_succeeds(network, webhook_receiver):
    failures = {"left": 1}

    def fail_once_out_of_shape(kind, headers, raw):
        if kind == "resp-send" and failures["left"]:
            failures["left"] -= 1
            return 500, {"response_code": 500, "response_message": "Try again"}
        return answer_as_the_portal_does(kind, headers, raw)

    webhook_receiver.answer = fail_once_out_of_shape
    post("req-send", "req-1")
    request, response = network.wait_for_deliveries(2)

    assert (response["outcome"], response["attempts"]) == ("delivered", 2)
    assert [(drift["attempt"], drift["drift"]) for drift in response["drifts"]] == [
        (1, "payload is required.")
    ]


def test_answers_in_the_documented_shapes_record_no_drift(network, webhook_receiver):
    for kind in kinds.REQUEST_KINDS:
        post(kind, f"req-{kind}")
    network.wait_for_deliveries(8)

    assert network.drifted == []
    fail_on_drifted_answers(network)
