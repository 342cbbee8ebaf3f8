"""Fields and widgets the forms share, with messages a buyer understands."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from purchase_orders.enkash import conventions, formats
from purchase_orders.numbers import parse_typed_number

# GST slabs in use (percent), including the special rates for precious
# stones and metals and the transitional 12% and 28%.
# The form takes any rate from 0 to 100%; these are offered as suggestions.
GST_RATES = ("0", "0.1", "0.25", "1", "1.5", "3", "5", "6", "7.5", "12", "18", "28", "40")
DEFAULT_GST_RATE = Decimal(18)
UNIT_SUGGESTIONS = ("NOS", "PCS", "BOX", "SET", "KGS", "GMS", "MTR", "LTR", "SQM", "HRS", "DAY")
ADDRESS_PURPOSES = ("DELIVERY", "BILLING", "SITE", "WAREHOUSE")
BEARING_PARTIES = ("BUYER", "SUPPLIER")

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Enter a date such as 23/11/2026."}


# What an amount field says of text it cannot read as rupees.
AMOUNT_INVALID = "Enter an amount in rupees, like 1,25,000.50."


class TypedNumberField(forms.DecimalField):
    """A decimal field that reads numbers as people in India type them.

    ``1,25,000.50``, ``₹1,250`` and ``Rs. 1,250`` are read as numbers
    (``numbers.parse_typed_number``); so, with ``percent``, is ``18%``.
    """

    def __init__(self, *args, percent: bool = False, **kwargs):
        self.percent = percent
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_typed_number(value, percent=self.percent)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def within_network_years(value) -> None:
    """Refuse a date the network would refuse: outside the years its messages may carry."""
    if not formats.in_network_years(value):
        raise ValidationError(
            f"Enter a date between 1 January {conventions.EARLIEST_YEAR} and "
            f"31 December {conventions.LATEST_YEAR}."
        )


# Every date of a purchase order's contents is one the network carries.
DATE_VALIDATORS = [within_network_years]


def amount_field(
    label: str, *, required: bool = True, allow_negative: bool = False, help_text: str = ""
) -> forms.DecimalField:
    """Return a field for an amount in rupees, with messages a buyer understands."""
    errors = {
        "required": f"Enter the {label.lower()}.",
        "invalid": AMOUNT_INVALID,
        "max_decimal_places": "Use at most 2 decimal places (paise).",
        "max_digits": "This amount is too large.",
        "max_whole_digits": "This amount is too large.",
        "min_value": f"The {label.lower()} cannot be negative.",
    }
    return TypedNumberField(
        label=label,
        required=required,
        max_digits=18,
        decimal_places=2,
        min_value=None if allow_negative else Decimal(0),
        help_text=help_text,
        error_messages=errors,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def percent_field(
    label: str,
    *,
    what: str = "the rate",
    example: str = "18 or 0.25",
    required: bool = True,
    initial: Decimal | None = None,
    suggestions: str = "",
) -> forms.DecimalField:
    """Return a field for a rate in percent, 0 to 100 with up to 3 decimals.

    ``suggestions`` is the id of a datalist of common rates the browser offers.
    """
    asked = f"Enter {what} as a percentage, such as {example}."
    attrs = {"inputmode": "decimal", "autocomplete": "off"}
    if suggestions:
        attrs["list"] = suggestions
    return TypedNumberField(
        label=label,
        required=required,
        initial=initial,
        percent=True,
        decimal_places=3,
        min_value=Decimal(0),
        max_value=Decimal(100),
        error_messages={
            "required": asked,
            "invalid": asked,
            "max_decimal_places": "Use at most 3 decimal places.",
            "min_value": "The rate cannot be negative.",
            # Django fills in the message with %-formatting.
            "max_value": "The rate cannot be more than 100%%.",
        },
        widget=forms.TextInput(attrs=attrs),
    )


def quantity_field(label: str, *, required: bool = True) -> forms.DecimalField:
    """Return a field for a quantity, up to 3 decimals, grouping accepted (1,500)."""
    return TypedNumberField(
        label=label,
        required=required,
        max_digits=18,
        decimal_places=3,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a quantity, such as 10 or 2.5.",
            "max_decimal_places": "Use at most 3 decimal places.",
            "max_digits": "This quantity is too large.",
            "max_whole_digits": "This quantity is too large.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def validate_web_link(value: str) -> None:
    """Accept only http and https links: others are not safe to open from a page."""
    URLValidator(
        schemes=["http", "https"],
        message="Enter a web link starting with https:// (or http://).",
    )(value)


class BusinessSelect(forms.Select):
    """A select of businesses whose options carry what the page's script needs of them.

    Their GST state code, name and Udyam (MSME) number; ``disabled_pks`` are
    businesses shown but not to be chosen (the buyer itself, as its own
    supplier).
    """

    disabled_pks: frozenset = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-state"] = instance.state_code
            option["attrs"]["data-name"] = str(instance)
            if instance.udyam_number:
                option["attrs"]["data-udyam"] = instance.udyam_number
            if instance.pk in self.disabled_pks:
                option["attrs"]["disabled"] = True
        return option


class BusinessChoiceField(forms.ModelChoiceField):
    widget = BusinessSelect

    def label_from_instance(self, business):
        return f"{business.legal_name} · GSTIN {business.gstin}"
