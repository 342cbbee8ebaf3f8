"""The one table of the network's message kinds: eight of purchase orders, two of onboarding.

For each kind: the key of the business object its body carries, the kind
it pairs with (a request and the response webhook that settles it), who
sends the request, the lifecycle actions it carries, the serializer that
reads it and the service that applies it when it arrives as a webhook, the
documented example bodies, and its words on the pages. Adding a kind is a
row here, its serializer and its handler.

Business Onboarding's Search Entity (ONBOARDING.md A4, W3) is a pair of its
own group: an API the portal calls (``search-entity``) and the webhook that
answers it (``respSearchEntity``), which carries no purchase order. The
purchase-order tuples (``REQUEST_KINDS``, ``RESPONSE_KINDS``,
``WEBHOOK_KINDS``) hold the eight kinds of purchase orders only;
``OUTBOUND_KINDS`` and ``INBOUND_KINDS`` hold every kind the portal sends
and every webhook it answers.

Serializers and handlers are named by their dotted paths and imported when
first used, so that this wire-layer module imports neither the API nor the
services.
"""

from dataclasses import dataclass
from functools import cached_property

from django.utils.module_loading import import_string

from purchase_orders import lifecycle

from . import conventions

SERIALIZERS = "purchase_orders.api.serializers."
REQUESTS = "purchase_orders.services.inbound.requests."
RESPONSES = "purchase_orders.services.inbound.responses."
SEARCHES = "purchase_orders.services.inbound.searches."

# The groups of kinds, each with its paths under its own prefix.
PURCHASE_ORDERS = "purchase-order"
BUSINESS_ONBOARDING = "business-onboarding"
PREFIXES = {
    PURCHASE_ORDERS: conventions.API_PREFIX,
    BUSINESS_ONBOARDING: conventions.ONBOARDING_PREFIX,
}


@dataclass(frozen=True)
class MessageKind:
    name: str  # "req-send": the API path and the webhook path
    object_key: str  # the business object: purchaseOrder, poConfirmation, poStatus
    pairs_with: str  # the response of a request, the request of a response
    sender: str  # lifecycle.BUYER or SUPPLIER: who sends the request
    actions: tuple[str, ...]  # the lifecycle actions the request carries
    serializer_path: str
    handler_path: str
    label: str  # the request, as a timeline names it ("Send", "Confirm")
    words: str  # the webhook, seen from the portal that receives it
    summary: str  # the webhook, in the API's documentation
    # The documented example of the request's body (the API's and the request
    # webhook's are one), of this webhook's body and of its answer, in
    # enkash/examples; "" where EnKash documents none.
    request_example: str
    example: str = ""
    answer_example: str = ""
    # What the API's documentation says of a request webhook beyond its summary.
    description: str = ""
    # Where the business object carries its action and remarks, if it does.
    action_key: str = ""
    remarks_key: str = ""
    # What a request carries, as a timeline says who sent it ("You sent …").
    what: str = ""
    # A request (an API the portal calls; a purchase order's also arrives as
    # the counterparty's request webhook), or the network's answer to one.
    is_request: bool = False
    group: str = PURCHASE_ORDERS
    # The HTTP status of a well-formed delivery that is refused (its
    # response_code says why): 200 for purchase orders, as they document.
    refusal_status: int = 200

    @property
    def path(self) -> str:
        """Return the path of this kind's API or webhook (the same on both sides)."""
        return PREFIXES[self.group] + self.name

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

# The status-change API's documented body is the request webhook's (SPEC §2),
# and so is the confirm API's (A2); an edit is a send (A3).
SEND_BODY = "api-req-send.json"
CONFIRM_BODY = "webhook-req-confirm.json"
STATUS_CHANGE_BODY = "webhook-req-status-change.json"
HELD_VERSION = "objectVersion stays n to n and must be the version held here"

