"""Importing lines into the purchase-order form from a CSV or xlsx file, or pasted cells.

Each step posts the whole form and saves nothing; the lines fill the form,
and the form's own Save stores them.
"""

import html
import io
import json
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from purchase_orders.forms.line_import import (
    MAX_LINES,
    ImportProblem,
    _cell_text,
    guess_field,
    read_table,
)
from purchase_orders.models import LineItem, PurchaseOrder

pytestmark = pytest.mark.django_db

NEW = reverse("purchase_orders:create")
CSV = (
    "Item,HSN/SAC,Qty,UOM,Rate (₹),Discount,GST %,Cess\r\n"
    '"A4 copier paper, 75 gsm",48025690,10,BOX,"1,250.00",,18,\r\n'
    'Printer toner,32151190,2.5,KGS,"₹3,999.99",500.01,18,1\r\n'
    "\r\n"
    'Carbide drill bits,82075000,"1,000",PCS,"Rs. 12.50",,18,\r\n'
)


def table_of(content: str) -> list:
    match = re.search(r'name="import-table" value="([^"]*)"', content)
    return json.loads(html.unescape(match.group(1)))


def chosen(content: str, index: int) -> str:
    select = re.search(rf'<select name="import-column-{index}".*?</select>', content, re.S).group(0)
    match = re.search(r'<option value="([^"]*)" selected>', select)
    return match.group(1) if match else ""


def problems_of(content: str) -> list[str]:
    block = re.search(r"data-import-problems>(.*?)</ul>", content, re.S)
    if not block:
        return []
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block.group(1))]


def line_values(content: str, name: str) -> list[str]:
    return [
        html.unescape(value)
        for value in re.findall(rf'name="lines-\d+-{name}"[^>]*value="([^"]*)"', content)
    ]


def read_step(people, form_data, *, upload=None, pasted="", lines=()):
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=list(lines))
    data["import_step"] = "read"
    data["import-pasted"] = pasted
    if upload is not None:
        data["import-file"] = upload
    return people.buyer_client.post(NEW, data)


def apply_step(people, form_data, table, mapping, *, has_headings=True, lines=()):
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=list(lines))
    data["import_step"] = "apply"
    data["import-table"] = json.dumps(table)
    if has_headings:
        data["import-has_headings"] = "on"
    for index, name in enumerate(mapping):
        data[f"import-column-{index}"] = name
    return people.buyer_client.post(NEW, data)


