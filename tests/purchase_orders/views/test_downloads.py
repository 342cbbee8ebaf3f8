"""Downloads of the lists as filtered and of an order's lines, in CSV and Excel, read back."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.models import LineItem, PurchaseOrder
from purchase_orders.services.documents import record_version
from tests.factories import PurchaseOrderFactory

pytestmark = pytest.mark.django_db

LIST_HEADINGS = [
    "PO number",
    "Subject",
    "Buyer",
    "Buyer GSTIN",
    "Supplier",
    "Supplier GSTIN",
    "Order date",
    "Delivery date",
    "Status",
    "Version",
    "Total (₹)",
]
LINE_HEADINGS = [
    "#",
    "Description",
    "Goods or service",
    "HSN/SAC",
    "Quantity",
    "Free quantity",
    "Unit",
    "Unit price (₹)",
    "Amount (₹)",
    "Discount (₹)",
    "Taxable value (₹)",
    "GST rate (%)",
    "GST (₹)",
    "Other taxes (₹)",
    "Line total (₹)",
]
# Subjects a spreadsheet would run as formulas, and what the download must say instead.
HOSTILE = {
    '=HYPERLINK("http://evil.example","Click")': '\'=HYPERLINK("http://evil.example","Click")',
    "+91 98450 12345": "'+91 98450 12345",
    "-2+3": "'-2+3",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "\tTabbed": "'\tTabbed",
}


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def sheet_rows(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)))
    return list(workbook.active.iter_rows(values_only=True))


def sheet_cells(response):
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)))
    return list(workbook.active.iter_rows())


def place(people, number: str, **fields) -> PurchaseOrder:
    fields.setdefault("status", PurchaseOrder.Status.CREATED)
    fields.setdefault("version", 0 if fields["status"] in lifecycle.LOCAL_STATUSES else 1)
    return people.purchase_order(buyer_po_number=number, lines=1, **fields)


@pytest.fixture
def many_orders(people):
    """Thirty sent orders of the buyer (more than a page) and one draft."""
    for index in range(30):
        place(people, f"PO/2026-27/{index:05d}", order_date=datetime.date(2026, 6, index % 28 + 1))
    place(people, "PO/2026-27/DRAFT", status=PurchaseOrder.Status.DRAFT)


def test_the_buyers_csv_holds_every_page_of_the_list_drafts_included(people, many_orders):
    response = people.buyer_client.get(reverse("purchase_orders:list-csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="purchase-orders-{today}.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == LIST_HEADINGS
    assert len(rows) == 1 + 31
    assert "PO/2026-27/DRAFT" in [row[0] for row in rows]


def test_the_csv_follows_the_lists_filters_search_and_sort(people, many_orders):
    PurchaseOrder.objects.filter(buyer_po_number="PO/2026-27/00003").update(
        status=PurchaseOrder.Status.ACCEPTED
    )
    accepted = csv_rows(
        people.buyer_client.get(reverse("purchase_orders:list-csv"), {"status": "ACCEPTED"})
    )
    searched = csv_rows(
        people.buyer_client.get(
            reverse("purchase_orders:list-csv"), {"q": "PO/2026-27/0001", "sort": "-number"}
        )
    )

    assert [row[0] for row in accepted[1:]] == ["PO/2026-27/00003"]
    assert accepted[1][8] == "Accepted"
    assert [row[0] for row in searched[1:]] == [f"PO/2026-27/{n:05d}" for n in range(19, 9, -1)]


def test_the_csv_row_says_the_order_in_plain_values_and_exact_amounts(people):
    purchase_order = place(
        people, "PO/2026-27/07001", subject="Pantry", order_date=datetime.date(2026, 11, 23)
    )
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(
        total_po_value=Decimal("987654321.19")
    )

    rows = csv_rows(people.buyer_client.get(reverse("purchase_orders:list-csv")))

    assert rows[1] == [
        "PO/2026-27/07001",
        "Pantry",
        "Kaveri Textiles Private Limited",
        people.buyer.gstin,
        "Sahyadri Paper Mills Limited",
        people.supplier.gstin,
        "2026-11-23",
        "2026-12-15",
        "Sent, awaiting confirmation",
        "1",
        "987654321.19",
    ]


def test_text_a_spreadsheet_would_run_is_neutralised_in_the_csv(people):
    for index, subject in enumerate(HOSTILE):
        place(people, f"H-{index}", subject=subject)

    rows = csv_rows(
        people.buyer_client.get(reverse("purchase_orders:list-csv"), {"sort": "number"})
    )

    assert [row[1] for row in rows[1:]] == list(HOSTILE.values())


def test_the_excel_list_has_numbers_dates_and_neutralised_strings(people):
    purchase_order = place(
        people, "=CMD()", subject="@SUM(A1:A9)", order_date=datetime.date(2026, 11, 23)
    )
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(total_po_value=Decimal("1234567.89"))

    response = people.buyer_client.get(reverse("purchase_orders:list-xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="purchase-orders-{today}.xlsx"'
    )
    heading, row = sheet_cells(response)
    assert [cell.value for cell in heading] == LIST_HEADINGS
    number, subject, total = row[0], row[1], row[10]
    # Text cells, marked as typed after an apostrophe: shown as written, never evaluated.
    assert (number.value, number.data_type, number.quotePrefix) == ("=CMD()", "s", True)
    assert (subject.value, subject.data_type, subject.quotePrefix) == ("@SUM(A1:A9)", "s", True)
    assert row[2].quotePrefix is False
    assert row[6].value == datetime.datetime(2026, 11, 23)
    assert row[6].is_date is True
    assert total.data_type == "n"
    assert Decimal(str(total.value)) == Decimal("1234567.89")
    assert "₹" in total.number_format
    # The digits written are the Decimal's own, never a float's.
    sheet = zipfile.ZipFile(io.BytesIO(content(response))).read("xl/worksheets/sheet1.xml")
    assert b"<v>1234567.89</v>" in sheet
    assert b"<f>" not in sheet


def test_the_supplier_downloads_the_inbox_without_the_buyers_drafts(people):
    place(people, "SENT-1")
    place(people, "DRAFT-1", status=PurchaseOrder.Status.DRAFT)
    place(people, "WAIT-1", status=PurchaseOrder.Status.AWAITING_APPROVAL)
    PurchaseOrderFactory(buyer_po_number="OTHER-1", sent=True, lines=0)

    rows = csv_rows(people.supplier_client.get(reverse("purchase_orders:inbox-csv")))
    sheet = sheet_rows(people.supplier_client.get(reverse("purchase_orders:inbox-xlsx")))

    assert [row[0] for row in rows[1:]] == ["SENT-1"]
    assert [row[0] for row in sheet[1:]] == ["SENT-1"]
    today = timezone.localdate().isoformat()
    response = people.supplier_client.get(reverse("purchase_orders:inbox-csv"))
    assert f'filename="received-purchase-orders-{today}.csv"' in response["Content-Disposition"]


def test_another_business_downloads_only_its_own_orders(people):
    place(people, "SENT-1")

    for name in ("list-csv", "inbox-csv"):
        rows = csv_rows(people.outsider_client.get(reverse(f"purchase_orders:{name}")))
        assert rows == [LIST_HEADINGS]


def test_the_list_offers_its_downloads_with_its_filters(people, many_orders):
    response = people.buyer_client.get(
        reverse("purchase_orders:list"), {"q": "0001", "status": "CREATED", "page": "1"}
    )
    page = response.content.decode()

    assert '<a href="/purchase-orders/download.csv?q=0001&amp;status=CREATED" download>' in page
    assert '<a href="/purchase-orders/download.xlsx?q=0001&amp;status=CREATED" download>' in page
    assert "Download CSV" in page and "Download Excel" in page


# -- an order's lines ----------------------------------------------------------------


def expected_line_row(line: LineItem) -> list:
    return [
        line.serial_no,
        line.product_description,
        "Goods",
        line.hsn_code,
        line.quantity,
        line.free_quantity,
        line.unit,
        line.unit_price,
        line.total_amount,
        line.total_amount - line.assessment_amount,
        line.assessment_amount,
        line.gst_rate,
        line.total_item_value - line.assessment_amount,
        Decimal("0.00"),
        line.total_item_value,
    ]


def test_an_orders_lines_download_as_csv_with_exact_amounts(people):
    purchase_order = people.purchase_order(sent=True, lines=3, buyer_po_number="PO/DEMO/0001")
    lines = list(purchase_order.lines.all())

    response = people.supplier_client.get(
        reverse("purchase_orders:lines-csv", args=[purchase_order.object_id])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="PO-DEMO-0001-v1-lines.csv"'
    rows = csv_rows(response)
    assert rows[0] == LINE_HEADINGS
    assert rows[1:] == [[str(value) for value in expected_line_row(line)] for line in lines]
    # 10 × ₹125.50 at 18% GST.
    assert rows[1][8:] == ["1255.00", "0.00", "1255.00", "18.000", "225.90", "0.00", "1480.90"]


def test_an_orders_lines_download_as_excel_with_numeric_cells(people):
    purchase_order = people.purchase_order(sent=True, lines=2, buyer_po_number="PO/DEMO/0002")
    LineItem.objects.filter(purchase_order=purchase_order, position=1).update(
        product_description="-10% off list price, carbide"
    )

    response = people.buyer_client.get(
        reverse("purchase_orders:lines-xlsx", args=[purchase_order.object_id])
    )

    assert response["Content-Disposition"] == 'attachment; filename="PO-DEMO-0002-v1-lines.xlsx"'
    heading, first, second = sheet_cells(response)
    assert [cell.value for cell in heading] == LINE_HEADINGS
    assert [Decimal(str(cell.value)) for cell in first[8:]] == [
        Decimal("1255.00"),
        Decimal("0"),
        Decimal("1255.00"),
        Decimal("18"),
        Decimal("225.90"),
        Decimal("0"),
        Decimal("1480.90"),
    ]
    assert all(cell.data_type == "n" for cell in first[4:6] + first[7:])
    assert "₹" in first[14].number_format
    assert (second[1].value, second[1].data_type, second[1].quotePrefix) == (
        "-10% off list price, carbide",
        "s",
        True,
    )


def test_each_version_downloads_its_own_lines(people):
    purchase_order = people.purchase_order(sent=True, lines=1, buyer_po_number="PO/V/1")
    record_version(purchase_order=purchase_order, first=True)
    LineItem.objects.filter(purchase_order=purchase_order).update(
        product_description="Toner cartridge", hsn_code="84439959"
    )
    purchase_order.version = 2
    purchase_order.save(update_fields=["version"])
    record_version(purchase_order=purchase_order, first=True, reason="Toner instead")
    url = reverse("purchase_orders:lines-csv", args=[purchase_order.object_id])

    first = people.supplier_client.get(url, {"version": "1"})
    second = people.supplier_client.get(url, {"version": "2"})

    assert first["Content-Disposition"] == 'attachment; filename="PO-V-1-v1-lines.csv"'
    assert csv_rows(first)[1][1:4] == ["A4 copier paper, 75 gsm, box 1", "Goods", "48025690"]
    assert csv_rows(second)[1][1:4] == ["Toner cartridge", "Goods", "84439959"]
    page = people.supplier_client.get(purchase_order.get_absolute_url()).content.decode()
    assert f'href="{url}?version=1" download' in page
    assert "Download Excel" in page


def test_a_version_not_on_the_orders_page_is_not_found(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    record_version(purchase_order=purchase_order, first=True)
    url = reverse("purchase_orders:lines-xlsx", args=[purchase_order.object_id])

    for version in ("2", "0", "x", "-1"):
        assert people.buyer_client.get(url, {"version": version}).status_code == 404
    assert people.buyer_client.get(url, {"version": "1"}).status_code == 200


def test_a_drafts_lines_are_the_buyers_alone(people):
    draft = people.purchase_order(lines=2, buyer_po_number="PO/2026-27/00007")
    url = reverse("purchase_orders:lines-csv", args=[draft.object_id])

    response = people.buyer_client.get(url)

    assert response["Content-Disposition"] == (
        'attachment; filename="PO-2026-27-00007-draft-lines.csv"'
    )
    assert len(csv_rows(response)) == 3
    assert people.supplier_client.get(url).status_code == 404
    assert people.outsider_client.get(url).status_code == 404


def test_a_thousand_lines_download_whole(people):
    purchase_order = people.purchase_order(sent=True, lines=1000)

    started = timezone.now()
    sheet = sheet_rows(
        people.buyer_client.get(
            reverse("purchase_orders:lines-xlsx", args=[purchase_order.object_id])
        )
    )
    rows = csv_rows(
        people.buyer_client.get(
            reverse("purchase_orders:lines-csv", args=[purchase_order.object_id])
        )
    )

    assert len(sheet) == len(rows) == 1001
    assert sum(Decimal(row[14]) for row in rows[1:]) == sum(
        purchase_order.lines.values_list("total_item_value", flat=True), Decimal(0)
    )
    # A sanity bound only; the figure is the benchmark's.
    assert (timezone.now() - started).total_seconds() < 30
    assert re.fullmatch(r"\d+", rows[1000][0])
