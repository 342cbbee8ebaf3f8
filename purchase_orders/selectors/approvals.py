"""Approvals as the pages and the services read them: who must ask, who may decide.

The rule (``services/approvals.py`` applies it, the pages offer what it allows):

- A business without an approval limit needs no approvals. A version whose
  total is over the limit (equal to it is not) needs an approver of the
  business before it goes to the network: the first send and every edit.
- A buyer who is also an approver there, where approvers may approve their
  own orders, sends it directly; the version records them as its approver.
  Anyone else submits it for approval.
- Any approver of the business decides, except the one who submitted it,
  unless approvers may approve their own orders.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from purchase_orders.models import Business, Membership, PurchaseOrder
from purchase_orders.templatetags.portal import format_inr

if TYPE_CHECKING:
    from .viewers import Viewer


@dataclass(frozen=True)
class ApprovalNeed:
    """Why a version needs an approver: its total is over the business's limit."""

    business: Business
    total: Decimal
    limit: Decimal

    @property
    def reason(self) -> str:
        return (
            f"Total {format_inr(self.total)} is over {self.business}'s approval limit of "
            f"{format_inr(self.limit)}."
        )


def over_limit(*, business: Business, total: Decimal) -> ApprovalNeed | None:
    """Return why a total needs approval at a buying business, or None if it does not."""
    limit = business.approval_limit
    if limit is None or total <= limit:
        return None
    return ApprovalNeed(business=business, total=total, limit=limit)


def approval_needed(
    *, business: Business, total: Decimal, approver_of_own: bool
) -> ApprovalNeed | None:
    """Return why a version must be submitted for approval, or None if it may go out.

    ``approver_of_own`` says that the person sending it is an approver of
    the business; they send it directly if approvers may approve their own.
    """
    need = over_limit(business=business, total=total)
    if need is None or (approver_of_own and business.approvers_may_approve_own):
        return None
    return need


def own_people(*, purchase_order: PurchaseOrder, submitted_by_id: int) -> set[int]:
    """Return whose own order an approval request is: who submitted it, and who wrote it.

    Where approvers may not approve their own orders, neither decides on it.
    """
    return {pk for pk in (submitted_by_id, purchase_order.created_by_id) if pk}


def approvers_for(*, business: Business, own: set[int]) -> QuerySet:
    """Return the active approvers who could decide a request whose own order it is of ``own``.

    ``own`` is ``own_people``'s: the people who submitted and wrote the order.
    """
    approvers = get_user_model().objects.filter(
        is_active=True,
        memberships__business=business,
        memberships__role=Membership.Role.APPROVER,
    )
    if not business.approvers_may_approve_own:
        approvers = approvers.exclude(pk__in=own)
    return approvers.distinct().order_by("pk")


def waiting_for_approval(*, viewer: "Viewer") -> QuerySet[PurchaseOrder]:
    """Return the orders waiting for the viewer's approval, the longest waiting first.

    Those of the businesses the viewer approves for, less those the viewer
    submitted or wrote where approvers may not approve their own.
    """
    return (
        PurchaseOrder.objects.filter(
            buyer_id__in=viewer.approver_ids, waiting_approval__isnull=False
        )
        .exclude(
            (Q(waiting_approval__submitted_by=viewer.user) | Q(created_by=viewer.user))
            & Q(buyer__approvers_may_approve_own=False)
        )
        .select_related("buyer", "supplier", "waiting_approval")
        .order_by("waiting_approval__submitted_at", "id")
    )
