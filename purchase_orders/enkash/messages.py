"""Read a delivered webhook's body into a typed ``ReceivedMessage``; name its parts.

The body has been validated by its kind's serializer. This module is the
one place that knows where a body keeps its parties' B2B IDs, its object's
identity, version and status move, its action and remarks, and the
network's verdict; the inbound services read the typed message.
"""

from purchase_orders.contents import FieldPath
from purchase_orders.received import ReceivedMessage, ReceivedSearchAnswer, Verdict

from . import conventions, paths, payloads, searches
from .kinds import BUSINESS_ONBOARDING, KINDS, object_key

# The message's own parts, as a refusal names them; the rest are its
# purchase order's (``paths.error_field``).
B2B_ID_KEYS = {"buyer": "b2bIds.buyerB2BId", "supplier": "b2bIds.supplierB2BId"}
REQ_MSG_ID_FIELD = "resp.reqMsgId"


def parse_message(kind: str, data: dict) -> ReceivedMessage | ReceivedSearchAnswer:
    """Return the typed message of a validated body of a kind.

    A supplier search's answer carries no purchase order: it is a
    ``ReceivedSearchAnswer`` (``searches``).
    """
    message_kind = KINDS[kind]
    if message_kind.group == BUSINESS_ONBOARDING:
        return searches.parse_search_answer(kind, data)
    body = data[message_kind.object_key]
    previous_version, version = payloads.parse_version(body)
    previous_status, status = payloads.parse_transition(body)
    contents, contents_error = None, ""
    if message_kind.is_request and message_kind.object_key == "purchaseOrder":
        try:
            contents = payloads.parse_purchase_order(body, data["additionalInfos"])
        except ValueError as error:
            contents_error = str(error)
    return ReceivedMessage(
        kind=kind,
        buyer_b2b_id=data["b2bIds"]["buyerB2BId"],
        supplier_b2b_id=data["b2bIds"]["supplierB2BId"],
        object_id=body["objectId"],
        buyer_po_number=body["buyerPONumber"],
        previous_version=previous_version,
        version=version,
        previous_status=previous_status,
        status=status,
        action=body.get(message_kind.action_key, "") if message_kind.action_key else "",
        remarks=body.get(message_kind.remarks_key, "") if message_kind.remarks_key else "",
        contents=contents,
        contents_error=contents_error,
        verdict=_verdict(data["resp"]) if "resp" in data else None,
    )


def _verdict(resp: dict) -> Verdict:
    return Verdict(
        req_msg_id=resp["reqMsgId"] or "",
        succeeded=resp["result"] == conventions.RESULT_SUCCESS,
        error_code=resp["errorCd"] or "",
        error_detail=resp["errorDtl"] or "",
        error_field=resp["errorField"] or "",
    )


def message_error_field(kind: str, path: FieldPath) -> str:
    """Return the network's ``errorField`` for a part of a message of a kind.

    ``("b2b_ids", "buyer")`` is ``b2bIds.buyerB2BId``; ``("action",)`` of a
    confirmation is ``poConfirmation.supplierResponse``; ``("version",)`` of
    a status change is ``poStatus.objectVersion.newVersion``; a part of a
    purchase order is named as its contents name it.
    """
    message_kind = KINDS[kind]
    if message_kind.group == BUSINESS_ONBOARDING:
        return searches.error_field(path)
    key = message_kind.object_key
    if path[:1] == ("b2b_ids",):
        return B2B_ID_KEYS[path[1]]
    if path == ("resp", "req_msg_id"):
        return REQ_MSG_ID_FIELD
    if path == ("action",):
        return f"{key}.{message_kind.action_key}"
    if path == ():
        return key
    return paths.error_field(path).replace(paths.OBJECT_KEY, key, 1)


def message_identifiers(*, kind: str, data) -> tuple[object, object]:
    """Return the objectId and resp.reqMsgId of a body not yet validated, as they are there.

    Either is None where the body has none; a value of another type is the
    serializer's to refuse.
    """
    if not isinstance(data, dict):
        return None, None
    # Where the body has no business object (a search's answer), objectId is its own.
    key = object_key(kind)
    business_object, resp = (data.get(key) if key else data), data.get("resp")
    return (
        business_object.get("objectId") if isinstance(business_object, dict) else None,
        resp.get("reqMsgId") if isinstance(resp, dict) else None,
    )
