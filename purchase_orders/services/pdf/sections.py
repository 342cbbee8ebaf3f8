"""The parts of a purchase order's PDF, as ReportLab flowables: head, parties, lines, totals…

Each takes the document (``selectors.documents.PurchaseOrderDocument``) and
returns flowables; a party's text is escaped before ReportLab reads it.
"""

import datetime
from decimal import Decimal
from html import escape

from django.utils import timezone

from purchase_orders.labels import code_words, day_words
from purchase_orders.selectors.documents import PurchaseOrderDocument
from purchase_orders.templatetags.portal import (
    amount_in_words,
    format_indian,
    format_inr,
    indian_number,
    percent,
)

from . import grid
from .fonts import BOLD, FONT

GRID = (0.6, 0.6, 0.6)
SHADE = (0.93, 0.93, 0.93)
MUTED = (0.27, 0.27, 0.27)
ALERT = (0.71, 0.14, 0.09)


def _text(value) -> str:
    """Return a party's text as ReportLab markup: escaped, its line breaks kept."""
    return escape(str(value or "")).replace("\n", "<br/>")


def _day(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return day_words(value) if value else "—"


def _money(value) -> str:
    return format_indian(Decimal(value), 2)


def _join(*parts) -> str:
    return ", ".join(str(part) for part in parts if part)


class Styles:
    def __init__(self):
        from reportlab.lib.enums import TA_CENTER, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

        base = ParagraphStyle("base", fontName=FONT, fontSize=8, leading=10)
        self.base = base
        self.small = ParagraphStyle("small", parent=base, fontSize=7, leading=8.5)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=7, leading=8.5)
        self.number = ParagraphStyle("number", parent=self.cell, alignment=TA_RIGHT)
        self.head = ParagraphStyle("head", parent=self.cell, fontName=BOLD, fontSize=6.5, leading=8)
        self.head_number = ParagraphStyle("head_number", parent=self.head, alignment=TA_RIGHT)
        self.name = ParagraphStyle("name", parent=base, fontName=BOLD, fontSize=11, leading=14)
        self.title = ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=15, leading=19, alignment=TA_RIGHT
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=base,
            fontName=BOLD,
            fontSize=7,
            leading=9,
            textColor=MUTED,
            spaceBefore=5,
            spaceAfter=1,
        )
        self.notice = ParagraphStyle(
            "notice",
            parent=base,
            fontName=BOLD,
            textColor=ALERT,
            alignment=TA_CENTER,
            borderColor=ALERT,
            borderWidth=1,
            borderPadding=4,
            spaceBefore=8,
            spaceAfter=8,
        )
        self.centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER)
        self.note = ParagraphStyle("note", parent=base, fontSize=6.5, leading=8, textColor=MUTED)


def _party(styles, heading: str, party, *, first_line_style=None) -> list:
    from reportlab.platypus import Paragraph

    flowables = [Paragraph(heading.upper(), styles.heading)] if heading else []
    name = f"<b>{_text(party.legal_name)}</b>"
    if party.trade_name and party.trade_name != party.legal_name:
        name += f" ({_text(party.trade_name)})"
    flowables += [
        Paragraph(name, first_line_style or styles.base),
        Paragraph(
            _text(_join(party.address_line1, party.address_line2))
            + "<br/>"
            + _text(_join(party.city, party.state))
            + f" {_text(party.pincode)}",
            styles.base,
        ),
        Paragraph(
            f"GSTIN {_text(party.gstin) or '—'} · PAN {_text(party.pan) or '—'}", styles.base
        ),
        Paragraph(f"State {_text(party.gst_state) or '—'}", styles.base),
    ]
    return flowables


def notice(styles, document: PurchaseOrderDocument) -> list:
    """Say plainly what the document is not (a draft, not acknowledged…), if anything."""
    from reportlab.platypus import Paragraph

    if not document.notice:
        return []
    return [Paragraph(_text(document.notice.upper()), styles.notice)]


def head(styles, document: PurchaseOrderDocument, width: float) -> list:
    from reportlab.platypus import Paragraph, Table, TableStyle

    buyer, header = document.buyer, document.header
    issuer = _party(styles, "", buyer, first_line_style=styles.name)
    if buyer.phone_number or buyer.email:
        contact = _join(
            f"{buyer.country_code} {buyer.phone_number}".strip() if buyer.phone_number else "",
            buyer.email,
        ).replace(", ", " · ")
        issuer.append(Paragraph(_text(contact), styles.base))
    facts = Table(
        [
            [
                Paragraph("PO number", styles.base),
                Paragraph(f"<b>{_text(header.buyer_po_number)}</b>", styles.base),
            ],
            ["Version", str(document.version) if document.version else "Draft"],
            ["Order date", _day(header.order_date)],
            ["Delivery by", _day(header.delivery_date)],
            [
                Paragraph("Status", styles.base),
                Paragraph(_text(document.status_words), styles.base),
            ],
        ],
        colWidths=[22 * 2.8346, 48 * 2.8346],
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("FONT", (1, 0), (1, -1), BOLD, 8),
                ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        ),
    )
    title = [Paragraph("PURCHASE ORDER", styles.title), facts]
    table = Table([[issuer, title]], colWidths=[width * 0.58, width * 0.42])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 1.5, (0, 0, 0)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return [table]


