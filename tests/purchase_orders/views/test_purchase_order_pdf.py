"""The PDF of a purchase order: downloaded by either side, read back as an Indian PO."""

import io

import pytest
from django.urls import reverse
from reportlab.lib.pagesizes import A6
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFontFile
from reportlab.platypus import SimpleDocTemplate

from purchase_orders import lifecycle
from purchase_orders.contents import PartyContents
from purchase_orders.labels import state_words
from purchase_orders.models import Business
from purchase_orders.selectors.documents import pan_of
from purchase_orders.services import pdf
from purchase_orders.services.documents import record_version
from purchase_orders.services.pdf import grid
from tests.documents import TERMS, detailed_order, pdf_fonts, pdf_pages
from tests.security.authorization import order_in, with_two_versions

pytestmark = pytest.mark.django_db


def pdf_url(purchase_order, version=None) -> str:
    url = reverse("purchase_orders:pdf", args=[purchase_order.object_id])
    return url if version is None else f"{url}?version={version}"


def test_the_pdf_is_a_pdf_named_after_the_po_number_and_version(people):
    purchase_order = detailed_order(people)

    response = people.buyer_client.get(pdf_url(purchase_order))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="PO-DEMO-0001-v1.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_an_order_between_states_reads_back_with_igst_per_line_and_an_hsn_summary(people):
    purchase_order = detailed_order(people)
    buyer, supplier = people.buyer, people.supplier

    response = people.supplier_client.get(pdf_url(purchase_order))
    pages = pdf_pages(response.content)
    document = " ".join(pages)

    assert len(pages) == 1
    for shown in (
        "PURCHASE ORDER",
        "PO number PO/DEMO/0001",
        "Version 1",
        "Order date 23 Nov 2026",
        "Status Sent, awaiting confirmation",
        buyer.legal_name,
        f"GSTIN {buyer.gstin} · PAN {buyer.gstin[2:12]}",
        "State 29 – Karnataka",
        supplier.legal_name,
        f"GSTIN {supplier.gstin} · PAN {supplier.gstin[2:12]}",
        "State 27 – Maharashtra",
        "PLACE OF SUPPLY 29 – Karnataka",
        "Between states: IGST",
        "DELIVERY ADDRESS Plot 7, KIADB",
        # Line 1: 10 boxes at ₹125.50, IGST 18 %, a cess of 1 %.
        "48025690 10 BOX 125.50 — 1,255.00 18% 225.90 Cess 1%: 12.55 1,493.45",
        "84669390 20 BOX 126.50 — 2,530.00 12% 303.60 — 2,833.60",
        "Freight ₹2,400.00",
        "Total ₹11,240.55",
        "Amount in words: Rupees Eleven Thousand Two Hundred Forty and Fifty-Five Paise Only",
        "TAX SUMMARY BY HSN/SAC",
        "48025690 ₹5,080.00 18%: ₹914.40 ₹12.55 ₹926.95",
        "84669390 ₹2,530.00 12%: ₹303.60 ₹0.00 ₹303.60",
        "PAYMENT MILESTONES • ₹11,240.55 by 31 Dec 2026",
        "TERMS AND CONDITIONS 1. Quote our PO number on every invoice.",
        "2. Payment within 45 days of delivery.",
        f"For {buyer.legal_name} Authorised signatory",
        "PO/DEMO/0001 · version 1 Page 1 of 1",
    ):
        assert shown in document, shown
    assert "CGST" not in document
    assert "SGST" not in document
    assert "TERMS_AND_CONDITIONS" not in document
    assert TERMS.splitlines()[0] in document


def test_an_order_within_a_state_shows_cgst_and_sgst_per_line(people):
    purchase_order = detailed_order(people, intra_state=True)

    document = " ".join(pdf_pages(people.buyer_client.get(pdf_url(purchase_order)).content))

    assert "Within the state: CGST + SGST" in document
    assert "State 29 – Karnataka" in document
    # Half of 18 % each side, each rounded on its own: ₹112.95 + ₹112.95.
    assert "1,255.00 9% 112.95 9% 112.95 Cess 1%: 12.55 1,493.45" in document
    assert "2,530.00 6% 151.80 6% 151.80 — 2,833.60" in document
    assert "48025690 ₹5,080.00 9%: ₹457.20 9%: ₹457.20 ₹12.55 ₹926.95" in document
    assert "IGST" not in document
    assert "Total ₹11,240.55" in document


def test_the_rupee_sign_is_set_in_a_font_that_has_it(people):
    purchase_order = detailed_order(people)

    content = people.buyer_client.get(pdf_url(purchase_order)).content

    assert "₹" in pdf_pages(content)[0]
    assert pdf_fonts(content) == {"DejaVuSans", "DejaVuSans-Bold"}
    # The font itself has the glyph, so no box is drawn in its place.
    assert 0x20B9 in TTFontFile(str(pdf.FONT_DIR / "DejaVuSans.ttf")).charToGlyph


