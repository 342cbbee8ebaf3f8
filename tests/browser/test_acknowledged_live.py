"""Open pages follow the network, without a reload: pending, then acknowledged or refused.

The worker and the sandbox do the network's part over real HTTP; the pages
are never reloaded, so what they show arrives through their live regions.
"""

import pytest
from playwright.sync_api import expect

from purchase_orders.enkash import conventions
from purchase_orders.models import PurchaseOrder
from tests.browser.steps import mails_to, notice, pending, status_badge
from tests.browser.test_purchase_order_actions import add_fault

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

# How soon an open page must show what the network did.
LIVE_MS = 2_000


def test_a_refused_send_shows_on_the_open_page_and_the_supplier_hears_nothing(
    people, network_sandbox, visitors, deliver, portal_lock, run_mail_tasks
):
    draft = people.purchase_order()
    add_fault(
        network_sandbox,
        mode="reject",
        kind="req-send",
        error_code=conventions.ERROR_INVALID_FIELD,
        error_detail="HSN code 48025690 is not in the GST tariff.",
        error_field="purchaseOrder.itemLists[0].hsnCode",
    )
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(draft.get_absolute_url())
    page.get_by_role("button", name="Send to supplier", exact=True).click()
    expect(notice(page)).to_contain_text("is on its way to")
    expect(pending(page)).to_contain_text("waiting for the network")

    deliver(0)

    refusal = page.get_by_role("alert").filter(has_text="The network refused")
    expect(refusal).to_contain_text("HSN code 48025690 is not in the GST tariff.", timeout=LIVE_MS)
    expect(pending(page)).to_have_count(0, timeout=LIVE_MS)
    expect(status_badge(page)).to_have_text("Draft")
    buyer.shot("refusal-shown-live")
    with portal_lock:
        draft.refresh_from_db()
    assert (draft.status, draft.version, draft.pending_action) == ("DRAFT", 0, "")
    run_mail_tasks()
    assert mails_to(people.supplier_user) == []
    assert [mail.subject for mail in mails_to(people.buyer_user)] == [
        f"The network refused your request to send purchase order {draft.buyer_po_number}"
    ]


def test_a_confirmation_shows_pending_then_accepted_on_both_open_pages(
    people, visitors, deliver, portal_lock, run_mail_tasks
):
    draft = people.purchase_order()
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    buyer.page.goto(draft.get_absolute_url())
    buyer.page.get_by_role("button", name="Send to supplier", exact=True).click()
    deliver(2)
    expect(status_badge(buyer.page)).to_have_text("Sent, awaiting confirmation", timeout=LIVE_MS)

    supplier = visitors("supplier")
    supplier.log_in(people.supplier_user)
    supplier.page.goto(draft.get_absolute_url())
    supplier.page.get_by_role("button", name="Confirm", exact=True).click()
    expect(pending(supplier.page)).to_contain_text("Confirmation sent")
    # The buyer's page, open all along, hears of it and still says what the
    # network has acknowledged.
    expect(pending(buyer.page)).to_contain_text(
        f"{people.supplier} has accepted it", timeout=LIVE_MS
    )
    expect(status_badge(buyer.page)).to_have_text("Sent, awaiting confirmation")
    buyer.shot("confirmation-pending")

    deliver(4)

    for page in (buyer.page, supplier.page):
        expect(status_badge(page)).to_have_text("Accepted", timeout=LIVE_MS)
        expect(pending(page)).to_have_count(0)
    buyer.shot("accepted-live")
    with portal_lock:
        assert PurchaseOrder.objects.get().status == "ACCEPTED"
    run_mail_tasks()
    assert [mail.subject for mail in mails_to(people.buyer_user)] == [
        f"{people.supplier} accepted purchase order {draft.buyer_po_number}"
    ]