def csv_file(text: str, *, encoding: str = "utf-8-sig", name: str = "lines.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_a_csv_is_read_and_its_headings_matched_to_the_line_fields(people, form_data):
    response = read_step(people, form_data, upload=csv_file(CSV))

    content = response.content.decode()
    assert response.status_code == 200
    assert problems_of(content) == []
    assert "3 rows read." in content
    expected = [
        "product_description",
        "hsn_code",
        "quantity",
        "unit",
        "unit_price",
        "discount",
        "gst_rate",
        "cess",
    ]
    assert [chosen(content, index) for index in range(8)] == expected
    table = table_of(content)
    # The blank row is left out; the others keep their row numbers in the file.
    assert [number for number, _ in table] == [1, 2, 3, 5]
    assert table[1][1][0] == "A4 copier paper, 75 gsm"
    assert PurchaseOrder.objects.count() == 0


def test_adding_the_lines_fills_the_form_and_saves_nothing_until_saved(people, form_data):
    table = table_of(read_step(people, form_data, upload=csv_file(CSV)).content.decode())
    mapping = [
        "product_description",
        "hsn_code",
        "quantity",
        "unit",
        "unit_price",
        "discount",
        "gst_rate",
        "cess",
    ]

    response = apply_step(people, form_data, table, mapping)

    content = response.content.decode()
    assert problems_of(content) == []
    assert "3 lines added from the spreadsheet." in content
    assert line_values(content, "product_description") == [
        "A4 copier paper, 75 gsm",
        "Printer toner",
        "Carbide drill bits",
    ]
    assert line_values(content, "quantity") == ["10", "2.5", "1000"]
    assert line_values(content, "unit_price") == ["1250.00", "3999.99", "12.50"]
    assert line_values(content, "unit") == ["BOX", "KGS", "PCS"]
    assert 'name="lines-1-other_taxes-0-name" value="Compensation cess"' in content
    assert 'name="lines-1-other_taxes-0-rate" value="1"' in content
    assert "data-unsaved" in content
    assert PurchaseOrder.objects.count() == 0 and LineItem.objects.count() == 0


def test_the_imported_lines_save_as_the_form_saves_typed_ones(people, form_data):
    table = [
        [1, ["Description", "HSN", "Quantity", "Unit price", "GST rate", "Cess"]],
        [2, ["Copier paper", "48025690", "1,000", "1,25,000.50", "18", ""]],
        [3, ["Toner", "32151190", "2", "₹ 1,250", "28", "12"]],
    ]
    mapping = ["product_description", "hsn_code", "quantity", "unit_price", "gst_rate", "cess"]
    content = apply_step(people, form_data, table, mapping).content.decode()
    lines = [
        {
            "product_description": description,
            "hsn_code": hsn,
            "quantity": quantity,
            "unit_price": price,
            "gst_rate": rate,
            "unit": "NOS",
            **({"other_taxes": [{"name": "Compensation cess", "rate": "12"}]} if index else {}),
        }
        for index, (description, hsn, quantity, price, rate) in enumerate(
            zip(
                line_values(content, "product_description"),
                line_values(content, "hsn_code"),
                line_values(content, "quantity"),
                line_values(content, "unit_price"),
                line_values(content, "gst_rate"),
                strict=True,
            )
        )
    ]
    assert len(lines) == 2

    response = people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=lines)
    )

    assert response.status_code == 302
    saved = list(PurchaseOrder.objects.get().lines.order_by("pk"))
    assert [line.quantity for line in saved] == [Decimal("1000.000"), Decimal("2.000")]
    assert [line.unit_price for line in saved] == [Decimal("125000.50"), Decimal("1250.00")]
    assert [tax.rate for tax in saved[1].other_taxes.all()] == [Decimal("12.000")]


def test_every_bad_row_is_named_with_its_reason_and_no_line_is_added(people, form_data):
    table = [
        [1, ["Description", "HSN", "Qty", "Rate", "GST", "Service"]],
        [2, ["Copier paper", "48025690", "10", "1250", "18", "no"]],
        [7, ["Toner", "32151190", "ten", "1250", "18", ""]],
        [12, ["Maintenance", "12", "1", "1,2,3", "18", "maybe"]],
        [13, ["", "998719", "1", "500", "140", "yes"]],
    ]
    mapping = [
        "product_description",
        "hsn_code",
        "quantity",
        "unit_price",
        "gst_rate",
        "is_service",
    ]
    typed = {
        "product_description": "Typed by hand",
        "hsn_code": "48025690",
        "quantity": "1",
        "unit_price": "10",
    }

    response = apply_step(people, form_data, table, mapping, lines=[typed])

    content = response.content.decode()
    assert problems_of(content) == [
        "No line was added: put these rows right in the file and import it again.",
        "Row 7, quantity “ten”: Enter a quantity, such as 10 or 2.5.",
        "Row 12, service “maybe”: write yes or no.",
        "Row 12, HSN/SAC code “12”: Enter an HSN or SAC code of 4, 6 or 8 digits, such as "
        "8471 or 998314.",
        "Row 12, unit price “1,2,3”: Enter an amount in rupees, like 1,25,000.50.",
        "Row 13, description: Describe the goods or service.",
        "Row 13, GST rate “140”: The rate cannot be more than 100%.",
    ]
    # The typed line stays; none of the file's lines is added.
    assert line_values(content, "product_description") == ["Typed by hand"]
    assert PurchaseOrder.objects.count() == 0


