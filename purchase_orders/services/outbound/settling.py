"""Settling a message: the network's verdict applies the action it carries, or refuses it."""

from django.db import transaction
from django.utils import timezone

from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.services.acknowledgements import apply_sent_action, refuse_sent_action
from purchase_orders.services.outbound.queueing import enqueue_successor
from purchase_orders.services.suppliers import record_search_not_asked

State = OutboundMessage.State

SETTLED_STATES = (State.ACKNOWLEDGED, State.REJECTED)


@transaction.atomic
def settle_outbound_message(
    *,
    message: OutboundMessage,
    succeeded: bool,
    error_code: str = "",
    error_detail: str = "",
    error_field: str = "",
) -> OutboundMessage:
    """Apply the network's verdict on a message: acknowledged, or refused.

    On an acknowledgement the action the message carries is applied (unless
    its delivery to a counterparty hosted here applied it already); on a
    refusal the order stays as it was. Settling a settled message changes
    nothing.
    """
    purchase_order = None
    if message.purchase_order_id:
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=message.purchase_order_id)
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.state in SETTLED_STATES:
        return message

    now = timezone.now()
    message.settled_at = now
    if succeeded:
        message.state = State.ACKNOWLEDGED
        message.error_code = message.error_detail = message.error_field = ""
        if purchase_order is not None:
            apply_sent_action(purchase_order=purchase_order, message=message)
    else:
        message.state = State.REJECTED
        message.error_code = error_code or ""
        message.error_detail = error_detail or ""
        message.error_field = error_field or ""
        message.last_error = error_detail or error_code or "Refused by the network."
        if purchase_order is not None:
            refuse_sent_action(purchase_order=purchase_order, message=message)
        elif message.kind == OutboundMessage.Kind.SEARCH_ENTITY:
            record_search_not_asked(message=message)
    message.save(
        update_fields=[
            "state",
            "settled_at",
            "error_code",
            "error_detail",
            "error_field",
            "last_error",
        ]
    )
    transaction.on_commit(lambda: enqueue_successor(message), robust=True)
    return message
