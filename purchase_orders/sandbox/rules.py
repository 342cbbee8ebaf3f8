"""The conventions one value at a time: the rule of each field, by its path.

Each rule takes a value already of the documented type (a string or a JSON
number, see ``validation.check_shape``) and returns what is wrong with it,
completing "<path> ...", or None. Paths write "[]" for any array index.
Which texts must be non-empty, and why, is in ``validation``'s docstring.
"""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from purchase_orders.enkash import conventions, kinds

from .gstin import gstin_problem, state_code_problem

Rule = Callable[[object], str | None]

AMOUNT_PLACES = 2
QUANTITY_PLACES = 3
RATE_PLACES = 3
# Far above any purchase order, and within what 18 digits hold with 2 places.
LARGEST = Decimal(10) ** 16
HUNDRED = Decimal(100)
# The years a date of a purchase order may fall in (a convention of ours,
# shared with the portal): a typing slip ("0226") is refused, not carried on.
# Every pattern is matched whole (fullmatch): "$" would let a newline end one.
EARLIEST = datetime.date(conventions.EARLIEST_YEAR, 1, 1)
LATEST = datetime.date(conventions.LATEST_YEAR, 12, 31)
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
OBJECT_ID_PATTERN = re.compile(
    rf"{conventions.OBJECT_ID_PREFIX}[A-Z0-9]{{{conventions.OBJECT_ID_LENGTH}}}"
)
PINCODE_PATTERN = re.compile(r"[1-9][0-9]{5}")
HSN_SAC_PATTERN = re.compile(r"[0-9]{4}|[0-9]{6}|[0-9]{8}")


def as_decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def decimal_places(value) -> int:
    """Return the decimal places of a number as written, trailing zeros aside."""
    number = as_decimal(value)
    if not number.is_finite():
        return 99
    _, digits, exponent = number.as_tuple()
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return max(0, -exponent)


def parse_date(value: str) -> datetime.date | None:
    """Return the date a YYYY-MM-DD text names, or None if it names none."""
    if not DATE_PATTERN.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


# -- texts ---------------------------------------------------------------------------


def non_empty(value) -> str | None:
    return None if value.strip() else "must not be empty."


def object_id(value) -> str | None:
    if OBJECT_ID_PATTERN.fullmatch(value):
        return None
    if not value.strip():
        return "must not be empty."
    return (
        f"must be {conventions.OBJECT_ID_PREFIX} followed by "
        f"{conventions.OBJECT_ID_LENGTH} upper-case letters and digits, not {value!r}."
    )


def b2b_id(value) -> str | None:
    if re.fullmatch(conventions.B2B_ID_PATTERN, value) and value.strip():
        return None
    return "must be 1 to 100 characters without a backslash or a double quote."


def device_tag_name(value) -> str | None:
    if value == conventions.DEVICE_TAG_NAME:
        return None
    return f"must be {conventions.DEVICE_TAG_NAME}."


def hsn_sac(value) -> str | None:
    if HSN_SAC_PATTERN.fullmatch(value):
        return None
    if not value.strip():
        return "must not be empty."
    return f"must be an HSN or SAC code of 4, 6 or 8 digits, not {value!r}."


def pincode_or_empty(value) -> str | None:
    if value == "" or PINCODE_PATTERN.fullmatch(value):
        return None
    return f"must be a six-digit PIN code such as 560001 (or empty), not {value!r}."


def one_of(choices: tuple[str, ...]) -> Rule:
    def rule(value) -> str | None:
        if value in choices:
            return None
        return f"must be one of {', '.join(choices)}, not {value!r}."

    return rule


# -- dates -----------------------------------------------------------------------------


def _in_range(day: datetime.date) -> str | None:
    if EARLIEST <= day <= LATEST:
        return None
    return f"must fall between {EARLIEST} and {LATEST}, not {day}."


def date(value) -> str | None:
    if value == "":
        return "must not be empty."
    day = parse_date(value)
    if day is None:
        return f"must be a date written YYYY-MM-DD, not {value!r}."
    return _in_range(day)


def date_or_empty(value) -> str | None:
    if value == "":
        return None
    day = parse_date(value)
    if day is None:
        return f"must be a date written YYYY-MM-DD (or empty), not {value!r}."
    return _in_range(day)


def timestamp(value) -> str | None:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in value:
        return f"must be an ISO-8601 timestamp with an offset, not {value!r}."
    return _in_range(parsed.date())


# -- numbers -----------------------------------------------------------------------------


def version_number(value) -> str | None:
    if isinstance(value, int) and value >= 0:
        return None
    return f"must be a whole number, 0 or more, not {value}."


