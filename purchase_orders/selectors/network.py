"""The network's traffic as the pages read it: timelines, failed deliveries, stamps."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import Http404

from purchase_orders import lifecycle, stamps
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.models import (
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
)

from .viewers import Viewer


def failed_deliveries(*, viewer: Viewer) -> QuerySet[OutboundMessage]:
    """Return the viewer's messages that did not reach the network or were refused.

    A failed message is listed until it is retried; a refused one while it
    is its purchase order's latest message.
    """
    sent_by_viewer = (
        Q(kind__in=OutboundMessage.kinds_sent_by(lifecycle.BUYER))
        & Q(purchase_order__buyer_id__in=viewer.business_ids)
    ) | (
        Q(kind__in=OutboundMessage.kinds_sent_by(lifecycle.SUPPLIER))
        & Q(purchase_order__supplier_id__in=viewer.business_ids)
    )
    later = OutboundMessage.objects.filter(
        purchase_order=OuterRef("purchase_order"), pk__gt=OuterRef("pk")
    )
    return (
        OutboundMessage.objects.filter(sent_by_viewer)
        .filter(
            Q(state=OutboundMessage.State.FAILED)
            | (Q(state=OutboundMessage.State.REJECTED) & ~Exists(later))
        )
        .select_related("purchase_order__buyer", "purchase_order__supplier")
        .defer("body", "response_body")
        .order_by("-created_at", "-id")
    )


def get_outbound_message(*, purchase_order: PurchaseOrder, pk: int) -> OutboundMessage:
    """Return one of a purchase order's outbound messages, or raise Http404."""
    try:
        return purchase_order.outbound_messages.get(pk=pk)
    except OutboundMessage.DoesNotExist:
        raise Http404("No such message.") from None


@dataclass
class NetworkEntry:
    """One line of a purchase order's network timeline."""

    at: datetime.datetime
    message: OutboundMessage | None = None
    event: InboundEvent | None = None
    responses: list = field(default_factory=list)
    # What happened, said from the viewer's side: "You sent the purchase order".
    words: str = ""

    @property
    def is_outbound(self) -> bool:
        return self.message is not None


def network_timeline(
    purchase_order: PurchaseOrder, *, business_ids: frozenset | set = frozenset()
) -> list[NetworkEntry]:
    """Return every message out and in, oldest first, each response under its request.

    ``business_ids`` are the viewer's businesses: what they sent is "You
    sent …". Reads the prefetched messages of ``get_purchase_order_page``.
    """
    entries = {
        message.pk: NetworkEntry(
            at=message.created_at,
            message=message,
            words=_sent_words(purchase_order, message.kind, business_ids),
        )
        for message in purchase_order.outbound_messages.all()
    }
    timeline = list(entries.values())
    for event in purchase_order.inbound_events.all():
        request = entries.get(event.outbound_message_id)
        if request is not None:
            request.responses.append(event)
        else:
            timeline.append(
                NetworkEntry(
                    at=event.received_at,
                    event=event,
                    words=_received_words(purchase_order, event.kind, business_ids),
                )
            )
    return sorted(timeline, key=lambda entry: entry.at)


def _sent_words(purchase_order: PurchaseOrder, kind: str, business_ids) -> str:
    found = KINDS[kind]
    sender = purchase_order.business_of(found.sender)
    who = "You" if sender.pk in business_ids else str(sender)
    return f"{who} sent {found.what}"


def _received_words(purchase_order: PurchaseOrder, kind: str, business_ids) -> str:
    found = KINDS.get(kind)
    if found is None:
        return kind
    if not found.is_request:
        return found.words
    sender = purchase_order.business_of(found.sender)
    if sender.pk in business_ids:
        receiver = purchase_order.business_of(lifecycle.other_side(found.sender))
        return f"The network delivered {found.what} from you to {receiver}"
    return f"{sender} sent {found.what}"


def purchase_order_stamp(*, viewer: Viewer, object_id: str) -> str:
    """Return a short text that changes whenever the purchase order's page would.

    One query (``stamps.purchase_order_stamp``), by the unique ``object_id``
    and the indexed foreign keys of the messages and events; raise Http404
    unless the viewer may see it. Open pages poll it and fetch themselves
    afresh when it changes.
    """
    # Anyone of a business sees its orders as its side does (an approver or
    # a business admin of the buyer as its buyers), as visible_purchase_orders.
    stamp = stamps.purchase_order_stamp(
        buyer_ids=viewer.business_ids,
        supplier_ids=viewer.business_ids,
        object_id=object_id,
    )
    if stamp is None:
        raise Http404("No such purchase order.")
    return stamp


def page_stamp(purchase_order: PurchaseOrder) -> str:
    """Return ``purchase_order_stamp`` from a page's prefetched messages, without a query."""
    return stamps.order_digest(
        version=purchase_order.version,
        status=purchase_order.status,
        pending_action=purchase_order.pending_action,
        updated_at=purchase_order.updated_at,
        messages=[
            (message.pk, message.state, message.attempts)
            for message in purchase_order.outbound_messages.all()
        ],
        events=len(purchase_order.inbound_events.all()),
    )


def inbox_stamp(*, viewer: Viewer) -> str:
    """Return a short text that changes whenever the supplier's inbox would."""
    return stamps.inbox_stamp(supplier_ids=viewer.supplier_ids)


def list_stamp(*, viewer: Viewer) -> str:
    """Return a short text that changes whenever the buyer's list would."""
    return stamps.list_stamp(buyer_ids=viewer.buyer_ids)


def home_stamp(*, viewer: Viewer) -> str:
    """Return a short text that changes whenever the home page would, in one query.

    The home page lists orders by status and the deliveries that failed or
    were refused; a message changes state without saving its order, so its
    undelivered messages are counted as well. An approver's home follows the
    orders of the businesses they approve for (what waits for them).
    """
    return stamps.home_stamp(
        buyer_ids=viewer.buyer_ids | viewer.approver_ids, supplier_ids=viewer.supplier_ids
    )
