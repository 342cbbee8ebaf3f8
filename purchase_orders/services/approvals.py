"""Approvals before sending: a buyer submits, an approver approves or returns.

A buying business may set an approval limit (``Business.approval_limit``);
who must ask and who may decide is ``selectors.approvals``. Approval is the
portal's own business: nothing of it travels on the network, and its steps
(``lifecycle.SUBMIT``, ``APPROVE``, ``RETURN``) are applied at once
(``transitions.take_local_step``), each with its row in the status timeline.

- A draft over the limit is submitted (DRAFT -> AWAITING_APPROVAL) and is
  frozen until an approver decides; its supplier does not see it.
- An edit over the limit is submitted with its contents and reason, kept in
  the request's snapshot: the order keeps the status and version the network
  acknowledged, the supplier sees nothing of the new version, and the buying
  side can start nothing else on the order until the approver decides
  (``transitions.ensure_no_approval_waiting``). The supplier may still answer
  the version it has.
- Approve sends it at once, as the approver, in the same transaction as the
  approval: a draft goes back to DRAFT with its send pending, exactly as a
  buyer's send leaves it (``services.purchase_orders.publish``), and an edit
  is published with exactly the contents submitted. From then on it is a
  sent action like any other, acknowledged (or refused) by the network. The
  version records who approved it.
- Return, with remarks: a draft is a draft again, to change and submit
  again; an edit's new version is dropped. The buyer sees the remarks on the
  order's page and in an e-mail.
- Every step locks the order and checks the request the page showed, so a
  second Approve, or a decision on a page gone stale (the order returned,
  approved or submitted again since), is refused in plain words and changes
  nothing.
- The approvers of the business are e-mailed when something is submitted
  ("Waiting for your approval"); the buyer who submitted it when it is
  approved or returned.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import Contents
from purchase_orders.enkash import conventions, payloads
from purchase_orders.exceptions import (
    InvalidPurchaseOrder,
    NotAllowed,
    StaleVersion,
    TransitionNotAllowed,
)
from purchase_orders.models import ApprovalRequest, Membership, PurchaseOrder
from purchase_orders.models.history import recorded_names
from purchase_orders.selectors import holds_role, purchase_orders_with_contents
from purchase_orders.selectors.approvals import (
    ApprovalNeed,
    approval_needed,
    approvers_for,
    over_limit,
    own_people,
)
from purchase_orders.services import notifications
from purchase_orders.services.purchase_orders import (
    SENT_REASON,
    Proposal,
    check_edit,
    prepare_edit,
    prepare_send,
    publish,
)
from purchase_orders.services.transitions import (
    ensure_no_approval_waiting,
    ensure_nothing_pending,
    ensure_transition,
    take_local_step,
)
from purchase_orders.templatetags.portal import format_inr

# -- submitting ------------------------------------------------------------------


@transaction.atomic
def submit_for_approval(
    *, purchase_order: PurchaseOrder, submitted_by: AbstractBaseUser
) -> PurchaseOrder:
    """Ask the business's approvers to let a draft over its approval limit go out.

    The draft is checked as the network will check it first, so that an
    approval can send it as it stands; then it waits, unchanged.
    """
    purchase_order = _lock(purchase_order, with_contents=True)
    _ensure_buyer(submitted_by, purchase_order)
    ensure_no_approval_waiting(purchase_order)
    ensure_transition(purchase_order, lifecycle.SUBMIT)
    ensure_nothing_pending(purchase_order)
    proposal = prepare_send(purchase_order)
    request = _open_request(purchase_order, proposal, submitted_by=submitted_by)
    take_local_step(
        purchase_order=purchase_order,
        action=lifecycle.SUBMIT,
        actor=submitted_by,
        business=purchase_order.buyer,
        version=request.version,
        moves=True,
    )
    _notify(purchase_order, notifications.APPROVAL_REQUESTED, request)
    return purchase_order


@transaction.atomic
def submit_edit_for_approval(
    *,
    purchase_order: PurchaseOrder,
    edited_by: AbstractBaseUser,
    contents: Contents,
    reason: str,
    expected_version: int,
) -> PurchaseOrder:
    """Ask the approvers to let an edit over the approval limit go out; nothing is sent yet.

    The edit is checked as ``edit_purchase_order`` checks it; its contents
    and reason wait in the request, and the order stays as the network
    acknowledged it.
    """
    purchase_order = _lock(purchase_order)
    proposal = check_edit(
        purchase_order,
        edited_by=edited_by,
        contents=contents,
        reason=reason,
        expected_version=expected_version,
    )
    request = _open_request(purchase_order, proposal, submitted_by=edited_by)
    take_local_step(
        purchase_order=purchase_order,
        action=lifecycle.SUBMIT,
        actor=edited_by,
        business=purchase_order.buyer,
        version=request.version,
        moves=False,
        remarks=proposal.reason,
    )
    _notify(purchase_order, notifications.APPROVAL_REQUESTED, request)
    return purchase_order


# -- deciding --------------------------------------------------------------------


@transaction.atomic
def approve_purchase_order(
    *,
    purchase_order: PurchaseOrder,
    approved_by: AbstractBaseUser,
    expected_request: int | None = None,
    remarks: str = "",
) -> PurchaseOrder:
    """Approve what waits for approval and send it over the network, as the approver.

    ``expected_request`` is the request the approver's page showed; if the
    order has moved on since, nothing is done (``StaleVersion``). The send
    or edit's message is written in this transaction.
    """
    purchase_order = _lock(purchase_order, with_contents=True)
    request = _ensure_decidable(purchase_order, approved_by, expected_request)
    remarks = (remarks or "").strip()
    _decide(purchase_order, request, ApprovalRequest.State.APPROVED, approved_by, remarks)
    take_local_step(
        purchase_order=purchase_order,
        action=lifecycle.APPROVE,
        actor=approved_by,
        business=purchase_order.buyer,
        version=request.version,
        moves=not request.is_edit,
        remarks=remarks,
    )
    if request.is_edit:
        proposal = _approved_edit(purchase_order, request)
    else:
        ensure_nothing_pending(purchase_order)
        proposal = prepare_send(purchase_order)
    request.message = publish(
        purchase_order,
        proposal,
        reason=request.reason or SENT_REASON,
        actor=approved_by,
        author=request.submitted_by,
        approved_by=approved_by,
    )
    request.save(update_fields=["message"])
    _notify(purchase_order, notifications.APPROVED, request)
    return purchase_order


@transaction.atomic
def return_purchase_order(
    *,
    purchase_order: PurchaseOrder,
    returned_by: AbstractBaseUser,
    remarks: str,
    expected_request: int | None = None,
) -> PurchaseOrder:
    """Return what waits for approval to the buyer, with remarks; nothing is sent.

    A draft is a draft again; an edit's new version is dropped, the order
    staying as the network acknowledged it.
    """
    purchase_order = _lock(purchase_order)
    request = _ensure_decidable(purchase_order, returned_by, expected_request)
    remarks = (remarks or "").strip()
    if not remarks:
        raise InvalidPurchaseOrder(
            "Say why you return it; the buyer sees your remarks.", path=("remarks",)
        )
    _decide(purchase_order, request, ApprovalRequest.State.RETURNED, returned_by, remarks)
    take_local_step(
        purchase_order=purchase_order,
        action=lifecycle.RETURN,
        actor=returned_by,
        business=purchase_order.buyer,
        version=request.version,
        moves=not request.is_edit,
        remarks=remarks,
    )
    _notify(purchase_order, notifications.RETURNED, request)
    return purchase_order


# -- checks ----------------------------------------------------------------------


def _lock(purchase_order: PurchaseOrder, *, with_contents: bool = False) -> PurchaseOrder:
    """Lock the order's row (not the businesses joined to it) and read it, contents too."""
    queryset = (
        purchase_orders_with_contents()
        if with_contents
        else PurchaseOrder.objects.select_related("buyer", "supplier")
    )
    return queryset.select_for_update(of=("self",)).get(pk=purchase_order.pk)


