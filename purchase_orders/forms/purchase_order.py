"""The header of the purchase-order form: parties, dates, terms."""

from django import forms

from purchase_orders import validators
from purchase_orders.forms.fields import (
    DATE_ERRORS,
    DATE_VALIDATORS,
    DATE_WIDGET,
    BusinessChoiceField,
    amount_field,
)


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
        validators=DATE_VALIDATORS,
    )
    delivery_date = forms.DateField(
        label="Delivery date",
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        validators=DATE_VALIDATORS,
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
    terms = forms.CharField(
        label="Terms and conditions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A new order starts with your business's default terms; change them for "
        "this order as needed. The supplier receives them with the order.",
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
        if mode != "edit":
            self.fields["supplier"].help_text = (
                "Your suppliers, from Suppliers in the menu; add one there to order from "
                "another business."
            )
        if mode in {"draft", "edit"}:
            self.fields["buyer"].disabled = True
        self._leave_out_own_business(buyers)
        if mode == "edit":
            for name in ("supplier", "buyer_po_number"):
                self.fields[name].disabled = True
            self.fields["buyer_po_number"].help_text = "A sent purchase order keeps its number."
            self.fields[
                "supplier"
            ].help_text = (
                "A sent purchase order keeps its supplier; duplicate it to order elsewhere."
            )

    def _leave_out_own_business(self, buyers) -> None:
        """Offer no buying business as its own supplier.

        With one business to buy for (or the buyer fixed) it is not listed;
        a person buying for several sees the chosen one's own entry disabled,
        and the page's script follows the choice.
        """
        field = self.fields["supplier"]
        only = list(buyers[:2])
        if len(only) == 1 or self.mode != "new":
            fixed = only[0].pk if len(only) == 1 else self.initial.get("buyer")
            if fixed is not None:
                field.queryset = field.queryset.exclude(pk=fixed)
            return
        chosen = self.data.get("buyer") if self.is_bound else self.initial.get("buyer")
        try:
            chosen = int(chosen)
        except (TypeError, ValueError):
            return
        field.widget.disabled_pks = frozenset({chosen})

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