_TABLE = (
    MessageKind(
        name="req-send",
        is_request=True,
        object_key=PURCHASE_ORDER,
        pairs_with="resp-send",
        sender=lifecycle.BUYER,
        actions=(lifecycle.SEND,),
        serializer_path=SERIALIZERS + "PurchaseOrderRequestSerializer",
        handler_path=REQUESTS + "apply_send_request",
        label="Send",
        words="Purchase order received",
        summary="A purchase order sent to a supplier hosted here",
        request_example=SEND_BODY,
        example=SEND_BODY,
        description="Creates the purchase order for the supplier (its buyer is created if "
        "unknown). If the buyer is hosted here too, the order already exists: it is marked "
        "delivered, not copied. Stated totals must match the lines.",
        what="the purchase order",
    ),
    MessageKind(
        name="req-confirm",
        is_request=True,
        object_key=CONFIRMATION,
        pairs_with="resp-confirm",
        sender=lifecycle.SUPPLIER,
        actions=lifecycle.SUPPLIER_RESPONSES,
        serializer_path=SERIALIZERS + "ConfirmationRequestSerializer",
        handler_path=REQUESTS + "apply_confirm_request",
        label="Confirm",
        words="Supplier's answer received",
        summary="The supplier accepts or rejects a purchase order",
        request_example=CONFIRM_BODY,
        example=CONFIRM_BODY,
        answer_example="webhook-req-confirm.response.json",
        description=f"supplierResponse ACCEPT or REJECT; {HELD_VERSION}; poStatusTransition "
        "must be the move the lifecycle allows.",
        action_key="supplierResponse",
        remarks_key="supplierRemarks",
        what="an answer",
    ),
    MessageKind(
        name="req-edit",
        is_request=True,
        object_key=PURCHASE_ORDER,
        pairs_with="resp-edit",
        sender=lifecycle.BUYER,
        actions=(lifecycle.EDIT,),
        serializer_path=SERIALIZERS + "PurchaseOrderRequestSerializer",
        handler_path=REQUESTS + "apply_edit_request",
        label="Edit",
        words="New version received",
        summary="A new version of a purchase order",
        request_example=SEND_BODY,
        description="objectVersion moves n to n+1 and currentVersion must be the version held "
        "here. The new contents replace the old and the order goes back to CREATED.",
        what="a new version",
    ),
    MessageKind(
        name="req-status-change",
        is_request=True,
        object_key=STATUS,
        pairs_with="resp-status-change",
        sender=lifecycle.BUYER,
        actions=lifecycle.BUYER_STATUS_ACTIONS,
        serializer_path=SERIALIZERS + "StatusChangeRequestSerializer",
        handler_path=REQUESTS + "apply_status_change_request",
        label="Status change",
        words="Status change received",
        summary="The buyer cancels, fulfils or closes a purchase order",
        request_example=STATUS_CHANGE_BODY,
        example=STATUS_CHANGE_BODY,
        answer_example="webhook-req-status-change.response.json",
        description=f"buyerAction CANCEL, FULFILL or CLOSE; {HELD_VERSION}; poStatusTransition "
        "must be the move the lifecycle allows.",
        action_key="buyerAction",
        remarks_key="buyerRemarks",
        what="a status change",
    ),
    MessageKind(
        name="resp-send",
        object_key=PURCHASE_ORDER,
        pairs_with="req-send",
        sender=lifecycle.BUYER,
        actions=(lifecycle.SEND,),
        serializer_path=SERIALIZERS + "PurchaseOrderResponseSerializer",
        handler_path=RESPONSES + "apply_response",
        label="Send",
        words="Network's answer to the purchase order",
        summary="The network's verdict on a purchase order sent from here",
        request_example=SEND_BODY,
        example="webhook-resp-send.json",
        answer_example="webhook-resp-send.response.json",
    ),
    MessageKind(
        name="resp-confirm",
        object_key=CONFIRMATION,
        pairs_with="req-confirm",
        sender=lifecycle.SUPPLIER,
        actions=lifecycle.SUPPLIER_RESPONSES,
        serializer_path=SERIALIZERS + "ConfirmationResponseSerializer",
        handler_path=RESPONSES + "apply_response",
        label="Confirm",
        words="Network's answer to the supplier's answer",
        summary="The network's verdict on a confirmation sent from here",
        request_example=CONFIRM_BODY,
        action_key="supplierResponse",
        remarks_key="supplierRemarks",
    ),
    MessageKind(
        name="resp-edit",
        object_key=PURCHASE_ORDER,
        pairs_with="req-edit",
        sender=lifecycle.BUYER,
        actions=(lifecycle.EDIT,),
        serializer_path=SERIALIZERS + "PurchaseOrderResponseSerializer",
        handler_path=RESPONSES + "apply_response",
        label="Edit",
        words="Network's answer to the new version",
        summary="The network's verdict on an edit sent from here",
        request_example=SEND_BODY,
    ),
    MessageKind(
        name="resp-status-change",
        object_key=STATUS,
        pairs_with="req-status-change",
        sender=lifecycle.BUYER,
        actions=lifecycle.BUYER_STATUS_ACTIONS,
        serializer_path=SERIALIZERS + "StatusChangeResponseSerializer",
        handler_path=RESPONSES + "apply_response",
        label="Status change",
        words="Network's answer to the status change",
        summary="The network's verdict on a status change sent from here",
        request_example=STATUS_CHANGE_BODY,
        example="webhook-resp-status-change.json",
        action_key="buyerAction",
        remarks_key="buyerRemarks",
    ),
)