def test_a_mapping_must_name_the_needed_columns_once(people, form_data):
    table = [[1, ["Copier paper", "48025690", "10", "1250"]]]

    response = apply_step(
        people,
        form_data,
        table,
        ["product_description", "quantity", "quantity", ""],
        has_headings=False,
    )

    assert problems_of(response.content.decode()) == [
        "Columns B and C are both imported as quantity; choose one.",
        "Choose the column that holds the HSN/SAC code.",
        "Choose the column that holds the unit price.",
        "Choose the column that holds the GST rate.",
    ]


def test_pasted_cells_are_read_as_tab_separated(people, form_data):
    pasted = (
        "Description\tHSN/SAC\tQuantity\tUnit price\tGST rate\n"
        "Copier paper\t48025690\t1,500\t₹1,250\t18\n"
    )

    content = read_step(people, form_data, pasted=pasted).content.decode()

    assert table_of(content) == [
        [1, ["Description", "HSN/SAC", "Quantity", "Unit price", "GST rate"]],
        [2, ["Copier paper", "48025690", "1,500", "₹1,250", "18"]],
    ]
    assert chosen(content, 3) == "unit_price"


def test_an_xlsx_is_read_with_its_numbers_exact(people, form_data):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Description", "HSN", "Qty", "Unit price", "GST rate"])
    sheet.append(["Copier paper", 48025690, 0.1, 1250.5, 18])
    sheet.append(["Toner", "32151190", 3, Decimal("999.99"), 0.25])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("lines.xlsx", buffer.getvalue())

    content = read_step(people, form_data, upload=upload).content.decode()

    assert table_of(content)[1:] == [
        [2, ["Copier paper", "48025690", "0.1", "1250.5", "18"]],
        [3, ["Toner", "32151190", "3", "999.99", "0.25"]],
    ]


def test_cells_become_text_without_float_arithmetic():
    assert _cell_text(0.1) == "0.1"
    assert _cell_text(1250.0) == "1250"
    assert _cell_text(1e-7) == "0.0000001"
    assert _cell_text(12345678901234567) == "12345678901234567"
    assert _cell_text(True) == "yes"
    assert _cell_text(None) == ""


def test_a_windows_csv_is_read_in_its_code_page():
    text = "Description,HSN,Qty\r\nCafé chairs – teak,94016100,4\r\n"
    upload = csv_file(text, encoding="cp1252")

    assert read_table(upload=upload)[1] == [2, ["Café chairs – teak", "94016100", "4"]]


@pytest.mark.parametrize(
    ("upload", "pasted", "message"),
    [
        (
            SimpleUploadedFile("lines.pdf", b"%PDF-1.4"),
            "",
            "“lines.pdf” is not a CSV file (.csv) or an Excel workbook (.xlsx).",
        ),
        (
            SimpleUploadedFile("lines.xlsx", b"not a zip"),
            "",
            "The file is not an Excel workbook (.xlsx) that can be read",
        ),
        (None, "   ", "Choose a CSV or Excel file, or paste cells from a spreadsheet."),
        (csv_file(",,\r\n,,\r\n"), "", "There is nothing in it to import"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(upload, pasted, message):
    with pytest.raises(ImportProblem, match=re.escape(message)):
        read_table(upload=upload, pasted=pasted)


def test_a_file_over_the_size_limit_is_refused(people, form_data):
    upload = csv_file("Description\r\n" + "x" * (2 * 1024 * 1024 + 1))

    content = read_step(people, form_data, upload=upload).content.decode()

    assert problems_of(content)[0].endswith(
        "is 2.0 MB; the limit is 2 MB. Split it, or remove the columns you do not need."
    )


def test_more_lines_than_a_purchase_order_takes_are_refused(people, form_data):
    rows = "".join(f"Item {n},48025690,1,10,18\n" for n in range(MAX_LINES))
    typed = {
        "product_description": "Typed",
        "hsn_code": "48025690",
        "quantity": "1",
        "unit_price": "10",
    }

    content = read_step(
        people,
        form_data,
        upload=csv_file("Description,HSN,Qty,Rate,GST\n" + rows),
        lines=[typed],
    ).content.decode()

    assert problems_of(content) == [
        "The spreadsheet has 1,000 lines; a purchase order takes at most 1,000 (it has 1 "
        "already). Split it across purchase orders."
    ]


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Unit price (₹)", "unit_price"),
        ("HSN/SAC code", "hsn_code"),
        ("  QTY ", "quantity"),
        ("GST rate (%)", "gst_rate"),
        ("Particulars", "product_description"),
        ("Colour", ""),
    ],
)
def test_headings_are_matched_as_people_write_them(heading, field):
    assert guess_field(heading) == field


def test_an_edit_of_a_draft_imports_too(people, form_data):
    draft = people.purchase_order()
    url = reverse("purchase_orders:edit", args=[draft.object_id])
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=[])
    data.update({"import_step": "read", "import-pasted": "Description\tHSN\nPaper\t4802\n"})

    response = people.buyer_client.post(url, data)

    assert response.status_code == 200
    assert table_of(response.content.decode())[1] == [2, ["Paper", "4802"]]


