"""How the network writes dates, timestamps, amounts, quantities and rates."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import conventions


def in_network_years(value: datetime.date | datetime.datetime) -> bool:
    """Return whether a date or timestamp falls in the years a message may carry.

    A timestamp is judged by its own calendar date: with an offset under a
    day, every one of those years also has a UTC time to be stored as.
    """
    return conventions.EARLIEST_YEAR <= value.year <= conventions.LATEST_YEAR


def format_date(value: datetime.date | None) -> str:
    if not value:
        return ""
    # strftime writes a year before 1000 without its leading zeros.
    return value.strftime(conventions.DATE_FORMAT.replace("%Y", f"{value.year:04d}"))


def parse_date(value: str) -> datetime.date | None:
    """Read a YYYY-MM-DD date; an empty string is no date."""
    if not value:
        return None
    return datetime.datetime.strptime(value, conventions.DATE_FORMAT).date()


def format_timestamp(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat()


def parse_timestamp(value: str) -> datetime.datetime:
    """Read an ISO-8601 timestamp with an offset, written in ASCII.

    ``parse_datetime`` would also read other scripts' digits and ignore a
    trailing newline, which no ISO-8601 timestamp has.
    """
    if not value or not value.isascii() or value != value.strip():
        raise ValueError("expected an ISO-8601 timestamp with an offset")
    parsed = parse_datetime(value)
    if parsed is None or timezone.is_naive(parsed):
        raise ValueError("expected an ISO-8601 timestamp with an offset")
    return parsed


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def quantity(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.001"))


def rate(value) -> Decimal:
    """Write a percentage without trailing zeros or an exponent (18, 0.25)."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def to_decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
