"""Reads: querysets and lookups for pages, APIs and admin."""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, When
from django.http import Http404

from purchase_orders import lifecycle
from purchase_orders.models import (
    Business,
    InboundEvent,
    LineItem,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)


def purchase_orders_with_contents() -> QuerySet[PurchaseOrder]:
    """Return purchase orders with everything their network message needs."""
    return PurchaseOrder.objects.select_related("buyer", "supplier").prefetch_related(
        "parties",
        "addresses",
        Prefetch("lines", queryset=LineItem.objects.prefetch_related("other_taxes")),
        "other_charges",
        "milestones",
    )


def get_purchase_order_with_contents(*, pk: int) -> PurchaseOrder:
    return purchase_orders_with_contents().get(pk=pk)


# -- pages: who looks, what they see -------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The businesses a signed-in user acts for, by role."""

    user: object
    buyer_ids: frozenset = frozenset()
    supplier_ids: frozenset = frozenset()

    @property
    def business_ids(self) -> frozenset:
        return self.buyer_ids | self.supplier_ids

    @property
    def is_buyer(self) -> bool:
        return bool(self.buyer_ids)

    @property
    def is_supplier(self) -> bool:
        return bool(self.supplier_ids)

    def roles_for(self, purchase_order: PurchaseOrder) -> frozenset:
        """Return the roles (buyer, supplier) in which the user acts on a purchase order."""
        roles = set()
        if purchase_order.buyer_id in self.buyer_ids:
            roles.add(lifecycle.BUYER)
        if purchase_order.supplier_id in self.supplier_ids:
            roles.add(lifecycle.SUPPLIER)
        return frozenset(roles)


def get_viewer(user) -> Viewer:
    """Return the businesses a user acts for, by role, in one query.

    Pages read it as ``request.viewer`` (``middleware.ViewerMiddleware``),
    once per request.
    """
    if not user.is_authenticated:
        return Viewer(user=user)
    buyer_ids, supplier_ids = set(), set()
    memberships = Membership.objects.filter(user=user).values_list("business_id", "role")
    for business_id, role in memberships:
        (buyer_ids if role == Membership.Role.BUYER else supplier_ids).add(business_id)
    return Viewer(user=user, buyer_ids=frozenset(buyer_ids), supplier_ids=frozenset(supplier_ids))


@dataclass(frozen=True)
class PurchaseOrderActions:
    """What a viewer may do with one purchase order, read from the lifecycle table.

    ``roles`` are the sides the viewer acts for on the order; ``senders``
    the sides whose business the viewer belongs to, whose messages the
    viewer may retry.
    """

    purchase_order: PurchaseOrder
    roles: frozenset
    senders: frozenset

    def moves(self, role: str) -> list[lifecycle.Transition]:
        if role not in self.roles:
            return []
        return lifecycle.allowed_transitions(self.purchase_order.status, role)

    def may(self, action: str) -> bool:
        transition = lifecycle.TRANSITIONS_BY_ACTION[action]
        return transition in self.moves(transition.actor)

    @property
    def is_buyer(self) -> bool:
        return lifecycle.BUYER in self.roles

    @property
    def is_supplier(self) -> bool:
        return lifecycle.SUPPLIER in self.roles

    @property
    def edit_mode(self) -> str:
        """Return "draft" or "edit" if the buyer may change the order, else ""."""
        if not self.is_buyer:
            return ""
        if self.purchase_order.is_draft:
            return "draft"
        return "edit" if self.may(lifecycle.EDIT) else ""

    @property
    def status_moves(self) -> list[lifecycle.Transition]:
        """Return the buyer's status changes (cancel, fulfil, close) allowed now."""
        return [
            transition
            for transition in self.moves(lifecycle.BUYER)
            if transition.action in lifecycle.BUYER_STATUS_ACTIONS
        ]

    def may_retry(self, message: OutboundMessage) -> bool:
        """Return whether the viewer's business sent a failed message (and so may retry it)."""
        return message.state == OutboundMessage.State.FAILED and message.sender_role in self.senders


