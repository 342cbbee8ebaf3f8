"""The one place where line, tax and purchase-order totals are computed.

Rules (the network documents none; these are the portal's, see README):

- ``totalAmt`` = quantity × unit price (free quantity is not charged);
- ``assessmentAmount`` (taxable value) = ``totalAmt`` less the line's
  ``itemValueDetails`` of type DISCOUNT;
- GST = taxable value × ``gstRate`` %, split into CGST + SGST halves when the
  supplier's state is the place of supply and charged as IGST otherwise;
- each other tax = taxable value × its rate %;
- ``totalItemValue`` = taxable value + GST + other taxes;
- ``totalPOValue`` = Σ ``totalItemValue`` + Σ ``poValueDetails.otherValues``.

Every amount is rounded half-up to the paisa, line by line.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from purchase_orders.contents import Contents, FieldPath

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# Counterparties may round half-even; one paisa either way is not a disagreement.
ROUNDING_TOLERANCE = Decimal("0.01")
DISCOUNT_TYPE = "DISCOUNT"


def to_money(value) -> Decimal:
    """Round a value half-up to the paisa."""
    return Decimal(value).quantize(PAISA, rounding=ROUND_HALF_UP)


def discount_of(value_details) -> Decimal:
    """Return what a line's value details of type DISCOUNT take off its amount."""
    return sum(
        (
            Decimal(str(detail.get("value") or 0))
            for detail in value_details or []
            if str(detail.get("type", "")).upper() == DISCOUNT_TYPE
        ),
        ZERO,
    )


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    gst_rate: Decimal = ZERO
    discount: Decimal = ZERO
    other_tax_rates: Sequence[Decimal] = ()

    @classmethod
    def from_values(
        cls, *, quantity, unit_price, gst_rate, discount, other_tax_rates
    ) -> "LineInput":
        """Build the input from a line's figures as stored (any may be empty)."""
        return cls(
            quantity=Decimal(quantity or 0),
            unit_price=Decimal(unit_price or 0),
            gst_rate=Decimal(gst_rate or 0),
            discount=discount,
            other_tax_rates=[Decimal(rate or 0) for rate in other_tax_rates],
        )

    @classmethod
    def from_line(cls, line, other_taxes: Iterable | None = None) -> "LineInput":
        """Build the input from a line's contents, or from a saved line and its taxes."""
        taxes = line.other_taxes if other_taxes is None else other_taxes
        return cls.from_values(
            quantity=line.quantity,
            unit_price=line.unit_price,
            gst_rate=line.gst_rate,
            discount=discount_of(line.value_details),
            other_tax_rates=[tax.rate for tax in taxes],
        )

    @classmethod
    def from_model(cls, line) -> "LineInput":
        return cls.from_line(line, line.other_taxes.all())


@dataclass(frozen=True)
class LineTotals:
    total_amount: Decimal
    assessment_amount: Decimal
    gst_amount: Decimal
    cgst_amount: Decimal
    sgst_amount: Decimal
    igst_amount: Decimal
    other_tax_amounts: list[Decimal]
    total_item_value: Decimal

    @property
    def discount_amount(self) -> Decimal:
        """Return what the line's discounts take off its amount."""
        return self.total_amount - self.assessment_amount


@dataclass(frozen=True)
class Totals:
    lines: list[LineTotals]
    taxable_value: Decimal
    cgst_amount: Decimal
    sgst_amount: Decimal
    igst_amount: Decimal
    other_taxes_amount: Decimal
    other_charges_amount: Decimal
    total_po_value: Decimal
    is_intra_state: bool
    gst_by_rate: dict = field(default_factory=dict)

    @property
    def gst_amount(self) -> Decimal:
        return self.cgst_amount + self.sgst_amount + self.igst_amount


def is_intra_state(*, supplier_state_code: str, place_of_supply: str) -> bool:
    """Return whether GST is charged as CGST + SGST rather than IGST."""
    return bool(supplier_state_code) and supplier_state_code == place_of_supply


def compute_line(line: LineInput, *, intra_state: bool) -> LineTotals:
    total_amount = to_money(line.quantity * line.unit_price)
    assessment_amount = to_money(total_amount - line.discount)
    if intra_state:
        # Each half is rounded on its own, as GST invoices print them.
        cgst = sgst = to_money(assessment_amount * line.gst_rate / HUNDRED / 2)
        igst = ZERO
    else:
        cgst = sgst = ZERO
        igst = to_money(assessment_amount * line.gst_rate / HUNDRED)
    other = [to_money(assessment_amount * rate / HUNDRED) for rate in line.other_tax_rates]
    gst = cgst + sgst + igst
    return LineTotals(
        total_amount=total_amount,
        assessment_amount=assessment_amount,
        gst_amount=gst,
        cgst_amount=cgst,
        sgst_amount=sgst,
        igst_amount=igst,
        other_tax_amounts=other,
        total_item_value=assessment_amount + gst + sum(other, ZERO),
    )


