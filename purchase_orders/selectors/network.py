"""The network's traffic as the pages read it: timelines, failed deliveries, stamps."""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404

from purchase_orders import lifecycle
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.models import (
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
)

from .purchase_orders import get_visible_purchase_order, list_purchase_orders
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
        receiver = purchase_order.business_of(
            lifecycle.SUPPLIER if found.sender == lifecycle.BUYER else lifecycle.BUYER
        )
        return f"The network delivered {found.what} from you to {receiver}"
    return f"{sender} sent {found.what}"


def purchase_order_stamp(*, viewer: Viewer, object_id: str) -> str:
    """Return a short text that changes whenever the purchase order's page would.

    The page polls it to tell its reader that something new has arrived.
    """
    purchase_order = get_visible_purchase_order(
        viewer=viewer, object_id=object_id, queryset=PurchaseOrder.objects.all()
    )
    messages = list(
        purchase_order.outbound_messages.order_by("pk").values_list("pk", "state", "attempts")
    )
    events = purchase_order.inbound_events.count()
    return _purchase_order_digest(purchase_order, messages, events)


def page_stamp(purchase_order: PurchaseOrder) -> str:
    """Return ``purchase_order_stamp`` from a page's prefetched messages, without a query."""
    messages = sorted(
        (message.pk, message.state, message.attempts)
        for message in purchase_order.outbound_messages.all()
    )
    events = len(purchase_order.inbound_events.all())
    return _purchase_order_digest(purchase_order, messages, events)


def _purchase_order_digest(purchase_order: PurchaseOrder, messages: list, events: int) -> str:
    return _digest(
        purchase_order.version, purchase_order.status, purchase_order.updated_at, messages, events
    )


def inbox_stamp(*, viewer: Viewer) -> str:
    """Return a short text that changes whenever the supplier's inbox would."""
    summary = list_purchase_orders(viewer=viewer, role=lifecycle.SUPPLIER).aggregate(
        count=Count("pk"), latest=Max("updated_at")
    )
    return _digest(summary["count"], summary["latest"])


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
