"""The buttons of the purchase order page: send, answer, change status, copy, retry, approve."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from purchase_orders import forms, lifecycle, selectors
from purchase_orders.exceptions import InvalidPurchaseOrder, PurchaseOrderError
from purchase_orders.services import drafts
from purchase_orders.services.approvals import (
    approve_purchase_order,
    return_purchase_order,
    submit_for_approval,
)
from purchase_orders.services.outbound import retry_outbound_message
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    send_purchase_order,
)
from purchase_orders.services.transitions import (
    ensure_no_approval_waiting,
    ensure_nothing_pending,
)
from purchase_orders.templatetags.portal import status_label
from purchase_orders.views.common import (
    action_error,
    require_approver,
    require_role,
    sent_message,
    submitted_message,
)
from purchase_orders.views.purchase_order import detail_context


@login_required
@require_POST
def purchase_order_send(request, object_id: str):
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    require_role(viewer, purchase_order, lifecycle.BUYER)
    try:
        purchase_order = send_purchase_order(purchase_order=purchase_order, sent_by=request.user)
    except InvalidPurchaseOrder as error:
        messages.error(request, f"{error.message} Edit the draft to put it right.")
        return redirect(purchase_order)
    except PurchaseOrderError as error:
        return action_error(request, purchase_order, error)
    messages.success(request, sent_message(purchase_order))
    return redirect(purchase_order)


@login_required
@require_POST
def purchase_order_submit(request, object_id: str):
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    require_role(viewer, purchase_order, lifecycle.BUYER)
    try:
        purchase_order = submit_for_approval(
            purchase_order=purchase_order, submitted_by=request.user
        )
    except InvalidPurchaseOrder as error:
        messages.error(request, f"{error.message} Edit the draft to put it right.")
        return redirect(purchase_order)
    except PurchaseOrderError as error:
        return action_error(request, purchase_order, error)
    messages.success(request, submitted_message(purchase_order))
    return redirect(purchase_order)


def _decide(request, object_id: str, *, approve: bool):
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    require_approver(viewer, purchase_order)
    form = forms.ApprovalForm(request.POST, returning=not approve)
    if form.is_valid():
        waiting = purchase_order.waiting_approval
        try:
            if approve:
                purchase_order = approve_purchase_order(
                    purchase_order=purchase_order,
                    approved_by=request.user,
                    expected_request=form.cleaned_data.get("expected_request"),
                    remarks=form.cleaned_data["remarks"],
                )
            else:
                purchase_order = return_purchase_order(
                    purchase_order=purchase_order,
                    returned_by=request.user,
                    remarks=form.cleaned_data["remarks"],
                    expected_request=form.cleaned_data.get("expected_request"),
                )
        except PurchaseOrderError as error:
            if error.path != ("remarks",):
                return action_error(request, purchase_order, error)
            form.add_error("remarks", error.message)
        else:
            messages.success(request, _decided_message(purchase_order, waiting, approve=approve))
            return redirect(purchase_order)
    page = selectors.get_purchase_order_page(viewer=viewer, object_id=object_id)
    context = detail_context(viewer, page, approval_form=form)
    return render(request, "purchase_orders/detail.html", context)


def _decided_message(purchase_order, waiting, *, approve: bool) -> str:
    number = purchase_order.buyer_po_number
    what = f"version {waiting.version} of {number}" if waiting.is_edit else number
    if approve:
        return (
            f"You approved {what}: it is on its way to {purchase_order.supplier}. The network "
            "timeline below shows when it is delivered."
        )
    return (
        f"You returned {what} to {waiting.submitted_by_name} with your remarks; nothing was "
        "sent to the supplier."
    )


@login_required
@require_POST
def purchase_order_approve(request, object_id: str):
    return _decide(request, object_id, approve=True)


@login_required
@require_POST
def purchase_order_return(request, object_id: str):
    return _decide(request, object_id, approve=False)


def _answer(request, object_id: str, *, accept: bool):
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    require_role(viewer, purchase_order, lifecycle.SUPPLIER)
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
            if error.path != ("remarks",):
                # Not about what was typed (the order moved on, or may not
                # move): said at the top of the page as it now stands.
                return action_error(request, purchase_order, error)
            form.add_error("remarks", error.message)
        else:
            noun = lifecycle.TRANSITIONS_BY_ACTION[
                lifecycle.ACCEPT if accept else lifecycle.REJECT
            ].noun.lower()
            messages.success(
                request,
                f"Your {noun} of {purchase_order.buyer_po_number} is sent. It holds once the "
                "network acknowledges it, and the buyer is told when the network delivers it; "
                "the page shows when.",
            )
            return redirect(purchase_order)
    page = selectors.get_purchase_order_page(viewer=viewer, object_id=object_id)
    context = detail_context(viewer, page, answer_form=form)
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
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    require_role(viewer, purchase_order, lifecycle.BUYER)
    try:
        # One action at a time: none while one sent from here waits for the
        # network, nor while a send or an edit waits for approval.
        ensure_nothing_pending(purchase_order)
        ensure_no_approval_waiting(purchase_order)
    except PurchaseOrderError as error:
        return action_error(request, purchase_order, error)
    transitions = selectors.purchase_order_actions(
        viewer=viewer, purchase_order=purchase_order
    ).status_moves
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
                field = error.path[0] if error.path in {("action",), ("remarks",)} else None
                form.add_error(field, error.message)
            else:
                transition = lifecycle.TRANSITIONS_BY_ACTION[form.cleaned_data["action"]]
                messages.success(
                    request,
                    f"{transition.noun} of {purchase_order.buyer_po_number} sent: it becomes "
                    f"“{status_label(transition.to_status)}” once the network acknowledges it, "
                    "and the supplier is told.",
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
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    require_role(viewer, purchase_order, lifecycle.BUYER)
    try:
        copy = drafts.duplicate_purchase_order(
            purchase_order=purchase_order, created_by=request.user
        )
    except PurchaseOrderError as error:
        return action_error(request, purchase_order, error)
    messages.success(
        request,
        f"Copied {purchase_order.buyer_po_number} into the new draft {copy.buyer_po_number}. "
        "Check it and send it.",
    )
    return redirect("purchase_orders:edit", object_id=copy.object_id)


@login_required
@require_POST
def outbound_message_retry(request, object_id: str, message_id: int):
    viewer = request.viewer
    purchase_order = selectors.get_visible_purchase_order(viewer=viewer, object_id=object_id)
    message = selectors.get_outbound_message(purchase_order=purchase_order, pk=message_id)
    actions = selectors.purchase_order_actions(viewer=viewer, purchase_order=purchase_order)
    if message.sender_role not in actions.senders:
        sender = purchase_order.business_of(message.sender_role)
        raise PermissionDenied(f"Only {sender} sent this message, so only they can retry it.")
    try:
        retry_outbound_message(message=message, retried_by=request.user)
    except PurchaseOrderError as error:
        return action_error(request, purchase_order, error)
    messages.success(
        request,
        f"The {message.get_kind_display().lower()} message is queued to be delivered again.",
    )
    return redirect(purchase_order)