def compute_totals(
    *, lines: Sequence[LineInput], other_charges: Iterable[Decimal] = (), intra_state: bool
) -> Totals:
    """Return every line's totals and the purchase order's."""
    line_totals = [compute_line(line, intra_state=intra_state) for line in lines]
    other_charges_amount = to_money(sum((Decimal(c) for c in other_charges), ZERO))
    gst_by_rate: dict[Decimal, Decimal] = {}
    for line, totals in zip(lines, line_totals, strict=True):
        rate = line.gst_rate.normalize()
        gst_by_rate[rate] = gst_by_rate.get(rate, ZERO) + totals.gst_amount
    return Totals(
        lines=line_totals,
        taxable_value=sum((t.assessment_amount for t in line_totals), ZERO),
        cgst_amount=sum((t.cgst_amount for t in line_totals), ZERO),
        sgst_amount=sum((t.sgst_amount for t in line_totals), ZERO),
        igst_amount=sum((t.igst_amount for t in line_totals), ZERO),
        other_taxes_amount=sum((sum(t.other_tax_amounts, ZERO) for t in line_totals), ZERO),
        other_charges_amount=other_charges_amount,
        total_po_value=sum((t.total_item_value for t in line_totals), ZERO) + other_charges_amount,
        is_intra_state=intra_state,
        gst_by_rate=dict(sorted(gst_by_rate.items())),
    )


def totals_for_purchase_order(purchase_order, lines: Sequence[LineInput] | None = None) -> Totals:
    """Compute the totals of a saved purchase order from its lines.

    ``lines`` are the inputs of its lines when read apart
    (``selectors.lines.line_inputs``); else its prefetched lines are read.
    """
    parties = {party.role: party for party in purchase_order.parties.all()}
    buyer, supplier = parties.get("buyer"), parties.get("supplier")
    if lines is None:
        lines = [LineInput.from_model(line) for line in purchase_order.lines.all()]
    return compute_totals(
        lines=lines,
        other_charges=[charge.amount for charge in purchase_order.other_charges.all()],
        intra_state=is_intra_state(
            supplier_state_code=supplier.state_code if supplier else "",
            place_of_supply=buyer.place_of_supply if buyer else "",
        ),
    )


def _differs(stated, computed) -> bool:
    return abs(Decimal(stated) - computed) > ROUNDING_TOLERANCE


def contents_are_intra_state(contents: Contents) -> bool:
    return is_intra_state(
        supplier_state_code=contents.supplier.state_code,
        place_of_supply=contents.buyer.place_of_supply,
    )


def find_total_mismatches(contents: Contents) -> list[tuple[FieldPath, Decimal, Decimal]]:
    """Compare the totals a purchase order's contents state with those of its lines.

    Each mismatch is (path of the total, stated, computed); an empty list
    means the contents are consistent.
    """
    intra_state = contents_are_intra_state(contents)
    mismatches = []
    stated_line_total = ZERO
    for index, line in enumerate(contents.lines):
        computed = compute_line(LineInput.from_line(line), intra_state=intra_state)
        for name in ("total_amount", "assessment_amount", "total_item_value"):
            stated = getattr(line, name)
            if _differs(stated, getattr(computed, name)):
                mismatches.append(
                    (("lines", index, name), Decimal(stated), getattr(computed, name))
                )
        for tax_index, (tax, amount) in enumerate(
            zip(line.other_taxes, computed.other_tax_amounts, strict=True)
        ):
            if _differs(tax.amount, amount):
                path = ("lines", index, "other_taxes", tax_index, "amount")
                mismatches.append((path, Decimal(tax.amount), amount))
        stated_line_total += Decimal(line.total_item_value)
    expected_total = stated_line_total + sum(
        (Decimal(charge.amount) for charge in contents.other_charges), ZERO
    )
    stated_total = Decimal(contents.header.total_po_value)
    if _differs(stated_total, expected_total):
        mismatches.append((("total_po_value",), stated_total, expected_total))
    if contents.milestones:
        milestone_sum = sum((Decimal(m.due_amount) for m in contents.milestones), ZERO)
        if milestone_sum != stated_total:
            mismatches.append((("milestones",), milestone_sum, stated_total))
    return mismatches


def apply_computed_totals(contents: Contents) -> Contents:
    """Fill the line, tax and PO totals of contents from their lines, in place.

    Used where the portal itself writes a purchase order (forms, seed data):
    the stated totals are then the computed ones by construction.
    """
    result = compute_totals(
        lines=[LineInput.from_line(line) for line in contents.lines],
        other_charges=[charge.amount for charge in contents.other_charges],
        intra_state=contents_are_intra_state(contents),
    )
    for line, line_totals in zip(contents.lines, result.lines, strict=True):
        line.total_amount = line_totals.total_amount
        line.assessment_amount = line_totals.assessment_amount
        line.total_item_value = line_totals.total_item_value
        for tax, amount in zip(line.other_taxes, line_totals.other_tax_amounts, strict=True):
            tax.amount = amount
    contents.header.total_po_value = result.total_po_value
    return contents
