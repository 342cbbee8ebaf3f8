"""Apply the four request kinds: a purchase order sent, edited, confirmed or changed."""

from django.db.models import Q
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import EDITABLE_FIELDS, PartyContents, field_values
from purchase_orders.enkash import conventions
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.exceptions import PurchaseOrderError, StaleVersion, TransitionNotAllowed
from purchase_orders.models import (
    Business,
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
    StatusChange,
)
from purchase_orders.received import ReceivedMessage
from purchase_orders.services import documents, notifications
from purchase_orders.services.acknowledgements import DELIVERED_NOTIFICATIONS, apply_sent_action
from purchase_orders.services.inbound import trust
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
    unique_or_none,
)
from purchase_orders.services.transitions import Marks, move_purchase_order

RECEIVED_REASON = "Received from the network."
# The kinds that carry a purchase order's contents, and a version of its own.
CONTENT_KINDS = (OutboundMessage.Kind.SEND, OutboundMessage.Kind.EDIT)


def apply_send_request(*, event: InboundEvent, message: ReceivedMessage) -> PurchaseOrder:
    """Create a purchase order sent to a business hosted here (``req-send``).

    When the buyer is hosted here too, the purchase order already exists:
    it is the same one, now delivered, and no copy is made.

    Two deliveries of one new order (under different webhook-ids) are not
    serialised here: the second one's insert waits for the first to commit
    and then breaks the unique objectId (or a new buyer's B2B ID, or the
    buyer's PO number), and ``process_event`` runs it again, when it finds
    the order.
    """
    # Both parties in one query, with any hosted business whose GSTIN the
    # order names; the buyer may be known here, or not yet.
    gstins = trust.stated_gstins(message)
    found = list(
        Business.objects.filter(
            Q(b2b_id__in=(message.supplier_b2b_id, message.buyer_b2b_id))
            | Q(is_hosted=True, gstin__in=gstins)
        ).order_by()
    )
    businesses = {business.b2b_id: business for business in found}
    hosted_by_gstin = {b.gstin: b for b in found if b.is_hosted and b.gstin in gstins}
    supplier = businesses.get(message.supplier_b2b_id)
    if supplier is None or not supplier.is_hosted:
        raise PurchaseOrderError(
            f"No business with the B2B ID {message.supplier_b2b_id} is hosted here.",
            path=("b2b_ids", lifecycle.SUPPLIER),
            code=conventions.ERROR_PARTY_NOT_FOUND,
        )
    buyer = businesses.get(message.buyer_b2b_id)
    ensure_details_match(message)
    # Without select_related: composing the columns of the order and its two
    # businesses cost more than the statement, and a new order finds none.
    existing = unique_or_none(
        PurchaseOrder.objects.select_for_update(of=("self",)).filter(object_id=message.object_id)
    )
    if existing is not None:
        _attach_parties(existing, found)
        event.purchase_order = existing
        ensure_parties(existing, message)
        ensure_po_number(existing, message)
    echo = trust.sent_from_here(event=event, message=message, purchase_order=existing, acting=buyer)
    if echo is not None:
        return _apply_echo(existing, echo)
    trust.ensure_hosted_details(
        message,
        businesses={lifecycle.BUYER: buyer, lifecycle.SUPPLIER: supplier},
        purchase_order=existing,
        hosted_by_gstin=hosted_by_gstin,
    )
    if existing is not None:
        return _deliver_held_order(existing, message)
    purchase_order = _receive_new_order(message, supplier=supplier, buyer=buyer)
    event.purchase_order = purchase_order
    return purchase_order


def _attach_parties(purchase_order: PurchaseOrder, found: list[Business]) -> None:
    """Give an order its buyer and supplier from the businesses already read, if among them.

    A party not among them (the message names others) is read when used.
    """
    by_pk = {business.pk: business for business in found}
    for role in lifecycle.ROLES:
        business = by_pk.get(getattr(purchase_order, f"{role}_id"))
        if business is not None:
            setattr(purchase_order, role, business)


