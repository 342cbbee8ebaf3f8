"""Apply webhook deliveries from the network: store each once, then apply or refuse it.

A delivery is stored raw in an ``InboundEvent`` before anything else, once
(the insert race ends in IntegrityError). It is then processed under a lock
on that row: a delivery already answered gets the same answer again and is
not applied twice; one whose processing crashed is processed again. Each
kind has one handler, named in the table of kinds (``enkash/kinds.py``); it
locks the purchase order, checks the message against it and applies it, or
raises a ``PurchaseOrderError`` whose ``code`` and ``field`` become the
refusal.

The network may deliver out of order. A message already applied (made here,
or by an earlier delivery) is acknowledged again even when the purchase
order has moved on since. A message based on a version or status the order
has not reached yet, or naming an order not received yet, is refused for
now with HTTP 409 (``NotYetApplicable``): its event stays unanswered, so that
the network's next delivery of it is processed afresh.
"""

from purchase_orders.services.inbound.checks import NotYetApplicable
from purchase_orders.services.inbound.events import (
    ANSWERED_STATES,
    INBOUND_HANDLERS,
    INTERNAL_ERROR_DETAIL,
    UNSTORED_HEADERS,
    Answer,
    InvalidMessage,
    dedupe_key,
    find_repeat,
    first_answer,
    message_identifiers,
    process_event,
    record_event,
)
from purchase_orders.services.inbound.requests import (
    RECEIVED_REASON,
    apply_confirm_request,
    apply_edit_request,
    apply_send_request,
    apply_status_change_request,
)
from purchase_orders.services.inbound.responses import apply_response, find_request
from purchase_orders.services.inbound.searches import apply_search_response

__all__ = [
    "ANSWERED_STATES",
    "INBOUND_HANDLERS",
    "INTERNAL_ERROR_DETAIL",
    "RECEIVED_REASON",
    "UNSTORED_HEADERS",
    "Answer",
    "InvalidMessage",
    "NotYetApplicable",
    "apply_confirm_request",
    "apply_edit_request",
    "apply_response",
    "apply_search_response",
    "apply_send_request",
    "apply_status_change_request",
    "dedupe_key",
    "find_repeat",
    "find_request",
    "first_answer",
    "message_identifiers",
    "process_event",
    "record_event",
]
