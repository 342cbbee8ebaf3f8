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


class DuplicateKeys(dict):
    """A JSON object that names some of its keys more than once.

    JSON parsers disagree on which value of a repeated key wins (this one
    keeps the last), so the sender and the portal may read different
    messages from the same bytes. ``duplicates`` lists those keys in order.
    """

    duplicates: tuple[str, ...] = ()


def _object_noting_duplicates(pairs: list[tuple[str, object]]) -> dict:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    seen, duplicates = set(), []
    for key, _ in pairs:
        if key in seen and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
    value = DuplicateKeys(value)
    value.duplicates = tuple(duplicates)
    return value


def loads(text: str | bytes, *, note_duplicate_keys: bool = False):
    """Parse a message, reading every non-integer number as Decimal.

    NaN and Infinity, which some encoders emit, are refused. With
    ``note_duplicate_keys``, an object that repeats a key is a ``DuplicateKeys``.
    """
    return simplejson.loads(
        text,
        use_decimal=True,
        parse_constant=_reject_constant,
        object_pairs_hook=_object_noting_duplicates if note_duplicate_keys else None,
    )


__all__ = ["Decimal", "DuplicateKeys", "dumps", "loads"]