def test_a_long_order_numbers_its_pages_and_repeats_the_lines_header(people):
    purchase_order = detailed_order(people, lines=90)

    pages = pdf_pages(people.buyer_client.get(pdf_url(purchase_order)).content)

    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"PO/DEMO/0001 · version 1 Page {number} of {len(pages)}" in page
    for page in pages[:-1]:
        assert (
            "# Description HSN/SAC Qty Unit Rate (₹) Discount (₹) Taxable value (₹) IGST (₹)"
            in page
        )
    document = " ".join(pages)
    assert document.count("A4 copier paper, 75 gsm, box ") == 90
    assert "Authorised signatory" in pages[-1]
    assert "Authorised signatory" not in " ".join(pages[:-1])


def test_a_draft_says_it_is_not_sent_and_is_the_buyers_alone(people):
    draft = order_in(people, lifecycle.DRAFT, buyer_po_number="PO/DEMO/0003")

    response = people.buyer_client.get(pdf_url(draft))

    assert response["Content-Disposition"] == 'attachment; filename="PO-DEMO-0003-draft.pdf"'
    document = " ".join(pdf_pages(response.content))
    assert "DRAFT: NOT SENT TO THE SUPPLIER" in document
    assert "Version Draft" in document
    assert "Sent, awaiting confirmation" not in document
    # Nobody signed it and the network never had it.
    assert "Not issued on the Bharat Connect B2B network." in document
    assert "Issued on the Bharat Connect" not in document
    assert "Authorised signatory" not in document
    printed = people.buyer_client.get(
        reverse("purchase_orders:print", args=[draft.object_id])
    ).content.decode()
    assert "Not issued on the Bharat Connect B2B network." in printed
    assert "Authorised signatory" not in printed
    assert people.supplier_client.get(pdf_url(draft)).status_code == 404
    assert people.outsider_client.get(pdf_url(draft)).status_code == 404


def test_an_order_waiting_for_approval_says_it_is_not_sent(people):
    waiting = order_in(people, lifecycle.AWAITING_APPROVAL)

    document = " ".join(pdf_pages(people.buyer_client.get(pdf_url(waiting)).content))

    assert "WAITING FOR APPROVAL: NOT SENT TO THE SUPPLIER" in document
    assert people.supplier_client.get(pdf_url(waiting)).status_code == 404


def test_each_earlier_version_has_its_own_pdf_from_its_snapshot(people):
    purchase_order = with_two_versions(people, detailed_order(people))

    first = people.supplier_client.get(pdf_url(purchase_order, 1))
    second = people.supplier_client.get(pdf_url(purchase_order, 2))

    assert first["Content-Disposition"] == 'attachment; filename="PO-DEMO-0001-v1.pdf"'
    assert second["Content-Disposition"] == 'attachment; filename="PO-DEMO-0001-v2.pdf"'
    first_text, second_text = (" ".join(pdf_pages(r.content)) for r in (first, second))
    assert "SUBJECT Office supplies" in first_text
    assert "SUPERSEDED BY VERSION 2" in first_text
    assert "SUBJECT Paper and toner" in second_text
    assert "Status Sent, awaiting confirmation" in second_text
    assert "SUPERSEDED" not in second_text
    for text in (first_text, second_text):
        assert "Total ₹11,240.55" in text
        assert "Freight ₹2,400.00" in text


def test_a_version_not_yet_acknowledged_is_said_so_and_is_the_buyers_alone(people):
    purchase_order = detailed_order(people)
    record_version(purchase_order=purchase_order, first=True)
    purchase_order.version = 2
    record_version(purchase_order=purchase_order, first=True, reason="More paper")
    purchase_order.refresh_from_db()
    assert purchase_order.version == 1

    response = people.buyer_client.get(pdf_url(purchase_order, 2))

    document = " ".join(pdf_pages(response.content))
    assert "NOT YET ACKNOWLEDGED BY THE NETWORK" in document
    assert "Sent, awaiting confirmation" not in document
    assert people.supplier_client.get(pdf_url(purchase_order, 2)).status_code == 404
    assert people.supplier_client.get(pdf_url(purchase_order, 1)).status_code == 200


@pytest.mark.parametrize("version", ["3", "0", "-1", "two", ""])
def test_a_version_that_is_not_there_is_not_found(people, version):
    purchase_order = with_two_versions(people, detailed_order(people))

    url = f"{pdf_url(purchase_order)}?version={version}"

    assert people.buyer_client.get(url).status_code == 404


def test_another_business_finds_nothing_and_a_visitor_is_asked_to_sign_in(client, people):
    purchase_order = detailed_order(people)

    assert people.outsider_client.get(pdf_url(purchase_order)).status_code == 404
    response = client.get(pdf_url(purchase_order))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_and_the_printable_view_link_the_pdf_of_each_version(people):
    purchase_order = with_two_versions(people, detailed_order(people))

    page = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    printed = people.buyer_client.get(
        reverse("purchase_orders:print", args=[purchase_order.object_id])
    ).content.decode()

    assert f'id="po-pdf" href="{pdf_url(purchase_order)}" download>Download PDF' in page
    for version in (1, 2):
        assert f'href="{pdf_url(purchase_order, version)}" download' in page
    assert f'href="{pdf_url(purchase_order)}" download>Download PDF</a>' in printed


