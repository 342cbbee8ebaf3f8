"""The order's documents in Chromium: its PDF downloaded, its printable view opened."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.documents import detailed_order, pdf_pages
from tests.security.authorization import with_two_versions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def downloaded(page, click) -> tuple[str, bytes]:
    """Click something that downloads a file; return the file's name and bytes."""
    with page.expect_download() as info:
        click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_the_supplier_downloads_the_pdf_of_the_order_and_of_its_first_version(people, visitors):
    purchase_order = with_two_versions(people, detailed_order(people))
    supplier = visitors("supplier")
    supplier.log_in(people.supplier_user)
    page = supplier.page
    page.goto(purchase_order.get_absolute_url())

    name, content = downloaded(page, page.get_by_role("link", name="Download PDF").click)

    assert name == "PO-DEMO-0001-v2.pdf"
    assert content.startswith(b"%PDF-")
    document = " ".join(pdf_pages(content))
    assert "PO number PO/DEMO/0001" in document
    assert "SUBJECT Paper and toner" in document

    name, content = downloaded(
        page, page.get_by_role("link", name="PDF of version 1", exact=True).click
    )

    assert name == "PO-DEMO-0001-v1.pdf"
    first = " ".join(pdf_pages(content))
    assert "SUBJECT Office supplies" in first
    assert "SUPERSEDED BY VERSION 2" in first
    supplier.shot("versions")


def test_the_printable_view_opens_with_its_favicon_and_offers_the_pdf(people, visitors):
    purchase_order = detailed_order(people)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(purchase_order.get_absolute_url())

    page.get_by_role("link", name="Printable view").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Purchase order")
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", "/static/img/favicon.svg")
    expect(page.get_by_role("cell", name="Cess 1%: 12.55")).to_be_visible()
    buyer.shot("printable view")
    name, content = downloaded(page, page.get_by_role("link", name="Download PDF").click)
    assert name == "PO-DEMO-0001-v1.pdf"
    assert (
        "Amount in words: Rupees Eleven Thousand Two Hundred Forty and Fifty-Five Paise Only"
        in (" ".join(pdf_pages(content)))
    )
    # The visitors fixture fails the test on any console error (a missing
    # favicon is one) or a static file that did not load.
