"""Read webhook bodies as the network writes them: JSON with Decimal amounts."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from purchase_orders.enkash import encoding

NUL = "\x00"


class NulCharacter(ParseError):
    """A string of the body holds a NUL character, which no text column can store."""

    def __init__(self, field: str):
        self.field = field
        detail = "Null characters are not allowed."
        super().__init__(f"{field}: {detail}" if field else detail)


class NetworkJSONParser(BaseParser):
    """Parse a JSON body, reading every number with a fraction as Decimal.

    NaN and Infinity are refused: they are not JSON numbers, and no amount
    may be one. So is a NUL character in any key or string: PostgreSQL's
    text and jsonb cannot hold it, and no field of the network carries one.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = encoding.loads(stream.read())
        except (ValueError, RecursionError) as error:
            # UnicodeDecodeError and JSONDecodeError are both ValueErrors.
            raise ParseError(f"The body is not valid JSON: {error}") from None
        field = nul_path(data)
        if field is not None:
            raise NulCharacter(field)
        return data


def nul_path(value, path: str = "") -> str | None:
    """Return the dotted path of the first key or string holding a NUL, or None.

    Walks with an explicit stack: the parser has already bounded the depth,
    but the walk must not be the one to hit the recursion limit.
    """
    stack = [(path, value)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return path
        elif isinstance(value, dict):
            children = []
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                if NUL in key:
                    return child.replace(NUL, "\\u0000")
                children.append((child, item))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{path}[{i}]", item) for i, item in enumerate(value)]))
    return None
