"""Buyer and supplier actions on a purchase order: send, edit, confirm, change status.

Each action, in one transaction, locks the purchase order, checks who acts
and what they saw, writes the outbound network message that carries it and
records the attempt (``transitions.begin_action``). The order keeps the
status the network has acknowledged, with the action pending: it moves
when the network accepts it (``services.acknowledgements``), and the other
side is e-mailed when the network delivers it. After commit the message is
queued for delivery.

A send or an edit whose total is over the buyer's approval limit is refused
here unless its sender may approve it (``selectors.approvals``): it is
submitted for approval instead, and an approval publishes it through the
same two steps, ``prepare_send``/``prepare_edit`` and ``publish``
(``services.approvals``).
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import EDITABLE_FIELDS, Contents, read_contents, with_header_of
from purchase_orders.enkash import conventions, encoding, payloads
from purchase_orders.enkash.kinds import KIND_OF_ACTION
from purchase_orders.exceptions import (
    InvalidPurchaseOrder,
    NotAllowed,
    StaleVersion,
    TransitionNotAllowed,
)
from purchase_orders.models import (
    Business,
    Membership,
    OutboundMessage,
    PurchaseOrder,
)
from purchase_orders.selectors import holds_role, purchase_orders_with_contents
from purchase_orders.selectors.approvals import approval_needed
from purchase_orders.services import documents
from purchase_orders.services.checks import validate_for_network
from purchase_orders.services.outbound import enqueue_delivery
from purchase_orders.services.transitions import (
    begin_action,
    ensure_no_approval_waiting,
    ensure_nothing_pending,
    ensure_transition,
    proposed,
)

# The reason a first version records.
SENT_REASON = "Sent to the supplier."

# -- the four actions ----------------------------------------------------------


@transaction.atomic
def send_purchase_order(
    *, purchase_order: PurchaseOrder, sent_by: AbstractBaseUser
) -> PurchaseOrder:
    """Send a draft purchase order to the supplier over the network (version 0 -> 1).

    The order is first checked as the network will check it; a problem raises
    ``InvalidPurchaseOrder`` naming the part at fault and saves nothing. An
    order over the buyer's approval limit is refused (``NotAllowed``) unless
    the sender may approve it: it is submitted for approval instead.
    """
    purchase_order = _lock(purchase_order, with_contents=True)
    _ensure_member(sent_by, purchase_order.buyer, lifecycle.BUYER)
    ensure_no_approval_waiting(purchase_order)
    ensure_transition(purchase_order, lifecycle.SEND)
    ensure_nothing_pending(purchase_order)
    proposal = prepare_send(purchase_order)
    approved_by = _ensure_within_limit(purchase_order, proposal, sender=sent_by)
    publish(
        purchase_order,
        proposal,
        reason=SENT_REASON,
        actor=sent_by,
        author=sent_by,
        approved_by=approved_by,
    )
    return purchase_order


@transaction.atomic
def edit_purchase_order(
    *,
    purchase_order: PurchaseOrder,
    edited_by: AbstractBaseUser,
    contents: Contents,
    reason: str,
    expected_version: int,
) -> PurchaseOrder:
    """Replace a sent purchase order's contents with a new version (n -> n+1).

    The totals of ``contents`` are recomputed from its lines. The new version
    goes back to CREATED once the network takes it: the supplier confirms it
    again. A new version over the buyer's approval limit is refused unless
    the buyer may approve it, as a send is.
    """
    purchase_order = _lock(purchase_order)
    proposal = check_edit(
        purchase_order,
        edited_by=edited_by,
        contents=contents,
        reason=reason,
        expected_version=expected_version,
    )
    approved_by = _ensure_within_limit(purchase_order, proposal, sender=edited_by)
    publish(
        purchase_order,
        proposal,
        reason=proposal.reason,
        actor=edited_by,
        author=edited_by,
        approved_by=approved_by,
    )
    return purchase_order


@transaction.atomic
def confirm_purchase_order(
    *,
    purchase_order: PurchaseOrder,
    confirmed_by: AbstractBaseUser,
    accept: bool,
    remarks: str,
    expected_version: int | None = None,
    expected_status: str | None = None,
) -> PurchaseOrder:
    """Accept or reject a sent purchase order as its supplier (the version stays).

    ``expected_version`` and ``expected_status`` are what the supplier saw;
    if the order has moved on since, nothing is done (``StaleVersion``).
    """
    purchase_order = _lock(purchase_order)
    _ensure_member(confirmed_by, purchase_order.supplier, lifecycle.SUPPLIER)
    action = lifecycle.ACCEPT if accept else lifecycle.REJECT
    ensure_nothing_pending(purchase_order)
    ensure_transition(purchase_order, action)
    _ensure_version(purchase_order, expected_version, expected_status)
    remarks = (remarks or "").strip()
    if not accept and not remarks:
        raise InvalidPurchaseOrder(
            "Say why you reject this purchase order; the buyer sees your remarks.",
            path=("remarks",),
        )

    body = payloads.build_confirm_request(
        proposed(purchase_order, action),
        supplier_response=action,
        remarks=remarks,
        from_status=purchase_order.status,
    )
    message = _write_message(purchase_order, KIND_OF_ACTION[action], body)
    begin_action(
        purchase_order=purchase_order,
        action=action,
        actor=confirmed_by,
        business=purchase_order.supplier,
        message=message,
        remarks=remarks,
    )
    return purchase_order


@transaction.atomic
def change_purchase_order_status(
    *,
    purchase_order: PurchaseOrder,
    changed_by: AbstractBaseUser,
    action: str,
    remarks: str,
    expected_version: int | None = None,
    expected_status: str | None = None,
) -> PurchaseOrder:
    """Cancel, fulfil or close a purchase order as its buyer (the version stays).

    ``action`` is one of ``lifecycle.BUYER_STATUS_ACTIONS``. ``expected_version``
    and ``expected_status`` are what the buyer saw; if the order has moved on
    since (the supplier confirmed it meanwhile), nothing is done.
    """
    purchase_order = _lock(purchase_order)
    _ensure_member(changed_by, purchase_order.buyer, lifecycle.BUYER)
    ensure_no_approval_waiting(purchase_order)
    if action not in lifecycle.BUYER_STATUS_ACTIONS:
        raise TransitionNotAllowed(
            f"“{action}” is not a status change a buyer can make; choose one of "
            f"{', '.join(lifecycle.BUYER_STATUS_ACTIONS)}.",
            path=("action",),
            code=conventions.ERROR_UNKNOWN_ACTION,
        )
    ensure_nothing_pending(purchase_order)
    ensure_transition(purchase_order, action)
    _ensure_version(purchase_order, expected_version, expected_status)
    remarks = (remarks or "").strip()

    body = payloads.build_status_change_request(
        proposed(purchase_order, action),
        buyer_action=action,
        remarks=remarks,
        from_status=purchase_order.status,
    )
    message = _write_message(purchase_order, KIND_OF_ACTION[action], body)
    begin_action(
        purchase_order=purchase_order,
        action=action,
        actor=changed_by,
        business=purchase_order.buyer,
        message=message,
        remarks=remarks,
    )
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


def _ensure_member(user: AbstractBaseUser, business: Business, role: str) -> None:
    if not holds_role(user, business, role):
        raise NotAllowed(
            f"Only a {lifecycle.ROLE_LABELS[role].lower()} of {business} can do this to this "
            "purchase order."
        )


def _ensure_version(
    purchase_order: PurchaseOrder,
    expected_version: int | None,
    expected_status: str | None = None,
) -> None:
    """Refuse an action based on a version, or status, the order has left since it was read.

    The order is locked, so of two people acting on what they both saw,
    the second is told here.
    """
    if expected_version is not None and expected_version != purchase_order.version:
        raise StaleVersion(
            "This purchase order was changed by someone else (now version "
            f"{purchase_order.version}). Reload it and try again.",
            path=("expected_version",),
            code=conventions.ERROR_STALE_VERSION,
        )
    if expected_status and expected_status != purchase_order.status:
        raise StaleVersion(
            "This purchase order was changed by someone else (now "
            f"“{purchase_order.get_status_display()}”). Reload it and try again.",
            path=("expected_status",),
            code=conventions.ERROR_STALE_VERSION,
        )


# -- writing -------------------------------------------------------------------


@dataclass
class Proposal:
    """A send or an edit as it would leave the order, built once, not yet published.

    ``order`` is an unsaved copy of the order with the new version's marks
    and header, ``contents`` its typed contents and ``built`` its network
    ``purchaseOrder`` object, for the version's snapshot and the message.
    """

    action: str
    order: PurchaseOrder
    contents: Contents
    built: dict
    reason: str = ""

    @property
    def total(self):
        return self.contents.header.total_po_value

    @property
    def snapshot(self) -> dict:
        return payloads.build_snapshot(self.built, self.order.additional_infos)


def prepare_send(purchase_order: PurchaseOrder) -> Proposal:
    """Check a locked draft (contents loaded) as the network will, and build its send."""
    # Read once, from the contents loaded with the lock: checked before
    # anything is saved, then built, with the marks the send would set, into
    # the version's snapshot and the message.
    contents = read_contents(purchase_order)
    validate_for_network(contents)
    sent = proposed(purchase_order, lifecycle.SEND)
    sent.ts = timezone.now()
    return Proposal(
        action=lifecycle.SEND,
        order=sent,
        contents=contents,
        built=payloads.build_contents(with_header_of(sent, contents)),
    )


def prepare_edit(purchase_order: PurchaseOrder, contents: Contents, *, reason: str) -> Proposal:
    """Check a locked sent order's new contents as the network will, and build the edit."""
    contents = documents.contents_for_edit(purchase_order, contents)
    validate_for_network(contents)
    # The order keeps its acknowledged version until the network takes the
    # edit: the new version lives in its snapshot and its message.
    edited = proposed(purchase_order, lifecycle.EDIT)
    for name in EDITABLE_FIELDS:
        setattr(edited, name, getattr(contents.header, name))
    edited.total_po_value = contents.header.total_po_value
    edited.ts = timezone.now()
    return Proposal(
        action=lifecycle.EDIT,
        order=edited,
        contents=contents,
        built=payloads.build_contents(with_header_of(edited, contents)),
        reason=reason,
    )


