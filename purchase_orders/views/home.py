"""The home page: what awaits the user's attention."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from purchase_orders import selectors
from purchase_orders.lifecycle import BUYER, SUPPLIER
from purchase_orders.models import PurchaseOrder
from purchase_orders.views import live

HOME_LIST_SIZE = 10


@login_required
def home(request):
    viewer = request.viewer
    context = {"viewer": viewer, "nav": "home"}
    today = timezone.localdate()
    if viewer.is_approver:
        waiting = selectors.waiting_for_approval(viewer=viewer)
        context["waiting"] = list(waiting[:HOME_LIST_SIZE])
        context["waiting_count"] = waiting.count()
    if viewer.is_supplier:
        awaiting = selectors.awaiting_confirmation(viewer=viewer)
        context["awaiting"] = list(awaiting[:HOME_LIST_SIZE])
        context["awaiting_count"] = awaiting.count()
        context["payments_to_receive"] = list(
            selectors.milestones_due(viewer=viewer, role=SUPPLIER, today=today)[
                : HOME_LIST_SIZE + 1
            ]
        )
    if viewer.is_buyer:
        rejected = selectors.rejected_purchase_orders(viewer=viewer)
        context["rejected"] = list(rejected[:HOME_LIST_SIZE])
        context["rejected_count"] = rejected.count()
        context["payments_due"] = list(
            selectors.milestones_due(viewer=viewer, role=BUYER, today=today)[: HOME_LIST_SIZE + 1]
        )
        context["drafts"] = list(
            selectors.list_purchase_orders(
                viewer=viewer, role=BUYER, status=PurchaseOrder.Status.DRAFT
            )[:HOME_LIST_SIZE]
        )
        context["sent"] = list(
            selectors.list_purchase_orders(
                viewer=viewer, role=BUYER, status=PurchaseOrder.Status.CREATED
            )[:HOME_LIST_SIZE]
        )
    if viewer.business_ids:
        context["failed"] = list(selectors.failed_deliveries(viewer=viewer)[:HOME_LIST_SIZE])
        context["live"] = live.follow_home(viewer=viewer)
    listed = [
        po
        for key in ("waiting", "awaiting", "rejected", "drafts", "sent")
        for po in context.get(key, ())
    ]
    listed += [
        milestone.purchase_order
        for key in ("payments_due", "payments_to_receive")
        for milestone in context.get(key, ())
    ]
    context["namesakes"] = selectors.namesakes(
        business for po in listed for business in (po.buyer, po.supplier)
    )
    context["days_ahead"] = selectors.MILESTONES_AHEAD_DAYS
    context["shown"] = HOME_LIST_SIZE
    return render(request, "home.html", context)
