"""What the pages share: the role checks and the messages of an action."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from purchase_orders import selectors
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import PurchaseOrder


def require_role(viewer: selectors.Viewer, purchase_order: PurchaseOrder, role: str) -> None:
    """Refuse with 403 unless the viewer holds ``role`` on the purchase order."""
    if role not in viewer.roles_for(purchase_order):
        raise PermissionDenied(f"Only the {role} of this purchase order can do this.")


def require_approver(viewer: selectors.Viewer, purchase_order: PurchaseOrder) -> None:
    """Refuse with 403 unless the viewer approves the buying business's orders."""
    if purchase_order.buyer_id not in viewer.approver_ids:
        raise PermissionDenied(
            "Only an approver of the buying business can approve or return this purchase order."
        )


def require_business_role(viewer: selectors.Viewer, business_id: int, *roles: str) -> None:
    """Refuse a business's page: 404 to an outsider, 403 without one of ``roles`` there.

    ``roles`` are ``MembershipRole`` values; a person holding any of them passes.
    """
    held = viewer.roles_in(business_id)
    if not held:
        raise Http404("No such business here.")
    if not held.intersection(roles):
        raise PermissionDenied("Your role in this business does not allow this page.")


def action_error(request, purchase_order, error: PurchaseOrderError):
    """Say the service's refusal at the top of the purchase order page."""
    messages.error(request, error.message)
    return redirect(purchase_order)


def sent_message(purchase_order: PurchaseOrder) -> str:
    """Return what to tell the buyer once the order is queued for the network."""
    return (
        f"Purchase order {purchase_order.buyer_po_number} is on its way to "
        f"{purchase_order.supplier}. The network timeline below shows when it is delivered."
    )


def submitted_message(purchase_order: PurchaseOrder) -> str:
    """Return what to tell the buyer once the order waits for approval."""
    return (
        f"Purchase order {purchase_order.buyer_po_number} is submitted for approval. The "
        f"approvers of {purchase_order.buyer} are told; it goes to {purchase_order.supplier} "
        "once one of them approves it."
    )


def number_asked(value: str | None) -> int | None:
    """Return a number asked in a query string (a version), or None when it is not one.

    Only plain digits, at most nine of them: "²" passes ``str.isdigit`` and a
    twenty-digit number overflows SQLite's integers.
    """
    if value is not None and re.fullmatch(r"[0-9]{1,9}", value):
        return int(value)
    return None
