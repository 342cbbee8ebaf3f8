"""Settle the requests sent from here with the network's answers (``resp-*``)."""

from purchase_orders.enkash import conventions
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import InboundEvent, OutboundMessage
from purchase_orders.services.inbound.checks import OBJECT_KEYS
from purchase_orders.services.outbound import settle_outbound_message

def apply_send_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the ``req-send`` sent from here with the network's verdict (``resp-send``)."""
    return _settle(event=event, message=message, request_kind=OutboundMessage.Kind.SEND)


def apply_confirm_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the ``req-confirm`` sent from here (``resp-confirm``)."""
    return _settle(event=event, message=message, request_kind=OutboundMessage.Kind.CONFIRM)


def apply_edit_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the ``req-edit`` sent from here (``resp-edit``)."""
    return _settle(event=event, message=message, request_kind=OutboundMessage.Kind.EDIT)


def apply_status_change_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the ``req-status-change`` sent from here (``resp-status-change``)."""
    return _settle(event=event, message=message, request_kind=OutboundMessage.Kind.STATUS_CHANGE)


def _settle(*, event: InboundEvent, message: dict, request_kind: str) -> OutboundMessage:
    resp, data = message["resp"], message[OBJECT_KEYS[event.kind]]
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
