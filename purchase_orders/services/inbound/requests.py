"""Apply the four request kinds: a purchase order sent, edited, confirmed or changed."""

from dataclasses import dataclass

from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import EDITABLE_FIELDS, PartyContents, field_values
from purchase_orders.enkash import conventions, payloads
from purchase_orders.enkash.kinds import KINDS, MessageKind
from purchase_orders.exceptions import PurchaseOrderError, StaleVersion, TransitionNotAllowed
from purchase_orders.models import Business, InboundEvent, PurchaseOrder, StatusChange
from purchase_orders.services import documents, notifications
from purchase_orders.services.inbound.checks import (
    ensure_current_status,
    ensure_current_version,
    ensure_details_match,
    ensure_made_created,
    ensure_parties,
    ensure_po_number,
    holds_contents,
    lock_purchase_order,
    parse_contents,
)
from purchase_orders.services.transitions import move_purchase_order

RECEIVED_REASON = "Received from the network."


def apply_send_request(*, event: InboundEvent, message: dict) -> PurchaseOrder:
    """Create a purchase order sent to a business hosted here (``req-send``).

    When the buyer is hosted here too, the purchase order already exists:
    it is the same one, now delivered, and no copy is made.

    Two deliveries of one new order (under different webhook-ids) are not
    serialised here: the second one's insert waits for the first to commit
    and then breaks the unique objectId (or a new buyer's B2B ID, or the
    buyer's PO number), and ``process_event`` runs it again, when it finds
    the order.
    """
    b2b_ids, data = message["b2bIds"], message["purchaseOrder"]
    # Both parties in one query; the buyer may be known here, or not yet.
    businesses = {
        business.b2b_id: business
        for business in Business.objects.filter(
            b2b_id__in=(b2b_ids["supplierB2BId"], b2b_ids["buyerB2BId"])
        ).order_by()
    }
    supplier = businesses.get(b2b_ids["supplierB2BId"])
    if supplier is None or not supplier.is_hosted:
        raise PurchaseOrderError(
            f"No business with the B2B ID {b2b_ids['supplierB2BId']} is hosted here.",
            field="b2bIds.supplierB2BId",
            code=conventions.ERROR_PARTY_NOT_FOUND,
        )
    ensure_details_match(data, b2b_ids)
    existing = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("buyer", "supplier")
        .filter(object_id=data["objectId"])
        .first()
    )
    if existing is not None:
        event.purchase_order = existing
        return _deliver_held_order(existing, message)
    purchase_order = _receive_new_order(
        message, supplier=supplier, buyer=businesses.get(b2b_ids["buyerB2BId"])
    )
    event.purchase_order = purchase_order
    return purchase_order


def _deliver_held_order(existing: PurchaseOrder, message: dict) -> PurchaseOrder:
    """Mark an order held here (sent from here) as delivered; no copy is made."""
    data = message["purchaseOrder"]
    ensure_parties(existing, message["b2bIds"])
    ensure_po_number(existing, data["buyerPONumber"], "purchaseOrder")
    _, new_version = payloads.parse_version(data)
    if existing.version > new_version and holds_contents(
        existing, parse_contents(message), version=new_version
    ):
        # Sent from here, and edited since: the network delivers the
        # superseded version late.
        return existing
    if existing.version != new_version:
        raise StaleVersion(
            f"Purchase order {existing.object_id} is at version {existing.version} here, "
            f"not {new_version}.",
            field="purchaseOrder.objectVersion.newVersion",
            code=conventions.ERROR_STALE_VERSION,
        )
    _mark_delivered(existing)
    return existing


