"""Lines for the purchase-order form from a spreadsheet: a CSV or xlsx file, or pasted cells.

A step of the form, in two posts that save nothing: the buyer uploads a
file (or pastes cells), then maps its columns to the line's fields (the
first row's headings are matched to them) and adds the lines. Every row is
checked by the line form itself (``LineForm``), so an imported line is
checked exactly as a typed one; if any row is wrong, every wrong row is
named and no line is added. The lines then fill the form, and the form's
own Save stores them.
"""

import csv
import datetime
import io
import json
import re
import zipfile
from decimal import Decimal

from purchase_orders.enkash import formats
from purchase_orders.forms.line_details import plain_number
from purchase_orders.forms.lines import LineForm

# Bounds on what is read: the file's size, and the form's own limit of lines.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_LINES = 1000
MAX_COLUMNS = 30
# No field of a line is longer; a longer cell is not a line's.
MAX_CELL_CHARS = 1000
# Rows read at most, blank ones included: a sheet's far corner is not read row by row.
MAX_ROWS_READ = 20 * MAX_LINES
# What a workbook may unpack to: a 2 MB file of text is some 10 MB unpacked.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
# More wrong rows than this are counted rather than each named.
MAX_ROW_ERRORS = 100
CESS_NAME = "Compensation cess"

# The line's fields a column can fill: name -> (words, headings matched to it).
# Headings are compared in lower case with anything but letters and digits
# taken as a space ("Unit price (₹)" is "unit price").
IMPORT_FIELDS = {
    "product_description": (
        "Description",
        {
            "description",
            "item",
            "item description",
            "item name",
            "product",
            "particulars",
            "product description",
            "goods",
            "material",
            "material description",
            "name",
        },
    ),
    "hsn_code": (
        "HSN/SAC code",
        {"hsn", "sac", "hsn sac", "hsn code", "sac code", "hsn sac code", "hsn code sac code"},
    ),
    "quantity": ("Quantity", {"quantity", "qty", "quantity ordered", "order quantity"}),
    "unit": ("Unit", {"unit", "units", "uom", "unit of measure", "unit of measurement"}),
    "unit_price": (
        "Unit price",
        {
            "unit price",
            "rate",
            "price",
            "price per unit",
            "unit rate",
            "rate per unit",
            "basic rate",
            "unit cost",
        },
    ),
    "discount": ("Discount (₹)", {"discount", "disc", "discount amount", "discount inr"}),
    "gst_rate": (
        "GST rate (%)",
        {"gst", "gst rate", "gst percent", "tax rate", "gst rate percent", "igst rate", "gst slab"},
    ),
    "cess": ("Cess rate (%)", {"cess", "cess rate", "compensation cess", "cess percent"}),
    "is_service": ("Service (yes or no)", {"service", "is service", "goods or service"}),
    "free_quantity": ("Free quantity", {"free quantity", "free qty", "free"}),
    "serial_no": ("Serial no.", {"serial no", "s no", "sl no", "sr no", "line no", "no"}),
    "bar_code": ("Bar code", {"bar code", "barcode", "ean", "upc"}),
    "order_line_reference": ("Order line reference", {"order line reference", "line reference"}),
    "origin_country": ("Country of origin", {"country of origin", "origin", "origin country"}),
    "batch_number": ("Batch number", {"batch", "batch no", "batch number"}),
}
REQUIRED_FIELDS = ("product_description", "hsn_code", "quantity", "unit_price", "gst_rate")
YES = {"yes", "y", "true", "1", "service", "services", "sac"}
NO = {"", "no", "n", "false", "0", "goods", "hsn"}


class ImportProblem(Exception):
    """What keeps a file or pasted cells from being read, in the buyer's words."""


def heading_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def guess_field(heading: str) -> str:
    """Return the line field a heading names, or "" for none."""
    key = heading_key(heading)
    for name, (words, headings) in IMPORT_FIELDS.items():
        if key in headings or key == heading_key(words):
            return name
    return ""


def in_sentence(name: str) -> str:
    """Return a field's words as they read inside a sentence: "unit price", "GST rate"."""
    words = re.sub(r"\s*\(.*\)$", "", IMPORT_FIELDS[name][0])
    return words if words[:2].isupper() else words[0].lower() + words[1:]


