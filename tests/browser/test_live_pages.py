"""Open pages follow the network in place, in the browser (``static/js/live.js``).

Someone else's change, made through the services while a page is open,
shows on it within 2 s without a reload: the new status, the new row; an
action waiting for the network shows as pending, and the network's
acknowledgement replaces the pending alert with the new status. The
focus stays where it was, the aria-live announcer says what changed, and
an open edit form is told of the change and keeps what was typed. Each
"within 2 s" is Playwright waiting at most 2 s for what must happen.
The page's poll is held by the server until something changes (a long
poll, re-checked every 0.5 s on SQLite), not repeated every second.
"""

import re

import pytest
from playwright.sync_api import expect

from purchase_orders.lifecycle import STATUS_LABELS
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
)
from tests.browser.conftest import DESKTOP
from tests.browser.steps import status_badge
from tests.factories import DEMO_PASSWORD
from tests.plugins.network import acknowledged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WITHIN = 2_000  # ms
# Set on the page once it is open; a reload would forget it.
MARK = "() => { window.openedOnce = true; }"
NOT_RELOADED = "() => window.openedOnce === true"


def announcer(page):
    return page.locator("[data-live-announcer]")


def confirm(people, purchase_order, portal_lock, *, acknowledge: bool = True) -> None:
    """Confirm the order as its supplier, from outside the page; the network acknowledges it."""
    with portal_lock:
        confirm_purchase_order(
            purchase_order=purchase_order,
            confirmed_by=people.supplier_user,
            accept=True,
            remarks="",
        )
        if acknowledge:
            acknowledged(purchase_order)


def cancel(people, purchase_order, portal_lock, *, remarks: str = "") -> None:
    """Cancel the order as its buyer, from outside the page; the network acknowledges it."""
    with portal_lock:
        change_purchase_order_status(
            purchase_order=purchase_order,
            changed_by=people.buyer_user,
            action="CANCEL",
            remarks=remarks,
        )
        acknowledged(purchase_order)


def test_an_open_order_page_shows_a_confirmation_made_elsewhere(people, visitors, portal_lock):
    purchase_order = people.purchase_order(sent=True, lines=2)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(purchase_order.get_absolute_url())
    expect(status_badge(page)).to_have_text(STATUS_LABELS["CREATED"])
    page.evaluate(MARK)
    page.locator("#po-print").focus()

    confirm(people, purchase_order, portal_lock)

    expect(status_badge(page)).to_have_text(STATUS_LABELS["ACCEPTED"], timeout=WITHIN)
    expect(announcer(page)).to_have_text(
        re.compile(r"Status: Accepted, version 1\."), timeout=WITHIN
    )
    expect(page.get_by_role("status").filter(has_text="Status: Accepted")).to_have_count(0)
    assert page.evaluate(NOT_RELOADED) is True
    assert page.evaluate("() => document.activeElement.id") == "po-print"
    expect(page.locator("#live-history")).to_contain_text("Accepted")
    buyer.shot("confirmed-in-place")


def test_an_open_page_waits_for_a_change_instead_of_polling_every_second(
    people, visitors, portal_lock, held_polls
):
    """The page's poll is held by the server; the change answers it, and shows within 2 s."""
    purchase_order = people.purchase_order(sent=True, lines=1)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    polls = []
    page.on(
        "request",
        lambda request: polls.append(request.headers.get("x-live-wait"))
        if "/stamp/" in request.url
        else None,
    )
    page.goto(purchase_order.get_absolute_url())
    page.evaluate(MARK)
    page.wait_for_timeout(3_500)

    # Polling every second would have asked three times by now; a held poll, once.
    assert polls == ["25"]
    confirm(people, purchase_order, portal_lock)

    expect(status_badge(page)).to_have_text(STATUS_LABELS["ACCEPTED"], timeout=WITHIN)
    assert page.evaluate(NOT_RELOADED) is True


