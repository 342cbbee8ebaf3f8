"""Each row's form gets its own copies of its class's fields, as Django's deepcopy makes them."""

import copy

from django import forms

from purchase_orders.forms import LineForm
from purchase_orders.forms.parts import AddressForm, QuicklyCopiedFields


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
