"""Buyer and supplier actions on a purchase order: send, edit, confirm, change status.

Each action, in one transaction, locks the purchase order, checks who acts
and what they saw, moves the order with ``transitions.move_purchase_order``
(the lifecycle table, the version rule, the audit row) and writes the
outbound network message that announces the change. After commit the
message is queued for delivery and the other side is e-mailed.
"""

import copy
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from purchase_orders import lifecycle, validators
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
)
from purchase_orders.selectors import purchase_orders_with_contents
from purchase_orders.services import documents, notifications
from purchase_orders.services.outbound import enqueue_delivery
from purchase_orders.services.transitions import ensure_transition, move_purchase_order
from purchase_orders.totals import find_total_mismatches

# Header fields an edit may change; the network identity of the order
# (objectId, buyerPONumber, buyer, supplier) stays as it was sent.
EDITABLE_FIELDS = (
    "order_date",
    "delivery_date",
    "subject",
    "shipping_terms",
    "shipping_bearing_party",
    "shipping_charges",
    "po_infos",
    "contract_references",
    "additional_documents",
    "additional_infos",
)



# -- the four actions ----------------------------------------------------------


@transaction.atomic
def send_purchase_order(
    *, purchase_order: PurchaseOrder, sent_by: AbstractBaseUser
) -> PurchaseOrder:
    """Send a draft purchase order to the supplier over the network (version 0 -> 1).

    The order is first checked as the network will check it; a problem raises
    ``InvalidPurchaseOrder`` naming the form field at fault and saves nothing.
    """
    purchase_order = _lock(purchase_order, with_contents=True)
    _ensure_member(sent_by, purchase_order.buyer, lifecycle.BUYER)
    ensure_transition(purchase_order, lifecycle.SEND)

    now = timezone.now()
    purchase_order.ts = purchase_order.sent_at = now
    purchase_order.delivered_at = None
    move_purchase_order(
        purchase_order=purchase_order,
        action=lifecycle.SEND,
        actor=sent_by,
        business=purchase_order.buyer,
    )
    # Built once, from the contents loaded with the lock: checked, kept as
    # the version's snapshot and sent. A refusal undoes the whole action.
    built = payloads.build_purchase_order(purchase_order)
    validate_for_network(payloads.parse_purchase_order(built, purchase_order.additional_infos))
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
    contents: dict,
    reason: str,
    expected_version: int,
) -> PurchaseOrder:
    """Replace a sent purchase order's contents with a new version (n -> n+1).

    ``contents`` has the shape ``payloads.parse_purchase_order`` returns; its
    totals are recomputed from its lines. The new version goes back to
    CREATED: the supplier confirms it again.
    """
    purchase_order = _lock(purchase_order)
    _ensure_member(edited_by, purchase_order.buyer, lifecycle.BUYER)
    ensure_transition(purchase_order, lifecycle.EDIT)
    _ensure_version(purchase_order, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidPurchaseOrder(
            "Say why the purchase order is being changed; the supplier sees the reason.",
            field="reason",
        )
    contents = _contents_for(purchase_order, contents)
    validate_for_network(contents)

    now = timezone.now()
    for name in EDITABLE_FIELDS:
        if name in contents["fields"]:
            setattr(purchase_order, name, contents["fields"][name])
    purchase_order.total_po_value = contents["fields"]["total_po_value"]
    purchase_order.ts = purchase_order.sent_at = now
    purchase_order.delivered_at = None
    move_purchase_order(
        purchase_order=purchase_order,
        action=lifecycle.EDIT,
        actor=edited_by,
        business=purchase_order.buyer,
        remarks=reason,
    )
    documents.replace_contents(purchase_order=purchase_order, parsed=contents)
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
    _ensure_member(confirmed_by, purchase_order.supplier, lifecycle.SUPPLIER)
    action = lifecycle.ACCEPT if accept else lifecycle.REJECT
    ensure_transition(purchase_order, action)
    _ensure_version(purchase_order, expected_version, expected_status)
    remarks = (remarks or "").strip()
    if not accept and not remarks:
        raise InvalidPurchaseOrder(
            "Say why you reject this purchase order; the buyer sees your remarks.",
            field="remarks",
        )

    change = move_purchase_order(
        purchase_order=purchase_order,
        action=action,
        actor=confirmed_by,
        business=purchase_order.supplier,
        remarks=remarks,
    )
    body = payloads.build_confirm_request(
        purchase_order, supplier_response=action, remarks=remarks, from_status=change.from_status
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

    ``action`` is one of ``lifecycle.BUYER_STATUS_ACTIONS``. ``expected_version``
    and ``expected_status`` are what the buyer saw; if the order has moved on
    since (the supplier confirmed it meanwhile), nothing is done.
    """
    purchase_order = _lock(purchase_order)
    _ensure_member(changed_by, purchase_order.buyer, lifecycle.BUYER)
    if action not in lifecycle.BUYER_STATUS_ACTIONS:
        raise TransitionNotAllowed(
            f"“{action}” is not a status change a buyer can make; choose one of "
            f"{', '.join(lifecycle.BUYER_STATUS_ACTIONS)}.",
            field="action",
            code=conventions.ERROR_UNKNOWN_ACTION,
        )
    ensure_transition(purchase_order, action)
    _ensure_version(purchase_order, expected_version, expected_status)
    remarks = (remarks or "").strip()

    change = move_purchase_order(
        purchase_order=purchase_order,
        action=action,
        actor=changed_by,
        business=purchase_order.buyer,
        remarks=remarks,
    )
    body = payloads.build_status_change_request(
        purchase_order, buyer_action=action, remarks=remarks, from_status=change.from_status
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


def _contents_for(purchase_order: PurchaseOrder, contents: dict) -> dict:
    """Return a copy of edited contents with computed totals and the order's own parties."""
    contents = copy.deepcopy(contents)
    for role, business in (
        (lifecycle.BUYER, purchase_order.buyer),
        (lifecycle.SUPPLIER, purchase_order.supplier),
    ):
        party = contents["parties"][role]
        if party.get("b2b_id") and party["b2b_id"] != business.b2b_id:
            raise InvalidPurchaseOrder(
                f"An edit cannot change the {lifecycle.ROLE_LABELS[role].lower()}; send a new "
                "purchase order to another business instead.",
                field=role,
            )
        party["b2b_id"] = business.b2b_id
        party["role"] = role
    contents["fields"]["object_id"] = purchase_order.object_id
    contents["fields"]["buyer_po_number"] = purchase_order.buyer_po_number
    contents["fields"].setdefault("additional_infos", purchase_order.additional_infos)
    return documents.apply_computed_totals(contents)


def validate_for_network(parsed: dict) -> None:
    """Check a purchase order's contents as the network will; raise InvalidPurchaseOrder.

    ``parsed`` has the shape ``payloads.parse_purchase_order`` returns. The
    error's ``field`` names the form field at fault: ``buyer_gstin``,
    ``supplier_state_code``, ``place_of_supply``, ``addresses-0-pincode``,
    ``lines``, ``lines-0-hsn_code``, ``lines-0-quantity``, ``total_po_value``,
    ``milestones``…
    """
    fields = parsed["fields"]
    if not (fields.get("buyer_po_number") or "").strip():
        raise InvalidPurchaseOrder("Give the purchase order a number.", field="buyer_po_number")
    order_date, delivery_date = fields.get("order_date"), fields.get("delivery_date")
    if order_date and delivery_date and delivery_date < order_date:
        raise InvalidPurchaseOrder(
            "The delivery date is before the order date.", field="delivery_date"
        )
    for role in (lifecycle.BUYER, lifecycle.SUPPLIER):
        _validate_party(parsed["parties"].get(role), role)
    for index, address in enumerate(parsed["addresses"]):
        _check(
            validators.validate_pincode,
            address.get("pincode"),
            field=f"addresses-{index}-pincode",
            label=f"Address {index + 1}, PIN code",
        )
    _validate_lines(parsed["lines"])
    _validate_totals(parsed)


def _check(validator, value, *, field: str, label: str) -> None:
    try:
        validator(value or "")
    except ValidationError as error:
        raise InvalidPurchaseOrder(f"{label}: {error.messages[0]}", field=field) from None


def _validate_party(party: dict | None, role: str) -> None:
    label = lifecycle.ROLE_LABELS[role]
    if not party or not party.get("b2b_id"):
        raise InvalidPurchaseOrder(
            f"The purchase order has no {label.lower()} details.", field=role
        )
    _check(
        validators.validate_gstin,
        party.get("gstin"),
        field=f"{role}_gstin",
        label=f"{label}'s GSTIN",
    )
    _check(
        validators.validate_state_code,
        party.get("state_code"),
        field=f"{role}_state_code",
        label=f"{label}'s state code",
    )
    try:
        validators.validate_state_matches_gstin(
            state_code=party["state_code"], gstin=party["gstin"]
        )
    except ValidationError as error:
        raise InvalidPurchaseOrder(
            f"{label}'s state code: {error.messages[0]}", field=f"{role}_state_code"
        ) from None
    if party.get("pincode"):
        _check(
            validators.validate_pincode,
            party["pincode"],
            field=f"{role}_pincode",
            label=f"{label}'s PIN code",
        )
    if role == lifecycle.BUYER:
        _check(
            validators.validate_state_code,
            party.get("place_of_supply"),
            field="place_of_supply",
            label="Place of supply",
        )


def _validate_lines(lines: list[dict]) -> None:
    if not lines:
        raise InvalidPurchaseOrder("Add at least one line to the purchase order.", field="lines")
    for index, line in enumerate(lines):
        prefix, label = f"lines-{index}-", f"Line {index + 1}"
        if not (line.get("product_description") or "").strip():
            raise InvalidPurchaseOrder(
                f"{label}: describe the goods or service.", field=prefix + "product_description"
            )
        _check(
            validators.validate_hsn_sac,
            line.get("hsn_code"),
            field=prefix + "hsn_code",
            label=f"{label}, HSN/SAC code",
        )
        if Decimal(line.get("quantity") or 0) <= 0:
            raise InvalidPurchaseOrder(
                f"{label}: the quantity must be more than zero.", field=prefix + "quantity"
            )
        if Decimal(line.get("unit_price") or 0) < 0:
            raise InvalidPurchaseOrder(
                f"{label}: the unit price cannot be negative.", field=prefix + "unit_price"
            )


def _validate_totals(parsed: dict) -> None:
    mismatches = find_total_mismatches(parsed)
    if not mismatches:
        return
    path, stated, computed = mismatches[0]
    if path.endswith("paymentMilestones"):
        raise InvalidPurchaseOrder(
            f"The payment milestones add up to ₹{stated:,.2f} but the purchase order's "
            f"total is ₹{computed:,.2f}; make them equal.",
            field="milestones",
        )
    if path.startswith("purchaseOrder.itemLists["):
        index = int(path.removeprefix("purchaseOrder.itemLists[").split("]")[0])
        raise InvalidPurchaseOrder(
            f"Line {index + 1}: its amounts do not add up (₹{stated:,.2f} stated, "
            f"₹{computed:,.2f} computed from quantity, price and taxes). Save the order "
            "again to recompute them.",
            field=f"lines-{index}-total_item_value",
        )
    raise InvalidPurchaseOrder(
        f"The purchase order's total (₹{stated:,.2f}) is not the sum of its lines and "
        f"charges (₹{computed:,.2f}). Save the order again to recompute it.",
        field="total_po_value",
    )


# -- writing -------------------------------------------------------------------


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
