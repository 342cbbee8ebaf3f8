"""Layouts measured in Chromium: every column shows from 1,366 px up, lines are cards on a phone.

Each check reads the boxes the browser laid out (``scrollWidth`` against
``clientWidth``, bounding rectangles against their frame), never a picture.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from purchase_orders.models import LineItem, LineItemTax
from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE_SCREENS = (1366, 1536, 1920)
PHONE = {"width": 390, "height": 844}

# How far an element's content runs past its own box (0 when it fits).
OVERRUN = "(element) => element.scrollWidth - element.clientWidth"
# The cells of a table's heading row whose right edge lies past the frame's.
CUT_OFF_HEADINGS = """([table, frame]) => {
  const edge = document.querySelector(frame).getBoundingClientRect().right;
  return Array.from(document.querySelectorAll(`${table} thead th`))
    .filter((cell) => cell.getBoundingClientRect().right > edge + 0.5)
    .map((cell) => cell.textContent.trim());
}"""
# Each shown field of the form's lines whose box runs past its line's.
FIELDS_OUTSIDE_THEIR_LINE = """() => Array.from(
  document.querySelectorAll("[data-rows] [data-line]")
).flatMap((line) => {
    const edge = line.getBoundingClientRect();
    return Array.from(line.querySelectorAll("input, select, [data-out]"))
      .filter((field) => field.offsetParent !== null)
      .filter((field) => {
        const box = field.getBoundingClientRect();
        return box.left < edge.left - 0.5 || box.right > edge.right + 0.5;
      })
      .map((field) => field.name || field.dataset.out);
  })"""
# On a phone: each cell of the lines as (its label, how it shows, inside the screen).
LINE_CARDS = """() => Array.from(document.querySelectorAll(".table--lines tbody tr")).map(
  (row) => Array.from(row.children).map((cell) => {
    const box = cell.getBoundingClientRect();
    const label = getComputedStyle(cell, "::before").content;
    return [
      cell.dataset.label || null,
      label === "none" ? null : label.replace(/^"|"$/g, ""),
      getComputedStyle(cell).display,
      box.left >= 0 && box.right <= window.innerWidth && box.width > 0,
    ];
  })
)"""


@pytest.fixture
def big_order(people, portal_lock):
    """A sent order of three lines in crores, each with a long-named cess."""
    with portal_lock:
        purchase_order = people.purchase_order(sent=True, lines=3)
        for line in LineItem.objects.filter(purchase_order=purchase_order):
            line.quantity = Decimal("2500")
            line.unit_price = Decimal("4567.50")
            line.total_amount = line.assessment_amount = Decimal("11418750.00")
            line.total_item_value = Decimal("14844375.00")
            line.save()
            LineItemTax.objects.create(
                line=line,
                name="Compensation cess",
                rate=Decimal("12"),
                amount=Decimal("1370250.00"),
            )
    return purchase_order


@pytest.mark.parametrize("width", WIDE_SCREENS)
def test_every_column_of_the_lines_shows_from_1366_px_up(people, visitors, big_order, width):
    buyer = visitors("buyer", viewport={"width": width, "height": 900})
    buyer.log_in(people.buyer_user)
    page = buyer.page

    page.goto(big_order.get_absolute_url())
    frame = page.locator(".table-wrap--lines")
    assert frame.evaluate(OVERRUN) <= 0
    assert page.evaluate(CUT_OFF_HEADINGS, [".table--lines", ".table-wrap--lines"]) == []
    for cell in ("other-taxes", "total"):
        box = page.locator(f"[data-cell={cell}]").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, cell
    expect(page.locator("[data-cell=other-taxes]").first).to_have_text(
        "Compensation cess 12%: ₹13,70,250.00"
    )
    buyer.shot(f"lines-{width}")

    page.goto(f"{big_order.get_absolute_url()}print/")
    assert page.locator(".document__lines").evaluate(OVERRUN) <= 0
    assert page.evaluate(CUT_OFF_HEADINGS, [".document__lines", ".document"]) == []

    for path in ("/purchase-orders/new/", f"{big_order.get_absolute_url()}edit/"):
        page.goto(path)
        for line in page.locator("[data-rows] [data-line]").all():
            assert line.evaluate(OVERRUN) <= 0, path
        assert page.evaluate(FIELDS_OUTSIDE_THEIR_LINE) == [], path
        expect(page.locator("[data-line] [data-out=total]").first).to_be_visible()


def test_on_a_phone_each_line_is_a_card_with_its_labels(people, visitors, big_order):
    buyer = visitors("buyer", viewport=PHONE)
    buyer.log_in(people.buyer_user)
    page = buyer.page

    page.goto(big_order.get_absolute_url())
    cards = page.evaluate(LINE_CARDS)
    assert len(cards) == 3
    labels = [
        "Line",
        None,
        "HSN/SAC",
        "Quantity × unit price",
        "Amount, discount",
        "Taxable value",
        "GST",
        "Other taxes",
        "Line total",
    ]
    for card in cards:
        # Each figure is labelled in the card (the description is the card's title).
        assert [label for label, _, _, _ in card] == labels
        assert [shown for _, shown, _, _ in card] == labels
        assert all(display != "table-cell" for _, _, display, _ in card)
        assert all(inside for _, _, _, inside in card)
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    buyer.shot("line-cards")

    page.goto(f"{big_order.get_absolute_url()}edit/")
    line = page.get_by_role("group", name="Line 1", exact=True)
    for label in ("Description", "HSN/SAC code", "Quantity", "Unit", "Unit price (₹)"):
        expect(line.get_by_label(label, exact=True)).to_be_visible()
    assert page.evaluate(FIELDS_OUTSIDE_THEIR_LINE) == []
    buyer.shot("form-line-cards")


def test_a_focused_field_is_never_under_the_sticky_action_bar(people, visitors):
    buyer = visitors("buyer", viewport={"width": 1366, "height": 768})
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/new/")
    bar = page.locator(".actions--sticky")
    for name in ("buyer_po_number", "subject", "lines-0-product_description"):
        field = page.locator(f"[name='{name}']")
        # Scroll the field to just under the bar, where a person tabbing meets it.
        field.evaluate(
            """(field) => window.scrollBy(0, field.getBoundingClientRect().bottom
                 - window.innerHeight + 10)"""
        )
        field.focus()
        bar_top = bar.bounding_box()["y"]
        box = field.bounding_box()
        assert box["y"] >= 0, name
        assert box["y"] + box["height"] <= bar_top, f"{name} is under the action bar"
    buyer.shot("focused-above-the-bar")


def test_the_admins_order_list_shows_every_column_at_1366_px(people, visitors, django_user_model):
    for _ in range(3):
        people.purchase_order(sent=True)
    people.purchase_order()
    staff = django_user_model.objects.create_superuser("root", password=DEMO_PASSWORD)
    admin = visitors("admin", viewport={"width": 1366, "height": 900})
    admin.log_in(staff)
    page = admin.page
    page.goto("/admin/purchase_orders/purchaseorder/")
    assert page.locator("#changelist .results").evaluate(OVERRUN) <= 0
    assert page.evaluate(CUT_OFF_HEADINGS, ["#result_list", "#changelist .results"]) == []
    for heading in ("Status", "Total"):
        box = page.locator("#result_list thead th", has_text=heading).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, heading
    expect(
        page.locator("#result_list tbody").get_by_text("Sent, awaiting confirmation").first
    ).to_be_visible()
    expect(page.locator("#result_list tbody").get_by_text("Draft", exact=True)).to_be_visible()
    admin.shot("admin-changelist")