HIDE_TAB = """() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_tab_going_out_of_sight_lets_go_of_its_held_poll(people, visitors, held_polls):
    """Browsers keep a few connections per host; hidden tabs must not hold them."""
    purchase_order = people.purchase_order(sent=True, lines=1)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    failed = []
    page.on(
        "requestfailed",
        lambda request: failed.append(request.headers.get("x-live-wait"))
        if "/stamp/" in request.url
        else None,
    )
    page.goto(purchase_order.get_absolute_url())
    page.wait_for_timeout(1_500)  # the poll is held by now
    assert failed == []

    page.evaluate(HIDE_TAB)

    page.wait_for_timeout(500)
    assert failed == ["25"]


def test_a_pending_action_shows_in_place_and_goes_when_the_network_acknowledges(
    people, visitors, portal_lock
):
    purchase_order = people.purchase_order(sent=True, lines=1)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(purchase_order.get_absolute_url())
    pending = page.locator("[data-pending-action]")
    expect(pending).to_have_count(0)
    page.evaluate(MARK)

    confirm(people, purchase_order, portal_lock, acknowledge=False)

    expect(pending).to_have_attribute("data-pending-action", "ACCEPT", timeout=WITHIN)
    expect(status_badge(page)).to_have_text(STATUS_LABELS["CREATED"])
    buyer.shot("pending-in-place")

    with portal_lock:
        acknowledged(purchase_order)

    expect(status_badge(page)).to_have_text(STATUS_LABELS["ACCEPTED"], timeout=WITHIN)
    expect(pending).to_have_count(0)
    assert page.evaluate(NOT_RELOADED) is True
    buyer.shot("acknowledged-in-place")


def test_the_suppliers_answer_panel_goes_when_the_buyer_cancels(people, visitors, portal_lock):
    purchase_order = people.purchase_order(sent=True, lines=1)
    supplier = visitors("supplier")
    supplier.log_in(people.supplier_user)
    page = supplier.page
    page.goto(purchase_order.get_absolute_url())
    answer = page.get_by_role("region", name="Your answer")
    expect(answer).to_be_visible()
    page.evaluate(MARK)

    cancel(people, purchase_order, portal_lock, remarks="No longer needed")

    expect(status_badge(page)).to_have_text(STATUS_LABELS["CANCELLED"], timeout=WITHIN)
    expect(answer).to_have_count(0)
    expect(announcer(page)).to_contain_text("Status: Cancelled")
    assert page.evaluate(NOT_RELOADED) is True


def test_an_answer_being_typed_is_kept_and_told_of_the_change(people, visitors, portal_lock):
    purchase_order = people.purchase_order(sent=True, lines=1)
    supplier = visitors("supplier")
    supplier.log_in(people.supplier_user)
    page = supplier.page
    page.goto(purchase_order.get_absolute_url())
    remarks = page.get_by_label(re.compile("^Remarks"))
    remarks.fill("Can deliver by the 20th")

    cancel(people, purchase_order, portal_lock)

    notice = page.locator("[data-live-notice]")
    expect(notice).to_have_text(
        "This purchase order was changed by someone else — reload to see the new version.",
        timeout=WITHIN,
    )
    expect(status_badge(page)).to_have_text(STATUS_LABELS["CANCELLED"])
    expect(remarks).to_have_value("Can deliver by the 20th")
    expect(remarks).to_be_focused()


def test_an_open_edit_form_is_told_and_keeps_what_was_typed(people, visitors, portal_lock):
    purchase_order = people.purchase_order(sent=True, lines=1)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(f"{purchase_order.get_absolute_url()}edit/")
    subject = page.get_by_label("Subject", exact=True)
    subject.fill("Paper, typed and not saved")
    notice = page.locator("[data-live-notice]")
    expect(notice).to_be_hidden()

    confirm(people, purchase_order, portal_lock)

    expect(notice).to_have_text(
        "This purchase order was changed by someone else — reload to see the new version.",
        timeout=WITHIN,
    )
    expect(announcer(page)).to_contain_text("changed by someone else")
    expect(subject).to_have_value("Paper, typed and not saved")
    expect(subject).to_be_focused()
    buyer.shot("edit-form-told")


@pytest.mark.parametrize(
    ("who", "path", "sent"),
    [
        ("buyer_user", "/purchase-orders/", False),
        ("supplier_user", "/purchase-orders/received/", True),
        ("supplier_user", "/", True),
    ],
)
def test_a_list_gains_a_new_row_in_place(people, visitors, portal_lock, who, path, sent):
    visitor = visitors("viewer")
    visitor.log_in(getattr(people, who))
    page = visitor.page
    page.goto(path)
    page.evaluate(MARK)
    search = page.get_by_label("Search", exact=True)
    if search.count():
        search.fill("typed, not applied")

    with portal_lock:
        purchase_order = people.purchase_order(sent=sent, lines=1, buyer_po_number="PO/LIVE/0042")

    row = page.locator(f"[id$='-{purchase_order.object_id}']")
    expect(row).to_contain_text("PO/LIVE/0042", timeout=WITHIN)
    expect(announcer(page)).to_contain_text("Purchase order PO/LIVE/0042", timeout=WITHIN)
    assert page.evaluate(NOT_RELOADED) is True
    if search.count():
        expect(search).to_have_value("typed, not applied")
        expect(search).to_be_focused()


def test_without_javascript_a_reload_shows_the_change(
    people, chromium, live_server, portal_lock
):
    purchase_order = people.purchase_order(sent=True, lines=1)
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=DESKTOP
    )
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(people.buyer_user.get_username())
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.goto(purchase_order.get_absolute_url())
        expect(status_badge(page)).to_have_text(STATUS_LABELS["CREATED"])
        expect(page.locator("[data-live-notice]")).to_be_hidden()

        confirm(people, purchase_order, portal_lock)
        page.reload()

        expect(status_badge(page)).to_have_text(STATUS_LABELS["ACCEPTED"])
    finally:
        context.close()
