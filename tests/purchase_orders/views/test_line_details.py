"""A line's own lists on the purchase-order form: other taxes, value details, rates, attributes.

And any GST rate from 0 to 100%. The form's script adds rows; these tests
post what a browser posts, with and without it.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from purchase_orders.models import PurchaseOrder
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.plugins.network import acknowledged
from tests.plugins.pages import error_next_to

pytestmark = pytest.mark.django_db

NEW = reverse("purchase_orders:create")

# Worked out by hand (the buyer is in Karnataka, the supplier in Maharashtra: IGST):
# 4 x 2,500.00 = 10,000.00, less the Discount field's 500.00 and the listed
# DISCOUNT of 250.00 (the MRP changes nothing) = 9,250.00 taxable;
# IGST 0.25% = 23.125 -> 23.13; cess 1% = 92.50; green cess 0.5% = 46.25;
# line total 9,250.00 + 23.13 + 92.50 + 46.25 = 9,411.88.
DETAILED_LINE = {
    "product_description": "Gold-plated connectors, 24 pin",
    "hsn_code": "85369090",
    "quantity": "4",
    "unit_price": "2500.00",
    "discount": "500.00",
    "gst_rate": "0.25",
    "other_taxes": [
        {"name": "Cess", "rate": "1"},
        {"name": "Green cess", "rate": "0.5"},
    ],
    "value_details": [
        {"type": "MRP", "value": "3000.00"},
        {"type": " discount ", "value": "250.00"},
    ],
    "rates": [{"type": "mrp per unit", "value": "750.5"}],
    "attributes": [
        {"name": "Colour", "value": "Gold"},
        {"name": "Pins", "value": "24"},
    ],
}
DETAILED_LINE_TOTAL = Decimal("9411.88")


def detailed_line(**changes) -> dict:
    line = {
        name: [dict(row) for row in value] if isinstance(value, list) else value
        for name, value in DETAILED_LINE.items()
    }
    line.update(changes)
    return line


def test_every_list_of_a_line_is_saved_and_counted_in_the_totals(people, form_data):
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=[detailed_line()])

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 302
    purchase_order = PurchaseOrder.objects.get()
    line = purchase_order.lines.get()
    assert line.gst_rate == Decimal("0.250")
    assert line.value_details == [
        {"type": "DISCOUNT", "value": "500.00"},
        {"type": "MRP", "value": "3000.00"},
        {"type": "DISCOUNT", "value": "250.00"},
    ]
    assert line.rates == [{"type": "MRP PER UNIT", "value": "750.5"}]
    assert line.attributes == [
        {"name": "Colour", "value": "Gold"},
        {"name": "Pins", "value": "24"},
    ]
    assert [(tax.name, tax.rate, tax.amount) for tax in line.other_taxes.all()] == [
        ("Cess", Decimal("1.000"), Decimal("92.50")),
        ("Green cess", Decimal("0.500"), Decimal("46.25")),
    ]
    assert line.assessment_amount == Decimal("9250.00")
    assert line.total_item_value == DETAILED_LINE_TOTAL
    assert purchase_order.total_po_value == DETAILED_LINE_TOTAL

    page = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    for shown in (
        "0.25%",
        "MRP ₹3,000.00",
        # The Discount, under the amount: 500.00 and 250.00.
        '<span class="block subtle" data-cell="discount">₹750.00</span>',
        "Rate MRP per unit: 750.5",
        "Colour: Gold",
        "Pins: 24",
        "Cess 1%: ₹92.50",
        "Green cess 0.5%: ₹46.25",
        "₹9,411.88",
    ):
        assert shown in page, shown
    assert "Discount ₹" not in page
    document = people.buyer_client.get(
        reverse("purchase_orders:print", args=[purchase_order.object_id])
    ).content.decode()
    for shown in ("Rate MRP per unit: 750.5", "Colour: Gold", "Green cess 0.5%: 46.25"):
        assert shown in document, shown


def test_a_line_takes_many_rows_in_each_list(people, form_data):
    line = detailed_line(
        discount="",
        other_taxes=[{"name": f"Levy {n}", "rate": "0.1"} for n in range(1, 13)],
        rates=[{"type": f"Slab {n}", "value": str(n)} for n in range(1, 31)],
        attributes=[{"name": f"Size {n}", "value": "M"} for n in range(1, 31)],
        value_details=[],
    )

    people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=[line])
    )

    saved = PurchaseOrder.objects.get().lines.get()
    assert saved.other_taxes.count() == 12
    assert len(saved.rates) == 30
    assert len(saved.attributes) == 30
    # Each levy: 0.1% of 10,000.00 = 10.00.
    assert [tax.amount for tax in saved.other_taxes.all()] == [Decimal("10.00")] * 12


@pytest.mark.parametrize(
    ("changes", "field_id", "summary", "message"),
    [
        (
            {"other_taxes": [{"name": "Cess", "rate": "1"}, {"name": "Cess", "rate": "one"}]},
            "id_lines-1-other_taxes-1-rate",
            "Line 2, other tax 2, rate (%): Enter the rate as a percentage, such as 1 or 0.5.",
            "Enter the rate as a percentage, such as 1 or 0.5.",
        ),
        (
            {"other_taxes": [{"name": "", "rate": "2"}]},
            "id_lines-1-other_taxes-0-name",
            "Line 2, other tax 1, name: Name the tax, such as Compensation cess.",
            "Name the tax, such as Compensation cess.",
        ),
        (
            {"other_taxes": [{"name": "Cess", "rate": "150"}]},
            "id_lines-1-other_taxes-0-rate",
            "Line 2, other tax 1, rate (%): The rate cannot be more than 100%.",
            "The rate cannot be more than 100%.",
        ),
        (
            {"value_details": [{"type": "MRP", "value": ""}]},
            "id_lines-1-value_details-0-value",
            "Line 2, value detail 1, value (₹): Enter the value.",
            "Enter the value.",
        ),
        (
            {"value_details": [{"type": "", "value": "10"}]},
            "id_lines-1-value_details-0-type",
            "Line 2, value detail 1, type: Give the type of this value, such as DISCOUNT or MRP.",
            "Give the type of this value, such as DISCOUNT or MRP.",
        ),
        (
            {"value_details": [{"type": "MRP", "value": "-5"}]},
            "id_lines-1-value_details-0-value",
            "Line 2, value detail 1, value (₹): The value cannot be negative.",
            "The value cannot be negative.",
        ),
        (
            {"rates": [{"type": "MRP", "value": "12.3456"}]},
            "id_lines-1-rates-0-value",
            "Line 2, rate 1, value: Use at most 3 decimal places.",
            "Use at most 3 decimal places.",
        ),
        (
            {"rates": [{"type": "", "value": "12"}]},
            "id_lines-1-rates-0-type",
            "Line 2, rate 1, type: Give the type of this rate, such as MRP per unit.",
            "Give the type of this rate, such as MRP per unit.",
        ),
        (
            {"attributes": [{"name": "", "value": "Gold"}]},
            "id_lines-1-attributes-0-name",
            "Line 2, attribute 1, name: Name the attribute, such as Colour.",
            "Name the attribute, such as Colour.",
        ),
    ],
)
def test_a_wrong_row_of_a_line_is_named_by_line_and_row_and_nothing_is_saved(
    people, form_data, three_lines, changes, field_id, summary, message
):
    lines = [three_lines[0], {**three_lines[1], **changes}]
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=lines)

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 200
    assert PurchaseOrder.objects.count() == 0
    content = response.content.decode()
    assert message in error_next_to(content, field_id)
    assert f'<a href="#{field_id}">{summary}</a>' in content.replace("&#x27;", "'")
    # The line's "More details" is open, so that the field at fault shows.
    line = re.search(r'id="lines-1-row".*?<p class="line-totals', content, re.S)
    assert '<details class="more" open>' in line.group(0)


def test_discounts_that_add_up_to_more_than_the_line_are_refused(people, form_data):
    line = detailed_line(value_details=[{"type": "DISCOUNT", "value": "9600.00"}])

    response = people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=[line])
    )

    assert PurchaseOrder.objects.count() == 0
    assert "Line 1: The discounts add up to more than the line&#x27;s amount." in (
        response.content.decode()
    )


def test_removed_and_blank_rows_of_a_line_are_left_out(people, form_data):
    line = detailed_line(
        other_taxes=[
            {"name": "Cess", "rate": "1"},
            {"name": "Wrong", "rate": "x", "DELETE": "on"},
            {"name": "", "rate": ""},
        ],
        rates=[{"type": "", "value": ""}],
    )

    response = people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=[line])
    )

    assert response.status_code == 302
    saved = PurchaseOrder.objects.get().lines.get()
    assert [tax.name for tax in saved.other_taxes.all()] == ["Cess"]
    assert saved.rates == []


def test_a_row_added_without_the_script_keeps_what_was_typed(people, form_data):
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=[detailed_line()],
        add_row="lines-0-other_taxes",
    )

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 200
    assert PurchaseOrder.objects.count() == 0
    content = response.content.decode()
    assert 'name="lines-0-other_taxes-TOTAL_FORMS" value="3"' in content
    assert 'name="lines-0-other_taxes-2-rate"' in content
    # The line's "More details" is open on the row just added.
    assert '<details class="more" open>' in content
    assert 'value="Green cess"' in content
    assert 'value="mrp per unit"' in content
    assert 'value="0.25"' in content
    assert "errorlist" not in content


def test_a_row_added_to_a_blank_line_without_the_script_keeps_the_line(people, form_data):
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=[
            detailed_line(),
            {"product_description": "", "hsn_code": "", "quantity": "", "unit_price": ""},
        ],
        add_row="lines-1-attributes",
    )

    content = people.buyer_client.post(NEW, data).content.decode()

    assert 'name="lines-TOTAL_FORMS" value="2"' in content
    assert 'name="lines-1-attributes-0-name"' in content


def test_a_post_without_a_lines_lists_holds_none_of_their_rows(people, form_data, three_lines):
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines[:1])
    assert not any("-rates-" in name for name in data)

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 302
    line = PurchaseOrder.objects.get().lines.get()
    assert (line.rates, line.attributes, line.other_taxes.count()) == ([], [], 0)


def test_the_new_form_offers_each_list_and_the_common_gst_rates(people):
    content = people.buyer_client.get(NEW).content.decode()

    for name in ("other_taxes", "value_details", "rates", "attributes"):
        assert f'name="lines-0-{name}-TOTAL_FORMS"' in content
        assert f'<template data-item-template="{name}">' in content
        assert f'name="lines-__prefix__-{name}-__item__-' in content
    for button in ("Add other tax", "Add value detail", "Add rate", "Add attribute"):
        assert f">{button}</button>" in content
    assert 'name="lines-0-gst_rate" value="18"' in content
    assert 'list="gst-rates"' in content
    assert '<option value="0.25">0.25%</option>' in content
    assert '<option value="DISCOUNT">Discount: lowers the taxable value</option>' in content


# -- editing ---------------------------------------------------------------------------


def test_the_edit_form_shows_every_row_and_saving_it_unchanged_changes_nothing(people, form_data):
    people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=[detailed_line()])
    )
    draft = PurchaseOrder.objects.get()
    before = draft.lines.get()
    taxes_before = [(t.name, t.rate, t.amount) for t in before.other_taxes.all()]
    url = reverse("purchase_orders:edit", args=[draft.object_id])

    page = people.buyer_client.get(url).content.decode()

    for shown in (
        'name="lines-0-discount" value="500.00"',
        'name="lines-0-gst_rate" value="0.25"',
        'name="lines-0-other_taxes-TOTAL_FORMS" value="2"',
        'name="lines-0-other_taxes-1-name" value="Green cess"',
        'name="lines-0-other_taxes-1-rate" value="0.5"',
        'name="lines-0-value_details-TOTAL_FORMS" value="2"',
        'name="lines-0-value_details-0-type" value="MRP"',
        'name="lines-0-value_details-1-type" value="DISCOUNT"',
        'name="lines-0-value_details-1-value" value="250.00"',
        'name="lines-0-rates-0-type" value="MRP PER UNIT"',
        'name="lines-0-rates-0-value" value="750.5"',
        'name="lines-0-attributes-1-name" value="Pins"',
        # Closed, "More details" says what it holds.
        '<details class="more">\n    <summary>More details <span class="more__count" '
        "data-details-count>2 other taxes, 2 value details, 1 rate, 2 attributes</span>",
    ):
        assert shown in page, shown

    response = people.buyer_client.post(url, posted_back(page))

    assert response.status_code == 302
    after = PurchaseOrder.objects.get().lines.get()
    for name in ("value_details", "rates", "attributes", "gst_rate", "total_item_value"):
        assert getattr(after, name) == getattr(before, name), name
    assert [(t.name, t.rate, t.amount) for t in after.other_taxes.all()] == taxes_before


def posted_back(page: str) -> dict:
    """Return what the page's form posts as it stands (text inputs and selected options)."""
    form = page[page.index('<form method="post" class="po-form"') :]
    form = re.sub(r"<template.*?</template>", "", form, flags=re.S)
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for select in re.findall(r'<select name="([^"]+)".*?</select>', form, flags=re.S):
        block = re.search(rf'<select name="{re.escape(select)}".*?</select>', form, re.S).group(0)
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', block)
        data[select] = chosen.group(1) if chosen else ""
    data["intent"] = "save"
    return {
        name: value.replace("&amp;", "&").replace("&#x27;", "'") for name, value in data.items()
    }


