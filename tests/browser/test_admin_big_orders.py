"""A sent order's lines in admin, in Chromium: searched and paged, the list's filters kept."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_an_admin_searches_and_pages_a_sent_orders_lines(people, visitors, django_user_model):
    order = people.purchase_order(sent=True, lines=60)
    staff = django_user_model.objects.create_superuser("root", password=DEMO_PASSWORD)
    admin = visitors("admin", viewport={"width": 1366, "height": 900})
    admin.log_in(staff)
    page = admin.page
    page.goto("/admin/purchase_orders/purchaseorder/?status__exact=CREATED")
    page.get_by_role("link", name=order.buyer_po_number).click()
    paging = page.locator("#lines-paging")
    expect(paging).to_contain_text("Line items 1–50 of 60")
    assert query(page.url)["_changelist_filters"] == ["status__exact=CREATED"]

    # Enter in the search box submits the search's own form, not the change form.
    page.get_by_label("Search the line items").fill("box 57")
    page.get_by_label("Search the line items").press("Enter")
    page.wait_for_url(re.compile(r"lines_q="))
    expect(paging).to_contain_text("1–1 of 1")
    expect(page.locator("#lines-group td.field-product_description")).to_have_text(
        ["A4 copier paper, 75 gsm, box 57"]
    )
    assert query(page.url) == {
        "_changelist_filters": ["status__exact=CREATED"],
        "lines_q": ["box 57"],
    }

    paging.get_by_role("link", name="all").click()
    paging.get_by_role("link", name="next ›").click()
    expect(paging).to_contain_text("51–60 of 60")
    expect(page.locator("#lines-group td.field-product_description").last).to_have_text(
        "A4 copier paper, 75 gsm, box 60"
    )
    assert query(page.url)["_changelist_filters"] == ["status__exact=CREATED"]
    admin.shot("admin-lines-page-2")
