"""What the pages share: the role check and the messages of an action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from purchase_orders import selectors
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import PurchaseOrder


def require_role(viewer: selectors.Viewer, purchase_order: PurchaseOrder, role: str) -> None:
    """Refuse with 403 unless the viewer holds ``role`` on the purchase order."""
    if role not in viewer.roles_for(purchase_order):
        raise PermissionDenied(f"Only the {role} of this purchase order can do this.")


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
