"""The one table of the network's eight purchase-order message kinds.

For each kind: the key of the business object its body carries, the kind
it pairs with (a request and the response webhook that settles it), who
sends the request, the lifecycle actions it carries, the serializer that
reads it and the service that applies it when it arrives as a webhook, the
documented example bodies, and its words on the pages. Adding a kind is a
row here, its serializer and its handler.

Serializers and handlers are named by their dotted paths and imported when
first used, so that this wire-layer module imports neither the API nor the
services.
"""

from dataclasses import dataclass
from functools import cached_property

from django.utils.module_loading import import_string

from purchase_orders import lifecycle

SERIALIZERS = "purchase_orders.api.serializers."
REQUESTS = "purchase_orders.services.inbound.requests."
RESPONSES = "purchase_orders.services.inbound.responses."


@dataclass(frozen=True)
class MessageKind:
    name: str  # "req-send": the API path and the webhook path
    object_key: str  # the business object: purchaseOrder, poConfirmation, poStatus
    pairs_with: str  # the response of a request, the request of a response
    sender: str  # lifecycle.BUYER or SUPPLIER: who sends the request
    actions: tuple[str, ...]  # the lifecycle actions the request carries
    serializer_path: str
    handler_path: str
    request_example: str  # the documented body of the request, in enkash/examples
    label: str  # the request, as a timeline names it ("Send", "Confirm")
    words: str  # the webhook, seen from the portal that receives it
    summary: str  # the webhook, in the API's documentation
    # Where the business object carries its action and remarks, if it does.
    action_key: str = ""
    remarks_key: str = ""

    @property
    def is_request(self) -> bool:
        return self.name.startswith("req-")

    @property
    def request(self) -> "MessageKind":
        """Return the request kind: this one, or the one this response settles."""
        return self if self.is_request else KINDS[self.pairs_with]

    @cached_property
    def serializer(self):
        return import_string(self.serializer_path)

    @cached_property
    def handler(self):
        return import_string(self.handler_path)


PURCHASE_ORDER = "purchaseOrder"
CONFIRMATION = "poConfirmation"
STATUS = "poStatus"

_TABLE = (
    MessageKind(
        "req-send", PURCHASE_ORDER, "resp-send", lifecycle.BUYER, (lifecycle.SEND,),
        SERIALIZERS + "PurchaseOrderRequestSerializer", REQUESTS + "apply_send_request",
        "api-req-send.json", "Send", "Purchase order received",
        "A purchase order sent to a supplier hosted here",
    ),
    MessageKind(
        "req-confirm", CONFIRMATION, "resp-confirm", lifecycle.SUPPLIER,
        lifecycle.SUPPLIER_RESPONSES,
        SERIALIZERS + "ConfirmationRequestSerializer", REQUESTS + "apply_confirm_request",
        "webhook-req-confirm.json", "Confirm", "Supplier's answer received",
        "The supplier accepts or rejects a purchase order",
        "supplierResponse", "supplierRemarks",
    ),
    MessageKind(
        "req-edit", PURCHASE_ORDER, "resp-edit", lifecycle.BUYER, (lifecycle.EDIT,),
        SERIALIZERS + "PurchaseOrderRequestSerializer", REQUESTS + "apply_edit_request",
        "api-req-send.json", "Edit", "New version received",
        "A new version of a purchase order",
    ),
    MessageKind(
        "req-status-change", STATUS, "resp-status-change", lifecycle.BUYER,
        lifecycle.BUYER_STATUS_ACTIONS,
        SERIALIZERS + "StatusChangeRequestSerializer", REQUESTS + "apply_status_change_request",
        "webhook-req-status-change.json", "Status change", "Status change received",
        "The buyer cancels, fulfils or closes a purchase order",
        "buyerAction", "buyerRemarks",
    ),
    MessageKind(
        "resp-send", PURCHASE_ORDER, "req-send", lifecycle.BUYER, (lifecycle.SEND,),
        SERIALIZERS + "PurchaseOrderResponseSerializer", RESPONSES + "apply_response",
        "api-req-send.json", "Send", "Network's answer to the purchase order",
        "The network's verdict on a purchase order sent from here",
    ),
    MessageKind(
        "resp-confirm", CONFIRMATION, "req-confirm", lifecycle.SUPPLIER,
        lifecycle.SUPPLIER_RESPONSES,
        SERIALIZERS + "ConfirmationResponseSerializer", RESPONSES + "apply_response",
        "webhook-req-confirm.json", "Confirm", "Network's answer to the supplier's answer",
        "The network's verdict on a confirmation sent from here",
        "supplierResponse", "supplierRemarks",
    ),
    MessageKind(
        "resp-edit", PURCHASE_ORDER, "req-edit", lifecycle.BUYER, (lifecycle.EDIT,),
        SERIALIZERS + "PurchaseOrderResponseSerializer", RESPONSES + "apply_response",
        "api-req-send.json", "Edit", "Network's answer to the new version",
        "The network's verdict on an edit sent from here",
    ),
    MessageKind(
        "resp-status-change", STATUS, "req-status-change", lifecycle.BUYER,
        lifecycle.BUYER_STATUS_ACTIONS,
        SERIALIZERS + "StatusChangeResponseSerializer", RESPONSES + "apply_response",
        "webhook-req-status-change.json", "Status change", "Network's answer to the status change",
        "The network's verdict on a status change sent from here",
        "buyerAction", "buyerRemarks",
    ),
)
KINDS: dict[str, MessageKind] = {kind.name: kind for kind in _TABLE}

REQUEST_KINDS = tuple(name for name, kind in KINDS.items() if kind.is_request)
RESPONSE_KINDS = tuple(name for name, kind in KINDS.items() if not kind.is_request)
WEBHOOK_KINDS = REQUEST_KINDS + RESPONSE_KINDS

# The request kind that carries each lifecycle action (ACCEPT -> req-confirm).
KIND_OF_ACTION = {
    action: kind.name for kind in _TABLE if kind.is_request for action in kind.actions
}


def object_key(kind: str) -> str:
    """Return the key of the business object in a kind's body."""
    return KINDS[kind].object_key


def response_kind(request_kind: str) -> str:
    """Return the response webhook kind that answers a request kind."""
    return KINDS[request_kind].pairs_with


def sender(kind: str) -> str:
    """Return the role whose business sends a kind's request (the supplier confirms)."""
    return KINDS[kind].sender
