"""Forms of the buyer and supplier pages.

The purchase-order form is one main form plus a formset per list (lines,
addresses, charges, milestones, references…), held together by
``PurchaseOrderEditor``. It checks what a person typed, in words a buyer
understands, and turns it into contents of the shape
``payloads.parse_purchase_order`` returns; the services compute the totals
and check the order as a whole.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.forms.formsets import DELETION_FIELD_NAME

from purchase_orders import selectors, validators
from purchase_orders.enkash import conventions, encoding
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import PurchaseOrder
from purchase_orders.totals import DISCOUNT_TYPE

# GST slabs in use (percent), including the special rates for precious
# stones and metals and the transitional 12% and 28%.
GST_RATES = ("0", "0.1", "0.25", "1", "1.5", "3", "5", "6", "7.5", "12", "18", "28", "40")
GST_RATE_CHOICES = [(rate, f"{rate}%") for rate in GST_RATES]
DEFAULT_GST_RATE = "18"
UNIT_SUGGESTIONS = ("NOS", "PCS", "BOX", "SET", "KGS", "GMS", "MTR", "LTR", "SQM", "HRS", "DAY")
ADDRESS_PURPOSES = ("DELIVERY", "BILLING", "SITE", "WAREHOUSE")
BEARING_PARTIES = ("BUYER", "SUPPLIER")

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Enter a date such as 23/11/2026."}


def amount_field(
    label: str, *, required: bool = True, allow_negative: bool = False, help_text: str = ""
) -> forms.DecimalField:
    """Return a field for an amount in rupees, with messages a buyer understands."""
    errors = {
        "required": f"Enter the {label.lower()}.",
        "invalid": "Enter an amount in rupees, such as 1250 or 1250.50.",
        "max_decimal_places": "Use at most 2 decimal places (paise).",
        "max_digits": "This amount is too large.",
        "max_whole_digits": "This amount is too large.",
        "min_value": f"The {label.lower()} cannot be negative.",
    }
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=18,
        decimal_places=2,
        min_value=None if allow_negative else Decimal(0),
        help_text=help_text,
        error_messages=errors,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def quantity_field(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
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
    """A select of businesses whose options carry their GST state code for the page's script."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-state"] = instance.state_code
        return option


class BusinessChoiceField(forms.ModelChoiceField):
    widget = BusinessSelect

    def label_from_instance(self, business):
        return f"{business.legal_name} · GSTIN {business.gstin}"


# -- the main form --------------------------------------------------------------


