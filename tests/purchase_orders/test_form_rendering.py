"""The portal's form renderer writes plain inputs exactly as Django's templates do."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import engines
from django.template.loader import get_template
from django.utils import html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from purchase_orders.forms import LineForm, PurchaseOrderForm, rendering
from purchase_orders.forms.line_details import LINE_LISTS
from purchase_orders.forms.lines import DETAIL_FIELDS
from purchase_orders.forms.rendering import PortalFormRenderer, render_field
from purchase_orders.models import Business

WIDGETS = [
    forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "list": "units"}),
    forms.HiddenInput(),
    forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    forms.EmailInput(attrs={"required": True, "disabled": False}),
    forms.URLInput(attrs={"placeholder": "https://"}),
    forms.PasswordInput(render_value=True),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.CheckboxInput(),
    forms.CheckboxInput(attrs={"class": "check"}),
]
VALUES = [
    None,
    "",
    "1,25,000.50",
    "Quote \"A\" <b>&</b> 'B'",
    mark_safe("&amp; already safe"),
    Decimal("12.500"),
    0,
    True,
    False,
    datetime.date(2026, 11, 23),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_plain_input_is_written_as_djangos_template_writes_it(widget, value):
    attrs = {"id": "id_x", "aria-describedby": "id_x_helptext", "data-note": "<&>"}

    ours = widget.render("lines-0-x", value, attrs=attrs, renderer=PortalFormRenderer())
    djangos = widget.render("lines-0-x", value, attrs=attrs, renderer=DjangoTemplates())

    assert str(ours) == str(djangos)


def test_a_whole_line_of_the_form_renders_the_same(db):
    data = {
        "row-product_description": 'Copier paper "A4" & <more>',
        "row-hsn_code": "12",
        "row-quantity": "ten",
        "row-unit_price": "₹1,250",
        "row-is_service": "on",
    }

    def rendered(renderer):
        form = LineForm(data, prefix="row", renderer=renderer)
        form.is_valid()
        return "".join(str(form[name]) for name in form.fields)

    assert rendered(PortalFormRenderer()) == rendered(DjangoTemplates())


def test_selects_and_text_areas_still_use_their_templates(db):
    form = PurchaseOrderForm(
        mode="new",
        buyers=Business.objects.none(),
        suppliers=Business.objects.none(),
        renderer=PortalFormRenderer(),
    )

    assert str(form["place_of_supply"]).startswith('<select name="place_of_supply"')
    assert str(form["terms"]).startswith('<textarea name="terms"')


def _without_layout(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("bound", [False, True], ids=["unbound", "with errors"])
def test_a_field_is_written_as_the_field_template_writes_it(db, bound):
    data = {
        "row-product_description": 'Copier paper "A4" & <more>',
        "row-hsn_code": "12",
        "row-quantity": "ten",
        "row-unit_price": "₹1,250",
        "row-is_service": "on",
        "row-serial_no": "<b>7</b>",
    }
    form = LineForm(data if bound else None, prefix="row")
    form.is_valid()
    field_template = get_template("includes/field.html")
    cases = [(name, {}) for name in form.fields]
    cases += [
        ("product_description", {"wide": True}),
        ("unit_price", {"label": mark_safe("Unit price (₹)")}),
        ("is_service", {"label": "Service <SAC>", "wide": True}),
        ("serial_no", {"label": ""}),
    ]
    cases.append(("hidden", {}))
    form.fields["hidden"] = forms.CharField(widget=forms.HiddenInput, required=False)

    for name, options in cases:
        ours = render_field(form[name], **options)
        templates = field_template.render({"field": form[name], **options})

        assert _without_layout(ours) == _without_layout(templates), (name, options)
    if bound:
        assert 'class="field field--error"' in render_field(form["hsn_code"])


LIST_DATA = [
    None,
    {},
    {"row-rates-TOTAL_FORMS": "0", "row-rates-INITIAL_FORMS": "0"},
    {
        "row-rates-TOTAL_FORMS": "1",
        "row-rates-INITIAL_FORMS": "0",
        "row-rates-0-type": "MRP",
        "row-rates-0-value": "12.5",
    },
]


@pytest.mark.parametrize("data", LIST_DATA, ids=["unbound", "no counts", "none", "one row"])
def test_a_line_list_writes_its_counts_as_its_management_form_would(data):
    formset_class = LINE_LISTS["rates"][0]
    ours = formset_class(data, prefix="row-rates")
    djangos = formset_class(data, prefix="row-rates")
    form = djangos.management_form

    assert ours.count_inputs() == f"{form['TOTAL_FORMS']}{form['INITIAL_FORMS']}"
    assert ours.is_valid() is (data is not None)
    assert len(ours.forms) == (1 if data and data.get("row-rates-0-type") else 0)


def test_an_unbound_line_list_with_rows_counts_them():
    formset = LINE_LISTS["attributes"][0](
        initial=[{"name": "Colour", "value": "Blue"}], prefix="attributes"
    )

    assert 'name="attributes-TOTAL_FORMS" value="1"' in formset.count_inputs()


LINES = [
    ("lines-3", None),
    ("lines-__prefix__", None),
    ("lines-0", {"lines-0-product_description": "Paper"}),
    (
        "lines-1",
        {
            "lines-1-other_taxes-TOTAL_FORMS": "1",
            "lines-1-other_taxes-INITIAL_FORMS": "0",
            "lines-1-other_taxes-0-name": "Cess",
            "lines-1-other_taxes-0-rate": "many",
            "lines-1-rates-TOTAL_FORMS": "0",
            "lines-1-rates-INITIAL_FORMS": "0",
        },
    ),
]


@pytest.mark.parametrize(("prefix", "data"), LINES, ids=["new", "template", "bound", "rows"])
def test_a_lines_lists_are_written_as_their_template_writes_them(db, prefix, data):
    form = LineForm(data, prefix=prefix)
    form.is_valid()
    engine = engines["django"]
    ours = engine.from_string(
        "{% load portal %}{% for list in form.sub_lists %}{% line_list form list %}{% endfor %}"
        "{% for list in form.sub_lists %}{% line_list form list %}{% endfor %}"
    )
    includes = engine.from_string(
        '{% for list in form.sub_lists %}{% include "purchase_orders/includes/line_list.html" %}'
        "{% endfor %}{% for list in form.sub_lists %}"
        '{% include "purchase_orders/includes/line_list.html" %}{% endfor %}'
    )

    written = ours.render({"form": form})

    assert written == includes.render({"form": form})
    assert f'data-formset="{prefix}-rates"' in written
    assert "__line__" not in written


@pytest.mark.parametrize(
    "value",
    ["Quote \"A\" <b>&</b> 'B'", mark_safe("<b>safe</b>"), gettext_lazy("Name & <id>"), 12, None],
    ids=repr,
)
def test_the_renderers_escape_is_djangos(value):
    assert rendering.conditional_escape(value) == str(html.conditional_escape(value))


DETAIL_LINES = [
    ("lines-7", None, {}),
    ("lines-__prefix__", None, {}),
    ("lines-2", None, {"serial_no": "", "free_quantity": None, "batch_expiry_on": ""}),
    ("lines-4", None, {"serial_no": "S-1", "batch_expiry_on": datetime.date(2027, 1, 31)}),
    ("lines-5", {"lines-5-batch_expiry_on": "tomorrow", "lines-5-bar_code": ""}, {}),
    ("lines-6", {"lines-6-product_description": "Paper"}, {}),
]


@pytest.mark.parametrize(
    ("prefix", "data", "initial"),
    DETAIL_LINES,
    ids=["new", "template", "blank values", "filled", "error", "bound blank"],
)
def test_a_lines_more_details_are_written_as_their_fields_are(db, prefix, data, initial):
    form = LineForm(data, initial=initial, prefix=prefix)
    form.is_valid()
    engine = engines["django"]
    names = " ".join(f"{{% form_field form.{name} %}}" for name in DETAIL_FIELDS)
    each = engine.from_string("{% load portal %}" + names + names)
    together = engine.from_string("{% load portal %}{% line_details form %}{% line_details form %}")

    written = together.render({"form": form})

    assert _without_layout(written) == _without_layout(each.render({"form": form}))
    assert f'id="id_{prefix}-serial_no"' in written
    assert "__line__" not in written


ROW_INITIALS = [
    {},
    {
        "product_description": 'Copier paper "A4" & <more> __line__',
        "hsn_code": "48025610",
        "quantity": Decimal("1250.500"),
        "unit": "",
        "unit_price": "1,250.50",
        "discount": None,
        "gst_rate": Decimal("18"),
        "is_service": True,
        "serial_no": mark_safe("<b>7</b>"),
        "free_quantity": 0,
        "batch_expiry_on": datetime.date(2027, 1, 31),
        "batch_warranty_on": "",
    },
    {"is_service": False, "unit": "KGS", "quantity": "ten", "bar_code": "__value__"},
    {"is_service": "yes"},
]


@pytest.mark.parametrize("prefix", ["lines-3", "lines-__prefix__", "row"])
def test_an_unbound_lines_fields_are_written_from_one_copy_as_render_field_writes_them(prefix):
    written = {}
    cases = [(name, {}) for name in LineForm.base_fields]
    cases += [
        ("product_description", {"wide": True}),
        ("unit_price", {"label": mark_safe("Unit price (₹)")}),
        ("is_service", {"label": "Service <SAC>", "wide": True}),
    ]
    for initial in ROW_INITIALS:
        form = LineForm(initial=initial, prefix=prefix)
        for name, options in cases:
            ours = rendering.render_row_field(
                form, name, placeholder="__line__", written=written, **options
            )

            assert ours == render_field(form[name], **options), (initial, name, options)
    # Each field was written once for the placeholder and copied for the other rows.
    assert written if prefix != "row" else not written


def test_a_bound_lines_fields_are_written_by_render_field(db):
    form = LineForm({"lines-2-quantity": "ten"}, prefix="lines-2")
    form.is_valid()
    written = {}

    ours = rendering.render_row_field(form, "quantity", placeholder="__line__", written=written)

    assert ours == render_field(form["quantity"])
    assert "field--error" in ours
    assert not written