def parties(styles, document: PurchaseOrderDocument, width: float) -> list:
    from reportlab.platypus import Paragraph, Table, TableStyle

    supplier = _party(styles, "Supplier", document.supplier)
    addresses = []
    for address in document.contents.addresses:
        purpose = f"{code_words(address.purpose)} address" if address.purpose else "address"
        addresses += [
            Paragraph(_text(purpose.upper()), styles.heading),
            Paragraph(
                _text(_join(address.address_line1, address.address_line2))
                + "<br/>"
                + _text(_join(address.city, address.state))
                + f" {_text(address.pincode)}",
                styles.base,
            ),
        ]
    if not addresses:
        addresses = [Paragraph("DELIVERY ADDRESS", styles.heading), Paragraph("—", styles.base)]
    supply = [
        Paragraph("PLACE OF SUPPLY", styles.heading),
        Paragraph(_text(document.place_of_supply) or "—", styles.base),
        Paragraph(
            "Within the state: CGST + SGST" if document.is_intra_state else "Between states: IGST",
            styles.small,
        ),
    ]
    if document.header.subject:
        supply += [
            Paragraph("SUBJECT", styles.heading),
            Paragraph(_text(document.header.subject), styles.base),
        ]
    table = Table([[supplier, addresses, supply]], colWidths=[width / 3] * 3)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, GRID),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [table]


def _line_description(line) -> list[str]:
    parts = [str(line.product_description or "")]
    for detail in line.value_details:
        if str(detail.get("type", "")).upper() != "DISCOUNT":
            kind = code_words(detail.get("type", ""))
            parts.append(f"{kind} {format_inr(detail.get('value'))}")
    for rate in line.rates:
        kind = code_words(rate.get("type"))
        parts.append(f"Rate {kind}: {indian_number(rate.get('value'))}")
    for attribute in line.attributes:
        parts.append(f"{attribute.get('name') or ''}: {attribute.get('value') or ''}")
    return parts


def lines(styles, document: PurchaseOrderDocument, width: float, *, tallest: float) -> list:
    """The lines as a ``grid.Grid``, plain text (never markup), ``tallest`` the frame's height."""
    mm = 2.8346
    intra = document.is_intra_state
    tax_heads = ["CGST (₹)", "SGST (₹)"] if intra else ["IGST (₹)"]
    columns = [
        grid.Column("#", 8 * mm),
        grid.Column("Description", 0),
        grid.Column("HSN/SAC", 14 * mm),
        grid.Column("Qty", 10 * mm, grid.RIGHT),
        grid.Column("Unit", 9 * mm),
        grid.Column("Rate (₹)", 15 * mm, grid.RIGHT),
        grid.Column("Discount (₹)", 14 * mm, grid.RIGHT),
        grid.Column("Taxable value (₹)", 17 * mm, grid.RIGHT),
        *(grid.Column(head, 15 * mm, grid.RIGHT) for head in tax_heads),
        grid.Column("Cess, other taxes (₹)", 17 * mm, grid.RIGHT),
        grid.Column("Line total (₹)", 18 * mm, grid.RIGHT),
    ]
    columns[1] = grid.Column("Description", width - sum(column.width for column in columns))
    rows = []
    for row in document.lines:
        line, computed = row.line, row.totals
        if intra:
            half = percent(row.gst_half_rate)
            taxes = [
                [half, _money(computed.cgst_amount)],
                [half, _money(computed.sgst_amount)],
            ]
        else:
            taxes = [[percent(line.gst_rate), _money(computed.igst_amount)]]
        other = [
            f"{tax.name} {percent(tax.rate)}: {_money(amount)}" for tax, amount in row.other_taxes
        ]
        rows.append(
            [
                [line.serial_no or str(row.number)],
                _line_description(line),
                [line.hsn_code],
                [indian_number(line.quantity)],
                [line.unit],
                [_money(line.unit_price)],
                [_money(computed.discount_amount) if computed.discount_amount else "—"],
                [_money(computed.assessment_amount)],
                *taxes,
                other or ["—"],
                [_money(computed.total_item_value)],
            ]
        )
    look = grid.Look(font=FONT, bold=BOLD, rule_colour=GRID, shade=SHADE)
    return [grid.Grid(columns, rows, look, tallest=tallest)]


