"""The lists inside one line of the purchase-order form.

A line holds four lists of small rows (SPEC §3.10): its other taxes, its
value details (discounts and other amounts), its rates and its attributes.
Each is a formset whose prefix is the line's own (``lines-2-other_taxes``),
shown under the line's "More details". The page's script adds rows from one
template per list; without the script, a list's add button posts the form
and comes back with one more row. A list takes any number of rows.
"""

from decimal import Decimal

from django import forms
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from purchase_orders.contents import TaxContents
from purchase_orders.enkash import formats
from purchase_orders.forms.fields import TypedNumberField, amount_field, percent_field
from purchase_orders.forms.parts import PartForm, PartFormSet, QuickManagementForm
from purchase_orders.totals import DISCOUNT_TYPE

# Where a row's index goes in a list's template; the line's index is
# Django's "__prefix__", filled in when the line itself is added.
ITEM_PLACEHOLDER = "__item__"
# Types of value detail the form suggests: value -> what the suggestion says.
VALUE_DETAIL_TYPES = {
    DISCOUNT_TYPE: "Discount: lowers the taxable value",
    "MRP": "Maximum retail price",
    "LIST_PRICE": "List price",
    "PRE_TAX_VALUE": "Value before tax",
}


def plain_number(value) -> Decimal | None:
    """Drop trailing zeros without switching to an exponent (10.000 -> 10, 2.500 -> 2.5)."""
    if value is None or value == "":
        return None
    return formats.rate(Decimal(str(value)))


class OtherTaxForm(PartForm):
    """One of a line's ``otherTaxes``; its amount is computed."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        error_messages={"required": "Name the tax, such as Compensation cess."},
    )
    rate = percent_field("Rate (%)", example="1 or 0.5")

    def to_contents(self) -> TaxContents:
        return TaxContents(name=self.cleaned_data["name"], rate=self.cleaned_data["rate"])

    @staticmethod
    def initial_from(tax) -> dict:
        return {"name": tax.name, "rate": plain_number(tax.rate)}


class ValueDetailForm(PartForm):
    """One of a line's ``itemValueDetails``: a value of a type."""

    type = forms.CharField(
        label="Type",
        max_length=100,
        error_messages={"required": "Give the type of this value, such as DISCOUNT or MRP."},
        widget=forms.TextInput(attrs={"list": "value-detail-types", "autocomplete": "off"}),
    )
    value = amount_field("Value")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].label = "Value (₹)"

    def to_contents(self) -> dict:
        # Types are the network's words, written in capitals (DISCOUNT).
        return {
            "type": self.cleaned_data["type"].upper(),
            "value": formats.money(self.cleaned_data["value"]),
        }

    @staticmethod
    def initial_from(entry: dict) -> dict:
        return {"type": entry.get("type", ""), "value": entry.get("value")}


