"""Numbers as people in India type them: one rule for every number field of the forms."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from purchase_orders.forms.fields import amount_field, percent_field, quantity_field
from purchase_orders.numbers import parse_typed_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1,25,000.50", Decimal("125000.50")),
        ("12,50,00,000", Decimal("125000000")),
        ("125,000.50", Decimal("125000.50")),
        ("1,250", Decimal("1250")),
        ("₹1,250", Decimal("1250")),
        ("₹ 1,250.00", Decimal("1250.00")),
        ("Rs. 1,250", Decimal("1250")),
        ("rs 1250", Decimal("1250")),
        ("INR 99.5", Decimal("99.5")),
        ("  1250 ", Decimal("1250")),
        (".5", Decimal("0.5")),
        ("-1,250.50", Decimal("-1250.50")),
        ("−₹40", Decimal("-40")),
    ],
)
def test_grouping_and_the_rupee_sign_are_read(typed, number):
    assert parse_typed_number(typed) == number


@pytest.mark.parametrize(
    "typed",
    [
        "1,2,3",
        "1.2.3",
        "12,345,67",
        "1,25,000,00",
        "1,,250",
        ",125",
        "1e5",
        "₹",
        "",
        "ten",
        "18%",
        "₹1,250 only",
        "1 250",
    ],
)
def test_malformed_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        parse_typed_number(typed)


def test_a_rate_may_end_in_a_percent_sign():
    assert parse_typed_number("18%", percent=True) == Decimal(18)
    assert parse_typed_number("0.25 %", percent=True) == Decimal("0.25")


@pytest.mark.parametrize(
    ("field", "typed", "value"),
    [
        (amount_field("Unit price"), "₹1,25,000.50", Decimal("125000.50")),
        (quantity_field("Quantity"), "1,500.5", Decimal("1500.5")),
        (percent_field("GST rate"), "18%", Decimal(18)),
    ],
)
def test_the_form_fields_read_numbers_by_that_rule(field, typed, value):
    assert field.clean(typed) == value


def test_an_amount_field_refuses_bad_grouping_in_words_a_buyer_understands():
    with pytest.raises(ValidationError) as refused:
        amount_field("Unit price").clean("1,2,3")
    assert refused.value.messages == ["Enter an amount in rupees, like 1,25,000.50."]
    with pytest.raises(ValidationError) as refused:
        amount_field("Unit price").clean("1250.50.5")
    assert refused.value.messages == ["Enter an amount in rupees, like 1,25,000.50."]