def _receive_new_order(
    message: dict, *, supplier: Business, buyer: Business | None
) -> PurchaseOrder:
    """Create an order sent from elsewhere, its buyer too if not known here."""
    data = message["purchaseOrder"]
    ensure_made_created(data, "A purchase order is sent as")
    current_version, new_version = payloads.parse_version(data)
    _ensure_next_version(lifecycle.SEND, current_version, new_version)
    parsed = parse_contents(message)
    if buyer is None:
        buyer = _create_counterparty(parsed.parties[lifecycle.BUYER])
    elif (
        PurchaseOrder.objects.filter(buyer=buyer, buyer_po_number=data["buyerPONumber"])
        # A copy of this very order that committed since the look-up above is
        # not a duplicate: the insert below breaks objectId's uniqueness and
        # is applied again, as a repeat.
        .exclude(object_id=data["objectId"])
        .exists()
    ):
        raise PurchaseOrderError(
            f"{buyer} already has another purchase order numbered {data['buyerPONumber']}.",
            field="purchaseOrder.buyerPONumber",
            code=conventions.ERROR_DUPLICATE_PO_NUMBER,
        )

    # Built at the version before the send, which moves it on and inserts it.
    purchase_order = PurchaseOrder(
        **field_values(parsed.header, exclude=LIFECYCLE_MARKS),
        buyer=buyer,
        supplier=supplier,
        status=lifecycle.DRAFT,
        version=current_version,
        sent_at=parsed.header.ts,
        delivered_at=timezone.now(),
    )
    move_purchase_order(
        purchase_order=purchase_order,
        action=lifecycle.SEND,
        business=buyer,
        via_network=True,
    )
    # A new order has no contents to replace, nor a snapshot yet.
    documents.add_contents(purchase_order=purchase_order, contents=parsed)
    documents.record_version(
        purchase_order=purchase_order,
        reason=RECEIVED_REASON,
        created_by_business=buyer,
        contents=parsed,
        first=True,
    )
    notifications.notify_on_commit(purchase_order=purchase_order, event=notifications.SENT)
    return purchase_order


# What a message says of the lifecycle, as opposed to the order's contents:
# the one step that moves an order sets these.
LIFECYCLE_MARKS = ("status", "previous_status", "version", "previous_version")


def _create_counterparty(party: PartyContents) -> Business:
    """Create the business of a buyer not known here, from the order's buyer details."""
    fields = field_values(party, exclude=("role", "place_of_supply"))
    return Business.objects.create(**fields, is_hosted=False)


def _mark_delivered(purchase_order: PurchaseOrder) -> None:
    if purchase_order.delivered_at is None:
        purchase_order.delivered_at = timezone.now()
        purchase_order.save(update_fields=["delivered_at", "updated_at"])


def _ensure_next_version(action: str, current_version: int, new_version: int) -> None:
    """Refuse a send or edit that does not move the version as the lifecycle does."""
    expected = lifecycle.next_version(current_version, action)
    if new_version != expected:
        raise StaleVersion(
            f"{'An edit' if action == lifecycle.EDIT else 'A send'} moves version "
            f"{current_version} to {expected}, not {new_version}.",
            field="purchaseOrder.objectVersion.newVersion",
            code=conventions.ERROR_STALE_VERSION,
        )