def test_blank_rows_between_lines_do_not_count_towards_the_limit():
    rows = "".join(f"Item {n},48025690,1,10,18\n,,,,\n" for n in range(MAX_LINES - 1))

    table = read_table(upload=csv_file("Description,HSN,Qty,Rate,GST\n" + rows))

    # The headings and every item, none cut short by the spacer rows between them.
    assert len(table) == MAX_LINES
    assert table[-1] == [2 * MAX_LINES - 2, [f"Item {MAX_LINES - 2}", "48025690", "1", "10", "18"]]


def test_a_file_with_more_filled_rows_than_the_limit_is_refused_not_cut_short(people, form_data):
    rows = "".join(f"Item {n},48025690,1,10,18\n\n" for n in range(MAX_LINES + 5))

    content = read_step(
        people, form_data, upload=csv_file("Description,HSN,Qty,Rate,GST\n" + rows)
    ).content.decode()

    assert problems_of(content)[0].startswith("The spreadsheet has 1,00")
    assert "a purchase order takes at most 1,000" in problems_of(content)[0]


def test_a_percentage_cell_is_read_as_it_shows():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Description", "HSN", "Qty", "Unit price", "GST rate", "Cess rate"])
    sheet.append(["Pan masala", "21069020", 1, 100, 0.28, 0.12])
    for cell in ("E2", "F2"):
        sheet[cell].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = read_table(upload=SimpleUploadedFile("lines.xlsx", buffer.getvalue()))

    assert table[1] == [2, ["Pan masala", "21069020", "1", "100", "28", "12"]]


def test_a_workbook_that_unpacks_to_far_more_than_lines_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "x" * (41 * 1024 * 1024))
    assert len(buffer.getvalue()) < 2 * 1024 * 1024

    with pytest.raises(ImportProblem, match="unpacks to more than a purchase order"):
        read_table(upload=SimpleUploadedFile("lines.xlsx", buffer.getvalue()))


def test_a_cell_longer_than_any_field_of_a_line_is_refused():
    text = "Description,HSN\r\nShort,48025690\r\n" + "y" * 5000 + ",48025690\r\n"

    with pytest.raises(ImportProblem, match="Row 3 has a cell of more than 1,000 characters"):
        read_table(upload=csv_file(text))


def test_a_sheet_that_runs_far_past_its_lines_is_refused_quickly():
    text = "Description,HSN\r\nShort,48025690\r\n" + "\r\n" * 30_000 + "Far,48025690\r\n"

    with pytest.raises(ImportProblem, match="The sheet runs past row 20,000"):
        read_table(upload=csv_file(text))


@pytest.mark.parametrize(
    ("number_format", "read"), [("0%", "12"), ('0"%"', "0.12"), ("0\\%", "0.12")]
)
def test_only_a_real_percentage_format_scales_the_number(number_format, read):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Description", "Cess rate"])
    sheet.append(["Item", 0.12])
    sheet["B2"].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = read_table(upload=SimpleUploadedFile("lines.xlsx", buffer.getvalue()))

    assert table[1] == [2, ["Item", read]]
