"""Writing a purchase order: the new-order form and editing a draft or a sent order."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from purchase_orders import forms, lifecycle, selectors
from purchase_orders.contents import PartyContents
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.services import drafts
from purchase_orders.services.approvals import submit_edit_for_approval
from purchase_orders.services.purchase_orders import edit_purchase_order
from purchase_orders.services.transitions import (
    ensure_no_approval_waiting,
    ensure_nothing_pending,
)
from purchase_orders.services.warnings import accepted_on, find_warnings, purchase_order_warnings
from purchase_orders.views import live
from purchase_orders.views.common import require_role, sent_message, submitted_message


def _render_form(request, editor, *, purchase_order=None):
    context = {
        "nav": "create" if editor.mode == "new" else "",
        "editor": editor,
        "form": editor.main,
        "parts": editor.parts(),
        "purchase_order": purchase_order,
        "mode": editor.mode,
        "error_summary": editor.error_summary(),
        "line_import": editor.line_import or forms.LineImport(),
        "unit_suggestions": forms.UNIT_SUGGESTIONS,
        "address_purposes": forms.ADDRESS_PURPOSES,
        "bearing_parties": forms.BEARING_PARTIES,
        "gst_rates": forms.GST_RATES,
        "value_detail_types": forms.VALUE_DETAIL_TYPES,
        "supplier_state": _supplier_state(purchase_order) if editor.mode == "edit" else "",
        "approval_limit": _approval_limit(request.viewer, editor, purchase_order),
        "warnings": _warnings(editor, purchase_order),
        "today": timezone.localdate(),
        "accepted_on": accepted_on(purchase_order) if purchase_order is not None else None,
    }
    if purchase_order is not None:
        # An open form is told when the order changes, and is left as it is.
        viewer = request.viewer
        context["live"] = live.follow_purchase_order(
            viewer=viewer,
            purchase_order=purchase_order,
            stamp=selectors.purchase_order_stamp(viewer=viewer, object_id=purchase_order.object_id),
        )
    return render(request, "purchase_orders/form.html", context)


def _approval_limit(viewer, editor, purchase_order):
    """Return the buying business whose approval limit the form's Send may be over, or None.

    Its buyer then offers "Submit for approval" beside "Send to supplier";
    one who may approve their own orders sends whatever the total.
    """
    if purchase_order is not None:
        buyer = purchase_order.buyer
    else:
        buyer = editor.main.fields["buyer"].queryset.first()
    if buyer is None or buyer.approval_limit is None:
        return None
    if buyer.pk in viewer.approver_ids and buyer.approvers_may_approve_own:
        return None
    return buyer


def _warnings(editor, purchase_order) -> list:
    """Return the form's warnings: of what was typed, or of the saved order as it opens.

    They never stop the form: the buyer may save and send as it is.
    """
    if not editor.is_bound:
        if purchase_order is None:
            return []
        return purchase_order_warnings(purchase_order=purchase_order)
    supplier = getattr(editor.main, "cleaned_data", {}).get("supplier")
    contents = editor.typed_contents()
    if purchase_order is not None and editor.mode == "edit":
        # A sent order keeps the supplier's state it was sent with.
        supplier = purchase_order.supplier
        contents.parties[lifecycle.SUPPLIER] = PartyContents(
            role=lifecycle.SUPPLIER, state_code=_supplier_state(purchase_order)
        )
    return find_warnings(
        contents=contents,
        supplier=supplier,
        today=timezone.localdate(),
        accepted_on=accepted_on(purchase_order) if purchase_order is not None else None,
        drafting=editor.mode != "edit",
    )


def _supplier_state(purchase_order) -> str:
    for party in purchase_order.parties.all():
        if party.role == lifecycle.SUPPLIER:
            return party.state_code
    return purchase_order.supplier.state_code


def _posted_editor(request, *, mode, buyers, suppliers, initial=None, supplier_state=""):
    """Return the posted form, and whether it is only shown again (nothing saved).

    It is shown again, as typed, to add a row without the page's script,
    for Enter in a field of a sent order's form (its safe default button,
    ``stay``), and for each step of importing lines.
    """
    editor = forms.PurchaseOrderEditor(
        mode=mode,
        buyers=buyers,
        suppliers=suppliers,
        data=request.POST,
        initial=initial,
        supplier_state=supplier_state,
    )
    add_row_to = request.POST.get("add_row") or ""
    if request.POST.get("import_step"):
        line_import = forms.LineImport.from_post(
            request.POST, request.FILES, lines_now=editor.lines_typed()
        )
        refilled = editor.refilled(
            add_row_to="", buyers=buyers, suppliers=suppliers, add_lines=line_import.lines
        )
        refilled.line_import = line_import
        return refilled, True
    if add_row_to or request.POST.get("stay"):
        return editor.refilled(add_row_to=add_row_to, buyers=buyers, suppliers=suppliers), True
    return editor, False


@login_required
def purchase_order_create(request):
    viewer = request.viewer
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
    intent = request.POST.get("intent")
    try:
        if intent == "send":
            purchase_order = drafts.send_draft(
                buyer=data["buyer"],
                supplier=data["supplier"],
                sent_by=request.user,
                contents=editor.contents(),
                add_default_terms=False,
            )
            messages.success(request, sent_message(purchase_order))
        elif intent == "submit":
            purchase_order = drafts.submit_draft(
                buyer=data["buyer"],
                supplier=data["supplier"],
                submitted_by=request.user,
                contents=editor.contents(),
                add_default_terms=False,
            )
            messages.success(request, submitted_message(purchase_order))
        else:
            purchase_order = drafts.create_draft(
                buyer=data["buyer"],
                supplier=data["supplier"],
                created_by=request.user,
                contents=editor.contents(),
                add_default_terms=False,
            )
            messages.success(
                request, f"Draft {purchase_order.buyer_po_number} saved. Send it when it is ready."
            )
    except PurchaseOrderError as error:
        editor.add_error(error)
        return _render_form(request, editor)
    return redirect(purchase_order)


@login_required
def purchase_order_edit(request, object_id: str):
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(
        viewer=viewer, object_id=object_id, queryset=selectors.purchase_orders_with_contents()
    )
    require_role(viewer, purchase_order, lifecycle.BUYER)
    mode = selectors.purchase_order_actions(viewer=viewer, purchase_order=purchase_order).edit_mode
    if not mode and (purchase_order.pending_action or purchase_order.waiting_approval_id):
        try:
            ensure_nothing_pending(purchase_order)
            ensure_no_approval_waiting(purchase_order)
        except PurchaseOrderError as error:
            messages.error(request, error.message)
            return redirect(purchase_order)
    if not mode:
        messages.error(
            request,
            f"This purchase order cannot be edited: its status is "
            f"“{purchase_order.get_status_display()}”.",
        )
        return redirect(purchase_order)
    buyers = selectors.buyer_choices(viewer=viewer)
    suppliers = selectors.supplier_choices(viewer=viewer, including=purchase_order.supplier)
    initial, parts = forms.initial_for_purchase_order(purchase_order)
    if request.method != "POST":
        editor = forms.PurchaseOrderEditor(
            mode=mode, buyers=buyers, suppliers=suppliers, initial=initial, parts_initial=parts
        )
        return _render_form(request, editor, purchase_order=purchase_order)

    editor, adding = _posted_editor(
        request,
        mode=mode,
        buyers=buyers,
        suppliers=suppliers,
        initial=initial,
        supplier_state=_supplier_state(purchase_order) if mode == "edit" else "",
    )
    if adding or not editor.is_valid():
        return _render_form(request, editor, purchase_order=purchase_order)
    try:
        purchase_order = _save(request, purchase_order, editor, mode=mode)
    except PurchaseOrderError as error:
        editor.add_error(error)
        return _render_form(request, editor, purchase_order=purchase_order)
    return redirect(purchase_order)


def _save(request, purchase_order, editor, *, mode: str):
    """Save what the buyer wrote: a new version of a sent order, or the draft (and send it)."""
    data = editor.cleaned_data
    intent = request.POST.get("intent")
    if mode == "edit":
        contents = drafts.complete_contents(
            contents=editor.contents(),
            buyer=purchase_order.buyer,
            supplier=purchase_order.supplier,
            parties=drafts.current_parties(purchase_order),
        )
        edit = submit_edit_for_approval if intent == "submit" else edit_purchase_order
        purchase_order = edit(
            purchase_order=purchase_order,
            edited_by=request.user,
            contents=contents,
            reason=data["reason"],
            expected_version=data.get("expected_version"),
        )
        version = lifecycle.next_version(purchase_order.version, lifecycle.EDIT)
        if intent == "submit":
            messages.success(
                request,
                f"Version {version} of {purchase_order.buyer_po_number} is submitted for "
                f"approval. The approvers of {purchase_order.buyer} are told; "
                f"{purchase_order.supplier} gets it once one of them approves it.",
            )
        else:
            messages.success(
                request,
                f"Version {version} of {purchase_order.buyer_po_number} is on its way to "
                f"{purchase_order.supplier}, who will confirm it again once the network "
                "delivers it.",
            )
    elif intent == "submit":
        purchase_order = drafts.submit_draft(
            buyer=purchase_order.buyer,
            supplier=data["supplier"],
            submitted_by=request.user,
            contents=editor.contents(),
            purchase_order=purchase_order,
        )
        messages.success(request, submitted_message(purchase_order))
    elif intent == "send":
        purchase_order = drafts.send_draft(
            buyer=purchase_order.buyer,
            supplier=data["supplier"],
            sent_by=request.user,
            contents=editor.contents(),
            purchase_order=purchase_order,
        )
        messages.success(request, sent_message(purchase_order))
    else:
        purchase_order = drafts.update_draft(
            purchase_order=purchase_order,
            updated_by=request.user,
            contents=editor.contents(),
            supplier=data["supplier"],
        )
        messages.success(request, f"Draft {purchase_order.buyer_po_number} saved.")
    return purchase_order
