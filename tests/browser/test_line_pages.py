"""A big order's lines in the browser: paged, searched, and kept as they are by a live refresh.

120 lines at 50 a page make three pages; the page size is the view's
module constant, set for the test (the live server runs in this process).
"""

import re

import pytest
from playwright.sync_api import expect

from purchase_orders.lifecycle import STATUS_LABELS
from purchase_orders.services.purchase_orders import confirm_purchase_order
from purchase_orders.views import purchase_order as page_view
from tests.browser.steps import status_badge
from tests.plugins.network import acknowledged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WITHIN = 2_000  # ms
MARK = "() => { window.openedOnce = true; }"
NOT_RELOADED = "() => window.openedOnce === true"


@pytest.fixture
def big_order(people, portal_lock, monkeypatch):
    monkeypatch.setattr(page_view, "LINES_PER_PAGE", 50)
    with portal_lock:
        return people.purchase_order(sent=True, lines=120)


def rows(page):
    return page.locator(".table--lines tbody tr")


def test_the_lines_of_a_big_order_are_paged_and_searched(people, visitors, big_order):
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(big_order.get_absolute_url())

    count = page.locator("#lines-count")
    expect(count).to_have_text("Lines 1–50 of 120")
    expect(rows(page)).to_have_count(50)
    pages = page.get_by_role("navigation", name="Pages of lines", exact=True)
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 1")

    pages.get_by_role("link", name="Next page of lines").click()
    expect(count).to_have_text("Lines 51–100 of 120")
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 2")
    expect(rows(page).first).to_contain_text("box 51")
    # The totals are the whole order's on every page.
    expect(page.locator(".totals__grand dd")).to_contain_text("₹")

    pages.get_by_role("link", name="Page 3").click()
    expect(count).to_have_text("Lines 101–120 of 120")
    expect(rows(page)).to_have_count(20)

    search = page.get_by_role("searchbox", name="Search the lines")
    search.fill("box 117")
    search.press("Enter")
    expect(count).to_contain_text("Lines 1–1 of 1 matching “box 117”")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("A4 copier paper, 75 gsm, box 117")
    assert "lines_q=box+117" in page.url
    expect(search).to_have_value("box 117")

    page.get_by_role("link", name="Show all lines").click()
    expect(count).to_have_text("Lines 1–50 of 120")


def test_a_live_refresh_keeps_the_page_and_the_search_of_the_lines(
    people, visitors, big_order, portal_lock
):
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(f"{big_order.get_absolute_url()}?lines_q=gsm&lines_page=2")
    count = page.locator("#lines-count")
    before = "Lines 51–100 of 120 matching “gsm” (of 120 lines)"
    expect(count).to_have_text(before)
    page.evaluate(MARK)

    with portal_lock:
        confirm_purchase_order(
            purchase_order=big_order, confirmed_by=people.supplier_user, accept=True, remarks=""
        )
        acknowledged(big_order)

    expect(status_badge(page)).to_have_text(STATUS_LABELS["ACCEPTED"], timeout=WITHIN)
    assert page.evaluate(NOT_RELOADED)
    expect(count).to_have_text(before)
    expect(rows(page)).to_have_count(50)
    expect(rows(page).first).to_contain_text("A4 copier paper, 75 gsm, box 51")
    assert re.search(r"\?lines_q=gsm&lines_page=2$", page.url)
