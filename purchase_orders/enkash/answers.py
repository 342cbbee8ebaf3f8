"""What the portal answers a webhook delivery, in the shapes EnKash documents (SPEC §2.2).

A request webhook (``req-*``) is answered with the rich envelope whose
payload holds ``b2bIds``, ``resp``, the business object and
``additionalInfos`` (W3, W7), applied or refused alike: the network reads
the same keys either way. Its shape is the documented answer's
(``kinds.MessageKind.answer_example``); the send and the edit have none,
so theirs is the confirmation's with the purchase order of the send API's
body (A1) in place of ``poConfirmation``. Every value is echoed from the
delivered body where the body has it with the documented type, and is a
blank of that type elsewhere (a body that was not JSON, or not read at all).

A response webhook (``resp-*``) is answered with the plain envelope whose
payload is a string (W2), refused or not (``conventions.response_refusal_envelope``).
"""

import functools
import json
from decimal import Decimal
from importlib import resources

from purchase_orders import enkash

from . import conventions
from .kinds import KINDS

# The documented answer the undocumented request kinds' answers follow.
MODEL_ANSWER_KIND = "req-confirm"


@functools.cache
def documented(name: str) -> dict:
    """Return one of the network's documented example bodies (``enkash/examples``)."""
    return json.loads(resources.files(enkash).joinpath("examples", name).read_text())


@functools.cache
def payload_shape(kind: str) -> dict:
    """Return the documented shape of a request kind's answer payload."""
    message_kind = KINDS[kind]
    if not message_kind.is_request:
        raise ValueError(f"{kind} is answered with a string payload, not an object")
    if message_kind.answer_example:
        return documented(message_kind.answer_example)["payload"]
    model = payload_shape(MODEL_ANSWER_KIND)
    key = message_kind.object_key
    business_object = documented(message_kind.request_example)[key]
    model_key = KINDS[MODEL_ANSWER_KIND].object_key
    return {
        (key if name == model_key else name): (business_object if name == model_key else shape)
        for name, shape in model.items()
    }


def _is_number(value) -> bool:
    # JSON has no booleans among its numbers; Python counts True as 1.
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def shaped(value, shape):
    """Return ``value`` in ``shape``: kept where it has the documented type, blank elsewhere.

    Objects get exactly the shape's keys, arrays follow the shape's first
    entry, strings and numbers stay as they are; anything else becomes "",
    0, [] or an object of blanks.
    """
    if isinstance(shape, dict):
        source = value if isinstance(value, dict) else {}
        return {key: shaped(source.get(key), sub_shape) for key, sub_shape in shape.items()}
    if isinstance(shape, list):
        return [shaped(item, shape[0]) for item in value] if isinstance(value, list) else []
    if isinstance(shape, str):
        return value if isinstance(value, str) else ""
    return value if _is_number(value) else 0


def webhook_answer(
    kind: str,
    *,
    req_msg_id: str,
    body=None,
    error_code: str = "",
    error_detail: str = "",
    error_field: str = "",
    response_code: int = conventions.RESPONSE_CODE_REFUSED,
) -> dict:
    """Return the answer to a delivery of ``kind``: SUCCESS without ``error_code``, else refused.

    ``body`` is the delivery's parsed body, or None when it was not read;
    only a request webhook's answer echoes it.
    """
    if not KINDS[kind].is_request:
        if not error_code:
            return conventions.success_envelope()
        return conventions.response_refusal_envelope(
            error_code=error_code,
            error_detail=error_detail,
            error_field=error_field,
            response_code=response_code,
        )
    payload = shaped(body, payload_shape(kind))
    if not error_code:
        return conventions.request_webhook_envelope(req_msg_id=req_msg_id, payload=payload)
    return conventions.refusal_envelope(
        req_msg_id=req_msg_id,
        error_code=error_code,
        error_detail=error_detail,
        error_field=error_field,
        response_code=response_code,
        payload=payload,
    )