def purchase_order_actions(
    *, viewer: Viewer, purchase_order: PurchaseOrder
) -> PurchaseOrderActions:
    """Return what the viewer may do with a purchase order, for its page and its actions."""
    senders = {
        role
        for role, business_id in (
            (lifecycle.BUYER, purchase_order.buyer_id),
            (lifecycle.SUPPLIER, purchase_order.supplier_id),
        )
        if business_id in viewer.business_ids
    }
    return PurchaseOrderActions(
        purchase_order=purchase_order,
        roles=viewer.roles_for(purchase_order),
        senders=frozenset(senders),
    )


def visible_purchase_orders(viewer: Viewer) -> QuerySet[PurchaseOrder]:
    """Return the purchase orders a viewer's businesses are party to.

    A draft belongs to the buyer alone: the supplier sees an order once sent.
    """
    business_ids = viewer.business_ids
    return PurchaseOrder.objects.filter(
        Q(buyer_id__in=business_ids)
        | (Q(supplier_id__in=business_ids) & ~Q(status=PurchaseOrder.Status.DRAFT))
    )


def get_visible_purchase_order(
    *, viewer: Viewer, object_id: str, queryset: QuerySet | None = None
) -> PurchaseOrder:
    """Return one purchase order the viewer may see, or raise Http404."""
    queryset = queryset if queryset is not None else PurchaseOrder.objects.select_related(
        "buyer", "supplier"
    )
    try:
        return queryset.filter(pk__in=visible_purchase_orders(viewer).values("pk")).get(
            object_id=object_id
        )
    except PurchaseOrder.DoesNotExist:
        raise Http404("No such purchase order.") from None


def get_purchase_order_page(*, viewer: Viewer, object_id: str) -> PurchaseOrder:
    """Return a purchase order with everything its page shows, or raise Http404.

    The number of queries does not depend on the number of lines, versions
    or messages.
    """
    queryset = purchase_orders_with_contents().prefetch_related(
        Prefetch(
            "status_changes",
            queryset=StatusChange.objects.select_related("actor", "actor_business"),
        ),
        Prefetch(
            "versions",
            queryset=PurchaseOrderVersion.objects.defer("snapshot").select_related(
                "created_by", "created_by_business"
            ),
        ),
        Prefetch(
            "outbound_messages", queryset=OutboundMessage.objects.defer("body", "response_body")
        ),
        Prefetch(
            "inbound_events",
            queryset=InboundEvent.objects.defer("body", "headers", "traceback", "response_body"),
        ),
    )
    return get_visible_purchase_order(viewer=viewer, object_id=object_id, queryset=queryset)


def get_purchase_order_document(*, viewer: Viewer, object_id: str) -> PurchaseOrder:
    """Return a purchase order with its contents, for the printable view."""
    return get_visible_purchase_order(
        viewer=viewer, object_id=object_id, queryset=purchase_orders_with_contents()
    )


# The sort orders the lists offer: key -> ORDER BY.
PURCHASE_ORDER_ORDERINGS = {
    "newest": ("-order_date", "-created_at", "-id"),
    "oldest": ("order_date", "created_at", "id"),
    "number": ("buyer_po_number", "id"),
    "-number": ("-buyer_po_number", "-id"),
    "total": ("total_po_value", "id"),
    "-total": ("-total_po_value", "-id"),
    "status": ("status", "-order_date", "-id"),
    "supplier": ("supplier__legal_name", "-order_date", "-id"),
    "buyer": ("buyer__legal_name", "-order_date", "-id"),
    "delivery": ("delivery_date", "id"),
}


