"""A big order's lines on its page: paged in SQL and searched, its totals over all of them.

The page size is a module constant, made small here so that a few lines
make several pages.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from purchase_orders.contents import read_contents
from purchase_orders.models import LineItem, LineItemTax
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.selectors.documents import read_saved_lines
from purchase_orders.views import purchase_order as page_view

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_a_page(monkeypatch):
    monkeypatch.setattr(page_view, "LINES_PER_PAGE", 5)


def shown_lines(content: str) -> list[str]:
    """Return the numbers of the boxes of the lines a page shows, in order."""
    return re.findall(r"A4 copier paper, 75 gsm, box (\d+)\s*<", content)


def get(client, purchase_order, **query):
    response = client.get(purchase_order.get_absolute_url(), query)
    assert response.status_code == 200
    return response, response.content.decode()


def test_an_order_of_one_page_of_lines_shows_them_all_with_no_paging_or_search(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=5)

    _, content = get(people.buyer_client, purchase_order)

    assert shown_lines(content) == ["1", "2", "3", "4", "5"]
    assert 'aria-label="Pages of lines"' not in content
    assert 'name="lines_q"' not in content
    assert "These lines, version 1:" in content


def test_a_big_order_shows_a_page_of_lines_with_navigation_and_totals_of_all(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=12)
    all_lines = LineItem.objects.filter(purchase_order=purchase_order)

    response, content = get(people.supplier_client, purchase_order)

    assert shown_lines(content) == ["1", "2", "3", "4", "5"]
    assert "Lines 1–5 of 12" in content
    nav = re.search(
        r'<nav class="pagination pagination--lines" aria-label="Pages of lines">.*?</nav>',
        content,
        re.S,
    ).group(0)
    assert re.search(r'aria-current="page"><span class="visually-hidden">Page </span>1</a>', nav)
    assert 'href="?lines_page=2#live-lines" rel="next"' in nav
    assert 'href="?lines_page=3#live-lines"><span class="visually-hidden">Page </span>3' in nav
    # The totals add up every line, not the page's.
    totals = response.context["totals"]
    assert totals.taxable_value == sum(line.assessment_amount for line in all_lines)
    assert totals.total_po_value == purchase_order.total_po_value
    assert "The lines and charges add up to" not in content
    # The downloads are of every line, as they say.
    assert "All 12 lines, version 1:" in content

    _, last = get(people.supplier_client, purchase_order, lines_page=3)
    assert shown_lines(last) == ["11", "12"]
    assert "Lines 11–12 of 12" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last


@pytest.mark.parametrize(("asked", "first"), [("99", "11"), ("0", "11"), ("two", "1"), ("", "1")])
def test_a_page_of_lines_out_of_range_or_not_a_number_shows_the_last_or_the_first(
    people, five_a_page, asked, first
):
    purchase_order = people.purchase_order(sent=True, lines=12)

    _, content = get(people.buyer_client, purchase_order, lines_page=asked)

    assert shown_lines(content)[0] == first


def test_the_lines_are_searched_by_what_a_line_is_known_by_in_any_case(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=12)
    lines = LineItem.objects.filter(purchase_order=purchase_order)
    lines.filter(serial_no="7").update(
        hsn_code="84821010", product_serial_number="SN-BEARING-77", batch_number="B-2026-09"
    )
    lines.filter(serial_no="9").update(bar_code="8901234567890")

    for words, expected in [
        ("BOX 1", ["1", "10", "11", "12"]),
        ("8482", ["7"]),
        ("sn-bearing", ["7"]),
        ("b-2026", ["7"]),
        ("8901234567890", ["9"]),
        ("  box   12 ", ["12"]),
    ]:
        response, content = get(people.buyer_client, purchase_order, lines_q=words)
        assert shown_lines(content) == expected, words
        assert response.context["lines_search"] == " ".join(words.split())

    _, content = get(people.buyer_client, purchase_order, lines_q="box 1")
    assert "Lines 1–4 of 4 matching “box 1”" in content
    assert 'value="box 1"' in content
    assert "Show all lines" in content

    response, content = get(people.buyer_client, purchase_order, lines_q="tungsten")
    assert shown_lines(content) == []
    assert "No line of 12 matches “tungsten”" in content
    assert "No line matches “tungsten”." in content
    # The totals are still the whole order's.
    assert len(response.context["totals"].lines) == 12
    assert response.context["totals"].total_po_value == purchase_order.total_po_value


def test_a_search_is_paged_and_its_pages_keep_it(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=12)

    _, content = get(people.buyer_client, purchase_order, lines_q="paper")

    assert "Lines 1–5 of 12 matching “paper”" in content
    assert 'href="?lines_q=paper&amp;lines_page=2#live-lines"' in content
    _, second = get(people.buyer_client, purchase_order, lines_q="paper", lines_page=2)
    assert shown_lines(second) == ["6", "7", "8", "9", "10"]


def test_a_search_is_text_never_markup(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=12)

    _, content = get(people.buyer_client, purchase_order, lines_q='<script>x</script>"')

    assert "<script>x</script>" not in content
    assert "&lt;script&gt;x&lt;/script&gt;&quot;" in content


def test_a_search_with_a_nul_in_it_looks_for_the_words_around_it(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=12)

    response, content = get(people.buyer_client, purchase_order, lines_q="zz\x00qq")

    assert response.status_code == 200
    assert shown_lines(content) == []


def test_another_business_gets_404_for_any_page_or_search_of_the_lines(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=12)

    response = people.outsider_client.get(
        purchase_order.get_absolute_url(), {"lines_page": 2, "lines_q": "box"}
    )

    assert response.status_code == 404


def test_the_actions_of_the_page_stay_with_its_lines_paged(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=12)

    _, content = get(people.supplier_client, purchase_order, lines_page=2)

    assert reverse("purchase_orders:confirm", args=[purchase_order.object_id]) in content
    assert reverse("purchase_orders:lines-csv", args=[purchase_order.object_id]) in content


def test_the_printable_view_prints_every_line_of_a_big_order(people, five_a_page):
    purchase_order = people.purchase_order(sent=True, lines=12)

    content = people.buyer_client.get(
        reverse("purchase_orders:print", args=[purchase_order.object_id])
    ).content.decode()

    assert re.findall(r"box (\d+)</td>", content) == [str(n) for n in range(1, 13)]


def test_a_line_read_as_a_row_has_the_contents_of_the_line_read_as_a_model(people):
    purchase_order = people.purchase_order(sent=True, lines=3)
    line = LineItem.objects.filter(purchase_order=purchase_order).first()
    line.value_details = [{"type": "DISCOUNT", "value": "12.50"}, {"type": "MRP", "value": 99}]
    line.rates = [{"type": "PER_KG", "value": "1.5"}]
    line.attributes = [{"name": "Colour", "value": "White"}]
    line.batch_expiry_on = datetime.date(2027, 3, 31)
    line.product_serial_number = "SN-1"
    line.save()
    LineItemTax.objects.create(line=line, name="Cess", rate=Decimal(1), amount=Decimal("12.43"))
    LineItemTax.objects.create(line=line, name="Green cess", rate=Decimal("0.5"), position=1)

    loaded = get_purchase_order_with_contents(pk=purchase_order.pk)

    assert read_saved_lines(loaded) == read_contents(loaded).lines
    assert isinstance(read_saved_lines(loaded)[0].value_details[1]["value"], Decimal)
