"""One line item of the purchase-order form."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from purchase_orders import validators
from purchase_orders.contents import LineContents, TaxContents
from purchase_orders.enkash import encoding, formats
from purchase_orders.forms.fields import (
    DATE_ERRORS,
    DATE_VALIDATORS,
    DATE_WIDGET,
    DEFAULT_GST_RATE,
    GST_RATE_CHOICES,
    amount_field,
    quantity_field,
)
from purchase_orders.forms.parts import PartForm
from purchase_orders.totals import DISCOUNT_TYPE


class LineForm(PartForm):
    """One line item. What the form does not show is carried in ``kept``."""

    product_description = forms.CharField(
        label="Description",
        max_length=500,
        error_messages={"required": "Describe the goods or service."},
    )
    hsn_code = forms.CharField(
        label="HSN/SAC code",
        max_length=8,
        validators=[validators.validate_hsn_sac],
        error_messages={"required": "Enter the HSN code (goods) or SAC code (services)."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    is_service = forms.BooleanField(label="Service", required=False)
    quantity = quantity_field("Quantity")
    unit = forms.CharField(
        label="Unit",
        max_length=20,
        required=False,
        initial="NOS",
        widget=forms.TextInput(attrs={"list": "units", "autocomplete": "off"}),
    )
    unit_price = amount_field("Unit price")
    discount = amount_field("Discount", required=False)
    gst_rate = forms.TypedChoiceField(
        label="GST rate",
        choices=GST_RATE_CHOICES,
        coerce=Decimal,
        initial=DEFAULT_GST_RATE,
        error_messages={"invalid_choice": "Choose a GST rate from the list."},
    )
    other_tax_name = forms.CharField(
        label="Other tax", max_length=100, required=False, help_text="Such as a cess."
    )
    other_tax_rate = forms.DecimalField(
        label="Other tax rate (%)",
        required=False,
        max_digits=7,
        decimal_places=3,
        min_value=Decimal(0),
        max_value=Decimal(100),
        error_messages={
            "invalid": "Enter a rate in percent, such as 1 or 0.5.",
            "max_decimal_places": "Use at most 3 decimal places.",
            "min_value": "The rate cannot be negative.",
            "max_value": "The rate cannot be more than 100%.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    serial_no = forms.CharField(
        label="Serial no.", max_length=50, required=False, help_text="Blank: the line's number."
    )
    bar_code = forms.CharField(label="Bar code", max_length=100, required=False)
    free_quantity = quantity_field("Free quantity", required=False)
    order_line_reference = forms.CharField(
        label="Order line reference", max_length=100, required=False
    )
    origin_country = forms.CharField(label="Country of origin", max_length=100, required=False)
    product_serial_number = forms.CharField(
        label="Product serial number", max_length=100, required=False
    )
    batch_number = forms.CharField(label="Batch number", max_length=100, required=False)
    batch_expiry_on = forms.DateField(
        label="Batch expiry date", required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        validators=DATE_VALIDATORS,
    )
    batch_warranty_on = forms.DateField(
        label="Warranty date", required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        validators=DATE_VALIDATORS,
    )
    kept = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise ValidationError("The quantity must be more than zero.", code="not_positive")
        return quantity

    def clean_free_quantity(self):
        quantity = self.cleaned_data["free_quantity"]
        if quantity is not None and quantity < 0:
            raise ValidationError("The free quantity cannot be negative.", code="negative")
        return quantity

    def clean_kept(self) -> dict:
        text = self.cleaned_data["kept"]
        if not text:
            return {}
        try:
            kept = encoding.loads(text)
        except ValueError:
            kept = None
        if not isinstance(kept, dict):
            raise ValidationError("This line's other details could not be read; reload the page.")
        return kept

    def clean(self):
        cleaned = super().clean()
        name, rate = cleaned.get("other_tax_name"), cleaned.get("other_tax_rate")
        if name and rate is None and "other_tax_rate" not in self.errors:
            self.add_error("other_tax_rate", "Enter the rate of this tax.")
        if rate and not name:
            self.add_error("other_tax_name", "Name the tax, such as Compensation cess.")
        quantity, price = cleaned.get("quantity"), cleaned.get("unit_price")
        discount = cleaned.get("discount")
        if discount and quantity and price is not None and discount > quantity * price:
            self.add_error("discount", "The discount is more than the line's amount.")
        return cleaned

    def to_contents(self) -> LineContents:
        data, kept = self.cleaned_data, self.cleaned_data.get("kept") or {}
        discounts = (
            [{"type": DISCOUNT_TYPE, "value": data["discount"]}] if data.get("discount") else []
        )
        other_taxes = (
            [TaxContents(name=data["other_tax_name"], rate=data["other_tax_rate"])]
            if data.get("other_tax_name")
            else []
        )
        return LineContents(
            serial_no=data["serial_no"],
            product_description=data["product_description"].strip(),
            is_service=data["is_service"],
            hsn_code=data["hsn_code"].strip(),
            bar_code=data["bar_code"],
            quantity=data["quantity"],
            free_quantity=data.get("free_quantity") or Decimal("0.000"),
            unit=data["unit"].strip().upper(),
            unit_price=data["unit_price"],
            gst_rate=data["gst_rate"],
            order_line_reference=data["order_line_reference"],
            origin_country=data["origin_country"],
            product_serial_number=data["product_serial_number"],
            value_details=discounts + list(kept.get("value_details") or []),
            rates=list(kept.get("rates") or []),
            batch_number=data["batch_number"],
            batch_expiry_on=data.get("batch_expiry_on"),
            batch_warranty_on=data.get("batch_warranty_on"),
            attributes=list(kept.get("attributes") or []),
            other_taxes=other_taxes
            + [
                TaxContents(name=tax.get("name", ""), rate=Decimal(str(tax.get("rate") or 0)))
                for tax in kept.get("other_taxes") or []
            ],
        )

    @staticmethod
    def initial_from(line) -> dict:
        """Return a saved line as this form's initial values."""
        discounts = [
            d for d in line.value_details or [] if str(d.get("type", "")).upper() == DISCOUNT_TYPE
        ]
        other_details = [d for d in line.value_details or [] if d not in discounts]
        taxes = list(line.other_taxes.all())
        kept = {
            "value_details": other_details,
            "rates": line.rates or [],
            "attributes": line.attributes or [],
            "other_taxes": [{"name": tax.name, "rate": tax.rate} for tax in taxes[1:]],
        }
        discount = sum((Decimal(str(d.get("value") or 0)) for d in discounts), Decimal(0))
        return {
            "product_description": line.product_description,
            "hsn_code": line.hsn_code,
            "is_service": line.is_service,
            "quantity": _plain(line.quantity),
            "unit": line.unit,
            "unit_price": line.unit_price,
            "discount": discount or None,
            "gst_rate": _rate_choice(line.gst_rate),
            "other_tax_name": taxes[0].name if taxes else "",
            "other_tax_rate": _plain(taxes[0].rate) if taxes else None,
            "serial_no": line.serial_no,
            "bar_code": line.bar_code,
            "free_quantity": _plain(line.free_quantity) if line.free_quantity else None,
            "order_line_reference": line.order_line_reference,
            "origin_country": line.origin_country,
            "product_serial_number": line.product_serial_number,
            "batch_number": line.batch_number,
            "batch_expiry_on": line.batch_expiry_on,
            "batch_warranty_on": line.batch_warranty_on,
            "kept": encoding.dumps(kept) if any(kept.values()) else "",
        }


def _rate_choice(rate: Decimal) -> str:
    """Return the GST rate as the choice it is (18.000 -> "18")."""
    return f"{_plain(Decimal(rate))}"


def _plain(value: Decimal | None) -> Decimal | None:
    """Drop trailing zeros without switching to an exponent (10.000 -> 10, 2.500 -> 2.5)."""
    return None if value is None else formats.rate(value)
