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

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# Counterparties may round half-even; one paisa either way is not a disagreement.
ROUNDING_TOLERANCE = Decimal("0.01")
DISCOUNT_TYPE = "DISCOUNT"


def to_money(value) -> Decimal:
    """Round a value half-up to the paisa."""
    return Decimal(value).quantize(PAISA, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    gst_rate: Decimal = ZERO
    discount: Decimal = ZERO
    other_tax_rates: Sequence[Decimal] = ()

    @classmethod
    def from_fields(cls, fields: dict, other_taxes: Iterable[dict] = ()) -> "LineInput":
        """Build the input from model-field names (a parsed message or a form)."""
        discount = sum(
            (
                Decimal(str(detail.get("value") or 0))
                for detail in fields.get("value_details") or []
                if str(detail.get("type", "")).upper() == DISCOUNT_TYPE
            ),
            ZERO,
        )
        return cls(
            quantity=Decimal(fields.get("quantity") or 0),
            unit_price=Decimal(fields.get("unit_price") or 0),
            gst_rate=Decimal(fields.get("gst_rate") or 0),
            discount=discount,
            other_tax_rates=[Decimal(tax.get("rate") or 0) for tax in other_taxes],
        )

    @classmethod
    def from_model(cls, line) -> "LineInput":
        return cls.from_fields(
            {
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "gst_rate": line.gst_rate,
                "value_details": line.value_details,
            },
            [{"rate": tax.rate} for tax in line.other_taxes.all()],
        )


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
    for line, totals in zip(lines, line_totals):
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


def totals_for_purchase_order(purchase_order) -> Totals:
    """Compute the totals of a saved purchase order from its lines."""
    parties = {party.role: party for party in purchase_order.parties.all()}
    buyer, supplier = parties.get("buyer"), parties.get("supplier")
    return compute_totals(
        lines=[LineInput.from_model(line) for line in purchase_order.lines.all()],
        other_charges=[charge.amount for charge in purchase_order.other_charges.all()],
        intra_state=is_intra_state(
            supplier_state_code=supplier.state_code if supplier else "",
            place_of_supply=buyer.place_of_supply if buyer else "",
        ),
    )


def _differs(stated, computed) -> bool:
    return abs(Decimal(stated) - computed) > ROUNDING_TOLERANCE


def find_total_mismatches(parsed: dict) -> list[tuple[str, Decimal, Decimal]]:
    """Compare the totals a parsed purchase order states with those of its lines.

    ``parsed`` is what ``enkash.payloads.parse_purchase_order`` returns. Each
    mismatch is (network field path, stated, computed); an empty list means
    the message is consistent.
    """
    parties = parsed["parties"]
    intra_state = is_intra_state(
        supplier_state_code=parties["supplier"].get("state_code", ""),
        place_of_supply=parties["buyer"].get("place_of_supply", ""),
    )
    mismatches = []
    stated_line_total = ZERO
    for index, line in enumerate(parsed["lines"]):
        taxes = line.get("other_taxes", [])
        computed = compute_line(LineInput.from_fields(line, taxes), intra_state=intra_state)
        path = f"purchaseOrder.itemLists[{index}]"
        for key, name, value in (
            ("total_amount", "totalAmt", computed.total_amount),
            ("assessment_amount", "assessmentAmount", computed.assessment_amount),
            ("total_item_value", "totalItemValue", computed.total_item_value),
        ):
            if _differs(line[key], value):
                mismatches.append((f"{path}.{name}", Decimal(line[key]), value))
        for tax_index, (tax, amount) in enumerate(zip(taxes, computed.other_tax_amounts)):
            if _differs(tax["amount"], amount):
                mismatches.append(
                    (f"{path}.otherTaxes[{tax_index}].amount", Decimal(tax["amount"]), amount)
                )
        stated_line_total += Decimal(line["total_item_value"])
    expected_total = stated_line_total + sum(
        (Decimal(charge["amount"]) for charge in parsed["other_charges"]), ZERO
    )
    stated_total = Decimal(parsed["fields"]["total_po_value"])
    if _differs(stated_total, expected_total):
        mismatches.append(("purchaseOrder.poValueDetails.totalPOValue", stated_total, expected_total))
    milestones = parsed["milestones"]
    if milestones:
        milestone_sum = sum((Decimal(m["due_amount"]) for m in milestones), ZERO)
        if milestone_sum != stated_total:
            mismatches.append(("purchaseOrder.paymentMilestones", milestone_sum, stated_total))
    return mismatches
