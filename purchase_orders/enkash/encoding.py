"""JSON as the network carries it: amounts are numbers, read and written as Decimal."""

from decimal import Decimal

import simplejson

# simplejson writes Decimal as a JSON number (the standard library can only
# write it as a string) and reads every number with a fraction as Decimal,
# so no amount ever passes through a float.


def dumps(data) -> str:
    """Serialise a message, writing Decimal values as JSON numbers."""
    return simplejson.dumps(data, use_decimal=True, ensure_ascii=False, separators=(",", ":"))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes):
    """Parse a message, reading every non-integer number as Decimal.

    NaN and Infinity, which some encoders emit, are refused.
    """
    return simplejson.loads(text, use_decimal=True, parse_constant=_reject_constant)


__all__ = ["Decimal", "dumps", "loads"]
