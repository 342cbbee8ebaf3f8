"""The network's traffic as the pages read it: timelines, failed deliveries, stamps."""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from purchase_orders import lifecycle
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.models import (
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
)

from .purchase_orders import list_purchase_orders, visible_purchase_orders
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

    One query, by the unique ``object_id`` and the indexed foreign keys of
    the messages and events; raise Http404 unless the viewer may see it.
    Open pages poll it and fetch themselves afresh when it changes.
    """
    events = (
        InboundEvent.objects.filter(purchase_order=OuterRef("pk"))
        .order_by()
        .values("purchase_order")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = list(
        visible_purchase_orders(viewer)
        .filter(object_id=object_id)
        .annotate(events=Coalesce(Subquery(events), 0))
        .order_by("outbound_messages__pk")
        .values_list(
            "version",
            "status",
            "updated_at",
            "events",
            "outbound_messages__pk",
            "outbound_messages__state",
            "outbound_messages__attempts",
        )
    )
    if not rows:
        raise Http404("No such purchase order.")
    version, status, updated_at, events = rows[0][:4]
    messages = [tuple(row[4:]) for row in rows if row[4] is not None]
    return _digest(version, status, updated_at, messages, events)


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
    return _list_stamp(viewer=viewer, role=lifecycle.SUPPLIER)


def list_stamp(*, viewer: Viewer) -> str:
    """Return a short text that changes whenever the buyer's list would."""
    return _list_stamp(viewer=viewer, role=lifecycle.BUYER)


def _list_stamp(*, viewer: Viewer, role: str) -> str:
    # Every change to an order the list shows saves the order, and so moves
    # its updated_at; the count catches a draft deleted.
    summary = list_purchase_orders(viewer=viewer, role=role).aggregate(
        count=Count("pk"), latest=Max("updated_at")
    )
    return _digest(summary["count"], summary["latest"])


def home_stamp(*, viewer: Viewer) -> str:
    """Return a short text that changes whenever the home page would, in one query.

    The home page lists orders by status and the deliveries that failed or
    were refused; a message changes state without saving its order, so its
    undelivered messages are counted as well.
    """
    undelivered = [OutboundMessage.State.FAILED, OutboundMessage.State.REJECTED]
    summary = (
        visible_purchase_orders(viewer)
        .annotate(
            undelivered=FilteredRelation(
                "outbound_messages", condition=Q(outbound_messages__state__in=undelivered)
            )
        )
        .aggregate(
            count=Count("pk", distinct=True),
            latest=Max("updated_at"),
            undelivered_count=Count("undelivered"),
            last_undelivered=Max("undelivered__pk"),
            undelivered_attempts=Sum("undelivered__attempts"),
        )
    )
    return _digest(*(summary[name] for name in sorted(summary)))


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
