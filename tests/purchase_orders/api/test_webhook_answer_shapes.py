"""Every answer to a webhook, over real HTTP, has exactly its documented shape (SPEC §2.2).

Each answer is checked by the sandbox's own checker (``sandbox.answers``),
which reads the shapes from the spec's examples, and its values asserted here.
"""

import copy
import uuid

import pytest
import requests
from django.conf import settings

from purchase_orders.enkash import conventions, encoding, kinds, signing
from purchase_orders.models import InboundEvent
from purchase_orders.sandbox.answers import answer_drift
from purchase_orders.services import inbound
from tests.plugins.webhooks import as_bytes, confirm_body, webhook_url

pytestmark = pytest.mark.django_db(transaction=True)

BLANK_B2B_IDS = {"buyerB2BId": "", "supplierB2BId": ""}


def deliver(
    live_server,
    kind: str,
    body,
    *,
    method: str = "POST",
    signed: bool = True,
    content_type: str = "application/json",
    msg_id: str | None = None,
) -> requests.Response:
    """Deliver a webhook to the live portal as the network does, signed unless asked not to."""
    raw = as_bytes(body)
    headers = {"Content-Type": content_type, conventions.REQ_MSG_ID_HEADER: "req-1"}
    if signed:
        headers |= signing.signature_headers(
            secret=settings.ENKASH_WEBHOOK_SECRET,
            msg_id=msg_id or f"msg_{uuid.uuid4().hex}",
            body=raw,
        )
    return requests.request(
        method, live_server.url + webhook_url(kind), data=raw, headers=headers, timeout=10
    )


def shaped_answer(response: requests.Response, kind: str) -> dict:
    """Return the answer's JSON after checking it against the documented shapes."""
    assert response.headers["Content-Type"] == "application/json"
    body = encoding.loads(response.content)
    assert answer_drift(kind, response.status_code, body) == ""
    return body


def assert_refused_in_full(body: dict, kind: str, *, error_code: str, response_code: int) -> dict:
    """Assert a refused request's answer carries the whole documented payload; return it."""
    assert body["response_code"] == response_code
    payload = body["payload"]
    key = kinds.object_key(kind)
    assert list(payload) == ["b2bIds", "resp", key, "additionalInfos"]
    assert (payload["resp"]["result"], payload["resp"]["errorCd"]) == ("FAILURE", error_code)
    assert isinstance(payload["resp"]["errorField"], str)
    return payload


# -- 1. a refused request answers b2bIds, the business object, additionalInfos and resp ----------