def list_purchase_orders(
    *,
    viewer: Viewer,
    role: str,
    status: str = "",
    counterparty: Business | None = None,
    ordered_from: datetime.date | None = None,
    ordered_to: datetime.date | None = None,
    search: str = "",
    ordering: str = "",
) -> QuerySet[PurchaseOrder]:
    """Return the purchase orders a viewer handles in one role, filtered and sorted.

    As buyer: the orders of the user's buying businesses, drafts included.
    As supplier: the orders sent to the user's supplying businesses, those
    awaiting confirmation first (unless another order is asked for).
    ``search`` matches part of the PO number.
    """
    if role == Membership.Role.BUYER:
        queryset = PurchaseOrder.objects.filter(buyer_id__in=viewer.buyer_ids)
        if counterparty is not None:
            queryset = queryset.filter(supplier=counterparty)
    else:
        queryset = PurchaseOrder.objects.filter(supplier_id__in=viewer.supplier_ids).exclude(
            status=PurchaseOrder.Status.DRAFT
        )
        if counterparty is not None:
            queryset = queryset.filter(buyer=counterparty)
    if status:
        queryset = queryset.filter(status=status)
    if ordered_from:
        queryset = queryset.filter(order_date__gte=ordered_from)
    if ordered_to:
        queryset = queryset.filter(order_date__lte=ordered_to)
    if search.strip():
        queryset = queryset.filter(buyer_po_number__icontains=search.strip())
    queryset = queryset.select_related("buyer", "supplier")
    if ordering in PURCHASE_ORDER_ORDERINGS:
        return queryset.order_by(*PURCHASE_ORDER_ORDERINGS[ordering])
    if role == Membership.Role.SUPPLIER:
        # On PostgreSQL the index po_supplier_inbox_idx (migration 0002) serves
        # this order; keep the two alike.
        return queryset.order_by(
            Case(When(status=PurchaseOrder.Status.CREATED, then=0), default=1),
            F("sent_at").desc(nulls_last=True),
            "-id",
        )
    return queryset.order_by(*PURCHASE_ORDER_ORDERINGS["newest"])


def counterparties(*, viewer: Viewer, role: str) -> QuerySet[Business]:
    """Return the businesses on the other side of a viewer's purchase orders."""
    other_side = "supplier_id" if role == Membership.Role.BUYER else "buyer_id"
    orders = list_purchase_orders(viewer=viewer, role=role).order_by()
    return Business.objects.filter(pk__in=orders.values(other_side)).order_by("legal_name")


def supplier_choices(*, viewer: Viewer) -> QuerySet[Business]:
    """Return the businesses a buyer may send a purchase order to."""
    return Business.objects.order_by("legal_name")


def buyer_choices(*, viewer: Viewer) -> QuerySet[Business]:
    """Return the businesses the viewer buys for."""
    return Business.objects.filter(pk__in=viewer.buyer_ids).order_by("legal_name")


def awaiting_confirmation(*, viewer: Viewer) -> QuerySet[PurchaseOrder]:
    """Return the sent and edited purchase orders the viewer's suppliers must answer."""
    return list_purchase_orders(
        viewer=viewer, role=Membership.Role.SUPPLIER, status=PurchaseOrder.Status.CREATED
    )


def rejected_purchase_orders(*, viewer: Viewer) -> QuerySet[PurchaseOrder]:
    """Return the viewer's purchase orders that their suppliers rejected, latest first."""
    return list_purchase_orders(
        viewer=viewer, role=Membership.Role.BUYER, status=PurchaseOrder.Status.REJECTED
    ).order_by("-updated_at", "-id")


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


def get_versions_to_compare(
    *, purchase_order: PurchaseOrder, old: int, new: int
) -> tuple[PurchaseOrderVersion, PurchaseOrderVersion]:
    """Return two stored versions of a purchase order, or raise Http404."""
    versions = {
        version.version: version
        for version in PurchaseOrderVersion.objects.filter(
            purchase_order=purchase_order, version__in=(old, new)
        )
    }
    if old not in versions or new not in versions:
        raise Http404("No such version.")
    return versions[old], versions[new]


@dataclass
class NetworkEntry:
    """One line of a purchase order's network timeline."""

    at: datetime.datetime
    message: OutboundMessage | None = None
    event: InboundEvent | None = None
    responses: list = field(default_factory=list)

    @property
    def is_outbound(self) -> bool:
        return self.message is not None


def network_timeline(purchase_order: PurchaseOrder) -> list[NetworkEntry]:
    """Return every message out and in, oldest first, each response under its request.

    Reads the prefetched messages of ``get_purchase_order_page``.
    """
    entries = {
        message.pk: NetworkEntry(at=message.created_at, message=message)
        for message in purchase_order.outbound_messages.all()
    }
    timeline = list(entries.values())
    for event in purchase_order.inbound_events.all():
        request = entries.get(event.outbound_message_id)
        if request is not None:
            request.responses.append(event)
        else:
            timeline.append(NetworkEntry(at=event.received_at, event=event))
    return sorted(timeline, key=lambda entry: entry.at)


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
    summary = list_purchase_orders(viewer=viewer, role=Membership.Role.SUPPLIER).aggregate(
        count=Count("pk"), latest=Max("updated_at")
    )
    return _digest(summary["count"], summary["latest"])


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
