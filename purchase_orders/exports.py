"""Lists of purchase orders and a purchase order's lines as CSV and Excel files.

A table is a list of ``Column`` (a heading and a kind) and rows of values:
text, ``Decimal`` amounts and quantities, dates. CSV is written with the
standard library's ``csv`` and streamed; Excel (xlsx) with openpyxl in its
write-only mode, amounts as numeric cells with a rupee format, dates as
dates. Amounts are never floats on the way: openpyxl writes a ``Decimal``
as its own digits.

Text a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written in CSV with a leading
apostrophe (OWASP, "CSV Injection"), and in xlsx as a string cell marked as
typed after an apostrophe (``quotePrefix``), its value as written.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from purchase_orders.contents import LineContents

# The kinds of column: how a value is written in Excel.
TEXT, MONEY, QUANTITY, PERCENT, DATE, INTEGER = "text", "money", "qty", "percent", "date", "int"

# Rupees with Indian grouping (1,25,000.50): thousands, then lakhs, then crores.
RUPEE_FORMAT = '[>=10000000]"₹"##\\,##\\,##\\,##0.00;[>=100000]"₹"##\\,##\\,##0.00;"₹"#,##0.00'
NUMBER_FORMATS = {
    MONEY: RUPEE_FORMAT,
    QUANTITY: "#,##0.###",
    PERCENT: "0.###",
    DATE: "dd mmm yyyy",
    INTEGER: "0",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = TEXT
    width: int = 14


def neutralized(text: str) -> str:
    """Return text a spreadsheet shows as written, never evaluates as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralized(str(value))


class _Echo:
    """A file that hands back what is written to it, for a streamed CSV."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(columns: list[Column], rows: Iterable[list]) -> Iterator[str]:
    """Yield a CSV file's text, a row at a time; it opens with a byte-order mark.

    Excel reads a CSV without the mark in the machine's code page, which
    garbles the rupee sign and Indian names.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([column.heading for column in columns])
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


def xlsx_bytes(columns: list[Column], rows: Iterable[list], *, title: str) -> bytes:
    """Return an Excel workbook of one sheet: a bold heading row, then the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.heading)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append(
            [_xlsx_cell(sheet, column, value) for column, value in zip(columns, row, strict=True)]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _xlsx_cell(sheet, column: Column, value) -> WriteOnlyCell:
    if value is None or value == "":
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = NUMBER_FORMATS.get(column.kind, "General")
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = NUMBER_FORMATS[DATE]
        return cell
    text = str(value)
    cell = WriteOnlyCell(sheet, value=text)
    # A string cell whatever it holds: openpyxl would take "=..." for a formula.
    cell.data_type = "s"
    # Excel's own mark of text typed after an apostrophe: the cell shows "-do-" as
    # written and stays text when edited, with no apostrophe in its value.
    cell.quotePrefix = text.startswith(FORMULA_STARTS)
    return cell


def file_name(*parts: str, extension: str) -> str:
    """Return a download's file name from words such as a PO number (PO/DEMO/0001)."""
    words = "-".join(part for part in parts if part)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", words).strip("-") + "." + extension


# -- the tables --------------------------------------------------------------------

LIST_COLUMNS = [
    Column("PO number", width=20),
    Column("Subject", width=30),
    Column("Buyer", width=30),
    Column("Buyer GSTIN", width=18),
    Column("Supplier", width=30),
    Column("Supplier GSTIN", width=18),
    Column("Order date", DATE, width=13),
    Column("Delivery date", DATE, width=13),
    Column("Status", width=26),
    Column("Version", INTEGER, width=9),
    Column("Total (₹)", MONEY, width=18),
]


def list_rows(purchase_orders: Iterable) -> Iterator[list]:
    """Yield a row of ``LIST_COLUMNS`` for each purchase order (buyer and supplier loaded)."""
    for purchase_order in purchase_orders:
        yield [
            purchase_order.buyer_po_number,
            purchase_order.subject,
            purchase_order.buyer.legal_name,
            purchase_order.buyer.gstin,
            purchase_order.supplier.legal_name,
            purchase_order.supplier.gstin,
            purchase_order.order_date,
            purchase_order.delivery_date,
            purchase_order.get_status_display(),
            purchase_order.version,
            purchase_order.total_po_value,
        ]


LINE_COLUMNS = [
    Column("#", width=6),
    Column("Description", width=40),
    Column("Goods or service", width=16),
    Column("HSN/SAC", width=11),
    Column("Quantity", QUANTITY, width=11),
    Column("Free quantity", QUANTITY, width=11),
    Column("Unit", width=8),
    Column("Unit price (₹)", MONEY, width=15),
    Column("Amount (₹)", MONEY, width=16),
    Column("Discount (₹)", MONEY, width=14),
    Column("Taxable value (₹)", MONEY, width=16),
    Column("GST rate (%)", PERCENT, width=9),
    Column("GST (₹)", MONEY, width=14),
    Column("Other taxes (₹)", MONEY, width=14),
    Column("Line total (₹)", MONEY, width=16),
]


def line_rows(lines: Iterable[LineContents]) -> Iterator[list]:
    """Yield a row of ``LINE_COLUMNS`` for each line, its amounts as the order states them."""
    for position, line in enumerate(lines, start=1):
        other_taxes = sum((tax.amount for tax in line.other_taxes), Decimal("0.00"))
        yield [
            line.serial_no or str(position),
            line.product_description,
            "Service" if line.is_service else "Goods",
            line.hsn_code,
            line.quantity,
            line.free_quantity,
            line.unit,
            line.unit_price,
            line.total_amount,
            line.total_amount - line.assessment_amount,
            line.assessment_amount,
            line.gst_rate,
            line.total_item_value - line.assessment_amount - other_taxes,
            other_taxes,
            line.total_item_value,
        ]
