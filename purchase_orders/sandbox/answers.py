"""Check every answer the portal gives a webhook against the shapes EnKash documents.

The shapes are the spec's own examples (SPEC §2.2), read here and not from
the portal's code, so that a portal building its answers wrongly is caught:

- a request webhook (``req-*``) is answered ``{response_code, response_message,
  payload}`` with the payload ``{b2bIds, resp, <object>, additionalInfos}`` of
  the documented answers of req-confirm (W3) and req-status-change (W7); the
  send and the edit, whose answers are not documented, by analogy: req-confirm's
  answer with the send API's ``purchaseOrder`` (A1) for ``poConfirmation``;
- a response webhook (``resp-*``), and the answer to a supplier search
  (``respSearchEntity``, whose answer EnKash does not document), are answered
  ``{payload, response_code, response_message}`` with a string payload (W2),
  refused or not.

On top of the shape: response_code is a whole number, non-zero on a refusal
and on any HTTP status other than 2xx; resp says SUCCESS with blank errors
exactly when response_code is 0, and FAILURE with an errorCd otherwise; a
request's answer names the delivery's reqMsgId and echoes the b2bIds and
business object delivered (the sandbox only delivers conforming bodies); a
response's SUCCESS is the documented answer itself.
"""

import copy
import functools

from purchase_orders.enkash import conventions, kinds

from .validation import Invalid, check_shape, documented, load_shape

ANSWER_EXAMPLES = {
    "req-confirm": "webhook-req-confirm.response.json",
    "req-status-change": "webhook-req-status-change.response.json",
}
RESPONSE_ANSWER_EXAMPLE = "webhook-resp-send.response.json"
# The documented answer the undocumented request kinds' answers follow.
MODEL_KIND = "req-confirm"
# The webhooks answered with the plain envelope of W2.
PLAIN_KINDS = kinds.RESPONSE_KINDS + kinds.ONBOARDING_WEBHOOK_KINDS


@functools.cache
def answer_shape(kind: str) -> dict:
    """Return the documented shape of the whole answer to a webhook of ``kind``."""
    if kind in PLAIN_KINDS:
        return documented(RESPONSE_ANSWER_EXAMPLE)
    if kind in ANSWER_EXAMPLES:
        return documented(ANSWER_EXAMPLES[kind])
    if kind not in kinds.REQUEST_KINDS:
        raise ValueError(f"unknown webhook kind {kind!r}")
    shape = copy.deepcopy(documented(ANSWER_EXAMPLES[MODEL_KIND]))
    model_key, key = kinds.object_key(MODEL_KIND), kinds.object_key(kind)
    shape["payload"] = {
        (key if name == model_key else name): (
            load_shape(kind)[key] if name == model_key else sub_shape
        )
        for name, sub_shape in shape["payload"].items()
    }
    return shape


def answer_drift(kind: str, status: int, answer, *, req_msg_id: str = "", body=None) -> str:
    """Return how an answer to a webhook departs from the documented shapes; "" if it does not.

    ``answer`` is the parsed answer (text when it was not JSON); ``req_msg_id``
    and ``body`` are what was delivered, when known.
    """
    try:
        _check(kind, status, answer, req_msg_id=req_msg_id, body=body)
    except Invalid as drift:
        return drift.detail
    return ""


def _check(kind: str, status: int, answer, *, req_msg_id: str, body) -> None:
    if not isinstance(answer, dict):
        raise Invalid("", f"The answer (HTTP {status}) is not a JSON object: {answer!r:.200}")
    check_shape(answer, answer_shape(kind), path="", pattern="")
    code = answer["response_code"]
    # check_shape took it for a number (never a boolean); 0.0 or 1E2 is not whole.
    if not isinstance(code, int):
        raise Invalid("response_code", f"response_code must be a whole number, not {code}.")
    succeeded = code == conventions.RESPONSE_CODE_SUCCESS
    if succeeded and not 200 <= status < 300:
        raise Invalid("response_code", f"HTTP {status} answered with response_code 0.")
    if kind in PLAIN_KINDS:
        if succeeded and answer != documented(RESPONSE_ANSWER_EXAMPLE):
            raise Invalid("payload", f"response_code 0 must be the documented SUCCESS: {answer}.")
        if not succeeded and answer["payload"] == conventions.RESULT_SUCCESS:
            raise Invalid("payload", f"response_code {code} answered with payload SUCCESS.")
        return
    _check_resp(answer["payload"]["resp"], succeeded=succeeded, code=code)
    if req_msg_id and answer["payload"]["resp"]["reqMsgId"] != req_msg_id:
        raise Invalid(
            "payload.resp.reqMsgId",
            f"payload.resp.reqMsgId must be the delivery's {req_msg_id!r}, "
            f"not {answer['payload']['resp']['reqMsgId']!r}.",
        )
    if isinstance(body, dict):
        for key in ("b2bIds", kinds.object_key(kind), "additionalInfos"):
            if answer["payload"][key] != body.get(key):
                raise Invalid(f"payload.{key}", f"payload.{key} must echo the delivered {key}.")


def _check_resp(resp: dict, *, succeeded: bool, code: int) -> None:
    errors = {key: resp[key] for key in ("errorCd", "errorDtl", "errorField")}
    if succeeded:
        if resp["result"] != conventions.RESULT_SUCCESS:
            raise Invalid("payload.resp.result", "response_code 0 needs resp.result SUCCESS.")
        for key, value in errors.items():
            if value:
                raise Invalid(
                    f"payload.resp.{key}", f"A SUCCESS must leave resp.{key} blank, not {value!r}."
                )
        return
    if resp["result"] != conventions.RESULT_FAILURE:
        raise Invalid("payload.resp.result", f"response_code {code} needs resp.result FAILURE.")
    if not errors["errorCd"]:
        raise Invalid("payload.resp.errorCd", f"response_code {code} needs an errorCd.")