def _ensure_buyer(user: AbstractBaseUser, purchase_order: PurchaseOrder) -> None:
    buyer = purchase_order.buyer
    if not holds_role(user, buyer, Membership.Role.BUYER):
        raise NotAllowed(f"Only a buyer of {buyer} can submit its purchase orders for approval.")


def _ensure_needed(
    purchase_order: PurchaseOrder, proposal: Proposal, *, user: AbstractBaseUser
) -> ApprovalNeed:
    """Return why the version needs approval, or refuse: it may simply be sent."""
    buyer = purchase_order.buyer
    sender_approves = holds_role(user, buyer, Membership.Role.APPROVER)
    need = approval_needed(business=buyer, total=proposal.total, approver_of_own=sender_approves)
    if need is not None:
        return need
    how = "send it to the supplier" if proposal.action == lifecycle.SEND else "send your changes"
    if over_limit(business=buyer, total=proposal.total) is not None:
        why = f"As an approver of {buyer}, you may approve your own orders"
    elif buyer.approval_limit is None:
        why = f"{buyer} sets no approval limit"
    else:
        why = (
            f"Its total of {format_inr(proposal.total)} is within {buyer}'s approval limit "
            f"of {format_inr(buyer.approval_limit)}"
        )
    raise NotAllowed(f"This purchase order needs no approval. {why}: {how}.")