def column_letter(index: int) -> str:
    """Return a spreadsheet's name for the ``index``-th column (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- reading -------------------------------------------------------------------


def read_table(*, upload=None, pasted: str = "") -> list[list]:
    """Return the non-blank rows of a file or of pasted cells as [row number, [cells]]."""
    if upload is not None:
        name = upload.name or ""
        if upload.size > MAX_FILE_BYTES:
            raise ImportProblem(
                f"The file “{name}” is {upload.size / 1024 / 1024:.1f} MB; the limit is 2 MB. "
                "Split it, or remove the columns you do not need."
            )
        suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
        if suffix == "xlsx":
            rows = _xlsx_rows(upload)
        elif suffix in {"csv", "txt", "tsv"}:
            rows = _text_rows(_decode(upload.read()))
        else:
            raise ImportProblem(
                f"“{name}” is not a CSV file (.csv) or an Excel workbook (.xlsx). "
                "Save the sheet as one of those (an older .xls can be saved as .xlsx), "
                "or copy its cells and paste them."
            )
    elif pasted.strip():
        rows = _text_rows(pasted)
    else:
        raise ImportProblem("Choose a CSV or Excel file, or paste cells from a spreadsheet.")
    table = [
        [number, _trimmed(cells[:MAX_COLUMNS])]
        for number, cells in enumerate(rows, start=1)
        if any(cell for cell in cells)
    ]
    if not table:
        raise ImportProblem("There is nothing in it to import: every row is blank.")
    return table


def _trimmed(cells: list[str]) -> list[str]:
    """Drop a row's blank cells after its last filled one (a sheet's empty columns)."""
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _decode(raw: bytes) -> str:
    # Excel writes CSV as UTF-8 with a byte-order mark, or in the Windows code page.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportProblem("The file's text could not be read; save it as “CSV UTF-8” and try again.")


def _text_rows(text: str):
    """Read CSV, or tab-separated cells as a spreadsheet copies them."""
    sample = text[:4096]
    if "\t" in sample:
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;").delimiter
        except csv.Error:
            delimiter = ","
    rows = _RowsRead()
    try:
        for cells in csv.reader(io.StringIO(text), delimiter=delimiter):
            if rows.add([cell.strip() for cell in cells]):
                break
    except csv.Error as error:
        raise ImportProblem(f"The file is not a CSV file that can be read ({error}).") from None
    return rows.rows


class _RowsRead:
    """The rows read so far, blank ones kept for their numbers but not counted.

    Reading stops once more rows hold something than a purchase order may
    have lines (with one of headings), so the count refuses the file: a file
    is never cut short without a word.
    """

    def __init__(self):
        self.rows = []
        self.filled = 0

    def add(self, cells: list[str]) -> bool:
        """Keep a row; return whether enough rows have been read."""
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise ImportProblem(
                    f"Row {len(self.rows) + 1} has a cell of more than {MAX_CELL_CHARS:,} "
                    "characters; no field of a line is that long. Check the file's columns."
                )
        if len(self.rows) >= MAX_ROWS_READ:
            raise ImportProblem(
                f"The sheet runs past row {MAX_ROWS_READ:,}, most of it blank; copy its lines "
                "into a new sheet and import that."
            )
        if any(cells):
            self.rows.append(cells)
            self.filled += 1
        else:
            self.rows.append([])  # kept for the numbers of the rows after it
        return self.filled > MAX_LINES + 1


def _xlsx_rows(upload):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _ensure_unpacks_small(upload)
    try:
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportProblem(
            "The file is not an Excel workbook (.xlsx) that can be read; save it again "
            "from Excel as .xlsx, or as CSV."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = _RowsRead()
        for cells in sheet.iter_rows(max_col=MAX_COLUMNS):
            if rows.add([_cell_text(cell.value, _is_percent(cell)) for cell in cells]):
                break
        return rows.rows
    finally:
        workbook.close()


def _ensure_unpacks_small(upload) -> None:
    """Refuse a workbook whose parts unpack to far more than its lines could need."""
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        unpacked = 0  # not a workbook at all: openpyxl says so below
    upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportProblem(
            "The workbook unpacks to more than a purchase order's lines could hold "
            f"({unpacked / 1024 / 1024:,.0f} MB); save its first sheet alone as .xlsx or CSV."
        )


def _is_percent(cell) -> bool:
    """Return whether a cell shows its number as a percentage (12% is stored as 0.12)."""
    number_format = getattr(cell, "number_format", "") or ""
    # A quoted or escaped "%" (0"%", 0\%) is shown as written, without the scaling.
    return "%" in re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)


def _cell_text(value, percent: bool = False) -> str:
    """Return a cell as the text a person would have typed in it.

    A number is read through its shortest text (``Decimal(str(value))``),
    never computed with as a float: 0.1 stays 0.1. A percentage is read as
    it shows: a cell showing 12% holds 0.12 and reads "12".
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int | Decimal):
        number = Decimal(str(value))
        if percent:
            number = number.scaleb(2)
        text = format(number, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


# -- the step ---------------------------------------------------------------------


class LineImport:
    """The form's import step: what was read, its mapping, the errors, the lines to add.

    ``step`` is ``upload`` (choose a file or paste), ``map`` (choose what
    each column is) or ``done`` (``lines`` holds the lines' initial values).
    """

    def __init__(self):
        self.step = "upload"
        self.problems: list[str] = []
        self.table: list[list] = []
        self.has_headings = False
        self.mapping: list[str] = []
        self.lines: list[dict] = []
        self.note = ""
        # Taken from a post of the form (shown open), rather than a fresh page.
        self.posted = False

    @classmethod
    def from_post(cls, data, files, *, lines_now: int) -> "LineImport":
        """Take one step of the import, as posted with the form; save nothing."""
        step = cls()
        step.posted = True
        action = data.get("import_step")
        if action == "read":
            step._read(files.get("import-file"), data.get("import-pasted", ""), lines_now)
        elif action == "apply":
            step._apply(data, lines_now)
        return step

    @property
    def is_open(self) -> bool:
        return self.posted and self.step != "done"

    def _read(self, upload, pasted: str, lines_now: int) -> None:
        try:
            self.table = read_table(upload=upload, pasted=pasted)
        except ImportProblem as problem:
            self.problems = [str(problem)]
            return
        first = self.table[0][1]
        self.has_headings = any(guess_field(cell) for cell in first)
        self.mapping = [guess_field(cell) if self.has_headings else "" for cell in first]
        self.step = "map"
        self._check_count(lines_now)

    def _apply(self, data, lines_now: int) -> None:
        self.step = "map"
        try:
            table = json.loads(data.get("import-table") or "[]")
            self.table = [
                [int(number), [str(cell)[:MAX_CELL_CHARS] for cell in cells[:MAX_COLUMNS]]]
                for number, cells in table[: MAX_LINES + 2]
            ]
        except (ValueError, TypeError):
            self.table = []
        if not self.table:
            self.step = "upload"
            self.problems = ["The file's rows were lost on the way; choose the file again."]
            return
        self.has_headings = bool(data.get("import-has_headings"))
        self.mapping = [data.get(f"import-column-{index}", "") for index in range(self.width)]
        self.mapping = [name if name in IMPORT_FIELDS else "" for name in self.mapping]
        if not self._check_mapping() or not self._check_count(lines_now):
            return
        lines, problems = [], []
        for number, cells in self.data_rows:
            line, row_problems = self._line(number, cells)
            lines.append(line)
            problems.extend(row_problems)
        if problems:
            self.problems = problems[:MAX_ROW_ERRORS]
            if len(problems) > MAX_ROW_ERRORS:
                self.problems.append(
                    f"And {len(problems) - MAX_ROW_ERRORS:,} more problems; put these right first."
                )
            self.problems.insert(
                0, "No line was added: put these rows right in the file and import it again."
            )
            return
        self.step = "done"
        self.lines = lines
        self.note = (
            f"{len(lines)} line{'s' if len(lines) != 1 else ''} added from the spreadsheet. "
            "Check them, then save: nothing is saved until you do."
        )

    # -- what was read ------------------------------------------------------------

    @property
    def width(self) -> int:
        return max((len(cells) for _, cells in self.table), default=0)

    @property
    def data_rows(self) -> list[list]:
        return self.table[1:] if self.has_headings else self.table

    @property
    def table_json(self) -> str:
        return json.dumps(self.table, ensure_ascii=False, separators=(",", ":"))

    def columns(self) -> list[dict]:
        """Return each column: its letter, heading, first values and the field it fills."""
        first = self.table[0][1] if self.table else []
        samples = [cells for _, cells in self.data_rows[:3]]
        return [
            {
                "index": index,
                "letter": column_letter(index),
                "heading": (first[index] if index < len(first) else "")
                if self.has_headings
                else "",
                "samples": [cells[index] for cells in samples if index < len(cells)],
                "chosen": self.mapping[index] if index < len(self.mapping) else "",
            }
            for index in range(self.width)
        ]

    @staticmethod
    def choices() -> list[tuple[str, str]]:
        return [
            ("", "Not imported"),
            *((name, words) for name, (words, _) in IMPORT_FIELDS.items()),
        ]

    # -- checks ---------------------------------------------------------------------

    def _check_count(self, lines_now: int) -> bool:
        count = len(self.data_rows)
        if lines_now + count > MAX_LINES:
            held = f" (it has {lines_now:,} already)" if lines_now else ""
            self.problems = [
                f"The spreadsheet has {count:,} lines; a purchase order takes at most "
                f"{MAX_LINES:,}{held}. Split it across purchase orders."
            ]
            return False
        return True

    def _check_mapping(self) -> bool:
        problems = []
        for name in IMPORT_FIELDS:
            columns = [column_letter(i) for i, chosen in enumerate(self.mapping) if chosen == name]
            if len(columns) > 1:
                problems.append(
                    f"Columns {' and '.join(columns)} are both imported as "
                    f"{in_sentence(name)}; choose one."
                )
        for name in REQUIRED_FIELDS:
            if name not in self.mapping:
                problems.append(f"Choose the column that holds the {in_sentence(name)}.")
        self.problems = problems
        return not problems

    def _line(self, number: int, cells: list[str]) -> tuple[dict, list[str]]:
        """Check one row as the line form checks a typed line; return its initial values."""
        values = {
            name: cells[index] if index < len(cells) else ""
            for index, name in enumerate(self.mapping)
            if name
        }
        data = {f"row-{name}": value for name, value in values.items() if name != "cess"}
        problems = []
        service = values.get("is_service", "").strip().lower()
        if service in YES:
            data["row-is_service"] = "on"
        elif service in NO:
            data.pop("row-is_service", None)
        else:
            problems.append(f"Row {number}, service “{values['is_service']}”: write yes or no.")
            data.pop("row-is_service", None)
        if "unit" not in values:
            data["row-unit"] = LineForm.base_fields["unit"].initial
        cess = values.get("cess", "").strip()
        if cess:
            data.update(
                {
                    "row-other_taxes-TOTAL_FORMS": "1",
                    "row-other_taxes-INITIAL_FORMS": "0",
                    "row-other_taxes-0-name": CESS_NAME,
                    "row-other_taxes-0-rate": cess,
                }
            )
        form = LineForm(data, prefix="row")
        if not form.is_valid():
            problems.extend(self._problems(number, form, values))
            return {}, problems
        if problems:
            return {}, problems
        cleaned = form.cleaned_data
        line = {
            "product_description": cleaned["product_description"].strip(),
            "hsn_code": cleaned["hsn_code"].strip(),
            "is_service": cleaned["is_service"],
            "quantity": plain_number(cleaned["quantity"]),
            "unit": cleaned["unit"].strip().upper(),
            "unit_price": formats.money(cleaned["unit_price"]),
            "discount": formats.money(cleaned["discount"])
            if cleaned.get("discount") is not None
            else None,
            "gst_rate": plain_number(cleaned["gst_rate"]),
            "free_quantity": plain_number(cleaned.get("free_quantity")),
            "other_taxes": [{"name": CESS_NAME, "rate": plain_number(cleaned_rate)}]
            if (cleaned_rate := _cess_rate(form)) is not None
            else [],
        }
        for name in ("serial_no", "bar_code", "order_line_reference", "origin_country"):
            line[name] = cleaned.get(name, "")
        line["batch_number"] = cleaned.get("batch_number", "")
        return line, []

    @staticmethod
    def _problems(number: int, form, values: dict) -> list[str]:
        problems = [f"Row {number}: {message}" for message in form.non_field_errors()]
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            words = in_sentence(name) if name in IMPORT_FIELDS else form[name].label.lower()
            typed = values.get(name, "")
            shown = f" “{typed}”" if typed else ""
            problems.extend(f"Row {number}, {words}{shown}: {message}" for message in errors)
        for tax in form.line_lists["other_taxes"].forms:
            for message in tax.errors.get("rate", []):
                problems.append(f"Row {number}, cess “{values.get('cess', '')}”: {message}")
        return problems


def _cess_rate(form):
    taxes = form.line_lists["other_taxes"]
    rows = [row for row in taxes.forms if row.has_changed()]
    return rows[0].cleaned_data["rate"] if rows else None
