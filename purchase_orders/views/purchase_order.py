"""The purchase order page, its printable document and PDF, and the comparison of versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from purchase_orders import diffs, forms, lifecycle, selectors
from purchase_orders.models import OutboundMessage
from purchase_orders.services.pdf import render_purchase_order_pdf
from purchase_orders.services.warnings import purchase_order_warnings
from purchase_orders.totals import LineInput, compute_line, totals_for_purchase_order
from purchase_orders.views import live
from purchase_orders.views.common import number_asked

UNDELIVERED = (OutboundMessage.State.REJECTED, OutboundMessage.State.FAILED)

# How many network entries a purchase order's page shows before folding the rest.
TIMELINE_RECENT = 5


# How many lines a purchase order's page shows at once; the others are a page away.
LINES_PER_PAGE = 100
# The page's query string: which page of lines, and what they were searched for.
LINES_PAGE = "lines_page"
LINES_SEARCH = "lines_q"
# A search longer than any field it looks in finds nothing: it is cut there.
LINES_SEARCH_MAX = 500


def lines_context(purchase_order, totals, query) -> dict:
    """Return the page of lines the query string asks for, and the words of its navigation.

    The lines are paged in SQL; each line's figures are computed for the
    lines shown, the order's totals (``totals``) over all of them.
    """
    # No stored text holds a NUL, and PostgreSQL refuses one in a query.
    asked = (query.get(LINES_SEARCH) or "").replace("\x00", " ")
    search = " ".join(asked.split())[:LINES_SEARCH_MAX]
    page = selectors.page_of_lines(
        purchase_order=purchase_order,
        search=search,
        number=query.get(LINES_PAGE),
        per_page=LINES_PER_PAGE,
    )
    intra_state = totals.is_intra_state
    rows = [
        (line, compute_line(LineInput.from_model(line), intra_state=intra_state), line.position + 1)
        for line in page.object_list
    ]
    line_count = len(totals.lines)
    return {
        "line_rows": rows,
        "lines_page": page,
        "lines_search": search,
        "line_count": line_count,
        # Paged, or searched: a small order's lines show as they always did.
        "lines_paged": line_count > LINES_PER_PAGE or bool(search),
        "lines_page_range": list(
            page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ),
        "lines_page_name": LINES_PAGE,
        "lines_search_name": LINES_SEARCH,
    }


def document_context(purchase_order, *, lines_query=None) -> dict:
    """Return what the page shows of the order's contents: parties, lines, totals.

    ``lines_query`` is the page's query string (``lines_context``); the
    totals add up every line, whichever page of them is shown. The
    printable view and the PDF read theirs from ``selectors.documents``.
    """
    totals = totals_for_purchase_order(purchase_order, selectors.line_inputs(purchase_order))
    return {
        "purchase_order": purchase_order,
        "parties": {party.role: party for party in purchase_order.parties.all()},
        "totals": totals,
        **lines_context(purchase_order, totals, lines_query or {}),
    }


def approval_context(viewer, purchase_order, actions, status_changes, *, form=None) -> dict:
    """Return what the page says of approvals, to the buying side only (buyers, approvers).

    The supplier sees nothing of them: they are the buyer's own business.
    """
    if not (actions.is_buyer or actions.approves):
        return {}
    waiting = purchase_order.waiting_approval
    context = {
        "waiting_approval": waiting,
        "can_decide": actions.may_decide,
        "approval_form": form
        or forms.ApprovalForm(initial={"expected_request": waiting.pk if waiting else None}),
        "send_approval": actions.send_approval if actions.may(lifecycle.SUBMIT) else None,
    }
    steps = [change for change in status_changes if lifecycle.is_local(change.action)]
    if not waiting and status_changes and steps and status_changes[-1] is steps[-1]:
        # Returned, and nothing has happened to the order since: the buyer's to put right.
        context["returned"] = steps[-1] if steps[-1].action == lifecycle.RETURN else None
    if waiting is not None and waiting.is_edit:
        acknowledged = selectors.get_version(
            purchase_order=purchase_order, version=purchase_order.version
        )
        if acknowledged is not None:
            context["waiting_from"] = acknowledged
            context["waiting_diff"] = diffs.compare_snapshots(
                acknowledged.snapshot,
                waiting.snapshot,
                old_version=acknowledged.version,
                new_version=waiting.version,
            )
    return context


def detail_context(
    viewer, purchase_order, *, answer_form=None, approval_form=None, lines_query=None
) -> dict:
    actions = selectors.purchase_order_actions(viewer=viewer, purchase_order=purchase_order)
    # The local steps of an approval are the buying side's alone.
    status_changes = [
        change
        for change in purchase_order.status_changes.all()
        if actions.is_buyer or actions.approves or not lifecycle.is_local(change.action)
    ]
    network_changes = [c for c in status_changes if not lifecycle.is_local(c.action)]
    # A version sent and not yet acknowledged is shown apart, as pending.
    versions = [v for v in purchase_order.versions.all() if v.version <= purchase_order.version]
    pending_version = next(
        (v for v in purchase_order.versions.all() if v.version > purchase_order.version), None
    )
    pending_message = purchase_order.pending_message if purchase_order.pending_action else None
    timeline = selectors.network_timeline(purchase_order, business_ids=viewer.business_ids)
    for entry in timeline:
        entry.can_retry = bool(entry.message) and actions.may_retry(entry.message)
    sent_messages = [entry.message for entry in timeline if entry.message]
    latest_message = sent_messages[-1] if sent_messages else None
    return {
        **document_context(purchase_order, lines_query=lines_query),
        **approval_context(viewer, purchase_order, actions, status_changes, form=approval_form),
        "is_buyer": actions.is_buyer,
        "is_supplier": actions.is_supplier,
        "is_approver": actions.approves,
        "buying_side": actions.is_buyer or actions.approves,
        # The buyer's to weigh, not the supplier's: tax care and payment terms.
        "warnings": purchase_order_warnings(purchase_order=purchase_order)
        if actions.is_buyer or actions.approves
        else [],
        "local_actions": lifecycle.APPROVAL_ACTIONS,
        "can_send": actions.may_send,
        "can_submit": actions.may_submit,
        "can_edit": bool(actions.edit_mode),
        "status_moves": actions.status_moves,
        "can_confirm": actions.may(lifecycle.ACCEPT),
        "can_reject": actions.may(lifecycle.REJECT),
        "can_duplicate": actions.is_buyer,
        "answer_form": answer_form
        or forms.AnswerForm(
            initial={
                "expected_version": purchase_order.version,
                "expected_status": purchase_order.status,
            }
        ),
        "pending_version": pending_version,
        # An approver acts for the buying side: the send they approved is theirs.
        "pending_role": next(
            (role for role in (lifecycle.BUYER, lifecycle.SUPPLIER) if role in actions.roles),
            lifecycle.BUYER if actions.approves else "",
        ),
        "can_retry_pending": bool(pending_message) and actions.may_retry(pending_message),
        # A failed message that no longer carries the pending action is retried
        # from the notice at the top, which says it was not delivered.
        "can_retry_latest": bool(latest_message) and actions.may_retry(latest_message),
        "pending_message": pending_message,
        "versions": versions,
        "version_rows": list(zip(versions, [None, *versions], strict=False)),
        "latest_version": versions[-1] if versions else None,
        "previous_version": versions[-2] if len(versions) > 1 else None,
        "status_changes": status_changes,
        # The status timeline: the status changes and the reminders, by time.
        "history": sorted(
            [*status_changes, *purchase_order.reminders.all()],
            key=lambda row: (row.created_at, getattr(row, "is_reminder", False)),
        ),
        "last_network_change": network_changes[-1] if network_changes else None,
        "namesakes": selectors.namesakes([purchase_order.buyer, purchase_order.supplier]),
        "timeline": timeline,
        # The latest entries in full; the earlier ones folded away.
        "timeline_recent": timeline[-TIMELINE_RECENT:],
        "timeline_earlier": timeline[:-TIMELINE_RECENT],
        # Said at the top, because the network's reason is what to put right.
        "undelivered": latest_message
        if latest_message
        and latest_message.state in UNDELIVERED
        and latest_message.sender_role in actions.roles
        and latest_message != pending_message
        else None,
        "live": live.follow_purchase_order(
            viewer=viewer, purchase_order=purchase_order, stamp=selectors.page_stamp(purchase_order)
        ),
    }


@login_required
@require_GET
def purchase_order_detail(request, object_id: str):
    viewer = request.viewer
    purchase_order = selectors.get_purchase_order_page(viewer=viewer, object_id=object_id)
    context = detail_context(viewer, purchase_order, lines_query=request.GET)
    return render(request, "purchase_orders/detail.html", context)


@login_required
@require_GET
def purchase_order_print(request, object_id: str):
    document = selectors.get_purchase_order_version_document(
        viewer=request.viewer, object_id=object_id
    )
    context = {
        "document": document,
        "printed_at": timezone.now(),
        "pdf_url": reverse("purchase_orders:pdf", args=[object_id]),
    }
    return render(request, "purchase_orders/print.html", context)


@login_required
@require_GET
def purchase_order_pdf(request, object_id: str):
    """Send the PDF of the order as it stands, or of the version asked for (?version=2)."""
    version = number_asked(request.GET.get("version"))
    if "version" in request.GET and (version is None or version < 1):
        raise Http404("No such version.")
    document = selectors.get_purchase_order_version_document(
        viewer=request.viewer, object_id=object_id, version=version
    )
    response = HttpResponse(render_purchase_order_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@login_required
@require_GET
def version_compare(request, object_id: str):
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    versions = purchase_order.versions.all()
    buying_side = (
        lifecycle.BUYER in viewer.roles_for(purchase_order)
        or purchase_order.buyer_id in viewer.approver_ids
    )
    if not buying_side:
        # A version the buyer sent is the supplier's once the network delivers it.
        versions = versions.filter(version__lte=purchase_order.version)
    numbers = list(versions.values_list("version", flat=True))
    old = number_asked(request.GET.get("from"))
    new = number_asked(request.GET.get("to"))
    if any(number is not None and number not in numbers for number in (old, new)):
        # Asked for by number: one the viewer cannot see (or none such) is not found.
        raise Http404("No such version.")
    if len(numbers) < 2:
        messages.info(request, "This purchase order has only one version so far.")
        return redirect(purchase_order)
    if old is None or new is None:
        old, new = numbers[-2], numbers[-1]
    if old not in numbers or new not in numbers:
        raise Http404("No such version.")
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