def number(
    *,
    places: int,
    minimum: Decimal | None = Decimal(0),
    above_minimum: bool = False,
    most: Decimal | None = None,
) -> Rule:
    """Return the rule of a number: its decimal places, its least and its largest value.

    ``minimum`` None allows any sign; ``above_minimum`` excludes the minimum itself.
    """

    def rule(value) -> str | None:
        if decimal_places(value) > places:
            return f"must have at most {places} decimal places, not {value}."
        given = as_decimal(value)
        if minimum is not None and above_minimum and given <= minimum:
            return f"must be more than {minimum}, not {value}."
        if minimum is not None and given < minimum:
            return f"must not be less than {minimum}, not {value}."
        if most is not None and given > most:
            return f"must not be more than {most}, not {value}."
        if abs(given) >= LARGEST:
            return f"must be less than 10^16, not {value}."
        return None

    return rule


AMOUNT = number(places=AMOUNT_PLACES)
RATE = number(places=RATE_PLACES, most=HUNDRED)


# -- the rules, by path ------------------------------------------------------------------


def _po(key: str) -> str:
    return f"{kinds.PURCHASE_ORDER}.{key}"


def _item(key: str) -> str:
    return _po(f"itemLists[].{key}")


def _object_rules() -> dict[str, Rule]:
    """Return the rules shared by the three business objects."""
    rules: dict[str, Rule] = {}
    for name in (kinds.PURCHASE_ORDER, kinds.CONFIRMATION, kinds.STATUS):
        rules[f"{name}.objectId"] = object_id
        rules[f"{name}.buyerPONumber"] = non_empty
        rules[f"{name}.objectVersion.currentVersion"] = version_number
        rules[f"{name}.objectVersion.newVersion"] = version_number
        rules[f"{name}.poStatusTransition.currentStatus"] = one_of(conventions.NETWORK_STATUSES)
        rules[f"{name}.poStatusTransition.newStatus"] = one_of(conventions.NETWORK_STATUSES)
    return rules


def _party_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for party in ("supplierDetails", "buyerDetails"):
        rules[_po(f"{party}.b2bId")] = b2b_id
        rules[_po(f"{party}.gstin")] = gstin_problem
        rules[_po(f"{party}.legalName")] = non_empty
        rules[_po(f"{party}.stateCode")] = state_code_problem
        rules[_po(f"{party}.address.pincode")] = pincode_or_empty
    rules[_po("buyerDetails.placeOfSupply")] = state_code_problem
    rules[_po("addressDetails[].address.pincode")] = pincode_or_empty
    return rules


FIELD_RULES: dict[str, Rule] = {
    **_object_rules(),
    **_party_rules(),
    "device.tag.name": device_tag_name,
    "b2bIds.buyerB2BId": b2b_id,
    "b2bIds.supplierB2BId": b2b_id,
    _po("ts"): timestamp,
    _po("orderDate"): date,
    _po("deliveryDate"): date_or_empty,
    _item("productDescription"): non_empty,
    _item("hsnCode"): hsn_sac,
    _item("isService"): one_of((conventions.IS_SERVICE_YES, conventions.IS_SERVICE_NO)),
    _item("quantity"): number(places=QUANTITY_PLACES, above_minimum=True),
    _item("freeQuantity"): number(places=QUANTITY_PLACES),
    _item("unitPrice"): AMOUNT,
    _item("totalAmt"): AMOUNT,
    _item("assessmentAmount"): AMOUNT,
    _item("gstRate"): RATE,
    _item("totalItemValue"): AMOUNT,
    _item("itemValueDetails[].type"): non_empty,
    _item("itemValueDetails[].value"): AMOUNT,
    _item("batchDetails.expiryDate"): date_or_empty,
    _item("batchDetails.batchWarrantyDate"): date_or_empty,
    _item("otherTaxes[].name"): non_empty,
    _item("otherTaxes[].rate"): RATE,
    _item("otherTaxes[].amount"): AMOUNT,
    _po("poValueDetails.totalPOValue"): AMOUNT,
    _po("poValueDetails.otherValues[].type"): non_empty,
    # A round-off may lower the total.
    _po("poValueDetails.otherValues[].value"): number(places=AMOUNT_PLACES, minimum=None),
    # A milestone may fall due on an event (on delivery) rather than a day.
    _po("paymentMilestones[].milestoneDate"): date_or_empty,
    _po("paymentMilestones[].dueAmount"): number(places=AMOUNT_PLACES, above_minimum=True),
    _po("contractReferenceDetails[].receiptAdviceDate"): date_or_empty,
    _po("shippingTermsDetails.charges"): AMOUNT,
    "poConfirmation.supplierResponse": one_of(conventions.SUPPLIER_RESPONSES),
    "poStatus.buyerAction": one_of(conventions.BUYER_ACTIONS),
}
