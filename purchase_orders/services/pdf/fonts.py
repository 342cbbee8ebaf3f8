"""The font the PDFs are set in: DejaVu Sans, which has the rupee sign.

Debian's ``fonts-dejavu-core`` installs it where ``FONT_DIR`` says.
"""

from functools import cache
from pathlib import Path

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONT_FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class FontMissing(RuntimeError):
    """The font the PDF is set in is not installed."""


@cache
def register_fonts() -> None:
    """Register DejaVu Sans with ReportLab, once per process."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in FONT_FILES.items():
        path = FONT_DIR / filename
        if not path.exists():
            raise FontMissing(f"{path} is missing: install Debian's fonts-dejavu-core.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, BOLD)
