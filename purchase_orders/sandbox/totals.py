"""The arithmetic a purchase order's amounts must agree with, as the network checks it.

The network documents none; the rule is the one the portal publishes
(README, "Totals"), worked out here independently of the portal's
``totals`` module so that a slip in either shows up as a refusal:

- ``totalAmt`` = ``quantity`` x ``unitPrice`` (``freeQuantity`` is not
  charged);
- ``assessmentAmount`` (the taxable value) = ``totalAmt`` less the line's
  ``itemValueDetails`` whose ``type`` is ``DISCOUNT`` (in any case);
- GST = taxable value x ``gstRate`` %, as two halves (CGST + SGST), each
  rounded, when the supplier's ``stateCode`` is the buyer's
  ``placeOfSupply``, and as one IGST amount otherwise;
- each ``otherTaxes[].amount`` = taxable value x its ``rate`` %;
- ``totalItemValue`` = taxable value + GST + the line's other taxes;
- ``poValueDetails.totalPOValue`` = the lines' ``totalItemValue`` + the
  ``poValueDetails.otherValues`` (which may be negative, a round-off);
  ``shippingTermsDetails.charges`` describes the terms and is not added;
- ``paymentMilestones``, when there are any, add up to ``totalPOValue``
  exactly: they divide the total, so no rounding is involved.

Every product is rounded half-up to the paisa. Each figure is checked
against the stated figures it follows from, so the refusal names the first
one that is off. A counterparty that rounds half-even lands a paisa away,
so one paisa either way is agreement.
"""

from decimal import ROUND_HALF_UP, Decimal

from purchase_orders.enkash import conventions

from .invalid import Invalid

PAISA = Decimal("0.01")
TOLERANCE = PAISA
ZERO = Decimal(0)
DISCOUNT = "DISCOUNT"


def amount(value) -> Decimal:
    """Return a JSON number as a Decimal (integers arrive as int)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def rounded(value: Decimal) -> Decimal:
    return value.quantize(PAISA, rounding=ROUND_HALF_UP)


def _mismatch(path: str, stated: Decimal, expected: Decimal, how: str) -> Invalid:
    return Invalid(
        path,
        f"{path} is {stated}, but {how} makes {expected}.",
        error_code=conventions.ERROR_TOTALS_MISMATCH,
    )


def _check(path: str, stated, expected: Decimal, how: str) -> None:
    if abs(amount(stated) - expected) > TOLERANCE:
        raise _mismatch(path, amount(stated), expected, how)


def line_gst(taxable: Decimal, rate: Decimal, *, intra_state: bool) -> Decimal:
    """Return a line's GST: two rounded halves within a state, one IGST amount across."""
    if intra_state:
        return 2 * rounded(taxable * rate / 200)
    return rounded(taxable * rate / 100)


def check_line(line: dict, *, path: str, intra_state: bool) -> None:
    """Raise ``Invalid`` at the first amount of one ``itemLists`` entry that is off."""
    total = amount(line["totalAmt"])
    _check(
        f"{path}.totalAmt",
        total,
        rounded(amount(line["quantity"]) * amount(line["unitPrice"])),
        "quantity x unitPrice",
    )
    discounts = sum(
        (
            amount(detail["value"])
            for detail in line["itemValueDetails"]
            if detail["type"].strip().upper() == DISCOUNT
        ),
        ZERO,
    )
    taxable = amount(line["assessmentAmount"])
    _check(
        f"{path}.assessmentAmount",
        taxable,
        total - discounts,
        "totalAmt less the DISCOUNT itemValueDetails",
    )
    taxes = ZERO
    for index, tax in enumerate(line["otherTaxes"]):
        _check(
            f"{path}.otherTaxes[{index}].amount",
            tax["amount"],
            rounded(taxable * amount(tax["rate"]) / 100),
            "assessmentAmount x its rate %",
        )
        taxes += amount(tax["amount"])
    gst = line_gst(taxable, amount(line["gstRate"]), intra_state=intra_state)
    kind = "CGST + SGST" if intra_state else "IGST"
    _check(
        f"{path}.totalItemValue",
        line["totalItemValue"],
        taxable + gst + taxes,
        f"assessmentAmount + {kind} at gstRate % + otherTaxes",
    )


def check_purchase_order(order: dict, *, path: str) -> None:
    """Raise ``Invalid`` at the first amount of a ``purchaseOrder`` that does not add up."""
    intra_state = order["supplierDetails"]["stateCode"] == order["buyerDetails"]["placeOfSupply"]
    lines_value = ZERO
    for index, line in enumerate(order["itemLists"]):
        check_line(line, path=f"{path}.itemLists[{index}]", intra_state=intra_state)
        lines_value += amount(line["totalItemValue"])
    values = order["poValueDetails"]
    other_values = sum((amount(entry["value"]) for entry in values["otherValues"]), ZERO)
    total_path = f"{path}.poValueDetails.totalPOValue"
    _check(
        total_path,
        values["totalPOValue"],
        lines_value + other_values,
        "the lines' totalItemValue + otherValues",
    )
    milestones = order["paymentMilestones"]
    if milestones:
        due = sum((amount(entry["dueAmount"]) for entry in milestones), ZERO)
        total = amount(values["totalPOValue"])
        if due != total:
            raise Invalid(
                f"{path}.paymentMilestones",
                f"{path}.paymentMilestones add up to {due}, not to totalPOValue {total}.",
                error_code=conventions.ERROR_TOTALS_MISMATCH,
            )
