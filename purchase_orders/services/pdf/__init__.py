"""Render a purchase order's document as a PDF, with ReportLab.

The document is ``selectors.documents.PurchaseOrderDocument``, the one the
printable view shows. ReportLab's page layout (platypus) is used rather
than an HTML renderer because a long order must come out in seconds
(``benchmarks/pdf.py``): WeasyPrint took over 30 s for 1,000 lines here,
most of it laying out the table's 12,000 cells. The lines themselves are
a ``grid.Grid``, drawn straight on the canvas, for the same reason.

Text is set in DejaVu Sans (Debian's ``fonts-dejavu-core``), which has the
rupee sign (``FONT_DIR``). Everything a party wrote is
escaped before ReportLab reads it as markup, so that nothing in an order
can make the renderer fetch an image or a file: the PDF is made from the
document and the two font files alone.
"""

import io

from purchase_orders.selectors.documents import PurchaseOrderDocument

from . import sections
from .fonts import FONT, FONT_DIR, FontMissing, register_fonts

__all__ = ["FONT", "FONT_DIR", "FontMissing", "register_fonts", "render_purchase_order_pdf"]


def _numbered_canvas(footer_left: str):
    """Return a canvas class that writes "Page N of M" once the number of pages is known."""
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 7)
                self.setFillColorRGB(*sections.MUTED)
                width, _ = self._pagesize
                self.drawString(10 * 2.8346, 8 * 2.8346, footer_left)
                self.drawRightString(
                    width - 10 * 2.8346, 8 * 2.8346, f"Page {self._pageNumber} of {total}"
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def render_purchase_order_pdf(document: PurchaseOrderDocument) -> bytes:
    """Return the PDF of one version of a purchase order: A4, numbered pages."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    # Streams compressed only, not also spelt out in ASCII85: a quarter smaller, quicker to write.
    rl_config.useA85 = 0
    styles = sections.Styles()
    mm = 2.8346
    buffer = io.BytesIO()
    header = document.header
    version = f"version {document.version}" if document.version else "draft"
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=16 * mm,
        title=f"Purchase order {header.buyer_po_number}, {version}",
        author=document.buyer.legal_name,
        subject=header.subject,
        creator="Procurement portal",
        # Not Helvetica, which has no rupee sign: every page starts in DejaVu Sans.
        initialFontName=FONT,
    )
    width = template.width
    story = [
        *sections.head(styles, document, width),
        *sections.notice(styles, document),
        *sections.parties(styles, document, width),
        # The frame pads its content by 6 points above and below.
        *sections.lines(styles, document, width, tallest=template.height - 12),
        *sections.totals(styles, document, width),
        *sections.hsn_summary(styles, document, width),
        *sections.terms(styles, document),
        *sections.foot(styles, document, width),
    ]
    template.build(story, canvasmaker=_numbered_canvas(f"{header.buyer_po_number} · {version}"))
    return buffer.getvalue()
