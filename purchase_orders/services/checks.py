"""Check a purchase order's contents as the network will, before anything is sent."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from purchase_orders import lifecycle, validators
from purchase_orders.contents import (
    Contents,
    FieldPath,
    LineContents,
    PartyContents,
)
from purchase_orders.exceptions import InvalidPurchaseOrder
from purchase_orders.totals import find_total_mismatches


def validate_for_network(contents: Contents) -> None:
    """Check a purchase order's contents as the network will; raise InvalidPurchaseOrder.

    The error's ``path`` names the part at fault: ``("parties", "buyer",
    "gstin")``, ``("addresses", 0, "pincode")``, ``("lines",)``, ``("lines",
    0, "hsn_code")``, ``("total_po_value",)``, ``("milestones",)``…
    """
    header = contents.header
    if not (header.buyer_po_number or "").strip():
        raise InvalidPurchaseOrder("Give the purchase order a number.", path=("buyer_po_number",))
    if header.order_date and header.delivery_date and header.delivery_date < header.order_date:
        raise InvalidPurchaseOrder(
            "The delivery date is before the order date.", path=("delivery_date",)
        )
    for role in lifecycle.ROLES:
        _validate_party(contents.parties.get(role), role)
    for index, address in enumerate(contents.addresses):
        _check(
            validators.validate_pincode,
            address.pincode,
            path=("addresses", index, "pincode"),
            label=f"Address {index + 1}, PIN code",
        )
    _validate_lines(contents.lines)
    _validate_totals(contents)


def milestones_mismatch(scheduled: Decimal, total: Decimal) -> str:
    """Return what the form says when the payment milestones do not add up to the total."""
    return (
        f"The payment milestones add up to ₹{scheduled:,.2f} but the purchase order's "
        f"total is ₹{total:,.2f}; make them equal."
    )


def _check(validator, value, *, path: FieldPath, label: str) -> None:
    try:
        validator(value or "")
    except ValidationError as error:
        raise InvalidPurchaseOrder(f"{label}: {error.messages[0]}", path=path) from None


def _validate_party(party: PartyContents | None, role: str) -> None:
    label = lifecycle.ROLE_LABELS[role]
    if not party or not party.b2b_id:
        raise InvalidPurchaseOrder(
            f"The purchase order has no {label.lower()} details.", path=("parties", role)
        )
    path = ("parties", role)
    _check(validators.validate_gstin, party.gstin, path=(*path, "gstin"), label=f"{label}'s GSTIN")
    _check(
        validators.validate_state_code,
        party.state_code,
        path=(*path, "state_code"),
        label=f"{label}'s state code",
    )
    try:
        validators.validate_state_matches_gstin(state_code=party.state_code, gstin=party.gstin)
    except ValidationError as error:
        raise InvalidPurchaseOrder(
            f"{label}'s state code: {error.messages[0]}", path=(*path, "state_code")
        ) from None
    if party.pincode:
        _check(
            validators.validate_pincode,
            party.pincode,
            path=(*path, "pincode"),
            label=f"{label}'s PIN code",
        )
    if role == lifecycle.BUYER:
        _check(
            validators.validate_state_code,
            party.place_of_supply,
            path=(*path, "place_of_supply"),
            label="Place of supply",
        )


def _validate_lines(lines: list[LineContents]) -> None:
    if not lines:
        raise InvalidPurchaseOrder("Add at least one line to the purchase order.", path=("lines",))
    for index, line in enumerate(lines):
        path, label = ("lines", index), f"Line {index + 1}"
        if not (line.product_description or "").strip():
            raise InvalidPurchaseOrder(
                f"{label}: describe the goods or service.", path=(*path, "product_description")
            )
        _check(
            validators.validate_hsn_sac,
            line.hsn_code,
            path=(*path, "hsn_code"),
            label=f"{label}, HSN/SAC code",
        )
        if Decimal(line.quantity or 0) <= 0:
            raise InvalidPurchaseOrder(
                f"{label}: the quantity must be more than zero.", path=(*path, "quantity")
            )
        if Decimal(line.unit_price or 0) < 0:
            raise InvalidPurchaseOrder(
                f"{label}: the unit price cannot be negative.", path=(*path, "unit_price")
            )


def _validate_totals(contents: Contents) -> None:
    mismatches = find_total_mismatches(contents)
    if not mismatches:
        return
    path, stated, computed = mismatches[0]
    if path == ("milestones",):
        raise InvalidPurchaseOrder(milestones_mismatch(stated, computed), path=path)
    if path[0] == "lines":
        index = path[1]
        raise InvalidPurchaseOrder(
            f"Line {index + 1}: its amounts do not add up (₹{stated:,.2f} stated, "
            f"₹{computed:,.2f} computed from quantity, price and taxes). Save the order "
            "again to recompute them.",
            path=("lines", index, "total_item_value"),
        )
    raise InvalidPurchaseOrder(
        f"The purchase order's total (₹{stated:,.2f}) is not the sum of its lines and "
        f"charges (₹{computed:,.2f}). Save the order again to recompute it.",
        path=path,
    )
