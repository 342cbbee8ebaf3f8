"""Buyer and supplier pages: glue between forms, selectors and services.

Every page answers 404 for a purchase order outside the user's businesses
and 403 when the user's role there does not allow the page (a supplier
cannot act as the buyer, nor the buyer as the supplier).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from purchase_orders import diffs, forms, selectors
from purchase_orders.enkash import conventions
from purchase_orders.exceptions import InvalidPurchaseOrder, PurchaseOrderError
from purchase_orders.models import Membership, OutboundMessage, PurchaseOrder
from purchase_orders.services import drafts
from purchase_orders.services.outbound import retry_outbound_message
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from purchase_orders.totals import totals_for_purchase_order

BUYER = Membership.Role.BUYER
SUPPLIER = Membership.Role.SUPPLIER
PAGE_SIZE = 25
UNDELIVERED = (OutboundMessage.State.REJECTED, OutboundMessage.State.FAILED)
HOME_LIST_SIZE = 10

# List columns sorted by a click on their heading: key -> (label, ascending, descending).
SORTABLE_COLUMNS = {
    "number": ("PO number", "number", "-number"),
    "order_date": ("Order date", "oldest", "newest"),
    "total": ("Total", "total", "-total"),
}


def _require_role(viewer: selectors.Viewer, purchase_order: PurchaseOrder, role: str) -> None:
    if role not in viewer.roles_for(purchase_order):
        raise PermissionDenied(f"Only the {role} of this purchase order can do this.")


def _sender_role(message: OutboundMessage) -> str:
    return SUPPLIER if message.kind == OutboundMessage.Kind.CONFIRM else BUYER


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- home and lists ---------------------------------------------------------------


@login_required
def home(request):
    viewer = selectors.get_viewer(request.user)
    context = {"viewer": viewer, "nav": "home"}
    if viewer.is_supplier:
        awaiting = selectors.awaiting_confirmation(viewer=viewer)
        context["awaiting"] = list(awaiting[:HOME_LIST_SIZE])
        context["awaiting_count"] = awaiting.count()
    if viewer.is_buyer:
        rejected = selectors.rejected_purchase_orders(viewer=viewer)
        context["rejected"] = list(rejected[:HOME_LIST_SIZE])
        context["rejected_count"] = rejected.count()
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
    return render(request, "home.html", context)


def _list_page(request, *, role: str, title: str):
    viewer = selectors.get_viewer(request.user)
    if role == BUYER and not viewer.is_buyer or role == SUPPLIER and not viewer.is_supplier:
        raise PermissionDenied(f"Only {role}s see this list.")
    form = forms.PurchaseOrderFilterForm(
        request.GET, role=role, counterparties=selectors.counterparties(viewer=viewer, role=role)
    )
    filters = form.filters()
    queryset = selectors.list_purchase_orders(viewer=viewer, role=role, **filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # The buyer's list is newest first unless told otherwise; the inbox has its own order.
    current = filters["ordering"] or ("newest" if role == BUYER else "")
    columns = []
    for key, (label, ascending, descending) in SORTABLE_COLUMNS.items():
        direction = (
            "ascending" if current == ascending else "descending" if current == descending else ""
        )
        columns.append(
            {
                "key": key,
                "label": label,
                "sort": descending if current == ascending else ascending,
                "aria_sort": direction,
            }
        )
    context = {
        "nav": "list" if role == BUYER else "inbox",
        "title": title,
        "role": role,
        "form": form,
        "page": page,
        "purchase_orders": page.object_list,
        "columns": {column["key"]: column for column in columns},
        "is_filtered": any(filters[name] for name in filters if name != "ordering"),
    }
    if role == SUPPLIER:
        context["stamp"] = selectors.inbox_stamp(viewer=viewer)
    return render(request, "purchase_orders/list.html", context)


@login_required
@require_GET
def purchase_order_list(request):
    return _list_page(request, role=BUYER, title="Purchase orders")


@login_required
@require_GET
def inbox(request):
    return _list_page(request, role=SUPPLIER, title="Received purchase orders")


@never_cache
@login_required
@require_GET
def inbox_stamp(request):
    viewer = selectors.get_viewer(request.user)
    if not viewer.is_supplier:
        raise PermissionDenied("Only suppliers have an inbox.")
    return JsonResponse({"stamp": selectors.inbox_stamp(viewer=viewer)})


# -- writing a purchase order ---------------------------------------------------------


def _render_form(request, editor, *, purchase_order=None):
    context = {
        "nav": "create" if editor.mode == "new" else "",
        "editor": editor,
        "form": editor.main,
        "parts": editor.parts(),
        "purchase_order": purchase_order,
        "mode": editor.mode,
        "error_summary": editor.error_summary(),
        "unit_suggestions": forms.UNIT_SUGGESTIONS,
        "address_purposes": forms.ADDRESS_PURPOSES,
        "bearing_parties": forms.BEARING_PARTIES,
        "supplier_state": _supplier_state(purchase_order) if editor.mode == "edit" else "",
    }
    return render(request, "purchase_orders/form.html", context)


def _supplier_state(purchase_order) -> str:
    for party in purchase_order.parties.all():
        if party.role == conventions.SUPPLIER:
            return party.state_code
    return purchase_order.supplier.state_code


def _posted_editor(request, *, mode, buyers, suppliers, initial=None):
    editor = forms.PurchaseOrderEditor(
        mode=mode, buyers=buyers, suppliers=suppliers, data=request.POST, initial=initial
    )
    add_row_to = request.POST.get("add_row")
    if add_row_to:
        return editor.refilled(add_row_to=add_row_to, buyers=buyers, suppliers=suppliers), True
    return editor, False


@login_required
def purchase_order_create(request):
    viewer = selectors.get_viewer(request.user)
    if not viewer.is_buyer:
        raise PermissionDenied("Only buyers raise purchase orders.")
    buyers = selectors.buyer_choices(viewer=viewer)
    suppliers = selectors.supplier_choices(viewer=viewer)
    if request.method != "POST":
        buyer = buyers.first()
        initial, parts = forms.initial_for_new(
            buyer=buyer,
            po_number=drafts.suggest_po_number(buyer=buyer) if buyer else "",
            today=timezone.localdate(),
        )
        editor = forms.PurchaseOrderEditor(
            mode="new", buyers=buyers, suppliers=suppliers, initial=initial, parts_initial=parts
        )
        return _render_form(request, editor)

    editor, adding = _posted_editor(request, mode="new", buyers=buyers, suppliers=suppliers)
    if adding or not editor.is_valid():
        return _render_form(request, editor)
    data = editor.cleaned_data
    try:
        if request.POST.get("intent") == "send":
            purchase_order = drafts.send_draft(
                buyer=data["buyer"],
                supplier=data["supplier"],
                sent_by=request.user,
                contents=editor.contents(),
            )
            messages.success(request, _sent_message(purchase_order))
        else:
            purchase_order = drafts.create_draft(
                buyer=data["buyer"],
                supplier=data["supplier"],
                created_by=request.user,
                contents=editor.contents(),
            )
            messages.success(
                request, f"Draft {purchase_order.buyer_po_number} saved. Send it when it is ready."
            )
    except PurchaseOrderError as error:
        editor.add_error(error)
        return _render_form(request, editor)
    return redirect(purchase_order)


def _sent_message(purchase_order: PurchaseOrder) -> str:
    return (
        f"Purchase order {purchase_order.buyer_po_number} is on its way to "
        f"{purchase_order.supplier}. The network timeline below shows when it is delivered."
    )


@login_required
def purchase_order_edit(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_visible_purchase_order(
        viewer=viewer, object_id=object_id, queryset=selectors.purchase_orders_with_contents()
    )
    _require_role(viewer, purchase_order, BUYER)
    if purchase_order.is_draft:
        mode = "draft"
    elif conventions.find_transition(conventions.EDIT, purchase_order.status):
        mode = "edit"
    else:
        messages.error(
            request,
            f"This purchase order cannot be edited: its status is "
            f"“{purchase_order.get_status_display()}”.",
        )
        return redirect(purchase_order)
    buyers = selectors.buyer_choices(viewer=viewer)
    suppliers = selectors.supplier_choices(viewer=viewer)
    initial, parts = forms.initial_for_purchase_order(purchase_order)
    if request.method != "POST":
        editor = forms.PurchaseOrderEditor(
            mode=mode, buyers=buyers, suppliers=suppliers, initial=initial, parts_initial=parts
        )
        return _render_form(request, editor, purchase_order=purchase_order)

    editor, adding = _posted_editor(
        request, mode=mode, buyers=buyers, suppliers=suppliers, initial=initial
    )
    if adding or not editor.is_valid():
        return _render_form(request, editor, purchase_order=purchase_order)
    data = editor.cleaned_data
    try:
        if mode == "edit":
            contents = drafts.complete_contents(
                contents=editor.contents(),
                buyer=purchase_order.buyer,
                supplier=purchase_order.supplier,
                parties=drafts.current_parties(purchase_order),
            )
            purchase_order = edit_purchase_order(
                purchase_order=purchase_order,
                edited_by=request.user,
                contents=contents,
                reason=data["reason"],
                expected_version=data.get("expected_version"),
            )
            messages.success(
                request,
                f"Version {purchase_order.version} of {purchase_order.buyer_po_number} is on its "
                f"way to {purchase_order.supplier}, who will confirm it again.",
            )
        elif request.POST.get("intent") == "send":
            purchase_order = drafts.send_draft(
                buyer=purchase_order.buyer,
                supplier=data["supplier"],
                sent_by=request.user,
                contents=editor.contents(),
                purchase_order=purchase_order,
            )
            messages.success(request, _sent_message(purchase_order))
        else:
            purchase_order = drafts.update_draft(
                purchase_order=purchase_order,
                updated_by=request.user,
                contents=editor.contents(),
                supplier=data["supplier"],
            )
            messages.success(request, f"Draft {purchase_order.buyer_po_number} saved.")
    except PurchaseOrderError as error:
        editor.add_error(error)
        return _render_form(request, editor, purchase_order=purchase_order)
    return redirect(purchase_order)


# -- the purchase order page --------------------------------------------------------------


def _detail_context(viewer, purchase_order, *, answer_form=None) -> dict:
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
        and _sender_role(latest_message) in roles
        else None,
        "stamp": selectors.page_stamp(purchase_order),
    }


@login_required
@require_GET
def purchase_order_detail(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_purchase_order_page(viewer=viewer, object_id=object_id)
    return render(request, "purchase_orders/detail.html", _detail_context(viewer, purchase_order))


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


# -- actions ---------------------------------------------------------------------------


def _action_error(request, purchase_order, error: PurchaseOrderError):
    messages.error(request, error.message)
    return redirect(purchase_order)


@login_required
@require_POST
def purchase_order_send(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    _require_role(viewer, purchase_order, BUYER)
    try:
        purchase_order = send_purchase_order(purchase_order=purchase_order, sent_by=request.user)
    except InvalidPurchaseOrder as error:
        messages.error(request, f"{error.message} Edit the draft to put it right.")
        return redirect(purchase_order)
    except PurchaseOrderError as error:
        return _action_error(request, purchase_order, error)
    messages.success(request, _sent_message(purchase_order))
    return redirect(purchase_order)


def _answer(request, object_id: str, *, accept: bool):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    _require_role(viewer, purchase_order, SUPPLIER)
    form = forms.AnswerForm(request.POST, rejecting=not accept)
    if form.is_valid():
        try:
            purchase_order = confirm_purchase_order(
                purchase_order=purchase_order,
                confirmed_by=request.user,
                accept=accept,
                remarks=form.cleaned_data["remarks"],
                expected_version=form.cleaned_data.get("expected_version"),
                expected_status=form.cleaned_data.get("expected_status") or None,
            )
        except PurchaseOrderError as error:
            if error.field != "remarks":
                # Not about what was typed (the order moved on, or may not
                # move): said at the top of the page as it now stands.
                return _action_error(request, purchase_order, error)
            form.add_error("remarks", error.message)
        else:
            verb = "confirmed" if accept else "rejected"
            messages.success(
                request,
                f"You {verb} {purchase_order.buyer_po_number}. The buyer is told over the network.",
            )
            return redirect(purchase_order)
    page = selectors.get_purchase_order_page(viewer=viewer, object_id=object_id)
    context = _detail_context(viewer, page, answer_form=form)
    return render(request, "purchase_orders/detail.html", context)


@login_required
@require_POST
def purchase_order_confirm(request, object_id: str):
    return _answer(request, object_id, accept=True)


@login_required
@require_POST
def purchase_order_reject(request, object_id: str):
    return _answer(request, object_id, accept=False)


@login_required
def purchase_order_change_status(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    _require_role(viewer, purchase_order, BUYER)
    transitions = [
        t
        for t in conventions.allowed_actions(purchase_order.status, BUYER)
        if t.action in conventions.BUYER_ACTIONS
    ]
    if request.method == "POST":
        form = forms.StatusChangeForm(request.POST, transitions=transitions)
        if form.is_valid():
            try:
                purchase_order = change_purchase_order_status(
                    purchase_order=purchase_order,
                    changed_by=request.user,
                    action=form.cleaned_data["action"],
                    remarks=form.cleaned_data["remarks"],
                    expected_version=form.cleaned_data.get("expected_version"),
                    expected_status=form.cleaned_data.get("expected_status") or None,
                )
            except PurchaseOrderError as error:
                field = error.field if error.field in {"action", "remarks"} else None
                form.add_error(field, error.message)
            else:
                messages.success(
                    request,
                    f"{purchase_order.buyer_po_number} is now "
                    f"“{purchase_order.get_status_display()}”. "
                    "The supplier is told over the network.",
                )
                return redirect(purchase_order)
    else:
        form = forms.StatusChangeForm(
            transitions=transitions,
            initial={
                "expected_version": purchase_order.version,
                "expected_status": purchase_order.status,
            },
        )
    return render(
        request,
        "purchase_orders/change_status.html",
        {"purchase_order": purchase_order, "form": form, "transitions": transitions},
    )


@login_required
@require_POST
def purchase_order_duplicate(request, object_id: str):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    _require_role(viewer, purchase_order, BUYER)
    try:
        copy = drafts.duplicate_purchase_order(
            purchase_order=purchase_order, created_by=request.user
        )
    except PurchaseOrderError as error:
        return _action_error(request, purchase_order, error)
    messages.success(
        request,
        f"Copied {purchase_order.buyer_po_number} into the new draft {copy.buyer_po_number}. "
        "Check it and send it.",
    )
    return redirect("purchase_orders:edit", object_id=copy.object_id)


@login_required
@require_POST
def outbound_message_retry(request, object_id: str, message_id: int):
    viewer = selectors.get_viewer(request.user)
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    message = selectors.get_outbound_message(purchase_order=purchase_order, pk=message_id)
    sender = (
        purchase_order.supplier if message.kind == message.Kind.CONFIRM else purchase_order.buyer
    )
    if sender.pk not in viewer.business_ids:
        raise PermissionDenied(f"Only {sender} sent this message, so only they can retry it.")
    try:
        retry_outbound_message(message=message, retried_by=request.user)
    except PurchaseOrderError as error:
        return _action_error(request, purchase_order, error)
    messages.success(
        request,
        f"The {message.get_kind_display().lower()} message is queued to be delivered again.",
    )
    return redirect(purchase_order)
