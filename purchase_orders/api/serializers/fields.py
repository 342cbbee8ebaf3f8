"""The fields the webhook bodies are read with: texts, identifiers, dates, numbers."""

import datetime
import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from purchase_orders.enkash import conventions, formats
from purchase_orders.models.purchase_order import MONEY, QUANTITY, RATE

ID_MAX_LENGTH = 100
WORD_MAX_LENGTH = 20
MAX_VERSION = 2**31 - 1  # the largest PositiveIntegerField value on every database
# ASCII digits only, and nothing after the day: ``\d`` would take any
# script's digits and ``$`` a trailing newline.
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST_DATE = datetime.date(conventions.EARLIEST_YEAR, 1, 1)
LATEST_DATE = datetime.date(conventions.LATEST_YEAR, 12, 31)
OUT_OF_RANGE = f"Must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."


def column(model, name: str) -> int:
    """Return the length of a model's text column, which a stored value must fit."""
    return model._meta.get_field(name).max_length


def writes_contents(field: serializers.Field) -> bool:
    """Return whether the message being read writes a purchase order's contents."""
    return getattr(field.root, "writes_contents", False)


class Text(serializers.CharField):
    """A JSON string, empty allowed; ``stored_length`` bounds it where it is stored."""

    default_error_messages = {"invalid": "Must be a JSON string."}

    def __init__(self, *, stored_length: int | None = None, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        self.stored_length = stored_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.stored_length and writes_contents(self) and len(data) > self.stored_length:
            raise serializers.ValidationError(
                f"Must be at most {self.stored_length} characters long."
            )
        return data


class NetworkId(Text):
    """An identifier (objectId, B2B ID, PO number): a non-empty string."""

    default_error_messages = {"blank": "Must not be empty."}

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", False)
        kwargs.setdefault("max_length", ID_MAX_LENGTH)
        super().__init__(**kwargs)


class Word(NetworkId):
    """A status or an action word (CREATED, ACCEPT…): a short non-empty string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", WORD_MAX_LENGTH)
        super().__init__(**kwargs)


class NullableText(Text):
    """A string that may also be null, such as ``errorCd`` (SPEC §3.4)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class Flag(Text):
    """``isService``: Y or N where contents are written, any string elsewhere."""

    CHOICES = (conventions.IS_SERVICE_YES, conventions.IS_SERVICE_NO, "")

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if writes_contents(self) and data not in self.CHOICES:
            raise serializers.ValidationError(
                f"Must be {conventions.IS_SERVICE_YES} or {conventions.IS_SERVICE_NO}."
            )
        return data


class DateText(Text):
    """A date: ``YYYY-MM-DD`` (or empty) in the network's years where contents are written."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data and writes_contents(self):
            try:
                if not DATE_PATTERN.fullmatch(data):
                    raise ValueError
                date = datetime.date.fromisoformat(data)
            except ValueError:
                raise serializers.ValidationError("Must be a date written YYYY-MM-DD.") from None
            if not formats.in_network_years(date):
                raise serializers.ValidationError(OUT_OF_RANGE)
        return data


class Timestamp(Text):
    """``ts``: ISO-8601 with an offset where contents are written."""

    default_error_messages = {
        "timestamp": (
            "Must be an ISO-8601 timestamp with an offset, like 2026-11-23T10:15:00+05:30."
        ),
        "out_of_range": OUT_OF_RANGE,
    }

    def run_validation(self, data=serializers.empty):
        # An empty string would skip to_internal_value; where contents are
        # written it is no timestamp either.
        if data == "" and writes_contents(self):
            self.fail("timestamp")
        return super().run_validation(data)

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if writes_contents(self):
            try:
                timestamp = formats.parse_timestamp(data)
            except ValueError:
                self.fail("timestamp")
            if not formats.in_network_years(timestamp):
                self.fail("out_of_range")
        return data


class Version(serializers.IntegerField):
    """An ``objectVersion`` number: a whole JSON number, never a string or boolean."""

    default_error_messages = {"invalid": "Must be a whole JSON number."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_VERSION)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data


@extend_schema_field({"type": "number"})
class Number(serializers.Field):
    """An amount: a JSON number read as Decimal, with bounded digits and decimals."""

    default_error_messages = {
        "invalid": "Must be a JSON number.",
        "max_decimal_places": "Must have at most {places} decimal places.",
        "max_whole_digits": "Must have at most {digits} digits before the decimal point.",
        "min_value": "Must not be negative.",
    }

    def __init__(
        self, *, max_digits: int, decimal_places: int, non_negative: bool = False, **kwargs
    ):
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        self.non_negative = non_negative
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # The parser yields int or Decimal for every JSON number; a string,
        # a boolean or anything else is not one.
        if isinstance(data, bool) or not isinstance(data, (int, Decimal)):
            self.fail("invalid")
        value = Decimal(data)
        if not value.is_finite():
            self.fail("invalid")
        places, whole_digits = _significant_places(value)
        if places > self.decimal_places:
            self.fail("max_decimal_places", places=self.decimal_places)
        if whole_digits > self.max_digits - self.decimal_places:
            self.fail("max_whole_digits", digits=self.max_digits - self.decimal_places)
        if self.non_negative and value < 0:
            self.fail("min_value")
        return value

    def to_representation(self, value):
        return value


def _significant_places(value: Decimal) -> tuple[int, int]:
    """Return (decimal places, digits before the point) of a value, ignoring trailing zeros.

    Counted on the digits as written: ``Decimal.normalize`` would round to
    the context's precision first.
    """
    if not value:
        return 0, 0
    _, digits, exponent = value.as_tuple()
    while exponent < 0 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return max(0, -exponent), len(digits) + exponent


class Money(Number):
    """Rupees: at most 2 decimals."""

    def __init__(self, **kwargs):
        super().__init__(**MONEY, **kwargs)


class Quantity(Number):
    """A quantity: at most 3 decimals."""

    def __init__(self, **kwargs):
        super().__init__(**QUANTITY, **kwargs)


class Rate(Number):
    """A percentage such as ``gstRate``: at most 3 decimals."""

    def __init__(self, **kwargs):
        super().__init__(**RATE, **kwargs)
