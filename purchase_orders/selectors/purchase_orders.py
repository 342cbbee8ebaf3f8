"""Purchase orders as the pages read them: one with its contents, or a list."""

import datetime

from django.db.models import Case, F, Prefetch, Q, QuerySet, When
from django.http import Http404

from purchase_orders import lifecycle
from purchase_orders import search as searching
from purchase_orders.models import (
    Business,
    InboundEvent,
    LineItem,
    OutboundMessage,
    PaymentMilestone,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)

from .viewers import Viewer


def purchase_orders_with_contents() -> QuerySet[PurchaseOrder]:
    """Return purchase orders with everything their network message needs."""
    return PurchaseOrder.objects.select_related("buyer", "supplier").prefetch_related(
        "parties",
        "addresses",
        Prefetch("lines", queryset=LineItem.objects.prefetch_related("other_taxes")),
        "other_charges",
        "milestones",
    )


def purchase_orders_with_parts() -> QuerySet[PurchaseOrder]:
    """Return purchase orders with their parts but their lines, which a page reads apart."""
    return PurchaseOrder.objects.select_related("buyer", "supplier").prefetch_related(
        "parties", "addresses", "other_charges", "milestones"
    )


def get_purchase_order_with_contents(*, pk: int) -> PurchaseOrder:
    return purchase_orders_with_contents().get(pk=pk)


def visible_purchase_orders(viewer: Viewer) -> QuerySet[PurchaseOrder]:
    """Return the purchase orders a viewer's businesses are party to.

    A draft belongs to the buyer alone, as does one waiting for approval: the
    supplier sees an order once sent.
    """
    business_ids = viewer.business_ids
    return PurchaseOrder.objects.filter(
        Q(buyer_id__in=business_ids)
        | (Q(supplier_id__in=business_ids) & ~Q(status__in=lifecycle.LOCAL_STATUSES))
    )