class PurchaseOrderForm(forms.Form):
    """The header of a purchase order: parties, dates, terms.

    ``mode`` is ``new`` (everything open), ``draft`` (the buyer is fixed) or
    ``edit`` (a sent order: buyer, supplier and PO number are fixed, and a
    reason is asked).
    """

    buyer = BusinessChoiceField(
        queryset=None,
        label="Buying business",
        empty_label=None,
        error_messages={"required": "Choose the business that buys."},
    )
    supplier = BusinessChoiceField(
        queryset=None,
        label="Supplier",
        empty_label="Choose a supplier…",
        error_messages={
            "required": "Choose the supplier.",
            "invalid_choice": "Choose a supplier from the list.",
        },
    )
    buyer_po_number = forms.CharField(
        label="PO number",
        max_length=100,
        required=False,
        help_text="Suggested from your numbering for this financial year; you may change it. "
        "Leave it blank to get the next number.",
    )
    order_date = forms.DateField(
        label="Order date",
        widget=DATE_WIDGET,
        error_messages={**DATE_ERRORS, "required": "Enter the order date."},
    )
    delivery_date = forms.DateField(
        label="Delivery date", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    subject = forms.CharField(label="Subject", max_length=255, required=False)
    buyer_gstin = forms.CharField(
        label="Your GSTIN for this order",
        max_length=15,
        required=False,
        validators=[validators.validate_gstin],
        help_text="The GST registration you buy from. Leave blank for your business's GSTIN.",
    )
    place_of_supply = forms.ChoiceField(
        label="Place of supply",
        choices=validators.STATE_CODE_CHOICES,
        help_text="The state where the goods or services are received: CGST + SGST when it is "
        "the supplier's state, IGST otherwise.",
        error_messages={"required": "Choose the place of supply."},
    )
    shipping_terms = forms.CharField(
        label="Shipping terms",
        max_length=255,
        required=False,
        help_text="For example FOR destination, Ex-works Pune, CIF Chennai.",
    )
    shipping_bearing_party = forms.CharField(
        label="Shipping paid by",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "bearing-parties"}),
    )
    shipping_charges = amount_field(
        "Shipping charges",
        required=False,
        help_text="As agreed, for the record; to add freight to the total, add it under "
        "Other charges.",
    )
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The supplier sees it with the new version.",
        error_messages={"required": "Say why the purchase order is being changed."},
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, mode: str, buyers, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.fields["buyer"].queryset = buyers
        self.fields["supplier"].queryset = suppliers
        if mode != "edit":
            del self.fields["reason"]
            del self.fields["expected_version"]
        if mode in {"draft", "edit"}:
            self.fields["buyer"].disabled = True
        if mode == "edit":
            for name in ("supplier", "buyer_po_number"):
                self.fields[name].disabled = True
            self.fields["buyer_po_number"].help_text = "A sent purchase order keeps its number."
            self.fields[
                "supplier"
            ].help_text = (
                "A sent purchase order keeps its supplier; duplicate it to order elsewhere."
            )

    def clean_buyer_gstin(self) -> str:
        return self.cleaned_data["buyer_gstin"].strip().upper()

    def clean_buyer_po_number(self) -> str:
        return self.cleaned_data["buyer_po_number"].strip()

    def clean(self):
        cleaned = super().clean()
        buyer, supplier = cleaned.get("buyer"), cleaned.get("supplier")
        if buyer and supplier and buyer.pk == supplier.pk:
            self.add_error("supplier", "A business cannot be its own supplier; choose another.")
        order_date, delivery_date = cleaned.get("order_date"), cleaned.get("delivery_date")
        if order_date and delivery_date and delivery_date < order_date:
            self.add_error("delivery_date", "The delivery date is before the order date.")
        return cleaned


# -- the lists ------------------------------------------------------------------


