"""Each row's form gets its own copies of its class's fields, as Django's deepcopy makes them."""

import copy

from django import forms

from purchase_orders.forms import LineForm
from purchase_orders.forms.parts import (
    AddressForm,
    PartFormSet,
    QuicklyCopiedFields,
    QuickManagementForm,
)


def _described(field) -> dict:
    described = {
        name: value for name, value in vars(field).items() if name not in {"widget", "validators"}
    }
    described["widget"] = (type(field.widget), vars(field.widget))
    described["validators"] = list(field.validators)
    return described


def test_a_rows_fields_are_copies_equal_to_djangos_deep_copies():
    ours = LineForm().fields
    djangos = copy.deepcopy(dict(LineForm.base_fields))

    assert list(ours) == list(djangos)
    for name in ours:
        assert type(ours[name]) is type(djangos[name]), name
        assert _described(ours[name]) == _described(djangos[name]), name
        assert ours[name] is not LineForm.base_fields[name]
        assert ours[name].widget is not LineForm.base_fields[name].widget


def test_changing_one_rows_field_leaves_the_class_and_other_rows_alone():
    first, second = AddressForm(), AddressForm()

    first.fields["pincode"].widget.attrs["data-x"] = "1"
    first.fields["pincode"].error_messages["required"] = "Changed."
    first.fields["pincode"].validators.append(lambda value: None)
    first.fields["city"].label = "Town"

    for fields in (second.fields, AddressForm.base_fields):
        assert "data-x" not in fields["pincode"].widget.attrs
        assert fields["pincode"].error_messages["required"] == "Enter the PIN code."
        assert len(fields["pincode"].validators) == 3
        assert fields["city"].label == "City"


def test_a_field_with_choices_is_deep_copied_by_django():
    fields = QuicklyCopiedFields(
        {"kind": forms.ChoiceField(choices=[("a", "A")], widget=forms.Select)}
    )

    copied = copy.deepcopy(fields)
    copied["kind"].choices = [("b", "B")]

    assert list(fields["kind"].choices) == [("a", "A")]
    assert list(copied["kind"].widget.choices) == [("b", "B")]


MANAGEMENT_DATA = [
    None,
    {},
    {"addresses-TOTAL_FORMS": "2", "addresses-INITIAL_FORMS": "0"},
    {"addresses-TOTAL_FORMS": "two", "addresses-INITIAL_FORMS": "0"},
]


def test_a_lists_management_form_is_djangos_with_its_fields_copied_quickly():
    ours_class = forms.formset_factory(AddressForm, formset=PartFormSet, extra=1)
    djangos_class = forms.formset_factory(AddressForm, extra=1)
    assert isinstance(QuickManagementForm.base_fields, QuicklyCopiedFields)
    for data in MANAGEMENT_DATA:
        initial = None if data is not None else [{"city": "Pune"}]
        ours = ours_class(data, prefix="addresses", initial=initial)
        djangos = djangos_class(data, prefix="addresses", initial=initial)

        assert isinstance(ours.management_form, QuickManagementForm)
        assert str(ours.management_form) == str(djangos.management_form), data
        assert ours.management_form.errors == djangos.management_form.errors, data
        assert ours.is_valid() == djangos.is_valid(), data
        assert ours.non_form_errors() == djangos.non_form_errors(), data
        assert ours.total_form_count() == djangos.total_form_count(), data
