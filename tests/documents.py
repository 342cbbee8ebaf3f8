"""What the tests of purchase-order documents share: an order worth printing, a PDF read back."""

import datetime
import io
from decimal import Decimal

import pypdf

from purchase_orders import selectors
from purchase_orders.contents import MilestoneContents, read_contents, with_terms
from purchase_orders.models import LineItemTax, OtherCharge
from purchase_orders.services.documents import replace_contents
from purchase_orders.totals import apply_computed_totals
from tests.factories import BusinessFactory

TERMS = "1. Quote our PO number on every invoice.\n2. Payment within 45 days of delivery."


def detailed_order(people, *, intra_state: bool = False, lines: int = 3, **kwargs):
    """Return a sent order (version 1, PO/DEMO/0001 unless told) worth printing.

    Two HSN codes at 18 % and 12 % GST, a 1 % cess on the first line, a
    freight charge of ₹2,400.00, the buyer's terms, one milestone of the
    total. ``intra_state`` puts the supplier in the buyer's state
    (Karnataka): CGST + SGST instead of IGST.
    """
    if intra_state:
        kwargs["supplier"] = BusinessFactory(
            legal_name="Bellary Steel Works Private Limited", trade_name="Bellary Steel"
        )
    kwargs.setdefault("buyer_po_number", "PO/DEMO/0001")
    purchase_order = people.purchase_order(sent=True, lines=lines, **kwargs)
    if lines > 1:
        purchase_order.lines.filter(position=1).update(hsn_code="84669390", gst_rate=12)
    LineItemTax.objects.create(
        line=purchase_order.lines.get(position=0), name="Cess", rate=Decimal(1)
    )
    OtherCharge.objects.create(
        purchase_order=purchase_order, charge_type="FREIGHT", amount=Decimal("2400.00")
    )
    contents = apply_computed_totals(
        read_contents(selectors.get_purchase_order_with_contents(pk=purchase_order.pk))
    )
    total = contents.header.total_po_value
    contents.milestones = [MilestoneContents(due_on=datetime.date(2026, 12, 31), due_amount=total)]
    replace_contents(purchase_order=purchase_order, contents=contents)
    purchase_order.total_po_value = total
    purchase_order.po_infos = with_terms([], TERMS)
    purchase_order.save(update_fields=["total_po_value", "po_infos"])
    return purchase_order


def pdf_pages(content: bytes) -> list[str]:
    """Return the text of each page of a PDF, runs of white space made one space."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def pdf_fonts(content: bytes) -> set[str]:
    """Return the names of the fonts a PDF embeds (without their subset prefix)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font") or {}
        for font in fonts.values():
            name = str(font.get_object().get("/BaseFont", ""))
            names.add(name.split("+", 1)[-1].lstrip("/"))
    return names