def check_edit(
    purchase_order: PurchaseOrder,
    *,
    edited_by: AbstractBaseUser,
    contents: Contents,
    reason: str,
    expected_version: int | None,
) -> Proposal:
    """Check a buyer's edit of a locked order, as sent or submitted for approval; build it."""
    _ensure_member(edited_by, purchase_order.buyer, lifecycle.BUYER)
    ensure_no_approval_waiting(purchase_order)
    ensure_transition(purchase_order, lifecycle.EDIT)
    _ensure_version(purchase_order, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidPurchaseOrder(
            "Say why the purchase order is being changed; the supplier sees the reason.",
            path=("reason",),
        )
    ensure_nothing_pending(purchase_order)
    return prepare_edit(purchase_order, contents, reason=reason)


def publish(
    purchase_order: PurchaseOrder,
    proposal: Proposal,
    *,
    reason: str,
    actor: AbstractBaseUser,
    author: AbstractBaseUser,
    approved_by: AbstractBaseUser | None = None,
) -> OutboundMessage:
    """Keep the new version's snapshot, write its req-send or req-edit, record the attempt.

    ``actor`` sends it (the approver, for an approved version), ``author``
    wrote it; ``approved_by`` let it go over the buyer's approval limit.
    Return the message.
    """
    new, action = proposal.order, proposal.action
    documents.record_version(
        purchase_order=new,
        reason=reason,
        created_by=author,
        created_by_business=purchase_order.buyer,
        built=proposal.built,
        approved_by=approved_by,
    )
    kind = KIND_OF_ACTION[action]
    message = _write_message(new, kind, payloads.build_send_request(new, built=proposal.built))
    begin_action(
        purchase_order=purchase_order,
        action=action,
        actor=actor,
        business=purchase_order.buyer,
        message=message,
        remarks="" if action == lifecycle.SEND else reason,
    )
    return message


def _ensure_within_limit(
    purchase_order: PurchaseOrder, proposal: Proposal, *, sender: AbstractBaseUser
) -> AbstractBaseUser | None:
    """Refuse a version over the buyer's approval limit that its sender may not approve.

    Return the sender when they approve it themselves (an approver, where
    approvers may approve their own orders), so that the version says so;
    None when no approval is needed.
    """
    buyer = purchase_order.buyer
    sender_approves = holds_role(sender, buyer, Membership.Role.APPROVER)
    need = approval_needed(business=buyer, total=proposal.total, approver_of_own=sender_approves)
    if need is not None:
        raise NotAllowed(f"{need.reason} Submit it for approval: an approver sends it from there.")
    if sender_approves and approval_needed(
        business=buyer, total=proposal.total, approver_of_own=False
    ):
        return sender
    return None


def _write_message(purchase_order: PurchaseOrder, kind: str, body: dict) -> OutboundMessage:
    """Write the outbox row in the caller's transaction and queue it once committed.

    ``purchase_order`` is the order as the message announces it: its
    version is the message's.
    """
    message = OutboundMessage.objects.create(
        purchase_order_id=purchase_order.pk,
        kind=kind,
        req_msg_id=conventions.new_req_msg_id(),
        object_id=purchase_order.object_id,
        object_version=purchase_order.version,
        body=encoding.dumps(body),
    )
    # If the enqueue is lost (a crash right after commit), the outbox sweep
    # finds the row, so a failure here must not fail the committed action.
    transaction.on_commit(lambda: enqueue_delivery(message_id=message.pk), robust=True)
    return message