def totals(styles, document: PurchaseOrderDocument, width: float) -> list:
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    totals, header = document.totals, document.header
    rows = [["Taxable value", format_inr(totals.taxable_value)]]
    if document.is_intra_state:
        rows += [["CGST", format_inr(totals.cgst_amount)], ["SGST", format_inr(totals.sgst_amount)]]
    else:
        rows.append(["IGST", format_inr(totals.igst_amount)])
    if totals.other_taxes_amount:
        rows.append(["Cess and other taxes", format_inr(totals.other_taxes_amount)])
    for charge in document.contents.other_charges:
        rows.append([code_words(charge.charge_type), format_inr(charge.amount)])
    rows.append(["Total", format_inr(header.total_po_value)])
    table = Table(rows, colWidths=[width * 0.25, width * 0.2], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("FONT", (0, -1), (-1, -1), BOLD, 9),
                ("LINEABOVE", (0, -1), (-1, -1), 1, (0, 0, 0)),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    words = Paragraph(
        f"<b>Amount in words:</b> {_text(amount_in_words(header.total_po_value))}", styles.base
    )
    return [Spacer(1, 4), table, Spacer(1, 4), words]


def hsn_summary(styles, document: PurchaseOrderDocument, width: float) -> list:
    from reportlab.platypus import Paragraph, Table, TableStyle

    if not document.hsn_summary:
        return []
    intra = document.is_intra_state
    heads = ["HSN/SAC", "Taxable value", *(["CGST", "SGST"] if intra else ["IGST"])]
    heads += ["Cess and other taxes", "Total tax"]
    rows = [heads]
    for row in document.hsn_summary:
        if intra:
            half = percent(row.gst_half_rate)
            taxes = [
                f"{half}: {format_inr(row.cgst_amount)}",
                f"{half}: {format_inr(row.sgst_amount)}",
            ]
        else:
            taxes = [f"{percent(row.gst_rate)}: {format_inr(row.igst_amount)}"]
        rows.append(
            [
                row.hsn_code or "—",
                format_inr(row.taxable_value),
                *taxes,
                format_inr(row.other_taxes_amount),
                format_inr(row.total_tax),
            ]
        )
    table = Table(rows, colWidths=[width / len(heads)] * len(heads), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7.5),
                ("FONT", (0, 0), (-1, 0), BOLD, 7),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [Paragraph("TAX SUMMARY BY HSN/SAC", styles.heading), table]


def terms(styles, document: PurchaseOrderDocument) -> list:
    from reportlab.platypus import Paragraph

    header = document.header
    flowables = []
    if document.contents.milestones:
        flowables.append(Paragraph("PAYMENT MILESTONES", styles.heading))
        for milestone in document.contents.milestones:
            due = f" by {_day(milestone.due_on)}" if milestone.due_on else ""
            flowables.append(Paragraph(f"• {format_inr(milestone.due_amount)}{due}", styles.base))
    if header.shipping_terms or header.shipping_bearing_party:
        shipping = _text(header.shipping_terms)
        if header.shipping_bearing_party:
            shipping += f" · paid by {_text(code_words(header.shipping_bearing_party).lower())}"
        if header.shipping_charges:
            shipping += f" · charges {format_inr(header.shipping_charges)}"
        flowables += [Paragraph("SHIPPING", styles.heading), Paragraph(shipping, styles.base)]
    references = [
        " ".join(
            f"{label} {_text(reference[key])}"
            for key, label in (
                ("contractReferenceNo", "Contract"),
                ("projectReferenceNo", "Project"),
                ("receiptAdviceNo", "Receipt advice"),
                ("batchReferenceNo", "Batch"),
                ("extraReferenceNo", "Reference"),
            )
            if reference.get(key)
        )
        for reference in header.contract_references
    ]
    if any(references):
        flowables.append(Paragraph("REFERENCES", styles.heading))
        flowables += [Paragraph(f"• {text}", styles.base) for text in references if text]
    if header.additional_documents:
        flowables.append(Paragraph("DOCUMENTS", styles.heading))
        flowables += [
            Paragraph(f"• {_text(entry.get('document'))}: {_text(entry.get('url'))}", styles.base)
            for entry in header.additional_documents
        ]
    if document.terms:
        flowables.append(Paragraph("TERMS AND CONDITIONS", styles.heading))
        flowables += [
            Paragraph(_text(paragraph), styles.base)
            for paragraph in document.terms.split("\n\n")
            if paragraph.strip()
        ]
    return flowables


def foot(styles, document: PurchaseOrderDocument, width: float) -> list:
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    buyer = document.buyer.legal_name or document.purchase_order.buyer.legal_name
    signature = Table(
        [
            [Paragraph(f"For {_text(buyer)}", styles.centre)],
            [Spacer(1, 30)],
            [Paragraph("Authorised signatory", styles.centre)],
        ],
        colWidths=[65 * 2.8346],
        hAlign="RIGHT",
        style=TableStyle(
            [("FONT", (0, 0), (-1, -1), FONT, 8), ("LINEABOVE", (0, 2), (0, 2), 0.5, (0, 0, 0))]
        ),
    )
    printed = timezone.localtime(timezone.now())
    note = Paragraph(
        f"{_text(document.issue_note)} Printed {printed.day} {printed:%b %Y, %H:%M %Z}.",
        styles.note,
    )
    if not document.was_issued:
        # A draft or a version the network has not acknowledged is signed by nobody.
        return [Spacer(1, 14), note]
    return [Spacer(1, 14), KeepTogether([signature, Spacer(1, 10), note])]