@pytest.mark.parametrize("kind", kinds.REQUEST_KINDS)
def test_a_request_refused_before_it_is_read_answers_the_whole_payload_in_blanks(
    live_server, settings, kind
):
    body = {"b2bIds": {"buyerB2BId": "B2B1", "supplierB2BId": "B2B2"}}
    settings.ENKASH_WEBHOOK_MAX_BODY_BYTES = 4096
    refusals = [
        (deliver(live_server, kind, body, signed=False), 401, "UNAUTHENTICATED"),
        (deliver(live_server, kind, body, method="GET"), 405, "METHOD_NOT_ALLOWED"),
        (deliver(live_server, kind, b" " * 5000), 413, "BODY_TOO_LARGE"),
        (
            deliver(live_server, kind, body, content_type="text/plain"),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
    ]

    for response, status, error_code in refusals:
        assert response.status_code == status, error_code
        answered = shaped_answer(response, kind)
        response_code = 401 if status == 401 else conventions.RESPONSE_CODE_INVALID
        payload = assert_refused_in_full(
            answered, kind, error_code=error_code, response_code=response_code
        )
        # Not read, so nothing of the body is echoed.
        assert payload["b2bIds"] == BLANK_B2B_IDS
        assert payload["additionalInfos"] == []
        assert payload[kinds.object_key(kind)]["objectVersion"] == {
            "currentVersion": 0,
            "newVersion": 0,
        }


@pytest.mark.parametrize("kind", kinds.REQUEST_KINDS)
@pytest.mark.parametrize("raw", [b'{"device": ', b"[1, 2]", b"{}"])
def test_a_request_that_is_not_its_kinds_body_answers_the_whole_payload(live_server, kind, raw):
    response = deliver(live_server, kind, raw)

    assert response.status_code == 400
    payload = assert_refused_in_full(
        shaped_answer(response, kind),
        kind,
        error_code="INVALID_FIELD",
        response_code=conventions.RESPONSE_CODE_INVALID,
    )
    assert payload["b2bIds"] == BLANK_B2B_IDS
    assert InboundEvent.objects.get().state == "invalid"


def test_an_invalid_request_echoes_what_has_the_documented_type(live_server, request_body):
    sent = request_body("req-send")
    body = copy.deepcopy(sent)
    line = body["purchaseOrder"]["itemLists"][0]
    line["quantity"] = "10"
    line["unit"] = 7
    body["purchaseOrder"]["shippingTermsDetails"] = "by road"
    body["purchaseOrder"]["poInfos"] = {"not": "an array"}
    body["purchaseOrder"]["courier"] = "extra"
    body["additionalInfos"] = [{"name": "channel"}]

    response = deliver(live_server, "req-send", body)

    assert response.status_code == 400
    payload = assert_refused_in_full(
        shaped_answer(response, "req-send"),
        "req-send",
        error_code="INVALID_FIELD",
        response_code=conventions.RESPONSE_CODE_INVALID,
    )
    assert payload["resp"]["reqMsgId"] == "req-1"
    assert payload["b2bIds"] == sent["b2bIds"]
    echoed = payload["purchaseOrder"]
    assert (echoed["objectId"], echoed["subject"]) == (
        sent["purchaseOrder"]["objectId"],
        sent["purchaseOrder"]["subject"],
    )
    assert echoed["itemLists"][0]["quantity"] == 0
    assert echoed["itemLists"][0]["unit"] == ""
    assert echoed["itemLists"][0]["unitPrice"] == line["unitPrice"]
    assert echoed["shippingTermsDetails"] == {"terms": "", "bearingParty": "", "charges": 0}
    assert echoed["poInfos"] == []
    assert "courier" not in echoed
    assert payload["additionalInfos"] == [{"name": "channel", "value": ""}]


# -- 2. a success answers "" where there is no error ----------------------------------------------


def test_an_applied_request_answers_blank_strings_for_its_errors(live_server, trading_pair):
    purchase_order = trading_pair.purchase_order(sent=True)
    sent = confirm_body(purchase_order, "ACCEPT")

    response = deliver(live_server, "req-confirm", sent)

    assert response.status_code == 200
    answered = shaped_answer(response, "req-confirm")
    assert answer_drift("req-confirm", 200, answered, req_msg_id="req-1", body=sent) == ""
    assert (answered["response_code"], answered["response_message"]) == (0, "SUCCESS")
    assert answered["payload"]["resp"] == {
        "reqMsgId": "req-1",
        "result": "SUCCESS",
        "errorCd": "",
        "errorDtl": "",
        "errorField": "",
    }


# -- 3. a refused response keeps its string payload -----------------------------------------------


@pytest.mark.parametrize("kind", kinds.RESPONSE_KINDS)
def test_a_refused_response_keeps_the_string_payload_and_names_the_error(live_server, kind):
    response = deliver(live_server, kind, b"{}")

    assert response.status_code == 400
    answered = shaped_answer(response, kind)
    assert answered == {
        "payload": "FAILURE",
        "response_code": conventions.RESPONSE_CODE_INVALID,
        "response_message": "INVALID_FIELD at b2bIds: b2bIds: This field is required.",
    }
    assert conventions.envelope_error(answered) == (
        "INVALID_FIELD",
        "b2bIds: This field is required.",
        "b2bIds",
    )


def test_a_response_to_nothing_sent_is_refused_with_a_string_payload(live_server, example):
    response = deliver(live_server, "resp-send", example("webhook-resp-send.json"))

    answered = shaped_answer(response, "resp-send")
    assert answered["payload"] == "FAILURE"
    assert answered["response_code"] != 0
    code, detail, field = conventions.envelope_error(answered)
    event = InboundEvent.objects.get()
    assert (code, detail, field) == (event.error_code, event.error_detail, event.error_field)
    assert answered["response_message"].startswith(f"{code} at {field}: ")


@pytest.mark.parametrize("kind", ["resp-send", "req-confirm"])
def test_a_repeat_gets_the_stored_answer_byte_for_byte(live_server, kind):
    first = deliver(live_server, kind, b"{}", msg_id="msg_repeat")
    again = deliver(live_server, kind, b"{}", msg_id="msg_repeat")

    assert (first.status_code, again.status_code) == (400, 400)
    assert again.content == first.content
    assert InboundEvent.objects.get().response_body.encode() == first.content


@pytest.mark.parametrize("kind", ["req-confirm", "resp-send"])
def test_a_fault_of_the_portals_own_is_answered_in_the_documented_shape(
    live_server, monkeypatch, example, kind
):
    def broken(**kwargs):
        raise RuntimeError("a bug in the portal")

    monkeypatch.setitem(inbound.INBOUND_HANDLERS, kind, broken)

    response = deliver(live_server, kind, example(f"webhook-{kind}.json"))

    assert response.status_code == 500
    answered = shaped_answer(response, kind)
    assert answered["response_code"] == conventions.RESPONSE_CODE_ERROR
    assert conventions.envelope_error(answered)[0] == conventions.ERROR_INTERNAL
    if kind in kinds.REQUEST_KINDS:
        assert answered["payload"]["b2bIds"] == example(f"webhook-{kind}.json")["b2bIds"]