def get_visible_purchase_order(
    *, viewer: Viewer, object_id: str, queryset: QuerySet | None = None
) -> PurchaseOrder:
    """Return one purchase order the viewer may see, or raise Http404."""
    queryset = (
        queryset
        if queryset is not None
        else PurchaseOrder.objects.select_related("buyer", "supplier")
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
    or messages. The lines are not read with it: the page shows a page of
    them (``selectors.lines``).
    """
    queryset = purchase_orders_with_parts().prefetch_related(
        Prefetch(
            "status_changes",
            queryset=StatusChange.objects.select_related("actor_business"),
        ),
        "reminders",
        Prefetch(
            "versions",
            queryset=PurchaseOrderVersion.objects.defer("snapshot").select_related(
                "created_by_business"
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
    queryset = queryset.select_related("waiting_approval")
    return get_visible_purchase_order(viewer=viewer, object_id=object_id, queryset=queryset)


def get_purchase_order_document(*, viewer: Viewer, object_id: str) -> PurchaseOrder:
    """Return a purchase order with its contents, for the printable view."""
    return get_visible_purchase_order(
        viewer=viewer, object_id=object_id, queryset=purchase_orders_with_contents()
    )


def get_purchase_order_lines(
    *, viewer: Viewer, object_id: str, version: int | None = None
) -> tuple[PurchaseOrder, PurchaseOrderVersion | None]:
    """Return a purchase order with its contents and, if asked for, one of its versions.

    A version is one the order's page lists: those the network has
    acknowledged, up to the order's own. Another, or none such, raises
    Http404.
    """
    purchase_order = get_visible_purchase_order(
        viewer=viewer, object_id=object_id, queryset=purchase_orders_with_contents()
    )
    if version is None:
        return purchase_order, None
    kept = (
        PurchaseOrderVersion.objects.filter(
            purchase_order=purchase_order, version=version, version__lte=purchase_order.version
        ).first()
        if version > 0
        else None
    )
    if kept is None:
        raise Http404("No such version.")
    return purchase_order, kept


# A status's place in the lifecycle (draft first, closed last), so that
# sorting by status follows the order a purchase order lives through them.
STATUS_RANK = Case(
    *(When(status=status, then=rank) for rank, status in enumerate(lifecycle.STATUSES)),
    default=len(lifecycle.STATUSES),
)

# The sort orders the lists offer: key -> ORDER BY.
PURCHASE_ORDER_ORDERINGS = {
    "newest": ("-order_date", "-created_at", "-id"),
    "oldest": ("order_date", "created_at", "id"),
    "number": ("buyer_po_number", "id"),
    "-number": ("-buyer_po_number", "-id"),
    "total": ("total_po_value", "id"),
    "-total": ("-total_po_value", "-id"),
    "status": (STATUS_RANK, "-order_date", "-id"),
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
    ``search`` matches part of the PO number, the subject, either party's
    names or GSTIN, a line's description or HSN/SAC code
    (``purchase_orders/search.py``). The buyer's "waiting for
    approval" finds the edits waiting too, whose orders keep their status.
    """
    if role == lifecycle.BUYER:
        queryset = PurchaseOrder.objects.filter(buyer_id__in=viewer.buyer_ids)
        if counterparty is not None:
            queryset = queryset.filter(supplier=counterparty)
    else:
        queryset = PurchaseOrder.objects.filter(supplier_id__in=viewer.supplier_ids).exclude(
            status__in=lifecycle.LOCAL_STATUSES
        )
        if counterparty is not None:
            queryset = queryset.filter(buyer=counterparty)
    if status == lifecycle.AWAITING_APPROVAL and role == lifecycle.BUYER:
        queryset = queryset.filter(waiting_approval__isnull=False)
    elif status:
        queryset = queryset.filter(status=status)
    if ordered_from:
        queryset = queryset.filter(order_date__gte=ordered_from)
    if ordered_to:
        queryset = queryset.filter(order_date__lte=ordered_to)
    words = searching.normalized(search)
    if words:
        # The column is kept in lower case: a plain LIKE, which the trigram
        # index po_search_trgm_idx (migration 0016) serves on PostgreSQL.
        queryset = queryset.filter(search_text__contains=words)
    # The pending action's delivery state, for the list's words ("retrying",
    # "not delivered"), without reading the message itself.
    queryset = queryset.select_related("buyer", "supplier").annotate(
        pending_state=F("pending_message__state")
    )
    if ordering in PURCHASE_ORDER_ORDERINGS:
        return queryset.order_by(*PURCHASE_ORDER_ORDERINGS[ordering])
    if role == lifecycle.SUPPLIER:
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
    other_side = "supplier_id" if role == lifecycle.BUYER else "buyer_id"
    orders = list_purchase_orders(viewer=viewer, role=role).order_by()
    return Business.objects.filter(pk__in=orders.values(other_side)).order_by("legal_name")


def supplier_choices(*, viewer: Viewer, including: Business | None = None) -> QuerySet[Business]:
    """Return the businesses a buyer may send a purchase order to: its directories' suppliers.

    ``including`` is a draft's supplier, offered even if it has been taken
    out of the directory since.
    """
    in_directory = Q(buyer_links__buyer_id__in=viewer.buyer_ids)
    if including is not None:
        in_directory |= Q(pk=including.pk)
    return Business.objects.filter(in_directory).distinct().order_by("legal_name")


def buyer_choices(*, viewer: Viewer) -> QuerySet[Business]:
    """Return the businesses the viewer buys for."""
    return Business.objects.filter(pk__in=viewer.buyer_ids).order_by("legal_name")


def awaiting_confirmation(*, viewer: Viewer) -> QuerySet[PurchaseOrder]:
    """Return the sent and edited purchase orders the viewer's suppliers must answer."""
    return list_purchase_orders(
        viewer=viewer, role=lifecycle.SUPPLIER, status=PurchaseOrder.Status.CREATED
    )


def rejected_purchase_orders(*, viewer: Viewer) -> QuerySet[PurchaseOrder]:
    """Return the viewer's purchase orders that their suppliers rejected, latest first."""
    return list_purchase_orders(
        viewer=viewer, role=lifecycle.BUYER, status=PurchaseOrder.Status.REJECTED
    ).order_by("-updated_at", "-id")


# Orders whose milestones are still to be paid: sent and acknowledged by the
# network, and not ended (a rejected, cancelled or closed order pays nothing).
PAYABLE_STATUSES = (lifecycle.CREATED, lifecycle.ACCEPTED, lifecycle.FULFILLED)
# How far ahead the home page looks for payments due.
MILESTONES_AHEAD_DAYS = 7


def milestones_due(
    *, viewer: Viewer, role: str, today: datetime.date, days: int = MILESTONES_AHEAD_DAYS
) -> QuerySet[PaymentMilestone]:
    """Return the payment milestones due from today to ``days`` ahead, soonest first.

    As buyer, of the orders of the viewer's buying businesses; as supplier,
    of those sent to its supplying businesses. Each comes with its order and
    both businesses.
    """
    if role == lifecycle.BUYER:
        theirs = Q(purchase_order__buyer_id__in=viewer.buyer_ids)
    else:
        theirs = Q(purchase_order__supplier_id__in=viewer.supplier_ids)
    return (
        PaymentMilestone.objects.filter(
            theirs,
            purchase_order__status__in=PAYABLE_STATUSES,
            due_on__gte=today,
            due_on__lte=today + datetime.timedelta(days=days),
        )
        .select_related("purchase_order__buyer", "purchase_order__supplier")
        .order_by("due_on", "purchase_order__buyer_po_number", "position", "id")
    )


def get_version(*, purchase_order: PurchaseOrder, version: int) -> PurchaseOrderVersion | None:
    """Return one stored version of a purchase order, with its snapshot, or None."""
    return PurchaseOrderVersion.objects.filter(
        purchase_order=purchase_order, version=version
    ).first()


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
