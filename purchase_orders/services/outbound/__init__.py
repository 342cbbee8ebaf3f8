"""The outbox: deliver each outbound network message, retry it, settle it.

An ``OutboundMessage`` row is written in the same transaction as the change
it announces; from then on it is the truth. A worker claims a due row with
one conditional UPDATE (so two workers never post the same message at once),
posts it with no transaction or lock held, and records the outcome. One
purchase order's messages go out strictly in the order they were written.
The network's verdict arrives later in a response webhook (or at once, as a
refusal) and is applied by ``settle_outbound_message``; a refused change is
undone on the purchase order when nothing has happened to it since.
"""

from purchase_orders.services.outbound.delivery import deliver_outbound_message
from purchase_orders.services.outbound.queueing import (
    PENDING_STATES,
    enqueue_delivery,
    retry_outbound_message,
    schedule_outbox_sweep,
    sweep_outbox,
)
from purchase_orders.services.outbound.settling import settle_outbound_message

__all__ = [
    "PENDING_STATES",
    "deliver_outbound_message",
    "enqueue_delivery",
    "retry_outbound_message",
    "schedule_outbox_sweep",
    "settle_outbound_message",
    "sweep_outbox",
]