def test_an_edit_of_a_lines_lists_is_a_new_version_the_compare_page_words_plainly(
    people, form_data
):
    people.buyer_client.post(
        NEW,
        form_data(
            buyer=people.buyer, supplier=people.supplier, lines=[detailed_line()], intent="send"
        ),
    )
    purchase_order = acknowledged(PurchaseOrder.objects.get())
    url = reverse("purchase_orders:edit", args=[purchase_order.object_id])
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        buyer_po_number=purchase_order.buyer_po_number,
        lines=[
            detailed_line(
                gst_rate="3",
                other_taxes=[{"name": "Cess", "rate": "2"}],
                rates=[{"type": "MRP PER UNIT", "value": "800"}],
                attributes=[{"name": "Colour", "value": "Silver"}, {"name": "Pins", "value": "24"}],
            )
        ],
        reason="Silver plating, at the new cess",
        expected_version="1",
        intent="send",
    )

    response = people.buyer_client.post(url, data)

    assert response.status_code == 302
    purchase_order = acknowledged(purchase_order)
    assert purchase_order.version == 2
    compare = people.buyer_client.get(
        reverse("purchase_orders:compare", args=[purchase_order.object_id]), {"from": 1, "to": 2}
    ).content.decode()
    rows = {
        re.sub(r"<[^>]+>", "", label).strip(): (old.strip(), new.strip())
        for label, old, new in re.findall(
            r'<tr class="diff-row--changed">\s*<th scope="row">(.*?)</th>\s*'
            r'<td class="diff-old">(.*?)</td>\s*<td class="diff-new">(.*?)</td>',
            compare,
            re.S,
        )
    }
    assert rows["GST rate (changed)"] == ("0.25%", "3%")
    assert rows["Other tax 1 › Rate (changed)"] == ("1%", "2%")
    assert rows["Other tax 2 › Name (changed)"][0] == "Green cess"
    assert rows["Rate 1 › Value (changed)"] == ("750.5", "800")
    assert rows["Attribute 1 › Value (changed)"] == ("Gold", "Silver")


