"""The purchase order page, its printable document and the comparison of versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from purchase_orders import diffs, forms, selectors
from purchase_orders.enkash import conventions
from purchase_orders.models import OutboundMessage
from purchase_orders.totals import totals_for_purchase_order
from purchase_orders.views.common import BUYER, SUPPLIER, sender_role

UNDELIVERED = (OutboundMessage.State.REJECTED, OutboundMessage.State.FAILED)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def detail_context(viewer, purchase_order, *, answer_form=None) -> dict:
    roles = viewer.roles_for(purchase_order)
    buyer_moves = (
        conventions.allowed_actions(purchase_order.status, BUYER) if BUYER in roles else []
    )
    supplier_moves = (
        conventions.allowed_actions(purchase_order.status, SUPPLIER) if SUPPLIER in roles else []
    )
    buyer_actions = {transition.action for transition in buyer_moves}
    supplier_actions = {transition.action for transition in supplier_moves}
    versions = list(purchase_order.versions.all())
    timeline = selectors.network_timeline(purchase_order)
    for entry in timeline:
        entry.can_retry = bool(entry.message) and selectors.may_retry(
            viewer=viewer, message=entry.message, purchase_order=purchase_order
        )
    latest_version = versions[-1] if versions else None
    sent_messages = [entry.message for entry in timeline if entry.message]
    latest_message = sent_messages[-1] if sent_messages else None
    totals = totals_for_purchase_order(purchase_order)
    return {
        "purchase_order": purchase_order,
        "roles": roles,
        "is_buyer": BUYER in roles,
        "is_supplier": SUPPLIER in roles,
        "parties": {party.role: party for party in purchase_order.parties.all()},
        "totals": totals,
        "line_rows": list(zip(purchase_order.lines.all(), totals.lines, strict=True)),
        "can_send": conventions.SEND in buyer_actions,
        "can_edit": BUYER in roles
        and (purchase_order.is_draft or conventions.EDIT in buyer_actions),
        "status_moves": [t for t in buyer_moves if t.action in conventions.BUYER_ACTIONS],
        "can_confirm": conventions.SUPPLIER_ACCEPT in supplier_actions,
        "can_reject": conventions.SUPPLIER_REJECT in supplier_actions,
        "can_duplicate": BUYER in roles,
        "answer_form": answer_form
        or forms.AnswerForm(
            initial={
                "expected_version": purchase_order.version,
                "expected_status": purchase_order.status,
            }
        ),
        "versions": versions,
        "version_rows": list(zip(versions, [None, *versions], strict=False)),
        "latest_version": latest_version,
        "previous_version": versions[-2] if len(versions) > 1 else None,
        "status_changes": list(purchase_order.status_changes.all()),
        "timeline": timeline,
        # Said at the top, because the network's reason is what to put right.
        "undelivered": latest_message
        if latest_message
        and latest_message.state in UNDELIVERED
        and sender_role(latest_message) in roles
        else None,
        "stamp": selectors.page_stamp(purchase_order),
    }


@login_required
@require_GET
def purchase_order_detail(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_purchase_order_page(viewer=viewer, object_id=object_id)
    return render(request, "purchase_orders/detail.html", detail_context(viewer, purchase_order))


@never_cache
@login_required
@require_GET
def purchase_order_stamp(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    return JsonResponse(
        {"stamp": selectors.purchase_order_stamp(viewer=viewer, object_id=object_id)}
    )


@login_required
@require_GET
def purchase_order_print(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_purchase_order_document(viewer=viewer, object_id=object_id)
    totals = totals_for_purchase_order(purchase_order)
    context = {
        "purchase_order": purchase_order,
        "parties": {party.role: party for party in purchase_order.parties.all()},
        "totals": totals,
        "line_rows": list(zip(purchase_order.lines.all(), totals.lines, strict=True)),
        "printed_at": timezone.now(),
    }
    return render(request, "purchase_orders/print.html", context)


@login_required
@require_GET
def version_compare(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    numbers = list(purchase_order.versions.values_list("version", flat=True))
    if len(numbers) < 2:
        messages.info(request, "This purchase order has only one version so far.")
        return redirect(purchase_order)
    old = _int_or_none(request.GET.get("from"))
    new = _int_or_none(request.GET.get("to"))
    if old is None or new is None:
        old, new = numbers[-2], numbers[-1]
    old_version, new_version = selectors.get_versions_to_compare(
        purchase_order=purchase_order, old=old, new=new
    )
    context = {
        "purchase_order": purchase_order,
        "diff": diffs.compare_versions(old_version, new_version),
        "old_version": old_version,
        "new_version": new_version,
        "numbers": numbers,
        "show_all": request.GET.get("all") == "1",
    }
    return render(request, "purchase_orders/compare.html", context)
