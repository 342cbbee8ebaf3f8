"""The lists' search, their downloads and an order's lines downloaded, and the lists on a phone."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from purchase_orders.models import LineItem, PurchaseOrder
from purchase_orders.services import documents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
# Whether an element lies wholly inside the window, across (a scrolled-away
# column, or one cut off by its container, does not).
INSIDE_ACROSS = """(element) => {
  const box = element.getBoundingClientRect();
  let clip = {left: 0, right: window.innerWidth};
  for (let up = element.parentElement; up; up = up.parentElement) {
    const style = getComputedStyle(up);
    if (style.overflowX !== "visible") {
      const outer = up.getBoundingClientRect();
      clip = {left: Math.max(clip.left, outer.left), right: Math.min(clip.right, outer.right)};
    }
  }
  return box.width > 0 && box.left >= clip.left - 0.5 && box.right <= clip.right + 0.5;
}"""


@pytest.fixture
def two_orders(people, portal_lock):
    """A sent order with a carbide line, and a draft of paper only."""
    with portal_lock:
        carbide = people.purchase_order(
            sent=True, buyer_po_number="PO/2026-27/00417", subject="Tooling", lines=2
        )
        LineItem.objects.filter(purchase_order=carbide, position=1).update(
            product_description="Tungsten carbide insert CNMG 120408", hsn_code="82090090"
        )
        documents.reindex_for_search(PurchaseOrder.objects.filter(pk=carbide.pk))
        people.purchase_order(buyer_po_number="PO/2026-27/00418", subject="Stationery", lines=1)
    return carbide


def downloaded(page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as event:
        page.get_by_role("link", name=link_name, exact=True).click()
    download = event.value
    with open(download.path(), "rb") as file:
        return download.suggested_filename, file.read()


def test_a_buyer_searches_for_a_line_and_downloads_what_is_found(people, visitors, two_orders):
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/")
    rows = page.locator("#live-rows tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Search", exact=True).fill("carbide")
    page.get_by_role("button", name="Apply", exact=True).click()

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("PO/2026-27/00417")
    expect(page.locator(".downloads").first).to_contain_text("1 purchase order matches")
    buyer.shot("searched")
    name, body = downloaded(page, "Download CSV")
    assert name.startswith("purchase-orders-") and name.endswith(".csv")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row[0] for row in table] == ["PO number", "PO/2026-27/00417"]
    assert Decimal(table[1][10]) == two_orders.total_po_value

    name, body = downloaded(page, "Download Excel")
    assert name.endswith(".xlsx")
    sheet = list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert [row[0] for row in sheet] == ["PO number", "PO/2026-27/00417"]
    assert Decimal(str(sheet[1][10])) == two_orders.total_po_value


def test_the_supplier_downloads_an_orders_lines_from_its_page(people, visitors, two_orders):
    supplier = visitors("supplier")
    supplier.log_in(people.supplier_user)
    page = supplier.page
    page.goto(two_orders.get_absolute_url())
    lines = page.locator("#lines-downloads")
    expect(lines).to_contain_text("These lines, version 1")

    with page.expect_download() as event:
        lines.get_by_role("link", name="Download Excel", exact=True).click()
    download = event.value
    with open(download.path(), "rb") as file:
        sheet = list(openpyxl.load_workbook(file).active.iter_rows(values_only=True))

    assert download.suggested_filename == "PO-2026-27-00417-v1-lines.xlsx"
    assert [row[1] for row in sheet] == [
        "Description",
        "A4 copier paper, 75 gsm, box 1",
        "Tungsten carbide insert CNMG 120408",
    ]
    assert sheet[2][3] == "82090090"


@pytest.mark.parametrize("who", ["buyer", "supplier"])
def test_on_a_phone_each_order_shows_its_total_and_status(people, visitors, two_orders, who):
    visitor = visitors(who, viewport=PHONE)
    visitor.log_in(getattr(people, f"{who}_user"))
    page = visitor.page
    page.goto("/purchase-orders/" if who == "buyer" else "/purchase-orders/received/")
    row = page.locator(f"#row-{two_orders.object_id}")
    expect(row).to_be_visible()
    visitor.shot("phone list")

    for label in ("Total", "Status", "Buyer" if who == "supplier" else "Supplier"):
        # Across only: the page scrolls down to an order, never sideways.
        assert row.locator(f'td[data-label="{label}"]').evaluate(INSIDE_ACROSS) is True, label
    assert row.locator("th a").evaluate(INSIDE_ACROSS) is True
    expect(row.locator('td[data-label="Status"]')).to_contain_text("Sent, awaiting confirmation")
    expect(row.locator('td[data-label="Total"]')).to_contain_text("₹")


def test_at_1366_pixels_every_column_of_the_list_is_in_view(people, visitors, two_orders):
    buyer = visitors("buyer", viewport=LAPTOP)
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/")
    headings = page.locator("#live-rows thead th")
    expect(headings).to_have_count(6)

    assert [heading.evaluate(INSIDE_ACROSS) for heading in headings.all()] == [True] * 6
    row = page.locator(f"#row-{two_orders.object_id}")
    assert [cell.evaluate(INSIDE_ACROSS) for cell in row.locator("td").all()] == [True] * 5
