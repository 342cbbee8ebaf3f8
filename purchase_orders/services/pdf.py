"""Render a purchase order's document as a PDF, with WeasyPrint.

WeasyPrint lays the document out with Pango (Debian's ``libpango-1.0-0``
and ``libpangoft2-1.0-0``) and the fonts fontconfig finds; the stylesheet
names DejaVu Sans (``fonts-dejavu-core``), which has the rupee sign. The
document may fetch nothing but the portal's own static files: every other
address (the network, the file system, ``data:``) is refused, so that text
a party wrote cannot make the renderer reach anywhere.
"""

import logging
import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone

from purchase_orders.selectors.documents import PurchaseOrderDocument

logger = logging.getLogger(__name__)

TEMPLATE = "purchase_orders/pdf.html"
# The document's own address: relative links resolve under it, and only the
# static files under it are served.
BASE_URL = "https://portal.invalid/"


class DocumentFetchRefused(ValueError):
    """The document asked for something other than one of the portal's static files."""


def static_path(url: str) -> str | None:
    """Return the file behind a static URL of the document, or None."""
    prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
    if not url.startswith(prefix):
        return None
    name = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    if not name or ".." in name.split("/"):
        return None
    found = finders.find(name)
    if found:
        return found
    if staticfiles_storage.exists(name):
        return staticfiles_storage.path(name)
    return None


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serve the portal's static files; refuse everything else."""

        def fetch(self, url, headers=None):
            path = static_path(url)
            if path is None:
                logger.warning("The PDF asked for %s, refused", url[:200])
                raise DocumentFetchRefused(f"Not one of the portal's static files: {url[:200]}")
            with open(path, "rb") as file:
                body = file.read()
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return StaticFilesFetcher()


def render_document_html(document: PurchaseOrderDocument) -> str:
    return render_to_string(TEMPLATE, {"document": document, "printed_at": timezone.now()})


def render_purchase_order_pdf(document: PurchaseOrderDocument) -> bytes:
    """Return the PDF of one version of a purchase order."""
    # Imported here: loading Pango takes a moment that pages without a PDF need not wait.
    from weasyprint import HTML

    html = HTML(string=render_document_html(document), base_url=BASE_URL, url_fetcher=_fetcher())
    return html.write_pdf()
