"""Forms of the supplier directory: search it, ask the network, complete a new supplier."""

import re

from django import forms
from django.core.exceptions import ValidationError

from purchase_orders import validators
from purchase_orders.enkash import conventions
from purchase_orders.forms.fields import BusinessChoiceField
from purchase_orders.models import SupplierSearch

Parameter = SupplierSearch.Parameter


class SupplierFilterForm(forms.Form):
    """Find a supplier in the directory by name, GSTIN or B2B ID."""

    q = forms.CharField(
        label="Search suppliers",
        required=False,
        max_length=100,
        help_text="A part of a name, a GSTIN or a B2B ID.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class SupplierSearchForm(forms.Form):
    """What the buyer asks the network: which business holds this GSTIN or B2B ID?"""

    buyer = BusinessChoiceField(
        queryset=None,
        label="For",
        empty_label=None,
        error_messages={
            "required": "Choose the business whose supplier this is.",
            "invalid_choice": "Choose one of the businesses you buy for.",
        },
    )
    parameter = forms.ChoiceField(
        label="Search by",
        choices=Parameter.choices,
        initial=Parameter.GSTIN,
        error_messages={
            "required": "Choose what to search by.",
            "invalid_choice": "Search by GSTIN or by B2B ID.",
        },
    )
    value = forms.CharField(
        label="GSTIN or B2B ID",
        max_length=100,
        help_text="The supplier's 15-character GSTIN, such as 29ABCDE1234F1Z5, or its "
        "Bharat Connect B2B ID.",
        error_messages={
            "required": "Enter the supplier's GSTIN or B2B ID.",
            "max_length": "A B2B ID has at most 100 characters.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers
        only = list(buyers[:2])
        if len(only) == 1:
            # One business to buy for: nothing to choose.
            self.fields["buyer"].widget = forms.HiddenInput()
            self.fields["buyer"].initial = only[0].pk

    def clean(self):
        cleaned = super().clean()
        parameter, value = cleaned.get("parameter"), (cleaned.get("value") or "").strip()
        if not parameter or not value:
            return cleaned
        if parameter == Parameter.GSTIN:
            value = value.upper()
            try:
                validators.validate_gstin(value)
            except ValidationError as error:
                self.add_error("value", error)
                return cleaned
        elif not re.fullmatch(conventions.B2B_ID_PATTERN, value):
            self.add_error(
                "value", "A B2B ID has no backslash and no double quote; check what you typed."
            )
            return cleaned
        cleaned["value"] = value
        return cleaned


class SupplierDetailsForm(forms.Form):
    """What the network does not say of a new supplier, completed by the buyer.

    Prefilled from what the network said (name, alias, state, PIN code) and
    from the search (its GSTIN). A search by GSTIN fixes the GSTIN: the B2B
    IDs found are that GSTIN's.
    """

    legal_name = forms.CharField(
        label="Legal name",
        max_length=255,
        help_text="As registered for GST.",
        error_messages={"required": "Enter the supplier's legal name."},
    )
    trade_name = forms.CharField(label="Trade name", max_length=255, required=False)
    gstin = forms.CharField(
        label="GSTIN",
        max_length=15,
        error_messages={"required": "Enter the supplier's GSTIN."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    state_code = forms.ChoiceField(
        label="State",
        choices=[("", "Choose the state…"), *validators.STATE_CODE_CHOICES],
        help_text="The state of the GSTIN's registration.",
        error_messages={"required": "Choose the supplier's state."},
    )
    address_line1 = forms.CharField(
        label="Address",
        max_length=255,
        error_messages={"required": "Enter the supplier's address."},
    )
    address_line2 = forms.CharField(label="Address, second line", max_length=255, required=False)
    city = forms.CharField(
        label="City", max_length=100, error_messages={"required": "Enter the city."}
    )
    pincode = forms.CharField(
        label="PIN code",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone_number = forms.CharField(label="Phone", max_length=20, required=False)
    email = forms.EmailField(
        label="E-mail",
        required=False,
        error_messages={"invalid": "Enter an e-mail address such as sales@example.in."},
    )

    def __init__(self, *args, search: SupplierSearch, **kwargs):
        super().__init__(*args, **kwargs)
        self.search = search
        if search.parameter == Parameter.GSTIN:
            gstin = self.fields["gstin"]
            gstin.disabled = True
            gstin.initial = search.value
            gstin.help_text = "The GSTIN the network found this business by."

    @staticmethod
    def initial_from(*, search: SupplierSearch, entity: dict) -> dict:
        """Return the form's first values: what the network said, and the GSTIN searched."""
        gstin = search.value if search.parameter == Parameter.GSTIN else ""
        pincode = (entity.get("pincode") or "").strip()
        return {
            "legal_name": entity.get("name", ""),
            "trade_name": entity.get("alias", ""),
            "gstin": gstin,
            "state_code": validators.state_code_for(entity.get("state", "")) or gstin[:2],
            "pincode": pincode if validators.PINCODE_PATTERN.match(pincode) else "",
        }

    def clean_gstin(self) -> str:
        gstin = self.cleaned_data["gstin"].strip().upper()
        validators.validate_gstin(gstin)
        return gstin

    def clean_pincode(self) -> str:
        pincode = self.cleaned_data["pincode"].strip()
        if pincode:
            validators.validate_pincode(pincode)
        return pincode

    def clean(self):
        cleaned = super().clean()
        gstin, state_code = cleaned.get("gstin"), cleaned.get("state_code")
        if gstin and state_code and gstin[:2] != state_code:
            state = validators.GST_STATE_CODES.get(gstin[:2], gstin[:2])
            self.add_error(
                "state_code", f"The GSTIN {gstin} is registered in {state}; choose that state."
            )
        return cleaned