def test_sending_a_detailed_line_reaches_version_one(people, form_data):
    draft = people.purchase_order(lines=0)
    url = reverse("purchase_orders:edit", args=[draft.object_id])
    people.buyer_client.post(
        url,
        form_data(
            buyer=people.buyer,
            supplier=people.supplier,
            buyer_po_number=draft.buyer_po_number,
            lines=[detailed_line()],
        ),
    )

    sent = acknowledged(send_purchase_order(purchase_order=draft, sent_by=people.buyer_user))

    assert (sent.version, sent.total_po_value) == (1, DETAILED_LINE_TOTAL)


def test_a_form_of_200_detailed_lines_is_saved_shown_and_saved_again_unchanged(people, form_data):
    lines = [
        detailed_line(product_description=f"Connector type {n}", serial_no=str(n))
        for n in range(1, 201)
    ]

    response = people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=lines)
    )

    assert response.status_code == 302
    draft = PurchaseOrder.objects.get()
    assert draft.lines.count() == 200
    assert draft.total_po_value == DETAILED_LINE_TOTAL * 200
    url = reverse("purchase_orders:edit", args=[draft.object_id])
    page = people.buyer_client.get(url).content.decode()
    assert 'name="lines-199-attributes-1-value" value="24"' in page
    # Only one template per list, however many lines.
    assert page.count('<template data-item-template="rates">') == 1

    data = posted_back(page)
    assert len(data) > 5000
    assert people.buyer_client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.total_po_value == DETAILED_LINE_TOTAL * 200
    last = draft.lines.last()
    assert (last.serial_no, last.rates, last.other_taxes.count()) == (
        "200",
        [{"type": "MRP PER UNIT", "value": "750.5"}],
        2,
    )
