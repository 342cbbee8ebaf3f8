"""Template filters: Indian money and numbers, amounts in words, unambiguous dates."""

import datetime
from decimal import Decimal

import pytest

from purchase_orders.models import OutboundMessage, StatusChange
from purchase_orders.services.acknowledgements import refusal_summary
from purchase_orders.templatetags import portal


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0"), "₹0.00"),
        (Decimal("7.5"), "₹7.50"),
        (Decimal("999"), "₹999.00"),
        (Decimal("1000"), "₹1,000.00"),
        (Decimal("123456"), "₹1,23,456.00"),
        (Decimal("1234567.89"), "₹12,34,567.89"),
        (Decimal("123456789012.34"), "₹1,23,45,67,89,012.34"),
        (Decimal("-98765.4"), "−₹98,765.40"),
        (Decimal("0.005"), "₹0.01"),
        (Decimal("2.675"), "₹2.68"),
        ("42759.96", "₹42,759.96"),
        (None, ""),
        ("", ""),
        ("not a number", ""),
    ],
)
def test_inr_groups_digits_the_indian_way_and_rounds_half_up(value, shown):
    assert portal.inr(value) == shown


def test_inr_reads_a_float_by_its_shortest_text_not_its_binary_value():
    # 2.675 as a binary float is 2.67499999…; the amount meant is 2.675.
    assert portal.inr(2.675) == "₹2.68"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("10.000"), "10"), (Decimal("2.500"), "2.5"), (Decimal("125000.125"), "1,25,000.125")],
)
def test_indian_number_shows_only_the_decimals_a_quantity_needs(value, shown):
    assert portal.indian_number(value) == shown


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (Decimal("0"), "Rupees Zero Only"),
        (Decimal("1"), "Rupees One Only"),
        (Decimal("45"), "Rupees Forty-Five Only"),
        (Decimal("100000"), "Rupees One Lakh Only"),
        (
            Decimal("123456.50"),
            "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paise Only",
        ),
        (Decimal("25000000.07"), "Rupees Two Crore Fifty Lakh and Seven Paise Only"),
        (Decimal("0.50"), "Fifty Paise Only"),
        (Decimal("0.01"), "One Paise Only"),
        (Decimal("0.005"), "One Paise Only"),
        (Decimal("10000000"), "Rupees One Crore Only"),
        (Decimal("100000.99"), "Rupees One Lakh and Ninety-Nine Paise Only"),
        (Decimal("125000.50"), "Rupees One Lakh Twenty-Five Thousand and Fifty Paise Only"),
        (Decimal("1010101"), "Rupees Ten Lakh Ten Thousand One Hundred One Only"),
        (Decimal("99999.995"), "Rupees One Lakh Only"),
        (
            Decimal("999999999.99"),
            "Rupees Ninety-Nine Crore Ninety-Nine Lakh Ninety-Nine Thousand Nine Hundred "
            "Ninety-Nine and Ninety-Nine Paise Only",
        ),
        (Decimal("100000000000"), "Rupees Ten Thousand Crore Only"),
        (
            Decimal("1234567890"),
            "Rupees One Hundred Twenty-Three Crore Forty-Five Lakh Sixty-Seven Thousand "
            "Eight Hundred Ninety Only",
        ),
    ],
)
def test_amount_in_words_uses_lakh_and_crore(value, words):
    assert portal.amount_in_words(value) == words


def test_percent_drops_trailing_zeros():
    assert portal.percent(Decimal("18.000")) == "18%"
    assert portal.percent(Decimal("0.250")) == "0.25%"


def test_day_writes_the_month_as_a_word_and_keeps_a_machine_date():
    assert (
        str(portal.day(datetime.date(2026, 3, 4)))
        == '<time datetime="2026-03-04">4 Mar 2026</time>'
    )
    assert str(portal.day("2026-12-31")) == '<time datetime="2026-12-31">31 Dec 2026</time>'


def test_moment_shows_indian_time_with_its_zone(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    moment = datetime.datetime(2026, 11, 23, 8, 35, tzinfo=datetime.UTC)
    assert str(portal.moment(moment)) == (
        '<time datetime="2026-11-23T14:05:00+05:30">23 Nov 2026, 14:05 IST</time>'
    )


def test_field_words_names_a_network_field_in_plain_words():
    assert portal.field_words("purchaseOrder.itemLists[2].hsnCode") == "Line 3 › HSN/SAC code"
    assert portal.field_words("purchaseOrder.buyerDetails.gstin") == "Buyer › GSTIN"
    assert portal.field_words("purchaseOrder.paymentMilestones") == "Payment milestones"


@pytest.mark.parametrize(
    ("detail", "field", "code"),
    [
        (
            "HSN code 48025690 is not in the GST tariff.",
            "purchaseOrder.itemLists[0].hsnCode",
            "INVALID_FIELD",
        ),
        ("Totals differ (by ₹0.01)", "", "TOTALS_MISMATCH"),
        ("", "purchaseOrder.buyerDetails.gstin", ""),
        ("", "", "STALE_VERSION"),
    ],
)
def test_a_refusal_row_says_its_reason_outcome_and_codes_apart(detail, field, code):
    message = OutboundMessage(
        kind=OutboundMessage.Kind.EDIT, error_detail=detail, error_field=field, error_code=code
    )
    outcome = "The purchase order is as it was."
    change = StatusChange(
        action="EDIT",
        stage=StatusChange.Stage.REFUSED,
        remarks=f"{refusal_summary(message)}\n{outcome}",
        error_code=code,
        error_field=field,
    )

    reason = detail.rstrip(".")
    assert change.is_refusal is True
    assert change.refusal_reason == f"The network refused the edit{': ' if reason else ''}{reason}."
    assert change.refusal_outcome == outcome
    assert change.refusal_codes == "; ".join(
        [f"field {field}"] * bool(field) + [f"code {code}"] * bool(code)
    )


@pytest.mark.parametrize("stage", ["applied", "attempted", "undelivered", "overtaken"])
def test_other_status_changes_are_no_refusals(stage):
    change = StatusChange(
        action="CANCEL", stage=stage, remarks="Price too high (code words; field trip)."
    )

    assert change.is_refusal is False
    assert change.refusal_codes == ""


def test_error_words_explains_known_codes_and_names_unknown_ones():
    assert portal.error_words("TOTALS_MISMATCH") == "The amounts do not add up."
    assert portal.error_words("E_SOMETHING") == "The network answered with error E_SOMETHING."
    assert portal.error_words("") == ""


def test_web_link_refuses_anything_but_http_and_https():
    assert portal.web_link("https://example.in/drawing.pdf") == "https://example.in/drawing.pdf"
    assert portal.web_link("javascript:alert(1)") == ""
    assert portal.web_link("data:text/html,hi") == ""
