"""The supplier directory as the pages read it: a buyer's suppliers, one supplier, a search."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from purchase_orders import stamps
from purchase_orders.models import (
    Business,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    SupplierLink,
    SupplierSearch,
)

from .members import person_name
from .viewers import Viewer

# How long the network usually takes to answer a search: after this, a page
# still waiting says that the network has not answered (yet).
SEARCH_PATIENCE = datetime.timedelta(seconds=60)

# What a search's page says of it, beyond its state (``search_progress``).
ASKING = "asking"  # written, being delivered, or delivered and answered soon
RETRYING = "retrying"  # the network could not be reached; tried again later
UNANSWERED = "unanswered"  # delivered, and no answer for longer than usual
NOT_DELIVERED = "not_delivered"  # the portal gave up reaching the network
REFUSED = "refused"  # the network refused the search, or answered FAILURE
ANSWERED = "answered"
NO_MATCH = "no_match"


def list_supplier_links(*, viewer: Viewer, query: str = "") -> QuerySet[SupplierLink]:
    """Return the suppliers in the directories of the businesses the viewer buys for.

    ``query`` finds a supplier by a part of its legal or trade name, GSTIN or
    B2B ID, case aside.
    """
    links = SupplierLink.objects.filter(buyer_id__in=viewer.buyer_ids).select_related(
        "buyer", "supplier"
    )
    query = query.strip()
    if query:
        links = links.filter(
            Q(supplier__legal_name__icontains=query)
            | Q(supplier__trade_name__icontains=query)
            | Q(supplier__gstin__icontains=query)
            | Q(supplier__b2b_id__icontains=query)
        )
    return links.order_by("supplier__legal_name", "buyer__legal_name", "pk")


def get_supplier_link(*, viewer: Viewer, link_id: int) -> SupplierLink:
    """Return a supplier of a directory of one of the viewer's businesses, or raise Http404."""
    try:
        return SupplierLink.objects.select_related("buyer", "supplier").get(
            pk=link_id, buyer_id__in=viewer.business_ids
        )
    except SupplierLink.DoesNotExist:
        raise Http404("No such supplier in your directory.") from None


def find_in_directory(*, buyer: Business, parameter: str, value: str) -> SupplierLink | None:
    """Return the buyer's supplier with this GSTIN or B2B ID, if its directory has one."""
    field = "supplier__gstin" if parameter == SupplierSearch.Parameter.GSTIN else "supplier__b2b_id"
    return (
        SupplierLink.objects.filter(buyer=buyer, **{field: value})
        .select_related("supplier")
        .first()
    )


def supplier_orders(*, link: SupplierLink) -> QuerySet[PurchaseOrder]:
    """Return the purchase orders the link's buyer wrote to its supplier, newest first."""
    return (
        PurchaseOrder.objects.filter(buyer_id=link.buyer_id, supplier_id=link.supplier_id)
        .select_related("buyer", "supplier", "pending_message")
        .order_by("-order_date", "-id")
    )


def supplier_people(*, supplier: Business) -> list[str]:
    """Return the names of the active people of a business here, each once, sorted."""
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(business=supplier).values("user_id"),
        )
        .order_by("first_name", "last_name", "username")
    )
    return [person_name(user) for user in users]


def get_supplier_search(*, viewer: Viewer, pk: int) -> SupplierSearch:
    """Return a search asked for one of the viewer's businesses, or raise Http404."""
    try:
        return SupplierSearch.objects.select_related("buyer", "outbound_message").get(
            pk=pk, buyer_id__in=viewer.business_ids
        )
    except SupplierSearch.DoesNotExist:
        raise Http404("No such search.") from None


@dataclass(frozen=True)
class SearchProgress:
    """Where a search stands, in the words its page uses (the constants above)."""

    phase: str
    attempts: int = 0
    next_attempt_at: datetime.datetime | None = None

    @property
    def is_waiting(self) -> bool:
        return self.phase in (ASKING, RETRYING, UNANSWERED)


def search_progress(
    search: SupplierSearch, *, now: datetime.datetime | None = None
) -> SearchProgress:
    """Return where a search stands: answered, refused, or how its question is going."""
    message = search.outbound_message
    if search.state == SupplierSearch.State.ANSWERED:
        return SearchProgress(ANSWERED)
    if search.state == SupplierSearch.State.NO_MATCH:
        return SearchProgress(NO_MATCH)
    if search.state == SupplierSearch.State.FAILED:
        if message.state == OutboundMessage.State.REJECTED:
            return SearchProgress(REFUSED)
        return SearchProgress(NOT_DELIVERED, attempts=message.attempts)
    if message.state == OutboundMessage.State.RETRYING:
        return SearchProgress(
            RETRYING, attempts=message.attempts, next_attempt_at=message.next_attempt_at
        )
    now = now or timezone.now()
    delivered = message.state in (OutboundMessage.State.SENT, OutboundMessage.State.ACKNOWLEDGED)
    if delivered and now - search.created_at > SEARCH_PATIENCE:
        return SearchProgress(UNANSWERED)
    return SearchProgress(ASKING)


def supplier_search_stamp(*, viewer: Viewer, pk: int) -> str:
    """Return a short text that changes whenever a search's page would, in one query.

    Raise Http404 unless the search is of a business the viewer buys for.
    """
    search = (
        SupplierSearch.objects.select_related("outbound_message")
        .filter(pk=pk, buyer_id__in=viewer.buyer_ids)
        .first()
    )
    if search is None:
        raise Http404("No such search.")
    message = search.outbound_message
    return stamps.digest(
        search.state,
        search.answered_at and search.answered_at.isoformat(),
        message.state,
        message.attempts,
        search_progress(search).phase,
    )


def known_businesses(b2b_ids) -> dict[str, Business]:
    """Return the businesses known here by any of these B2B IDs, by B2B ID."""
    return {business.b2b_id: business for business in Business.objects.filter(b2b_id__in=b2b_ids)}


def directory_supplier_ids(*, buyer: Business) -> set[int]:
    """Return the pks of the businesses in a buyer's directory."""
    return set(SupplierLink.objects.filter(buyer=buyer).values_list("supplier_id", flat=True))
