"""Reads: querysets and lookups for pages, APIs and admin."""

from django.db.models import Prefetch, QuerySet

from purchase_orders.models import LineItem, PurchaseOrder


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


def businesses_for_user(user) -> QuerySet:
    """Return the businesses a user acts for, in any role."""
    from purchase_orders.models import Business

    return Business.objects.filter(memberships__user=user).distinct()


def get_purchase_order_for_user(*, user, object_id: str) -> PurchaseOrder:
    """Return a purchase order the user's business is a party to, or raise Http404."""
    from django.db.models import Q
    from django.http import Http404

    business_ids = list(businesses_for_user(user).values_list("pk", flat=True))
    try:
        return purchase_orders_with_contents().get(
            Q(buyer_id__in=business_ids) | Q(supplier_id__in=business_ids), object_id=object_id
        )
    except PurchaseOrder.DoesNotExist:
        raise Http404("No such purchase order.") from None