def test_what_a_party_wrote_is_printed_as_text_never_read_as_markup(people):
    purchase_order = detailed_order(people)
    purchase_order.subject = 'Bolts <img src="http://127.0.0.1:9/x.png"/> & <b>nuts</b>'
    purchase_order.save(update_fields=["subject"])

    response = people.buyer_client.get(pdf_url(purchase_order))

    document = " ".join(pdf_pages(response.content))
    assert 'SUBJECT Bolts <img src="http://127.0.0.1:9/x.png"/> & <b>nuts</b>' in document


def test_a_pan_is_read_from_the_gstin_else_from_the_business_profile():
    with_gstin = PartyContents(role="buyer", gstin="29aabcn1234f1zs")
    without = PartyContents(role="supplier", gstin="")

    assert pan_of(with_gstin, None) == "AABCN1234F"
    assert pan_of(without, Business(pan="aadcs5678k")) == "AADCS5678K"
    assert pan_of(without, None) == ""


def test_a_state_is_named_with_its_code():
    assert state_words("29") == "29 – Karnataka"
    assert state_words(" 27 ") == "27 – Maharashtra"
    assert state_words("98") == "98"
    assert state_words("") == ""


@pytest.mark.parametrize("version", ["²", "1" * 20, "-1", "one"])
def test_a_version_that_is_not_a_number_is_not_found(people, version):
    purchase_order = detailed_order(people)
    lines = reverse("purchase_orders:lines-csv", args=[purchase_order.object_id])

    assert people.buyer_client.get(f"{lines}?version={version}").status_code == 404
    assert people.buyer_client.get(pdf_url(purchase_order, version)).status_code == 404


def test_a_long_description_is_wrapped_in_its_column_and_printed_whole(people):
    purchase_order = detailed_order(people, lines=60)
    long_word = "X" * 90
    description = (
        "Stainless steel hex bolts M12 x 80 mm, grade A2-70, fully threaded, with two flat "
        f"washers and a nyloc nut each, packed in boxes of fifty {long_word}"
    )
    purchase_order.lines.filter(position=30).update(product_description=description)

    pages = pdf_pages(people.buyer_client.get(pdf_url(purchase_order)).content)

    document = " ".join(pages)
    # Wrapped over several lines of its cell, cut inside the word too long for the column.
    assert description.split(long_word)[0] in document
    assert long_word not in document
    assert "".join(document.split()).count(long_word) == 1
    assert len(pages) > 2
    for page in pages[:-1]:
        assert "# Description HSN/SAC Qty Unit Rate (₹)" in page
    for number in range(1, 61):
        if number != 31:
            assert document.count(f"A4 copier paper, 75 gsm, box {number} ") == 1, number


def test_a_text_is_wrapped_to_its_width_at_spaces_else_inside_a_word():
    pdf.register_fonts()
    width = 60
    text = "Bolts and nuts\nwith washers " + "Y" * 40

    lines = grid.wrap_text(text, pdf.FONT, 7, width)

    assert all(stringWidth(line, pdf.FONT, 7) <= width for line in lines)
    assert lines[:2] == ["Bolts and nuts", "with washers"]
    assert "".join(lines[2:]) == "Y" * 40
    assert len(lines) > 3
    assert grid.wrap_text("", pdf.FONT, 7, width) == [""]
    assert grid.wrap_text("18%", pdf.FONT, 7, width) == ["18%"]


def test_a_very_long_word_is_cut_into_pieces_that_each_fill_the_width():
    # A counterparty's attribute has no length limit: 20,000 letters with no
    # space must be cut in one pass, each piece as full as the width allows.
    pdf.register_fonts()
    width = 60
    word = "W" * 20_000

    lines = grid.wrap_text(word, pdf.FONT, 7, width)

    assert "".join(lines) == word
    assert all(stringWidth(line, pdf.FONT, 7) <= width for line in lines)
    assert all(stringWidth(line + "W", pdf.FONT, 7) > width for line in lines[:-1])
    assert len({len(line) for line in lines[:-1]}) == 1


def test_a_row_taller_than_a_page_goes_on_over_the_next_pages():
    pdf.register_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A6, initialFontName=pdf.FONT)
    columns = [grid.Column("#", 20), grid.Column("Text", 150), grid.Column("₹", 40, grid.RIGHT)]
    texts = [f"part {number}" for number in range(1, 121)]
    look = grid.Look(font=pdf.FONT, bold=pdf.FONT)
    table = grid.Grid(columns, [[["1"], texts, ["9.50"]]], look, tallest=template.height - 12)

    template.build([table])

    pages = pdf_pages(buffer.getvalue())
    assert len(pages) > 2
    for page in pages:
        assert page.startswith("# Text ₹")
    document = " ".join(pages)
    for text in texts:
        assert document.count(f"{text} ") + document.endswith(text) == 1, text
