"""Settle the requests sent from here with the network's answers (``resp-*``)."""

from purchase_orders.enkash import conventions
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import InboundEvent, OutboundMessage
from purchase_orders.received import ReceivedMessage
from purchase_orders.services.outbound import settle_outbound_message


def apply_response(*, event: InboundEvent, message: ReceivedMessage) -> OutboundMessage:
    """Settle the request sent from here that a response webhook answers (``resp-*``)."""
    request_kind = KINDS[event.kind].pairs_with
    verdict = message.verdict
    outbound = find_request(
        request_kind=request_kind,
        req_msg_id=verdict.req_msg_id,
        object_id=message.object_id,
        version=message.version,
    )
    if outbound is None:
        raise PurchaseOrderError(
            f"No {request_kind} request {verdict.req_msg_id} for purchase order "
            f"{message.object_id} version {message.version} was sent from here.",
            path=("resp", "req_msg_id"),
            code=conventions.ERROR_MESSAGE_NOT_FOUND,
        )
    event.outbound_message = outbound
    event.purchase_order_id = outbound.purchase_order_id
    return settle_outbound_message(
        message=outbound,
        succeeded=verdict.succeeded,
        error_code=verdict.error_code,
        error_detail=verdict.error_detail,
        error_field=verdict.error_field,
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
