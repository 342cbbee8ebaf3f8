"""The rows of the lists on the purchase-order form other than its lines.

Addresses, charges, milestones, references, documents and details, and the
formset that holds each list.
"""

import copy

from django import forms
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.formsets import (
    DELETION_FIELD_NAME,
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.utils.functional import cached_property

from purchase_orders import validators
from purchase_orders.contents import AddressContents, ChargeContents, MilestoneContents
from purchase_orders.enkash import conventions
from purchase_orders.forms.fields import (
    DATE_ERRORS,
    DATE_VALIDATORS,
    DATE_WIDGET,
    amount_field,
    validate_web_link,
)


def _plain_copy(obj):
    """Return a shallow copy, as ``copy.copy`` makes of an object with a plain ``__dict__``."""
    copied = type(obj).__new__(type(obj))
    copied.__dict__.update(obj.__dict__)
    return copied


class QuicklyCopiedFields(dict):
    """A form class's fields, copied for each form as Django copies them, only faster.

    Each form deep-copies its class's fields; a 1,000-line order builds
    thousands of rows, and ``copy.copy`` was a third of building them
    (``benchmarks/line_import.py``). A field and widget whose copying is
    Django's own (``Field.__deepcopy__``, ``Widget.__deepcopy__``) are copied
    here the same way, without ``copy``'s generic machinery; any other (a
    field or widget with choices) is deep-copied by ``copy.deepcopy``.
    """

    def __deepcopy__(self, memo):
        fields = {}
        for name, field in self.items():
            widget = field.widget
            if (
                type(field).__deepcopy__ is not forms.Field.__deepcopy__
                or type(widget).__deepcopy__ is not forms.Widget.__deepcopy__
            ):
                fields[name] = copy.deepcopy(field, memo)
                continue
            copied = _plain_copy(field)
            memo[id(field)] = copied
            copied.widget = _plain_copy(widget)
            copied.widget.attrs = widget.attrs.copy()
            memo[id(widget)] = copied.widget
            copied.error_messages = field.error_messages.copy()
            copied.validators = field.validators[:]
            fields[name] = copied
        return fields


class PartFormMetaclass(DeclarativeFieldsMetaclass):
    """Give each row's form class fields that are copied quickly for each row."""

    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = QuicklyCopiedFields(new_class.base_fields)
        return new_class


class PartForm(forms.Form, metaclass=PartFormMetaclass):
    """One row of a list on the purchase-order form."""

    def to_contents(self):
        raise NotImplementedError

    def sub_lists(self) -> list[dict]:
        """Return the lists the row holds itself (a line's rates…); most rows hold none."""
        return []


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

    def to_contents(self) -> AddressContents:
        data = self.cleaned_data
        return AddressContents(
            purpose=data["purpose"].strip().upper(),
            address_type=data["address_type"],
            address_line1=data["address_line1"],
            address_line2=data["address_line2"],
            city=data["city"],
            state=data["state"],
            country=data["country"],
            pincode=data["pincode"],
        )

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

    def to_contents(self) -> ChargeContents:
        return ChargeContents(
            charge_type=self.cleaned_data["charge_type"], amount=self.cleaned_data["amount"]
        )


class MilestoneForm(PartForm):
    due_on = forms.DateField(
        label="Due date",
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        validators=DATE_VALIDATORS,
    )
    due_amount = amount_field("Amount due")

    def to_contents(self) -> MilestoneContents:
        return MilestoneContents(
            due_on=self.cleaned_data.get("due_on"), due_amount=self.cleaned_data["due_amount"]
        )


class PoInfoForm(PartForm):
    detail_type = forms.CharField(
        label="Detail", max_length=100, error_messages={"required": "Name the detail."}
    )
    detail_value = forms.CharField(label="Value", max_length=500, required=False)

    def clean_detail_type(self) -> str:
        detail_type = self.cleaned_data["detail_type"]
        if detail_type.strip().upper() == conventions.TERMS_DETAIL_TYPE:
            raise forms.ValidationError(
                "Write the terms and conditions in their own box, under Terms and conditions."
            )
        return detail_type

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
        label="Receipt advice date",
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        validators=DATE_VALIDATORS,
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


class QuickManagementForm(ManagementForm, metaclass=PartFormMetaclass):
    """Django's management form of a list, its fields copied as a row's are (quickly)."""


class PartFormSet(forms.BaseFormSet):
    """A list whose blank rows are ignored, whichever row they are.

    Forms are never pre-filled when bound, so a row counts as filled when
    anything in it differs from the field defaults.
    """

    @cached_property
    def management_form(self):
        """Return the list's management form, made as Django's ``BaseFormSet`` makes it.

        Its class is Django's with fields copied quickly: a 1,000-line form
        has hundreds of lists (each line's other taxes…).
        """
        if self.is_bound:
            form = QuickManagementForm(
                self.data, auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer
            )
            form.full_clean()
            return form
        return QuickManagementForm(
            auto_id=self.auto_id,
            prefix=self.prefix,
            initial={
                TOTAL_FORM_COUNT: self.total_form_count(),
                INITIAL_FORM_COUNT: self.initial_form_count(),
                MIN_NUM_FORM_COUNT: self.min_num,
                MAX_NUM_FORM_COUNT: self.max_num,
            },
            renderer=self.renderer,
        )

    def _construct_form(self, i, **kwargs):
        kwargs.setdefault("empty_permitted", True)
        kwargs.setdefault("use_required_attribute", False)
        return super()._construct_form(i, **kwargs)

    def filled(self) -> list[tuple[int, PartForm]]:
        """Return (index, form) of the rows that hold something and are not removed."""
        return [
            (index, form)
            for index, form in enumerate(self.forms)
            if form.has_changed() and not marked_removed(form) and form.cleaned_data
        ]


def filled_rows(formset, *, checked: bool = True) -> list[PartForm]:
    """Return the rows of a list that hold something and are not removed.

    With ``checked`` (once the list is valid), only rows with checked values.
    """
    if not checked:
        return [form for form in formset.forms if form.has_changed() and not marked_removed(form)]
    return [form for _, form in formset.filled()]


def number_rows(formset) -> None:
    """Give each row of a list the number people see (removed rows are not counted)."""
    number = 0
    for form in formset.forms:
        form.is_removed = marked_removed(form)
        if not form.is_removed:
            number += 1
        form.number = number


def marked_removed(form) -> bool:
    """Return whether the row is marked for removal."""
    if DELETION_FIELD_NAME not in form.fields:
        return False
    return bool(form[DELETION_FIELD_NAME].value()) if form.is_bound else False
