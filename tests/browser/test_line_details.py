"""A line's own lists in the browser: other taxes, rates, attributes, value details, GST."""

import random
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from purchase_orders.models import PurchaseOrder
from purchase_orders.templatetags.portal import format_inr
from purchase_orders.totals import LineInput, compute_totals, to_money
from tests.browser.steps import add_to_line_list, fill_line, notice, total

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Worked out by hand (Karnataka to Maharashtra: IGST), each amount rounded half-up:
# line 1: 4 x 2,500.00 = 10,000.00, less the 500.00 discount and a listed DISCOUNT
#   of 250.00 = 9,250.00 taxable; IGST 0.25% = 23.125 -> 23.13; cess 1% = 92.50,
#   green cess 0.5% = 46.25; line total 9,411.88;
# line 2: 3 x 99.99 = 299.97; IGST 18% = 53.9946 -> 53.99; cess 2% = 5.9994 -> 6.00;
#   line total 359.96.
LINE_1 = {
    "product_description": "Gold-plated connectors, 24 pin",
    "hsn_code": "85369090",
    "quantity": "4",
    "unit_price": "2500.00",
    "discount": "500.00",
    "gst_rate": "0.25",
}
LINE_2 = {
    "product_description": "Crimping tool",
    "hsn_code": "82032000",
    "quantity": "3",
    "unit_price": "99.99",
}


def test_a_buyer_sets_a_lines_own_lists_and_sees_the_totals_the_server_computes(
    people, visitors, portal_lock
):
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/new/")
    page.get_by_label("Supplier", exact=True).select_option(str(people.supplier.pk))
    fill_line(page, 1, LINE_1)
    line = page.get_by_role("group", name="Line 1", exact=True)
    expect(line.locator("[data-out=total]")).to_have_text("₹9,523.75")

    add_to_line_list(page, 1, "Add other tax", "Other tax 1", {"Name": "Cess", "Rate (%)": "1"})
    add_to_line_list(
        page, 1, "Add other tax", "Other tax 2", {"Name": "Green cess", "Rate (%)": "0.5"}
    )
    add_to_line_list(page, 1, "Add rate", "Rate 1", {"Type": "MRP per unit", "Value": "750.5"})
    add_to_line_list(page, 1, "Add attribute", "Attribute 1", {"Name": "Colour", "Value": "Gold"})
    add_to_line_list(
        page, 1, "Add value detail", "Value detail 1", {"Type": "MRP", "Value (₹)": "3000"}
    )
    add_to_line_list(
        page, 1, "Add value detail", "Value detail 2", {"Type": "discount", "Value (₹)": "250"}
    )
    # A third tax added by mistake and removed: the others keep their numbers.
    mistake = add_to_line_list(
        page, 1, "Add other tax", "Other tax 3", {"Name": "Wrong", "Rate (%)": "50"}
    )
    expect(line.locator("[data-out=other]")).to_have_text("₹4,763.75")
    mistake.get_by_role("button", name="Remove other tax 3").click()
    expect(mistake).to_be_hidden()
    expect(line.get_by_role("button", name="Add other tax", exact=True)).to_be_focused()
    expect(line.locator("[data-out=taxable]")).to_have_text("₹9,250.00")
    expect(line.locator("[data-out=gst]")).to_have_text("₹23.13 (IGST)")
    expect(line.locator("[data-out=other]")).to_have_text("₹138.75")
    expect(line.locator("[data-out=total]")).to_have_text("₹9,411.88")
    expect(line.locator("[data-details-count]")).to_have_text(
        "2 other taxes, 2 value details, 1 rate, 1 attribute"
    )
    buyer.shot("line-1-details")

    # A line added by the page's script has its lists too.
    page.get_by_role("button", name="Add line", exact=True).click()
    fill_line(page, 2, LINE_2)
    add_to_line_list(page, 2, "Add other tax", "Other tax 1", {"Name": "Cess", "Rate (%)": "2"})
    second = page.get_by_role("group", name="Line 2", exact=True)
    expect(second.locator("[data-out=total]")).to_have_text("₹359.96")
    expect(total(page, "Taxable value")).to_have_text("₹9,549.97")
    expect(total(page, "IGST")).to_have_text("₹77.12")
    expect(total(page, "Other taxes")).to_have_text("₹144.75")
    expect(total(page, "Total PO value")).to_have_text("₹9,771.84")
    buyer.shot("two-lines")

    page.get_by_role("button", name="Save draft", exact=True).click()

    expect(notice(page)).to_contain_text("saved")
    with portal_lock:
        purchase_order = PurchaseOrder.objects.get()
        lines = list(purchase_order.lines.all())
        taxes = [[(t.name, t.rate, t.amount) for t in line.other_taxes.all()] for line in lines]
    # What the page worked out is what the server computed.
    assert purchase_order.total_po_value == Decimal("9771.84")
    assert [line.total_item_value for line in lines] == [Decimal("9411.88"), Decimal("359.96")]
    assert lines[0].gst_rate == Decimal("0.250")
    assert taxes == [
        [
            ("Cess", Decimal("1.000"), Decimal("92.50")),
            ("Green cess", Decimal("0.500"), Decimal("46.25")),
        ],
        [("Cess", Decimal("2.000"), Decimal("6.00"))],
    ]
    assert lines[0].rates == [{"type": "MRP PER UNIT", "value": "750.5"}]
    assert lines[0].attributes == [{"name": "Colour", "value": "Gold"}]
    assert lines[0].value_details == [
        {"type": "DISCOUNT", "value": "500.00"},
        {"type": "MRP", "value": "3000.00"},
        {"type": "DISCOUNT", "value": "250.00"},
    ]

    lines_table = page.locator(".table--lines")
    for shown in (
        "0.25%",
        "Cess 1%: ₹92.50",
        "Green cess 0.5%: ₹46.25",
        "Cess 2%: ₹6.00",
        "Rate MRP per unit: 750.5",
        "Colour: Gold",
        "MRP ₹3,000.00",
    ):
        expect(lines_table).to_contain_text(shown)
    # The line's discounts, 500.00 and 250.00, in its Discount column.
    expect(lines_table.locator("tbody tr").first.locator("[data-cell=discount]")).to_have_text(
        "₹750.00"
    )
    expect(page.locator(".po-head__total")).to_have_text("₹9,771.84")
    buyer.shot("saved")