def _open_request(
    purchase_order: PurchaseOrder, proposal: Proposal, *, submitted_by: AbstractBaseUser
) -> ApprovalRequest:
    """Record what waits for approval, once it is known that it must and someone can decide."""
    need = _ensure_needed(purchase_order, proposal, user=submitted_by)
    buyer = purchase_order.buyer
    own = own_people(purchase_order=purchase_order, submitted_by_id=submitted_by.pk)
    if not approvers_for(business=buyer, own=own).exists():
        raise NotAllowed(
            f"{need.reason} {buyer} has no approver who could approve it: ask a business "
            f"admin of {buyer} to make someone an approver."
        )
    name, username = recorded_names(submitted_by)
    request = ApprovalRequest.objects.create(
        purchase_order=purchase_order,
        action=proposal.action,
        version=proposal.order.version,
        snapshot=proposal.snapshot,
        reason=proposal.reason,
        total_po_value=need.total,
        approval_limit=need.limit,
        submitted_by=submitted_by,
        submitted_by_name=name,
        submitted_by_username=username,
    )
    purchase_order.waiting_approval = request
    return request


def _ensure_decidable(
    purchase_order: PurchaseOrder, user: AbstractBaseUser, expected_request: int | None
) -> ApprovalRequest:
    """Return the request an approver may decide now, or refuse in plain words."""
    buyer = purchase_order.buyer
    if not holds_role(user, buyer, Membership.Role.APPROVER):
        raise NotAllowed(f"Only an approver of {buyer} can approve or return its purchase orders.")
    request = purchase_order.waiting_approval
    if request is not None and expected_request not in (None, request.pk):
        raise StaleVersion(
            "This purchase order was submitted again since you opened it. Reload it and "
            "decide on what waits now.",
            path=("expected_request",),
            code=conventions.ERROR_STALE_VERSION,
        )
    if request is None:
        decided = (
            ApprovalRequest.objects.filter(pk=expected_request, purchase_order=purchase_order)
            .exclude(state=ApprovalRequest.State.WAITING)
            .first()
            if expected_request is not None
            else None
        )
        if decided is not None:
            # A second click, or another approver was quicker: said, and nothing done.
            raise StaleVersion(
                f"This purchase order was {decided.get_state_display().lower()} already, by "
                f"{decided.decided_by_name}. Reload it to see where it stands.",
                path=("expected_request",),
                code=conventions.ERROR_STALE_VERSION,
            )
        raise TransitionNotAllowed(
            "Nothing of this purchase order is waiting for approval. Reload it to see where "
            "it stands.",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    own = own_people(purchase_order=purchase_order, submitted_by_id=request.submitted_by_id)
    if user.pk in own and not buyer.approvers_may_approve_own:
        raise NotAllowed(
            f"You wrote or submitted this purchase order, and at {buyer} approvers do not "
            "approve their own: another approver decides on it."
        )
    return request


def _decide(
    purchase_order: PurchaseOrder,
    request: ApprovalRequest,
    state: str,
    user: AbstractBaseUser,
    remarks: str,
) -> None:
    name, username = recorded_names(user)
    request.state = state
    request.decided_by = user
    request.decided_by_name = name
    request.decided_by_username = username
    request.decided_at = timezone.now()
    request.remarks = remarks
    request.save(
        update_fields=[
            "state",
            "decided_by",
            "decided_by_name",
            "decided_by_username",
            "decided_at",
            "remarks",
        ]
    )
    purchase_order.waiting_approval = None


def _approved_edit(purchase_order: PurchaseOrder, request: ApprovalRequest) -> Proposal:
    """Return the edit as submitted, checked again against the order as it stands now.

    The contents are the snapshot's, exactly; the version's marks are the
    order's now (the supplier may have answered the version it has since).
    """
    ensure_transition(purchase_order, lifecycle.EDIT)
    if request.version != lifecycle.next_version(purchase_order.version, lifecycle.EDIT):
        raise StaleVersion(
            f"This edit was made to version {request.version - 1}, but the purchase order is "
            f"at version {purchase_order.version} now: return it, and the buyer edits it again.",
            path=("expected_request",),
            code=conventions.ERROR_STALE_VERSION,
        )
    ensure_nothing_pending(purchase_order)
    contents = payloads.parse_snapshot(request.snapshot)
    return prepare_edit(purchase_order, contents, reason=request.reason)


def _notify(purchase_order: PurchaseOrder, event: str, request: ApprovalRequest) -> None:
    notifications.notify_approval_on_commit(
        purchase_order=purchase_order, event=event, request=request
    )