SEARCH_ENTITY = conventions.SEARCH_ENTITY_API
RESP_SEARCH_ENTITY = conventions.SEARCH_ENTITY_WEBHOOK
SEARCH_LABEL = "Supplier search"

_ONBOARDING_TABLE = (
    MessageKind(
        name=SEARCH_ENTITY,
        is_request=True,
        group=BUSINESS_ONBOARDING,
        object_key="",
        pairs_with=RESP_SEARCH_ENTITY,
        sender=lifecycle.BUYER,
        actions=(),
        # Never delivered to the portal: no serializer, no handler.
        serializer_path="",
        handler_path="",
        label=SEARCH_LABEL,
        words="Supplier search",
        summary="A buyer asks the network which business holds a GSTIN or B2B ID",
        request_example="",
        what="a supplier search",
    ),
    MessageKind(
        name=RESP_SEARCH_ENTITY,
        group=BUSINESS_ONBOARDING,
        object_key="",
        pairs_with=SEARCH_ENTITY,
        sender=lifecycle.BUYER,
        actions=(),
        serializer_path=SERIALIZERS + "SearchEntityResponseSerializer",
        handler_path=SEARCHES + "apply_search_response",
        label=SEARCH_LABEL,
        words="Network's answer to a supplier search",
        summary="The network's answer to a search for a supplier asked from here",
        request_example="",
        example="webhook-resp-search-entity.json",
        description="Fills the search asked from here that it answers, found by objectId "
        "(else by resp.reqMsgId, else by the echoed search.criteria and "
        "onboardingB2BIds.requestorB2BId): result SUCCESS with respParams.entityInfo lists "
        "the businesses found (none: no match); anything else records errorCd, errorDtl and "
        "errorField. A search that is not known here, or whose requestor or criteria differ, "
        f"is refused with HTTP {conventions.SEARCH_REFUSAL_HTTP_STATUS}.",
        refusal_status=conventions.SEARCH_REFUSAL_HTTP_STATUS,
    ),
)
KINDS: dict[str, MessageKind] = {kind.name: kind for kind in _TABLE + _ONBOARDING_TABLE}

# The eight kinds of purchase orders: four requests, four responses.
REQUEST_KINDS = tuple(kind.name for kind in _TABLE if kind.is_request)
RESPONSE_KINDS = tuple(kind.name for kind in _TABLE if not kind.is_request)
WEBHOOK_KINDS = REQUEST_KINDS + RESPONSE_KINDS
# Business Onboarding's webhooks the portal answers.
ONBOARDING_WEBHOOK_KINDS = (RESP_SEARCH_ENTITY,)
# Every API the portal calls, and every webhook it answers.
OUTBOUND_KINDS = REQUEST_KINDS + (SEARCH_ENTITY,)
INBOUND_KINDS = WEBHOOK_KINDS + ONBOARDING_WEBHOOK_KINDS

# The request kind that carries each lifecycle action (ACCEPT -> req-confirm).
KIND_OF_ACTION = {
    action: kind.name for kind in _TABLE if kind.is_request for action in kind.actions
}


def webhook_path(kind: str) -> str:
    """Return the path at which the portal receives a webhook of a kind."""
    return KINDS[kind].path


def object_key(kind: str) -> str:
    """Return the key of the business object in a kind's body."""
    return KINDS[kind].object_key


def response_kind(request_kind: str) -> str:
    """Return the response webhook kind that answers a request kind."""
    return KINDS[request_kind].pairs_with


def sender(kind: str) -> str:
    """Return the role whose business sends a kind's request (the supplier confirms)."""
    return KINDS[kind].sender