def test_a_wrong_row_is_shown_open_beside_its_field_and_put_right(people, visitors, portal_lock):
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/new/")
    page.get_by_label("Supplier", exact=True).select_option(str(people.supplier.pk))
    fill_line(page, 1, LINE_2)
    add_to_line_list(page, 1, "Add other tax", "Other tax 1", {"Name": "Cess", "Rate (%)": "two"})

    page.get_by_role("button", name="Save draft", exact=True).click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "Line 1, other tax 1, rate (%): Enter the rate as a percentage, such as 1 or 0.5."
    )
    rate = (
        page.get_by_role("group", name="Line 1", exact=True)
        .get_by_role("group", name="Other tax 1", exact=True)
        .get_by_label("Rate (%)")
    )
    expect(rate).to_be_visible()
    expect(rate).to_have_attribute("aria-invalid", "true")
    with portal_lock:
        assert PurchaseOrder.objects.count() == 0
    buyer.shot("other-tax-error")

    summary.get_by_role("link").click()
    expect(rate).to_be_focused()
    rate.fill("2")
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(notice(page)).to_contain_text("saved")
    with portal_lock:
        assert PurchaseOrder.objects.get().total_po_value == Decimal("359.96")


def random_lines(rng: random.Random, count: int) -> list[dict]:
    """Return lines of any quantity, price and rates, with discounts and other taxes."""
    lines = []
    for _ in range(count):
        quantity = Decimal(rng.randint(1, 250_000)) / 1000
        price = Decimal(rng.randint(1, 5_000_000)) / 100
        amount = to_money(quantity * price)
        discount = to_money(amount * Decimal(rng.randint(0, 20)) / 100)
        listed = to_money(amount * Decimal(rng.randint(0, 10)) / 100)
        lines.append(
            {
                "product_description": f"Part {rng.randint(1, 999)}",
                "hsn_code": "84819090",
                "quantity": str(quantity),
                "unit_price": str(price),
                "discount": str(discount),
                "gst_rate": str(Decimal(rng.randint(0, 100_000)) / 1000),
                "listed_discount": str(listed),
                "tax_rates": [
                    str(Decimal(rng.randint(0, 30_000)) / 1000) for _ in range(rng.randint(0, 3))
                ],
            }
        )
    return lines


def expected_totals(lines: list[dict], *, intra_state: bool):
    return compute_totals(
        lines=[
            LineInput(
                quantity=Decimal(line["quantity"]),
                unit_price=Decimal(line["unit_price"]),
                gst_rate=Decimal(line["gst_rate"]),
                discount=Decimal(line["discount"]) + Decimal(line["listed_discount"]),
                other_tax_rates=[Decimal(rate) for rate in line["tax_rates"]],
            )
            for line in lines
        ],
        intra_state=intra_state,
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_live_totals_are_the_servers_for_any_rates_and_lists(
    people, visitors, portal_lock, seed
):
    rng = random.Random(seed)
    lines = random_lines(rng, 3)
    intra_state = seed % 2 == 0
    expected = expected_totals(lines, intra_state=intra_state)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/new/")
    page.get_by_label("Supplier", exact=True).select_option(str(people.supplier.pk))
    if intra_state:
        page.get_by_label("Place of supply").select_option(people.supplier.state_code)
    for number, line in enumerate(lines, start=1):
        if number > 1:
            page.get_by_role("button", name="Add line", exact=True).click()
        fill_line(page, number, line)
        add_to_line_list(
            page,
            number,
            "Add value detail",
            "Value detail 1",
            {"Type": "DISCOUNT", "Value (₹)": line["listed_discount"]},
        )
        for tax, rate in enumerate(line["tax_rates"], start=1):
            add_to_line_list(
                page,
                number,
                "Add other tax",
                f"Other tax {tax}",
                {"Name": "Cess", "Rate (%)": rate},
            )

    for number, computed in enumerate(expected.lines, start=1):
        row = page.get_by_role("group", name=f"Line {number}", exact=True)
        expect(row.locator("[data-out=taxable]")).to_have_text(
            format_inr(computed.assessment_amount)
        )
        expect(row.locator("[data-out=total]")).to_have_text(format_inr(computed.total_item_value))
    expect(total(page, "Taxable value")).to_have_text(format_inr(expected.taxable_value))
    if intra_state:
        expect(total(page, "CGST")).to_have_text(format_inr(expected.cgst_amount))
        expect(total(page, "SGST")).to_have_text(format_inr(expected.sgst_amount))
    else:
        expect(total(page, "IGST")).to_have_text(format_inr(expected.igst_amount))
    expect(total(page, "Other taxes")).to_have_text(format_inr(expected.other_taxes_amount))
    expect(total(page, "Total PO value")).to_have_text(format_inr(expected.total_po_value))

    page.get_by_role("button", name="Save draft", exact=True).click()

    expect(notice(page)).to_contain_text("saved")
    with portal_lock:
        purchase_order = PurchaseOrder.objects.get()
        saved = [line.total_item_value for line in purchase_order.lines.all()]
    assert purchase_order.total_po_value == expected.total_po_value
    assert saved == [computed.total_item_value for computed in expected.lines]
