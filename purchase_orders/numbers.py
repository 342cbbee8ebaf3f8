"""Reading numbers that may arrive as text (snapshots, template values)."""

import re
from decimal import Decimal, InvalidOperation


def to_decimal(value) -> Decimal | None:
    """Return a Decimal for a number or its text; None for blanks and non-numbers."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Never computed with: a float only reaches here from a caller's bug,
        # and its shortest text form is the value that was meant.
        value = repr(value)
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


# Digits grouped as people in India write them (1,25,000) or as in the West
# (125,000), with up to one decimal point; a minus sign may lead.
_GROUPED = re.compile(
    r"""
    -?
    (?:
        \d+                          # no grouping: 125000
      | \d{1,2}(?:,\d{2})*,\d{3}     # lakh and crore: 1,25,000 and 1,25,00,000
      | \d{1,3}(?:,\d{3})+           # thousands: 125,000
    )?
    (?:\.\d*)?
    """,
    re.VERBOSE,
)
# A rupee sign or its abbreviations before an amount: ₹1,250, Rs. 1,250, INR 1250.
_CURRENCY = re.compile(r"^(?:₹|rs\.?|inr)\s*", re.IGNORECASE)


def parse_typed_number(text, *, percent: bool = False) -> Decimal:
    """Return the number a person typed, as they type it in India; raise ValueError.

    Accepts grouping in lakh and crore (``1,25,000.50``) or in thousands
    (``125,000.50``), a leading rupee sign or "Rs." (``₹ 1,250``, ``Rs. 1,250``)
    and, with ``percent``, a trailing "%". Refuses malformed grouping
    (``1,2,3``), two decimal points and anything else that is not a number.
    The browser's live totals read numbers by the same rule (po-form.js,
    ``readNumber``).
    """
    value = str(text).strip().replace("\u00a0", " ").replace("\u2212", "-")
    negative = value.startswith("-")
    if negative:
        value = value[1:].lstrip()
    value = _CURRENCY.sub("", value)
    if percent and value.endswith("%"):
        value = value[:-1].rstrip()
    value = ("-" if negative else "") + value
    if not value or not _GROUPED.fullmatch(value) or not any(c.isdigit() for c in value):
        raise ValueError(f"not a number: {text!r}")
    try:
        return Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
