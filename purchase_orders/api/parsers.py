"""Read webhook bodies as the network writes them: JSON with Decimal amounts."""

import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from purchase_orders.enkash import encoding
from purchase_orders.models import InboundEvent

NUL = "\x00"
# A JSON escape may name half of a UTF-16 pair alone ("\ud800"): valid JSON,
# but no character, and no UTF-8 text (so no column, nor the answer) can hold it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A refusal's errorField is stored with the event; a path made of long
# unknown keys is cut to fit rather than fail to be stored.
FIELD_MAX_LENGTH = InboundEvent._meta.get_field("error_field").max_length


class UnreadablePart(ParseError):
    """A key or string of the body that the portal will not read; ``field`` names it."""

    detail_text = ""

    def __init__(self, field: str):
        # The path itself may hold what it names: written as JSON escapes, it can be stored.
        field = UNSTORABLE.sub(lambda match: f"\\u{ord(match[0]):04x}", field)
        self.field = field[:FIELD_MAX_LENGTH]
        super().__init__(f"{field}: {self.detail_text}" if field else self.detail_text)


class NulCharacter(UnreadablePart):
    """A string of the body holds a NUL character, which no text column can store."""

    detail_text = "Null characters are not allowed."


class LoneSurrogate(UnreadablePart):
    """A key or string of the body holds half of a UTF-16 surrogate pair, alone."""

    detail_text = "Surrogate characters are not allowed."


class DuplicateKey(UnreadablePart):
    """An object of the body names a key twice: which value counts is ambiguous."""

    detail_text = "The key appears more than once in its object, so its value is ambiguous."


class NetworkJSONParser(BaseParser):
    """Parse a JSON body, reading every number with a fraction as Decimal.

    NaN and Infinity are refused: they are not JSON numbers, and no amount
    may be one. So is a NUL character in any key or string (PostgreSQL's
    text and jsonb cannot hold it, and no field of the network carries one),
    and a lone surrogate, which is no character at all. So is a key named
    twice in one object, at any depth: JSON leaves open which value counts,
    and the network may have read the other one.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = encoding.loads(stream.read(), note_duplicate_keys=True)
        except (ValueError, RecursionError) as error:
            # UnicodeDecodeError and JSONDecodeError are both ValueErrors.
            raise ParseError(f"The body is not valid JSON: {error}") from None
        unreadable = unreadable_part(data)
        if unreadable is not None:
            raise unreadable
        return data


def unreadable_part(value, path: str = "") -> UnreadablePart | None:
    """Return the refusal of the first key or string, in document order, not to be read.

    That is a key or string holding a NUL or a lone surrogate, or a key its
    object names twice. Walks with an explicit stack: the parser has already
    bounded the depth, but the walk must not be the one to hit the recursion
    limit.
    """
    stack = [(path, value)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return NulCharacter(path)
            if LONE_SURROGATE.search(value):
                return LoneSurrogate(path)
        elif isinstance(value, dict):
            duplicates = getattr(value, "duplicates", ())
            children = []
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                if NUL in key:
                    return NulCharacter(child)
                if LONE_SURROGATE.search(key):
                    return LoneSurrogate(child)
                if key in duplicates:
                    return DuplicateKey(child)
                children.append((child, item))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{path}[{i}]", item) for i, item in enumerate(value)]))
    return None