def _apply_echo(purchase_order: PurchaseOrder, echo: OutboundMessage) -> PurchaseOrder:
    """Apply a message sent from here that the network delivers to the other side, hosted here.

    What one business hosted here sent arrives back as the request the
    network delivers to the other: its action holds from now on, if it is
    still pending. Otherwise the network's answer applied it first (or
    refused it), and the echo changes nothing but noting that the current
    version has reached the other side.
    """
    if purchase_order.pending_message_id == echo.pk:
        apply_sent_action(purchase_order=purchase_order, message=echo)
    elif echo.kind in CONTENT_KINDS and echo.object_version == purchase_order.version:
        _mark_delivered(purchase_order)
    return purchase_order


def _deliver_held_order(existing: PurchaseOrder, message: ReceivedMessage) -> PurchaseOrder:
    """Acknowledge a repeat of a send from elsewhere, delivered before; no copy is made."""
    new_version = message.version
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
            path=("version",),
            code=conventions.ERROR_STALE_VERSION,
        )
    _mark_delivered(existing)
    return existing


def _receive_new_order(
    message: ReceivedMessage, *, supplier: Business, buyer: Business | None
) -> PurchaseOrder:
    """Create an order sent from elsewhere, its buyer too if not known here."""
    ensure_made_created(message, "A purchase order is sent as")
    parsed = parse_contents(message)
    if buyer is None:
        buyer = _create_counterparty(parsed.parties[lifecycle.BUYER])
    elif (
        PurchaseOrder.objects.filter(buyer=buyer, buyer_po_number=message.buyer_po_number)
        # A copy of this very order that committed since the look-up above is
        # not a duplicate: the insert below breaks objectId's uniqueness and
        # is applied again, as a repeat.
        .exclude(object_id=message.object_id)
        .exists()
    ):
        raise PurchaseOrderError(
            f"{buyer} already has another purchase order numbered {message.buyer_po_number}.",
            path=("buyer_po_number",),
            code=conventions.ERROR_DUPLICATE_PO_NUMBER,
        )

    # A draft until the send inserts it, at the version the network states.
    purchase_order = PurchaseOrder(
        **field_values(parsed.header, exclude=LIFECYCLE_MARKS),
        buyer=buyer,
        supplier=supplier,
        status=lifecycle.DRAFT,
        sent_at=parsed.header.ts,
        delivered_at=timezone.now(),
    )
    # Inserted with its words for the lists' search, not updated after.
    purchase_order.search_text = documents.search_text_of(purchase_order, parsed)
    move_purchase_order(
        purchase_order=purchase_order,
        action=lifecycle.SEND,
        business=buyer,
        via_network=True,
        stated=Marks(
            status=lifecycle.CREATED,
            version=message.version,
            previous_status=lifecycle.CREATED,
            previous_version=message.previous_version,
        ),
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


def _ensure_edit_version(message: ReceivedMessage) -> None:
    """Refuse an edit that does not move the version as the lifecycle does (n -> n+1)."""
    expected = lifecycle.next_version(message.previous_version, lifecycle.EDIT)
    if message.version != expected:
        raise StaleVersion(
            f"An edit moves version {message.previous_version} to {expected}, "
            f"not {message.version}.",
            path=("version",),
            code=conventions.ERROR_STALE_VERSION,
        )


def apply_edit_request(*, event: InboundEvent, message: ReceivedMessage) -> PurchaseOrder:
    """Replace a purchase order's contents with the next version (``req-edit``, n -> n+1)."""
    purchase_order = lock_purchase_order(event, message)
    ensure_parties(purchase_order, message)
    ensure_details_match(message)
    ensure_po_number(purchase_order, message)
    trust.ensure_delivered_to_hosted(purchase_order, message)
    echo = trust.sent_from_here(event=event, message=message, purchase_order=purchase_order)
    if echo is not None:
        return _apply_echo(purchase_order, echo)
    trust.ensure_hosted_details(
        message, businesses=_parties_here(purchase_order), purchase_order=purchase_order
    )
    new_version = message.version
    parsed = parse_contents(message)

    if new_version <= purchase_order.version and holds_contents(
        purchase_order, parsed, version=new_version
    ):
        # An earlier delivery applied it (perhaps before later changes).
        if new_version == purchase_order.version:
            _mark_delivered(purchase_order)
        return purchase_order
    ensure_current_version(purchase_order, message)
    _ensure_edit_version(message)
    if lifecycle.find_transition(lifecycle.EDIT, purchase_order.status) is None:
        raise TransitionNotAllowed(
            f"A purchase order that is {purchase_order.status} cannot be edited.",
            path=("previous_status",),
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    ensure_made_created(message, "An edit puts a purchase order back to")

    header = parsed.header
    for name in EDITABLE_FIELDS:
        setattr(purchase_order, name, getattr(header, name))
    purchase_order.total_po_value = header.total_po_value
    purchase_order.ts = purchase_order.sent_at = header.ts
    purchase_order.delivered_at = timezone.now()
    purchase_order.search_text = documents.search_text_of(purchase_order, parsed)
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
    notifications.notify_on_commit(
        purchase_order=purchase_order, event=notifications.EDITED, action=lifecycle.EDIT
    )
    return purchase_order


def apply_confirm_request(*, event: InboundEvent, message: ReceivedMessage) -> PurchaseOrder:
    """Accept or reject a purchase order for its supplier (``req-confirm``, n -> n)."""
    return _apply_status_message(event=event, message=message)


def apply_status_change_request(*, event: InboundEvent, message: ReceivedMessage) -> PurchaseOrder:
    """Cancel, fulfil or close a purchase order for its buyer (``req-status-change``, n -> n)."""
    return _apply_status_message(event=event, message=message)


def _apply_status_message(*, event: InboundEvent, message: ReceivedMessage) -> PurchaseOrder:
    purchase_order = lock_purchase_order(event, message)
    ensure_parties(purchase_order, message)
    ensure_po_number(purchase_order, message)
    _ensure_status_message(message)
    trust.ensure_delivered_to_hosted(purchase_order, message)
    echo = trust.sent_from_here(event=event, message=message, purchase_order=purchase_order)
    if echo is not None:
        return _apply_echo(purchase_order, echo)
    if _status_message_applied(purchase_order, message):
        # Applied by an earlier delivery, perhaps before later changes that
        # the network delivered first.
        return purchase_order
    ensure_current_version(purchase_order, message)
    ensure_current_status(purchase_order, message)
    action = message.action
    transition = lifecycle.find_transition(action, purchase_order.status)
    if transition is None:
        raise TransitionNotAllowed(
            f"{action} is not allowed for a purchase order that is {purchase_order.status}.",
            path=("action",),
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    if message.status != transition.to_status:
        raise TransitionNotAllowed(
            f"{action} makes a purchase order {transition.to_status}, not {message.status}.",
            path=("status",),
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    move_purchase_order(
        purchase_order=purchase_order,
        action=action,
        remarks=message.remarks,
        business=purchase_order.business_of(KINDS[message.kind].sender),
        via_network=True,
    )
    notifications.notify_on_commit(
        purchase_order=purchase_order,
        event=DELIVERED_NOTIFICATIONS[action],
        action=action,
        remarks=message.remarks,
    )
    return purchase_order


def _ensure_status_message(message: ReceivedMessage) -> None:
    """Refuse a confirmation or status change with an unknown action, or one moving the version."""
    kind = KINDS[message.kind]
    if message.action not in kind.actions:
        raise TransitionNotAllowed(
            f"{message.action} is not a known {kind.action_key}; expected one of "
            f"{', '.join(kind.actions)}.",
            path=("action",),
            code=conventions.ERROR_UNKNOWN_ACTION,
        )
    if message.version != message.previous_version:
        raise StaleVersion(
            f"A {kind.action_key} keeps the version, but this message moves "
            f"{message.previous_version} to {message.version}.",
            path=("version",),
            code=conventions.ERROR_STALE_VERSION,
        )


def _status_message_applied(purchase_order: PurchaseOrder, message: ReceivedMessage) -> bool:
    """Return whether a confirmation or status change has moved the order already."""
    return StatusChange.objects.filter(
        purchase_order=purchase_order,
        stage=StatusChange.Stage.APPLIED,
        version=message.previous_version,
        action=message.action,
        from_status=message.previous_status,
        to_status=message.status,
    ).exists()


def _parties_here(purchase_order: PurchaseOrder) -> dict[str, Business]:
    return {role: purchase_order.business_of(role) for role in lifecycle.ROLES}
