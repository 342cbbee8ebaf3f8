"""One line item of the purchase-order form, with the lists it holds."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from purchase_orders import validators
from purchase_orders.contents import LineContents
from purchase_orders.enkash import formats
from purchase_orders.forms.fields import (
    DATE_ERRORS,
    DATE_VALIDATORS,
    DATE_WIDGET,
    DEFAULT_GST_RATE,
    amount_field,
    percent_field,
    quantity_field,
)
from purchase_orders.forms.line_details import (
    LINE_LISTS,
    AttributeForm,
    OtherTaxForm,
    RateForm,
    ValueDetailForm,
    plain_number,
)
from purchase_orders.forms.parts import PartForm, filled_rows, number_rows
from purchase_orders.labels import LIST_LABELS
from purchase_orders.totals import DISCOUNT_TYPE

# The initial value that says a row was just added to one of the line's
# lists (without the page's script), so its "More details" shows open.
ROW_ADDED = "row_just_added"
# Stands for a line's index in the markup of an empty list (LineForm.blank_list).
LINE_INDEX_PLACEHOLDER = "__line__"
# Fields shown under a line's "More details", beside its lists.
DETAIL_FIELDS = (
    "serial_no",
    "free_quantity",
    "bar_code",
    "order_line_reference",
    "origin_country",
    "product_serial_number",
    "batch_number",
    "batch_expiry_on",
    "batch_warranty_on",
)


def _is_discount(entry: dict) -> bool:
    return str(entry.get("type", "")).strip().upper() == DISCOUNT_TYPE


class LineForm(PartForm):
    """One line item and its lists (other taxes, value details, rates, attributes).

    Its initial values carry each list's rows under the list's name.
    """

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
    gst_rate = percent_field(
        "GST rate", what="the GST rate", initial=DEFAULT_GST_RATE, suggestions="gst-rates"
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
        label="Batch expiry date",
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        validators=DATE_VALIDATORS,
    )
    batch_warranty_on = forms.DateField(
        label="Warranty date",
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        validators=DATE_VALIDATORS,
    )

    def __init__(self, *args, initial=None, **kwargs):
        initial = dict(initial or {})
        rows = {name: initial.pop(name, None) or [] for name in LINE_LISTS}
        self.row_just_added = bool(initial.pop(ROW_ADDED, False))
        super().__init__(*args, initial=initial, **kwargs)
        self.line_lists = {
            name: formset_class(
                self.data if self.is_bound else None,
                initial=None if self.is_bound else rows[name],
                prefix=self.add_prefix(name),
            )
            for name, (formset_class, _, _, _) in LINE_LISTS.items()
        }
        for formset in self.line_lists.values():
            number_rows(formset)

    # -- presentation ----------------------------------------------------------

    @property
    def index(self) -> str:
        """Return the line's index in its formset, as its prefix ends (or the placeholder)."""
        return (self.prefix or "").rsplit("-", 1)[-1]

    def sub_lists(self) -> list[dict]:
        """Return the line's lists, each with its formset and the words shown with it."""
        return [self._sub_list(name, self.line_lists[name], self.index) for name in LINE_LISTS]

    def blank_list(self, name: str) -> dict:
        """Return one of the line's lists, empty, for a line whose index is a placeholder.

        Its markup, written once, is every line's empty list of that name
        once the placeholder is replaced by the line's index (the template
        tag ``line_list``): a 1,000-line form has 4,000 lists, nearly all empty.
        """
        head = (self.prefix or "").rsplit("-", 1)[0]
        formset = LINE_LISTS[name][0](prefix=f"{head}-{LINE_INDEX_PLACEHOLDER}-{name}")
        return self._sub_list(name, formset, LINE_INDEX_PLACEHOLDER)

    @staticmethod
    def _sub_list(name: str, formset, line_index: str) -> dict:
        _, row_name, add_label, hint = LINE_LISTS[name]
        return {
            "name": name,
            "prefix": formset.prefix,
            "formset": formset,
            "label": LIST_LABELS[name],
            "row_name": row_name,
            "add_label": add_label,
            "hint": hint,
            "line_index": line_index,
            "count_words": (row_name.lower(), LIST_LABELS[name].lower()),
        }

    @property
    def details_count(self) -> str:
        """Return how many rows the line's lists hold, as "2 other taxes, 1 rate"."""
        counts = []
        for name, (_, row_name, _, _) in LINE_LISTS.items():
            formset = self.line_lists[name]
            if self.is_bound:
                held = len(filled_rows(formset, checked=False))
            else:
                held = sum(1 for form in formset.forms if any(form.initial.values()))
            if held:
                words = row_name.lower() if held == 1 else LIST_LABELS[name].lower()
                counts.append(f"{held} {words}")
        return ", ".join(counts)

    @property
    def details_open(self) -> bool:
        """Return whether "More details" shows open: to show an error, or a row just added."""
        return self.row_just_added or self.details_have_errors

    @property
    def details_have_errors(self) -> bool:
        """Return whether anything under "More details" is wrong (to show it open)."""
        if not self.is_bound:
            return False
        if any(self[name].errors for name in DETAIL_FIELDS):
            return True
        return any(
            formset.non_form_errors() or any(form.errors for form in formset.forms)
            for formset in self.line_lists.values()
        )

    # -- checking ----------------------------------------------------------------

    def has_changed(self) -> bool:
        return super().has_changed() or any(
            filled_rows(formset, checked=False) for formset in self.line_lists.values()
        )

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return all([formset.is_valid() for formset in self.line_lists.values()]) and valid

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

    def clean(self):
        cleaned = super().clean()
        quantity, price = cleaned.get("quantity"), cleaned.get("unit_price")
        discount = cleaned.get("discount") or Decimal(0)
        details = self.line_lists["value_details"]
        listed = [form.to_contents() for form in filled_rows(details)] if details.is_valid() else []
        listed_discounts = sum(
            (entry["value"] for entry in listed if _is_discount(entry)), Decimal(0)
        )
        if quantity and price is not None and discount + listed_discounts > quantity * price:
            if listed_discounts:
                self.add_error(None, "The discounts add up to more than the line's amount.")
            else:
                self.add_error("discount", "The discount is more than the line's amount.")
        return cleaned

    def _rows(self, name: str) -> list:
        return [form.to_contents() for form in filled_rows(self.line_lists[name])]

    def to_contents(self) -> LineContents:
        data = self.cleaned_data
        # The Discount field is the line's first value detail.
        discount = (
            [{"type": DISCOUNT_TYPE, "value": formats.money(data["discount"])}]
            if data.get("discount") is not None
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
            value_details=discount + self._rows("value_details"),
            rates=self._rows("rates"),
            batch_number=data["batch_number"],
            batch_expiry_on=data.get("batch_expiry_on"),
            batch_warranty_on=data.get("batch_warranty_on"),
            attributes=self._rows("attributes"),
            other_taxes=self._rows("other_taxes"),
        )

    def refill(self, *, add_row_to: str = "") -> dict:
        """Return the lists' rows as typed, as initial values, with a blank row in one list."""
        lists = {}
        for name, formset in self.line_lists.items():
            rows = [
                {field: form[field].value() for field in form.fields if field != "DELETE"}
                for form in filled_rows(formset, checked=False)
            ]
            lists[name] = rows + ([{}] if add_row_to == formset.prefix else [])
        lists[ROW_ADDED] = add_row_to.startswith(f"{self.prefix}-")
        return lists

    @staticmethod
    def initial_from(line) -> dict:
        """Return a saved line as this form's initial values, its lists' rows included.

        The first value detail, if it is a discount, fills the Discount field;
        the others are the list's rows, in their order.
        """
        details = list(line.value_details or [])
        discount = None
        if details and _is_discount(details[0]):
            discount = Decimal(str(details.pop(0).get("value") or 0))
        return {
            "product_description": line.product_description,
            "hsn_code": line.hsn_code,
            "is_service": line.is_service,
            "quantity": plain_number(line.quantity),
            "unit": line.unit,
            "unit_price": line.unit_price,
            "discount": discount,
            "gst_rate": plain_number(line.gst_rate),
            "serial_no": line.serial_no,
            "bar_code": line.bar_code,
            "free_quantity": plain_number(line.free_quantity) if line.free_quantity else None,
            "order_line_reference": line.order_line_reference,
            "origin_country": line.origin_country,
            "product_serial_number": line.product_serial_number,
            "batch_number": line.batch_number,
            "batch_expiry_on": line.batch_expiry_on,
            "batch_warranty_on": line.batch_warranty_on,
            "other_taxes": [OtherTaxForm.initial_from(tax) for tax in line.other_taxes.all()],
            "value_details": [ValueDetailForm.initial_from(entry) for entry in details],
            "rates": [RateForm.initial_from(entry) for entry in line.rates or []],
            "attributes": [AttributeForm.initial_from(entry) for entry in line.attributes or []],
        }
