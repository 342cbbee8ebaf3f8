"""Buyer and supplier actions on a purchase order: send, edit, confirm, change status.

Each action, in one transaction, locks the purchase order, checks who acts
and that the lifecycle table allows the move, changes the order, writes an
audit row and the outbound network message that announces the change. After
commit the message is queued for delivery and the other side is e-mailed.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from purchase_orders.contents import EDITABLE_FIELDS, Contents, read_contents
from purchase_orders.enkash import conventions, encoding, payloads
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
    StatusChange,
)
from purchase_orders.selectors import purchase_orders_with_contents
from purchase_orders.services import documents, notifications
from purchase_orders.services.checks import validate_for_network
from purchase_orders.services.outbound import enqueue_delivery

# What each action does to a purchase order, as the end of "cannot be …".
ACTION_PARTICIPLES = {
    conventions.SEND: "sent",
    conventions.EDIT: "edited",
    conventions.SUPPLIER_ACCEPT: "accepted",
    conventions.SUPPLIER_REJECT: "rejected",
    conventions.BUYER_CANCEL: "cancelled",
    conventions.BUYER_FULFILL: "marked fulfilled",
    conventions.BUYER_CLOSE: "closed",
}

ROLE_LABELS = {conventions.BUYER: "buyer", conventions.SUPPLIER: "supplier"}


# -- the four actions ----------------------------------------------------------


@transaction.atomic
def send_purchase_order(
    *, purchase_order: PurchaseOrder, sent_by: AbstractBaseUser
) -> PurchaseOrder:
    """Send a draft purchase order to the supplier over the network (version 0 -> 1).

    The order is first checked as the network will check it; a problem raises
    ``InvalidPurchaseOrder`` naming the part at fault and saves nothing.
    """
    purchase_order = _lock(purchase_order, with_contents=True)
    _ensure_member(sent_by, purchase_order.buyer, conventions.BUYER)
    transition = _ensure_transition(purchase_order, conventions.SEND)

    from_status = purchase_order.status
    now = timezone.now()
    _move(purchase_order, transition)
    # The network has no DRAFT: a send travels as CREATED -> CREATED.
    purchase_order.previous_status = conventions.network_status(from_status)
    purchase_order.ts = now
    purchase_order.sent_at = now
    purchase_order.delivered_at = None
    # Read once, from the contents loaded with the lock: checked, then built
    # into the version's snapshot and the message. Nothing is saved before
    # the check.
    contents = read_contents(purchase_order)
    validate_for_network(contents)
    built = payloads.build_contents(contents)
    purchase_order.save()

    _audit(
        purchase_order,
        from_status=from_status,
        action=conventions.SEND,
        actor=sent_by,
        business=purchase_order.buyer,
    )
    _publish_version(
        purchase_order,
        OutboundMessage.Kind.SEND,
        built=built,
        reason="Sent to the supplier.",
        actor=sent_by,
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

    The totals of ``contents`` are recomputed from its lines. The new version goes back to
    CREATED: the supplier confirms it again.
    """
    purchase_order = _lock(purchase_order)
    _ensure_member(edited_by, purchase_order.buyer, conventions.BUYER)
    transition = _ensure_transition(purchase_order, conventions.EDIT)
    _ensure_version(purchase_order, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidPurchaseOrder(
            "Say why the purchase order is being changed; the supplier sees the reason.",
            field="reason",
        )
    contents = documents.contents_for_edit(purchase_order, contents)
    validate_for_network(contents)

    from_status = purchase_order.status
    now = timezone.now()
    for name in EDITABLE_FIELDS:
        setattr(purchase_order, name, getattr(contents.header, name))
    purchase_order.total_po_value = contents.header.total_po_value
    _move(purchase_order, transition)
    purchase_order.previous_status = from_status
    purchase_order.ts = now
    purchase_order.sent_at = now
    purchase_order.delivered_at = None
    purchase_order.save()
    documents.replace_contents(purchase_order=purchase_order, contents=contents)

    _audit(
        purchase_order,
        from_status=from_status,
        action=conventions.EDIT,
        actor=edited_by,
        business=purchase_order.buyer,
        remarks=reason,
    )
    # replace_contents holds the rows it wrote: nothing is read back.
    _publish_version(
        purchase_order,
        OutboundMessage.Kind.EDIT,
        built=payloads.build_purchase_order(purchase_order),
        reason=reason,
        actor=edited_by,
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
    _ensure_member(confirmed_by, purchase_order.supplier, conventions.SUPPLIER)
    action = conventions.SUPPLIER_ACCEPT if accept else conventions.SUPPLIER_REJECT
    transition = _ensure_transition(purchase_order, action)
    _ensure_version(purchase_order, expected_version, expected_status)
    remarks = (remarks or "").strip()
    if not accept and not remarks:
        raise InvalidPurchaseOrder(
            "Say why you reject this purchase order; the buyer sees your remarks.",
            field="remarks",
        )

    from_status = _move_and_audit(
        purchase_order,
        transition,
        action=action,
        actor=confirmed_by,
        business=purchase_order.supplier,
        remarks=remarks,
    )
    body = payloads.build_confirm_request(
        purchase_order, supplier_response=action, remarks=remarks, from_status=from_status
    )
    _write_message(purchase_order, OutboundMessage.Kind.CONFIRM, body)
    notifications.notify_on_commit(
        purchase_order=purchase_order,
        event=notifications.ACCEPTED if accept else notifications.REJECTED,
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

    ``action`` is one of ``conventions.BUYER_ACTIONS``. ``expected_version``
    and ``expected_status`` are what the buyer saw; if the order has moved on
    since (the supplier confirmed it meanwhile), nothing is done.
    """
    purchase_order = _lock(purchase_order)
    _ensure_member(changed_by, purchase_order.buyer, conventions.BUYER)
    if action not in conventions.BUYER_ACTIONS:
        raise TransitionNotAllowed(
            f"“{action}” is not a status change a buyer can make; choose one of "
            f"{', '.join(conventions.BUYER_ACTIONS)}.",
            field="action",
            code=conventions.ERROR_UNKNOWN_ACTION,
        )
    transition = _ensure_transition(purchase_order, action)
    _ensure_version(purchase_order, expected_version, expected_status)
    remarks = (remarks or "").strip()

    from_status = _move_and_audit(
        purchase_order,
        transition,
        action=action,
        actor=changed_by,
        business=purchase_order.buyer,
        remarks=remarks,
    )
    body = payloads.build_status_change_request(
        purchase_order, buyer_action=action, remarks=remarks, from_status=from_status
    )
    _write_message(purchase_order, OutboundMessage.Kind.STATUS_CHANGE, body)
    notifications.notify_on_commit(
        purchase_order=purchase_order, event=notifications.STATUS_CHANGED
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
    is_member = (
        user is not None
        and user.is_authenticated
        and Membership.objects.filter(user=user, business=business, role=role).exists()
    )
    if not is_member:
        raise NotAllowed(
            f"Only a {ROLE_LABELS[role]} of {business} can do this to this purchase order."
        )


def _ensure_transition(purchase_order: PurchaseOrder, action: str) -> conventions.Transition:
    transition = conventions.find_transition(action, purchase_order.status)
    if transition is None:
        raise TransitionNotAllowed(
            f"This purchase order cannot be {ACTION_PARTICIPLES[action]}: its status is "
            f"“{purchase_order.get_status_display()}”.",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    return transition


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
            field="expected_version",
            code=conventions.ERROR_STALE_VERSION,
        )
    if expected_status and expected_status != purchase_order.status:
        raise StaleVersion(
            "This purchase order was changed by someone else (now "
            f"“{purchase_order.get_status_display()}”). Reload it and try again.",
            field="expected_status",
            code=conventions.ERROR_STALE_VERSION,
        )


# -- writing -------------------------------------------------------------------


def _move(purchase_order: PurchaseOrder, transition: conventions.Transition) -> None:
    """Apply a transition's status and version rule (previous_status is the caller's)."""
    purchase_order.previous_version = purchase_order.version
    purchase_order.version = conventions.next_version(purchase_order.version, transition.action)
    purchase_order.status = transition.to_status


def _move_and_audit(
    purchase_order: PurchaseOrder,
    transition: conventions.Transition,
    *,
    action: str,
    actor: AbstractBaseUser,
    business: Business,
    remarks: str,
) -> str:
    """Move a confirmed or status-changed order, save and audit it; return the old status."""
    from_status = purchase_order.status
    _move(purchase_order, transition)
    purchase_order.previous_status = from_status
    purchase_order.save()
    _audit(
        purchase_order,
        from_status=from_status,
        action=action,
        actor=actor,
        business=business,
        remarks=remarks,
    )
    return from_status


def _audit(
    purchase_order: PurchaseOrder,
    *,
    from_status: str,
    action: str,
    actor: AbstractBaseUser,
    business: Business,
    remarks: str = "",
) -> StatusChange:
    return StatusChange.objects.create(
        purchase_order=purchase_order,
        from_status=from_status,
        to_status=purchase_order.status,
        version=purchase_order.version,
        action=action,
        remarks=remarks,
        actor=actor,
        actor_business=business,
    )


# The message and e-mail of each action that makes a new version.
VERSION_NOTIFICATIONS = {
    OutboundMessage.Kind.SEND: notifications.SENT,
    OutboundMessage.Kind.EDIT: notifications.EDITED,
}


def _publish_version(
    purchase_order: PurchaseOrder,
    kind: str,
    *,
    built: dict,
    reason: str,
    actor: AbstractBaseUser,
) -> None:
    """Keep the new version's snapshot, write its req-send or req-edit, tell the supplier.

    ``built`` is the version's ``purchaseOrder`` object, built once for both.
    """
    documents.record_version(
        purchase_order=purchase_order,
        reason=reason,
        created_by=actor,
        created_by_business=purchase_order.buyer,
        built=built,
    )
    _write_message(purchase_order, kind, payloads.build_send_request(purchase_order, built=built))
    notifications.notify_on_commit(
        purchase_order=purchase_order, event=VERSION_NOTIFICATIONS[kind]
    )


def _write_message(purchase_order: PurchaseOrder, kind: str, body: dict) -> OutboundMessage:
    """Write the outbox row in the caller's transaction and queue it once committed."""
    message = OutboundMessage.objects.create(
        purchase_order=purchase_order,
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