class PartForm(forms.Form):
    """One row of a list on the purchase-order form."""

    def to_contents(self) -> dict:
        raise NotImplementedError


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
        label="Batch expiry date", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    batch_warranty_on = forms.DateField(
        label="Warranty date", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
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

    def to_contents(self) -> dict:
        data, kept = self.cleaned_data, self.cleaned_data.get("kept") or {}
        discounts = (
            [{"type": DISCOUNT_TYPE, "value": data["discount"]}] if data.get("discount") else []
        )
        other_taxes = (
            [{"name": data["other_tax_name"], "rate": data["other_tax_rate"]}]
            if data.get("other_tax_name")
            else []
        )
        return {
            "serial_no": data["serial_no"],
            "product_description": data["product_description"].strip(),
            "is_service": data["is_service"],
            "hsn_code": data["hsn_code"].strip(),
            "bar_code": data["bar_code"],
            "quantity": data["quantity"],
            "free_quantity": data.get("free_quantity") or Decimal("0.000"),
            "unit": data["unit"].strip().upper(),
            "unit_price": data["unit_price"],
            "total_amount": Decimal("0.00"),
            "assessment_amount": Decimal("0.00"),
            "gst_rate": data["gst_rate"],
            "total_item_value": Decimal("0.00"),
            "order_line_reference": data["order_line_reference"],
            "origin_country": data["origin_country"],
            "product_serial_number": data["product_serial_number"],
            "value_details": discounts + list(kept.get("value_details") or []),
            "rates": list(kept.get("rates") or []),
            "batch_number": data["batch_number"],
            "batch_expiry_on": data.get("batch_expiry_on"),
            "batch_warranty_on": data.get("batch_warranty_on"),
            "attributes": list(kept.get("attributes") or []),
            "other_taxes": other_taxes
            + [
                {"name": tax.get("name", ""), "rate": tax.get("rate") or 0}
                for tax in kept.get("other_taxes") or []
            ],
        }

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
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class AddressForm(PartForm):
    purpose = forms.CharField(
        label="Purpose",
        max_length=50,
        required=False,
        initial="DELIVERY",
        widget=forms.TextInput(attrs={"list": "address-purposes"}),
    )
    address_line1 = forms.CharField(
        label="Address line 1", max_length=255, error_messages={"required": "Enter the address."}
    )
    address_line2 = forms.CharField(label="Address line 2", max_length=255, required=False)
    city = forms.CharField(
        label="City", max_length=100, error_messages={"required": "Enter the city."}
    )
    state = forms.CharField(label="State", max_length=100, required=False)
    country = forms.CharField(label="Country", max_length=100, required=False, initial="India")
    pincode = forms.CharField(
        label="PIN code",
        max_length=10,
        validators=[validators.validate_pincode],
        error_messages={"required": "Enter the PIN code."},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    address_type = forms.CharField(
        label="Type of premises",
        max_length=50,
        required=False,
        help_text="For example WAREHOUSE or OFFICE.",
    )

    def to_contents(self) -> dict:
        data = self.cleaned_data
        return {
            "purpose": data["purpose"].strip().upper(),
            "address_type": data["address_type"],
            "address_line1": data["address_line1"],
            "address_line2": data["address_line2"],
            "city": data["city"],
            "state": data["state"],
            "country": data["country"],
            "pincode": data["pincode"],
        }

    @staticmethod
    def initial_from(address) -> dict:
        return {
            name: getattr(address, name)
            for name in (
                "purpose",
                "address_type",
                "address_line1",
                "address_line2",
                "city",
                "state",
                "country",
                "pincode",
            )
        }


class OtherChargeForm(PartForm):
    charge_type = forms.CharField(
        label="Charge",
        max_length=100,
        help_text="Freight, packing, insurance, round-off…",
        error_messages={"required": "Name the charge."},
    )
    amount = amount_field(
        "Amount", allow_negative=True, help_text="A negative amount lowers the total (a round-off)."
    )

    def to_contents(self) -> dict:
        return {
            "charge_type": self.cleaned_data["charge_type"],
            "amount": self.cleaned_data["amount"],
        }


class MilestoneForm(PartForm):
    due_on = forms.DateField(
        label="Due date", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    due_amount = amount_field("Amount due")

    def to_contents(self) -> dict:
        return {
            "due_on": self.cleaned_data.get("due_on"),
            "due_amount": self.cleaned_data["due_amount"],
        }


class PoInfoForm(PartForm):
    detail_type = forms.CharField(
        label="Detail", max_length=100, error_messages={"required": "Name the detail."}
    )
    detail_value = forms.CharField(label="Value", max_length=500, required=False)

    def to_contents(self) -> dict:
        return {
            "detailType": self.cleaned_data["detail_type"],
            "detailValue": self.cleaned_data["detail_value"],
        }

    @staticmethod
    def initial_from(entry: dict) -> dict:
        return {
            "detail_type": entry.get("detailType", ""),
            "detail_value": entry.get("detailValue", ""),
        }


# Contract reference fields: form name -> network key.
CONTRACT_REFERENCE_KEYS = {
    "contract_reference_no": "contractReferenceNo",
    "project_reference_no": "projectReferenceNo",
    "receipt_advice_no": "receiptAdviceNo",
    "receipt_advice_date": "receiptAdviceDate",
    "batch_reference_no": "batchReferenceNo",
    "extra_reference_no": "extraReferenceNo",
}


class ContractReferenceForm(PartForm):
    contract_reference_no = forms.CharField(
        label="Contract reference", max_length=100, required=False
    )
    project_reference_no = forms.CharField(
        label="Project reference", max_length=100, required=False
    )
    receipt_advice_no = forms.CharField(label="Receipt advice no.", max_length=100, required=False)
    receipt_advice_date = forms.DateField(
        label="Receipt advice date", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    batch_reference_no = forms.CharField(label="Batch reference", max_length=100, required=False)
    extra_reference_no = forms.CharField(label="Other reference", max_length=100, required=False)

    def to_contents(self) -> dict:
        data = self.cleaned_data
        entry = {key: data.get(name) or "" for name, key in CONTRACT_REFERENCE_KEYS.items()}
        if data.get("receipt_advice_date"):
            entry["receiptAdviceDate"] = data["receipt_advice_date"].strftime(
                conventions.DATE_FORMAT
            )
        return entry

    @staticmethod
    def initial_from(entry: dict) -> dict:
        return {name: entry.get(key, "") for name, key in CONTRACT_REFERENCE_KEYS.items()}


class DocumentForm(PartForm):
    url = forms.CharField(
        label="Link",
        max_length=1000,
        validators=[validate_web_link],
        error_messages={"required": "Enter the document's link."},
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    document = forms.CharField(
        label="Document",
        max_length=255,
        help_text="Such as Drawing 42-B or Quality specification.",
        error_messages={"required": "Name the document."},
    )
    info = forms.CharField(label="Note", max_length=500, required=False)

    def to_contents(self) -> dict:
        return {
            "url": self.cleaned_data["url"].strip(),
            "document": self.cleaned_data["document"],
            "info": self.cleaned_data["info"],
        }

    @staticmethod
    def initial_from(entry: dict) -> dict:
        return {
            "url": entry.get("url", ""),
            "document": entry.get("document", ""),
            "info": entry.get("info", ""),
        }


class AdditionalInfoForm(PartForm):
    name = forms.CharField(
        label="Name", max_length=100, error_messages={"required": "Give it a name."}
    )
    value = forms.CharField(label="Value", max_length=500, required=False)

    def to_contents(self) -> dict:
        return {"name": self.cleaned_data["name"], "value": self.cleaned_data["value"]}

    @staticmethod
    def initial_from(entry: dict) -> dict:
        return {"name": entry.get("name", ""), "value": entry.get("value", "")}


class PartFormSet(forms.BaseFormSet):
    """A list whose blank rows are ignored, whichever row they are.

    Forms are never pre-filled when bound, so a row counts as filled when
    anything in it differs from the field defaults.
    """

    def _construct_form(self, i, **kwargs):
        kwargs.setdefault("empty_permitted", True)
        kwargs.setdefault("use_required_attribute", False)
        return super()._construct_form(i, **kwargs)

    def filled(self) -> list[tuple[int, PartForm]]:
        """Return (index, form) of the rows that hold something and are not removed."""
        return [
            (index, form)
            for index, form in enumerate(self.forms)
            if form.has_changed() and not _is_removed(form) and form.cleaned_data
        ]


def _is_removed(form) -> bool:
    if DELETION_FIELD_NAME not in form.fields:
        return False
    return bool(form[DELETION_FIELD_NAME].value()) if form.is_bound else False


# prefix -> (form class, the name of one row, the text of its add button)
PARTS = {
    "lines": (LineForm, "Line", "Add line"),
    "addresses": (AddressForm, "Address", "Add address"),
    "other_charges": (OtherChargeForm, "Charge", "Add charge"),
    "milestones": (MilestoneForm, "Milestone", "Add milestone"),
    "contract_references": (ContractReferenceForm, "Reference", "Add reference"),
    "documents": (DocumentForm, "Document", "Add document"),
    "po_infos": (PoInfoForm, "PO detail", "Add PO detail"),
    "additional_infos": (AdditionalInfoForm, "Additional detail", "Add additional detail"),
}
# Where each list goes in the contents: prefix -> (place, key).
CONTENT_PLACES = {
    "lines": ("contents", "lines"),
    "addresses": ("contents", "addresses"),
    "other_charges": ("contents", "other_charges"),
    "milestones": ("contents", "milestones"),
    "contract_references": ("fields", "contract_references"),
    "documents": ("fields", "additional_documents"),
    "po_infos": ("fields", "po_infos"),
    "additional_infos": ("fields", "additional_infos"),
}
# Lists the form starts with one blank row of.
START_WITH_A_ROW = {"lines", "addresses"}
_ROW_FIELD = re.compile(r"^(?P<prefix>[a-z_]+)-(?P<index>\d+)-(?P<name>\w+)$")
# Fields the services name that the form shows elsewhere.
FIELD_ALIASES = {"buyer_state_code": "buyer_gstin"}


class PurchaseOrderEditor:
    """The whole purchase-order form: the header and every list, checked together."""

    def __init__(
        self,
        *,
        mode: str,
        buyers,
        suppliers,
        data=None,
        initial: dict | None = None,
        parts_initial: dict | None = None,
        extra_rows: dict | None = None,
    ):
        self.mode = mode
        self.is_bound = data is not None
        self.main = PurchaseOrderForm(
            data, initial=initial, mode=mode, buyers=buyers, suppliers=suppliers
        )
        self.part_errors: dict[str, list[str]] = {prefix: [] for prefix in PARTS}
        self._indices: dict[str, list[int]] = {}
        parts_initial = parts_initial or {}
        extra_rows = extra_rows or {}
        self.formsets = {}
        for prefix, (form_class, _, _) in PARTS.items():
            rows = parts_initial.get(prefix) or []
            starts_blank = prefix in START_WITH_A_ROW and not rows
            formset_class = forms.formset_factory(
                form_class,
                formset=PartFormSet,
                extra=extra_rows.get(prefix, 0) + (1 if starts_blank else 0),
                can_delete=True,
            )
            self.formsets[prefix] = formset_class(
                data, initial=None if self.is_bound else rows, prefix=prefix
            )
        self._number_rows()

    # -- presentation ----------------------------------------------------------

    def _number_rows(self) -> None:
        """Give each row the number people see (removed rows are not counted)."""
        for formset in self.formsets.values():
            number = 0
            for form in formset.forms:
                form.is_removed = _is_removed(form)
                if not form.is_removed:
                    number += 1
                form.number = number

    def parts(self) -> dict[str, dict]:
        """Return each list by prefix with its formset, row name and add-button text."""
        return {
            prefix: {
                "prefix": prefix,
                "formset": self.formsets[prefix],
                "row_name": row_name,
                "add_label": add_label,
                "errors": self.part_errors[prefix],
            }
            for prefix, (_, row_name, add_label) in PARTS.items()
        }

    def error_summary(self) -> list[tuple[str, str]]:
        """Return (message, id of the field to jump to) for every error on the page."""
        if not self.is_bound:
            return []
        summary = [(message, "") for message in self.main.non_field_errors()]
        for name in self.main.fields:
            for message in self.main[name].errors:
                summary.append(
                    (f"{self.main[name].label}: {message}", self.main[name].id_for_label)
                )
        for prefix, (_, row_name, _) in PARTS.items():
            formset = self.formsets[prefix]
            for message in [*formset.non_form_errors(), *self.part_errors[prefix]]:
                summary.append((message, f"part-{prefix}"))
            for form in formset.forms:
                if form.is_removed:
                    continue
                label = f"{row_name} {form.number}"
                for message in form.non_field_errors():
                    summary.append((f"{label}: {message}", f"{form.prefix}-row"))
                for name in form.fields:
                    for message in form[name].errors:
                        summary.append(
                            (f"{label}, {form[name].label}: {message}", form[name].id_for_label)
                        )
        return summary

    # -- checking ----------------------------------------------------------------

    def is_valid(self) -> bool:
        valid = self.main.is_valid()
        for formset in self.formsets.values():
            valid = formset.is_valid() and valid
        if self.formsets["lines"].is_valid() and not self.formsets["lines"].filled():
            self.part_errors["lines"].append("Add at least one line to the purchase order.")
            valid = False
        return valid

    def contents(self) -> dict:
        """Return what was typed as contents (parties hold only the buyer's GSTIN and place)."""
        data = self.main.cleaned_data
        contents = {
            "fields": {
                "buyer_po_number": data.get("buyer_po_number", ""),
                "order_date": data.get("order_date"),
                "delivery_date": data.get("delivery_date"),
                "subject": data.get("subject", ""),
                "shipping_terms": data.get("shipping_terms", ""),
                "shipping_bearing_party": data.get("shipping_bearing_party", ""),
                "shipping_charges": data.get("shipping_charges") or Decimal("0.00"),
                "total_po_value": Decimal("0.00"),
            },
            "parties": {
                conventions.BUYER: {
                    "gstin": data.get("buyer_gstin", ""),
                    "place_of_supply": data.get("place_of_supply", ""),
                },
                conventions.SUPPLIER: {},
            },
        }
        for prefix, (place, key) in CONTENT_PLACES.items():
            rows = self.formsets[prefix].filled()
            self._indices[prefix] = [index for index, _ in rows]
            items = [form.to_contents() for _, form in rows]
            if prefix == "lines":
                for number, item in enumerate(items, start=1):
                    item["serial_no"] = item["serial_no"] or str(number)
            if place == "fields":
                contents["fields"][key] = items
            else:
                contents[key] = items
        return contents

    @property
    def cleaned_data(self) -> dict:
        return self.main.cleaned_data

    def add_error(self, error: PurchaseOrderError) -> None:
        """Show a service's error next to the field it names, or at the top of the form."""
        field = FIELD_ALIASES.get(error.field or "", error.field or "")
        match = _ROW_FIELD.match(field)
        if match and match["prefix"] in self.formsets:
            prefix, name = match["prefix"], match["name"]
            indices = self._indices.get(prefix) or []
            index = int(match["index"])
            if index < len(indices):
                form = self.formsets[prefix].forms[indices[index]]
                form.add_error(name if name in form.fields else None, error.message)
                return
            self.part_errors[prefix].append(error.message)
            return
        if field in self.formsets:
            self.part_errors[field].append(error.message)
            return
        if field in self.main.fields and hasattr(self.main, "cleaned_data"):
            self.main.add_error(field, error.message)
            return
        self.main.add_error(None, error.message)

    def refilled(self, *, add_row_to: str, buyers, suppliers) -> "PurchaseOrderEditor":
        """Return the form as typed, unchecked, with one more blank row in one list.

        Adding a row without the page's script posts the form; this keeps
        what was typed and shows no errors for rows not yet finished.
        """
        initial = {name: self.main[name].value() for name in self.main.fields}
        parts_initial = {}
        for prefix, formset in self.formsets.items():
            if formset.management_form.is_valid():
                forms_to_keep = formset.forms
            else:
                forms_to_keep = []
            parts_initial[prefix] = [
                {name: form[name].value() for name in form.fields if name != DELETION_FIELD_NAME}
                for form in forms_to_keep
                if form.has_changed() and not _is_removed(form)
            ]
        extra = {add_row_to: 1} if add_row_to in PARTS else {}
        return PurchaseOrderEditor(
            mode=self.mode,
            buyers=buyers,
            suppliers=suppliers,
            initial=initial,
            parts_initial=parts_initial,
            extra_rows=extra,
        )


def initial_for_purchase_order(purchase_order: PurchaseOrder) -> tuple[dict, dict]:
    """Return the form's initial values for a saved purchase order (header, lists)."""
    parties = {party.role: party for party in purchase_order.parties.all()}
    buyer_party = parties.get(conventions.BUYER)
    initial = {
        "buyer": purchase_order.buyer_id,
        "supplier": purchase_order.supplier_id,
        "buyer_po_number": purchase_order.buyer_po_number,
        "order_date": purchase_order.order_date,
        "delivery_date": purchase_order.delivery_date,
        "subject": purchase_order.subject,
        "buyer_gstin": buyer_party.gstin if buyer_party else "",
        "place_of_supply": (buyer_party.place_of_supply if buyer_party else "")
        or purchase_order.buyer.state_code,
        "shipping_terms": purchase_order.shipping_terms,
        "shipping_bearing_party": purchase_order.shipping_bearing_party,
        "shipping_charges": purchase_order.shipping_charges or None,
        "expected_version": purchase_order.version,
    }
    parts = {
        "lines": [LineForm.initial_from(line) for line in purchase_order.lines.all()],
        "addresses": [
            AddressForm.initial_from(address) for address in purchase_order.addresses.all()
        ],
        "other_charges": [
            {"charge_type": charge.charge_type, "amount": charge.amount}
            for charge in purchase_order.other_charges.all()
        ],
        "milestones": [
            {"due_on": milestone.due_on, "due_amount": milestone.due_amount}
            for milestone in purchase_order.milestones.all()
        ],
        "contract_references": [
            ContractReferenceForm.initial_from(entry)
            for entry in purchase_order.contract_references
        ],
        "documents": [
            DocumentForm.initial_from(entry) for entry in purchase_order.additional_documents
        ],
        "po_infos": [PoInfoForm.initial_from(entry) for entry in purchase_order.po_infos],
        "additional_infos": [
            AdditionalInfoForm.initial_from(entry) for entry in purchase_order.additional_infos
        ],
    }
    return initial, parts


def initial_for_new(*, buyer, po_number: str, today) -> tuple[dict, dict]:
    """Return the form's initial values for a new purchase order of a buyer."""
    initial = {
        "buyer": buyer.pk if buyer else None,
        "buyer_po_number": po_number,
        "order_date": today,
        "buyer_gstin": buyer.gstin if buyer else "",
        "place_of_supply": buyer.state_code if buyer else "",
    }
    address = (
        {
            "purpose": "DELIVERY",
            "address_type": buyer.address_type,
            "address_line1": buyer.address_line1,
            "address_line2": buyer.address_line2,
            "city": buyer.city,
            "state": buyer.state,
            "country": buyer.country or "India",
            "pincode": buyer.pincode,
        }
        if buyer and buyer.address_line1
        else None
    )
    return initial, {"addresses": [address] if address else []}


# -- the other pages ----------------------------------------------------------------


class AnswerForm(forms.Form):
    """The supplier's answer: Confirm, or Reject with remarks."""

    remarks = forms.CharField(
        label="Remarks",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The buyer sees them. Required to reject.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The status the page showed: a status change meanwhile keeps the version.
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, rejecting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rejecting = rejecting

    def clean_remarks(self) -> str:
        remarks = self.cleaned_data["remarks"].strip()
        if self.rejecting and not remarks:
            raise ValidationError(
                "Say why you reject this purchase order; the buyer sees your remarks.",
                code="required",
            )
        return remarks


class StatusChangeForm(forms.Form):
    """The buyer's status change, offering only the moves the lifecycle allows now."""

    action = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to do with the purchase order.",
            "invalid_choice": "That change is not possible from the current status.",
        },
    )
    remarks = forms.CharField(
        label="Remarks",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The supplier sees them. Required to cancel.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The status the page showed: a status change meanwhile keeps the version.
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, transitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(t.action, t.label) for t in transitions]

    def clean(self):
        cleaned = super().clean()
        remarks = (cleaned.get("remarks") or "").strip()
        cleaned["remarks"] = remarks
        if cleaned.get("action") == conventions.BUYER_CANCEL and not remarks:
            self.add_error(
                "remarks", "Say why the purchase order is cancelled; the supplier sees it."
            )
        return cleaned


class PurchaseOrderFilterForm(forms.Form):
    """Filters, search and sort of a list of purchase orders."""

    q = forms.CharField(
        label="PO number",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search"}),
    )
    status = forms.ChoiceField(label="Status", required=False)
    counterparty = forms.ModelChoiceField(
        label="Supplier", queryset=None, required=False, empty_label="All"
    )
    ordered_from = forms.DateField(
        label="Ordered from", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    ordered_to = forms.DateField(
        label="Ordered until", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    sort = forms.ChoiceField(label="Sort by", required=False)

    SORT_LABELS = {
        "newest": "Newest first",
        "oldest": "Oldest first",
        "number": "PO number (A–Z)",
        "-number": "PO number (Z–A)",
        "total": "Total (low to high)",
        "-total": "Total (high to low)",
        "status": "Status",
        "delivery": "Delivery date",
        "supplier": "Supplier (A–Z)",
        "buyer": "Buyer (A–Z)",
    }

    def __init__(self, *args, role: str, counterparties, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = PurchaseOrder.Status.choices
        if role == conventions.SUPPLIER:
            statuses = [(value, label) for value, label in statuses if value != conventions.DRAFT]
            self.fields["counterparty"].label = "Buyer"
        self.fields["status"].choices = [("", "All")] + list(statuses)
        self.fields["counterparty"].queryset = counterparties
        default = [("", "Awaiting confirmation first")] if role == conventions.SUPPLIER else []
        # Sorting by one's own business says nothing.
        own_side = "buyer" if role == conventions.BUYER else "supplier"
        self.fields["sort"].choices = default + [
            (key, label)
            for key, label in self.SORT_LABELS.items()
            if key in selectors.PURCHASE_ORDER_ORDERINGS and key != own_side
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("ordered_from"), cleaned.get("ordered_to")
        if start and end and end < start:
            self.add_error("ordered_to", "The end of the range is before its start.")
        return cleaned

    def filters(self) -> dict:
        """Return the valid filters as keyword arguments of ``list_purchase_orders``."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "counterparty": data.get("counterparty"),
            "ordered_from": data.get("ordered_from"),
            "ordered_to": data.get("ordered_to"),
            "ordering": data.get("sort") or "",
        }
