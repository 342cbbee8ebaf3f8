"""Read webhook bodies as the network writes them: JSON with Decimal amounts."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from purchase_orders.enkash import encoding


class NetworkJSONParser(BaseParser):
    """Parse a JSON body, reading every number with a fraction as Decimal.

    NaN and Infinity are refused: they are not JSON numbers, and no amount
    may be one.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return encoding.loads(stream.read())
        except (ValueError, RecursionError) as error:
            # UnicodeDecodeError and JSONDecodeError are both ValueErrors.
            raise ParseError(f"The body is not valid JSON: {error}") from None