def apply_edit_request(*, event: InboundEvent, message: dict) -> PurchaseOrder:
    """Replace a purchase order's contents with the next version (``req-edit``, n -> n+1)."""
    b2b_ids, data = message["b2bIds"], message["purchaseOrder"]
    purchase_order = lock_purchase_order(event, object_id=data["objectId"], path="purchaseOrder")
    ensure_parties(purchase_order, b2b_ids)
    ensure_details_match(data, b2b_ids)
    ensure_po_number(purchase_order, data["buyerPONumber"], "purchaseOrder")
    current_version, new_version = payloads.parse_version(data)
    parsed = parse_contents(message)

    if new_version <= purchase_order.version and holds_contents(
        purchase_order, parsed, version=new_version
    ):
        # The edit was made here and the network now delivers it to the
        # supplier, who is hosted here too (perhaps after later changes), or
        # an earlier delivery applied it.
        if new_version == purchase_order.version:
            _mark_delivered(purchase_order)
        return purchase_order
    ensure_current_version(purchase_order, current_version, "purchaseOrder")
    _ensure_next_version(lifecycle.EDIT, current_version, new_version)
    if lifecycle.find_transition(lifecycle.EDIT, purchase_order.status) is None:
        raise TransitionNotAllowed(
            f"A purchase order that is {purchase_order.status} cannot be edited.",
            field="purchaseOrder.poStatusTransition.currentStatus",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    ensure_made_created(data, "An edit puts a purchase order back to")

    header = parsed.header
    for name in EDITABLE_FIELDS:
        setattr(purchase_order, name, getattr(header, name))
    purchase_order.total_po_value = header.total_po_value
    purchase_order.ts = purchase_order.sent_at = header.ts
    purchase_order.delivered_at = timezone.now()
    move_purchase_order(
        purchase_order=purchase_order,
        action=lifecycle.EDIT,
        business=purchase_order.buyer,
        via_network=True,
    )
    documents.replace_contents(purchase_order=purchase_order, contents=parsed)
    documents.record_version(
        purchase_order=purchase_order,
        reason=RECEIVED_REASON,
        created_by_business=purchase_order.buyer,
        contents=parsed,
    )
    notifications.notify_on_commit(purchase_order=purchase_order, event=notifications.EDITED)
    return purchase_order


@dataclass(frozen=True)
class StatusMessage:
    """Where a confirmation or status change keeps its action and remarks, and its e-mails."""

    kind: MessageKind
    action_key: str
    remarks_key: str
    notifications: dict


CONFIRMATION = StatusMessage(
    kind=KINDS["req-confirm"],
    action_key="supplierResponse",
    remarks_key="supplierRemarks",
    notifications={
        lifecycle.ACCEPT: notifications.ACCEPTED,
        lifecycle.REJECT: notifications.REJECTED,
    },
)
STATUS_CHANGE = StatusMessage(
    kind=KINDS["req-status-change"],
    action_key="buyerAction",
    remarks_key="buyerRemarks",
    notifications={
        action: notifications.STATUS_CHANGED for action in lifecycle.BUYER_STATUS_ACTIONS
    },
)


def apply_confirm_request(*, event: InboundEvent, message: dict) -> PurchaseOrder:
    """Accept or reject a purchase order for its supplier (``req-confirm``, n -> n)."""
    return _apply_status_message(event=event, message=message, kind=CONFIRMATION)


def apply_status_change_request(*, event: InboundEvent, message: dict) -> PurchaseOrder:
    """Cancel, fulfil or close a purchase order for its buyer (``req-status-change``, n -> n)."""
    return _apply_status_message(event=event, message=message, kind=STATUS_CHANGE)


def _apply_status_message(
    *, event: InboundEvent, message: dict, kind: StatusMessage
) -> PurchaseOrder:
    path = kind.kind.object_key
    data = message[path]
    purchase_order = lock_purchase_order(event, object_id=data["objectId"], path=path)
    ensure_parties(purchase_order, message["b2bIds"])
    ensure_po_number(purchase_order, data["buyerPONumber"], path)
    action = data[kind.action_key]
    from_status, to_status = payloads.parse_transition(data)
    if _status_message_applied(purchase_order, data, kind=kind):
        # Made here (both parties are hosted here) or by an earlier delivery,
        # perhaps before later changes that the network delivered first.
        return purchase_order
    current_version, _ = payloads.parse_version(data)
    ensure_current_version(purchase_order, current_version, path)
    ensure_current_status(purchase_order, action, from_status, to_status, path)
    transition = lifecycle.find_transition(action, purchase_order.status)
    if transition is None:
        raise TransitionNotAllowed(
            f"{action} is not allowed for a purchase order that is {purchase_order.status}.",
            field=f"{path}.{kind.action_key}",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    if to_status != transition.to_status:
        raise TransitionNotAllowed(
            f"{action} makes a purchase order {transition.to_status}, not {to_status}.",
            field=f"{path}.poStatusTransition.newStatus",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    move_purchase_order(
        purchase_order=purchase_order,
        action=action,
        remarks=data[kind.remarks_key],
        business=purchase_order.buyer
        if kind.kind.sender == lifecycle.BUYER
        else purchase_order.supplier,
        via_network=True,
    )
    notifications.notify_on_commit(
        purchase_order=purchase_order, event=kind.notifications[action]
    )
    return purchase_order


def _status_message_applied(
    purchase_order: PurchaseOrder, data: dict, *, kind: StatusMessage
) -> bool:
    """Check a confirmation's or status change's action and version; return whether applied."""
    path = kind.kind.object_key
    action = data[kind.action_key]
    if action not in kind.kind.actions:
        raise TransitionNotAllowed(
            f"{action} is not a known {kind.action_key}; expected one of "
            f"{', '.join(kind.kind.actions)}.",
            field=f"{path}.{kind.action_key}",
            code=conventions.ERROR_UNKNOWN_ACTION,
        )
    current_version, new_version = payloads.parse_version(data)
    if new_version != current_version:
        raise StaleVersion(
            f"A {kind.action_key} keeps the version, but this message moves "
            f"{current_version} to {new_version}.",
            field=f"{path}.objectVersion.newVersion",
            code=conventions.ERROR_STALE_VERSION,
        )
    from_status, to_status = payloads.parse_transition(data)
    return StatusChange.objects.filter(
        purchase_order=purchase_order,
        version=current_version,
        action=action,
        from_status=from_status,
        to_status=to_status,
    ).exists()
