"""Settle the requests sent from here with the network's answers (``resp-*``)."""

from purchase_orders.enkash import conventions
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import InboundEvent, OutboundMessage
from purchase_orders.services.outbound import settle_outbound_message


def apply_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the request sent from here that a response webhook answers (``resp-*``)."""
    kind = KINDS[event.kind]
    request_kind = kind.pairs_with
    resp, data = message["resp"], message[kind.object_key]
    outbound = find_request(
        request_kind=request_kind,
        req_msg_id=resp["reqMsgId"],
        object_id=data["objectId"],
        version=data["objectVersion"]["newVersion"],
    )
    if outbound is None:
        raise PurchaseOrderError(
            f"No {request_kind} request {resp['reqMsgId'] or ''} for purchase order "
            f"{data['objectId']} version {data['objectVersion']['newVersion']} was sent from here.",
            field="resp.reqMsgId",
            code=conventions.ERROR_MESSAGE_NOT_FOUND,
        )
    event.outbound_message = outbound
    event.purchase_order_id = outbound.purchase_order_id
    return settle_outbound_message(
        message=outbound,
        succeeded=resp["result"] == conventions.RESULT_SUCCESS,
        error_code=resp["errorCd"] or "",
        error_detail=resp["errorDtl"] or "",
        error_field=resp["errorField"] or "",
    )


def find_request(
    *, request_kind: str, req_msg_id: str, object_id: str, version: int
) -> OutboundMessage | None:
    """Return the request a response webhook answers: by reqMsgId, else by object and version."""
    if req_msg_id:
        outbound = OutboundMessage.objects.filter(req_msg_id=req_msg_id, kind=request_kind).first()
        if outbound is not None:
            return outbound
    return (
        OutboundMessage.objects.filter(
            object_id=object_id, kind=request_kind, object_version=version
        )
        .order_by("-pk")
        .first()
    )
