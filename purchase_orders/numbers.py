"""Reading numbers that may arrive as text (snapshots, template values)."""

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