class RateForm(PartForm):
    """One of a line's ``rates``: a number of a type."""

    type = forms.CharField(
        label="Type",
        max_length=100,
        error_messages={"required": "Give the type of this rate, such as MRP per unit."},
    )
    value = TypedNumberField(
        label="Value",
        max_digits=7,
        decimal_places=3,
        min_value=Decimal(0),
        error_messages={
            "required": "Enter the rate as a number, such as 12.5.",
            "invalid": "Enter the rate as a number, such as 12.5.",
            "max_decimal_places": "Use at most 3 decimal places.",
            "max_digits": "Enter a number below 10,000.",
            "max_whole_digits": "Enter a number below 10,000.",
            "min_value": "The rate cannot be negative.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def to_contents(self) -> dict:
        return {"type": self.cleaned_data["type"].upper(), "value": self.cleaned_data["value"]}

    @staticmethod
    def initial_from(entry: dict) -> dict:
        return {"type": entry.get("type", ""), "value": plain_number(entry.get("value"))}


class AttributeForm(PartForm):
    """One of a line's ``attributeDetails``: a name and its value."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        error_messages={"required": "Name the attribute, such as Colour."},
    )
    value = forms.CharField(label="Value", max_length=500, required=False)

    def to_contents(self) -> dict:
        return {"name": self.cleaned_data["name"], "value": self.cleaned_data["value"]}

    @staticmethod
    def initial_from(entry: dict) -> dict:
        return {"name": entry.get("name", ""), "value": entry.get("value", "")}


class LineListFormSet(PartFormSet):
    """One of a line's lists.

    A post that does not carry the list's counts (a page without the list)
    holds none of its rows, rather than being refused as tampered with.

    Most lines hold no rows in most lists, and a 1,000-line form has 4,000
    of these lists: an empty one (posted with no rows, or without its
    counts) is known to be empty without building Django's management form,
    and writes its two counts itself (``count_inputs``), as that form's
    hidden inputs would be written.
    """

    @cached_property
    def posted_empty(self) -> bool:
        """Return whether the post holds no rows of the list (counts of 0, or none)."""
        if not self.is_bound:
            return False
        total = self.data.get(self.add_prefix(TOTAL_FORM_COUNT))
        initial = self.data.get(self.add_prefix(INITIAL_FORM_COUNT))
        return (total is None and initial is None) or (total == "0" and initial == "0")

    @cached_property
    def management_form(self):
        if self.is_bound and self.add_prefix(TOTAL_FORM_COUNT) not in self.data:
            form = QuickManagementForm(
                {self.add_prefix(TOTAL_FORM_COUNT): 0, self.add_prefix(INITIAL_FORM_COUNT): 0},
                auto_id=self.auto_id,
                prefix=self.prefix,
                renderer=self.renderer,
            )
            form.full_clean()
            return form
        return super().management_form

    def total_form_count(self) -> int:
        return 0 if self.posted_empty else super().total_form_count()

    def initial_form_count(self) -> int:
        return 0 if self.posted_empty else super().initial_form_count()

    def full_clean(self) -> None:
        if not self.posted_empty:
            super().full_clean()
            return
        self._errors = []
        self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)

    def count_inputs(self) -> str:
        """Return the list's hidden TOTAL_FORMS and INITIAL_FORMS inputs."""
        if self.posted_empty or (not self.is_bound and not self.initial):
            return mark_safe(
                "".join(
                    f'<input type="hidden" name="{conditional_escape(name)}" value="0" '
                    f'id="{conditional_escape(self.auto_id % name)}">'
                    for name in (
                        self.add_prefix(TOTAL_FORM_COUNT),
                        self.add_prefix(INITIAL_FORM_COUNT),
                    )
                )
            )
        form = self.management_form
        return mark_safe(f"{form[TOTAL_FORM_COUNT]}{form[INITIAL_FORM_COUNT]}")

    @property
    def empty_form(self):
        form = self.form(
            **self.get_form_kwargs(None),
            auto_id=self.auto_id,
            prefix=self.add_prefix(ITEM_PLACEHOLDER),
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.form_renderer,
        )
        self.add_fields(form, None)
        return form


def _formset(form_class):
    return forms.formset_factory(form_class, formset=LineListFormSet, extra=0, can_delete=True)


# name -> (formset, the name of one row, its add button's text, what the list is for)
LINE_LISTS = {
    "other_taxes": (
        _formset(OtherTaxForm),
        "Other tax",
        "Add other tax",
        "Taxes besides GST, such as a cess, each charged on the taxable value.",
    ),
    "value_details": (
        _formset(ValueDetailForm),
        "Value detail",
        "Add value detail",
        "Values of the line by type. A DISCOUNT lowers the taxable value, as the Discount "
        "field does; other types are stated on the order and do not change its totals.",
    ),
    "rates": (
        _formset(RateForm),
        "Rate",
        "Add rate",
        "Rates by type, for the supplier's records; they do not change the totals.",
    ),
    "attributes": (
        _formset(AttributeForm),
        "Attribute",
        "Add attribute",
        "Such as Colour: Blue or Grade: A.",
    ),
}
