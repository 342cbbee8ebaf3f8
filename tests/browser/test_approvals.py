"""Approvals in the browser: submitted by the buyer, approved or returned by the approver.

Two people at two browsers. The approver's open home page shows what is
submitted without a reload; an approval sends the order over the sandbox,
which delivers it; a return puts it back to the buyer as a draft with the
approver's remarks.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from purchase_orders.models import PurchaseOrder
from tests.browser.steps import error_of, fact, mails_to, notice, pending, status_badge

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

WITHIN = 2_000  # ms: an open page follows a change within 2 s


@pytest.fixture
def draft(people, portal_lock):
    """A draft of the buyer's over its approval limit of ₹1,000.00, and the buyer's approver."""
    with portal_lock:
        people.buyer.approval_limit = Decimal("1000.00")
        people.buyer.save(update_fields=["approval_limit"])
        assert people.approver_user
        purchase_order = people.purchase_order(lines=2)
    assert purchase_order.total_po_value > Decimal("1000.00")
    return purchase_order


def submit(buyer, people, draft) -> None:
    """The buyer opens the draft, is told why it needs approval, and submits it."""
    page = buyer.page
    page.goto(draft.get_absolute_url())
    expect(page.locator("#po-approval-needed")).to_contain_text(
        "Needs approval before it is sent. Total "
    )
    expect(page.locator("#po-approval-needed")).to_contain_text(
        "is over Kaveri Textiles's approval limit of ₹1,000.00."
    )
    expect(page.get_by_role("button", name="Send to supplier", exact=True)).to_have_count(0)
    buyer.shot("needs-approval")
    page.get_by_role("button", name="Submit for approval", exact=True).click()
    expect(notice(page)).to_contain_text("is submitted for approval")
    expect(status_badge(page)).to_have_text("Waiting for approval")
    expect(page.locator("#po-waiting-approval")).to_contain_text("Waiting for approval.")
    expect(page.get_by_role("button", name="Submit for approval", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    buyer.shot("submitted")


def test_submitted_then_approved_the_order_is_sent_and_delivered(
    people, draft, visitors, deliver, portal_lock, run_mail_tasks, live_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    approver = visitors("approver")
    approver.log_in(people.approver_user)
    expect(approver.page.locator("#live-waiting")).to_contain_text(
        "Nothing is waiting for your approval."
    )
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)

    submit(buyer, people, draft)

    # The approver's open home follows it, and the e-mail says so too.
    waiting = approver.page.locator("#live-waiting")
    expect(waiting).to_contain_text(draft.buyer_po_number, timeout=WITHIN)
    expect(approver.page.locator("#waiting-heading .count")).to_have_text("1")
    approver.shot("home-waiting")
    run_mail_tasks()
    (asked,) = mails_to(people.approver_user)
    assert asked.subject == f"Waiting for your approval: purchase order {draft.buyer_po_number}"
    assert f"{live_server.url}{draft.get_absolute_url()}" in asked.body

    page = approver.page
    waiting.get_by_role("link", name=draft.buyer_po_number).click()
    panel = page.get_by_role("region", name="Your approval")
    expect(panel).to_contain_text("Approve to send this purchase order to Sahyadri Paper")
    approver.shot("approval-panel")
    panel.get_by_label("Remarks").fill("Within the quarter's budget.")
    panel.get_by_role("button", name="Approve", exact=True).click()
    expect(notice(page)).to_contain_text(
        f"You approved {draft.buyer_po_number}: it is on its way to Sahyadri Paper."
    )
    expect(pending(page)).to_contain_text("Sent to Sahyadri Paper — waiting for the network.")
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    with portal_lock:
        purchase_order = PurchaseOrder.objects.get()
    assert (purchase_order.status, purchase_order.pending_action) == ("DRAFT", "SEND")

    # The network takes it: the supplier has it, and both pages say so.
    deliver(2)
    page.reload()
    expect(pending(page)).to_have_count(0)
    expect(status_badge(page)).to_have_text("Sent, awaiting confirmation")
    expect(fact(page, "Delivered to the supplier")).not_to_have_text("Not yet")
    approver.shot("delivered")
    buyer.page.reload()
    expect(status_badge(buyer.page)).to_have_text("Sent, awaiting confirmation")
    versions = buyer.page.locator("#live-versions")
    expect(versions).to_contain_text("Approved by Meera Iyer")
    timeline = buyer.page.locator(".timeline")
    expect(timeline).to_contain_text("Submitted for approval")
    expect(timeline).to_contain_text("Within the quarter's budget.")
    buyer.shot("approved-and-delivered")
    with portal_lock:
        purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)

    run_mail_tasks()
    assert [mail.subject for mail in mails_to(people.buyer_user)] == [
        f"Meera Iyer approved purchase order {draft.buyer_po_number}"
    ]
    assert [mail.subject for mail in mails_to(people.supplier_user)] == [
        f"New purchase order {draft.buyer_po_number} from Kaveri Textiles"
    ]


def test_submitted_then_returned_the_buyer_has_the_draft_with_the_remarks(
    people, draft, visitors, portal_lock, run_mail_tasks
):
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    submit(buyer, people, draft)
    approver = visitors("approver")
    approver.log_in(people.approver_user)

    page = approver.page
    page.goto(draft.get_absolute_url())
    panel = page.get_by_role("region", name="Your approval")
    panel.get_by_role("button", name="Return", exact=True).click()
    remarks = page.get_by_label("Remarks")
    expect(error_of(page, remarks)).to_have_text(
        "Say why you return it; the buyer sees your remarks."
    )
    approver.shot("return-needs-remarks")
    with portal_lock:
        assert PurchaseOrder.objects.get().status == "AWAITING_APPROVAL"
    remarks.fill("Split the toner into its own order.")
    page.get_by_role("button", name="Return", exact=True).click()
    expect(notice(page)).to_contain_text(
        f"You returned {draft.buyer_po_number} to Asha with your remarks"
    )
    expect(status_badge(page)).to_have_text("Draft")

    # The buyer's open page follows it: a draft again, with the remarks.
    returned = buyer.page.locator("#po-returned")
    expect(returned).to_contain_text(
        "Returned by Meera Iyer (version 1): “Split the toner into its own order.”",
        timeout=WITHIN,
    )
    expect(status_badge(buyer.page)).to_have_text("Draft")
    expect(buyer.page.get_by_role("button", name="Submit for approval", exact=True)).to_be_visible()
    expect(buyer.page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
    buyer.shot("returned")
    with portal_lock:
        purchase_order = PurchaseOrder.objects.get()
    assert (purchase_order.status, purchase_order.waiting_approval) == ("DRAFT", None)
    assert not purchase_order.outbound_messages.exists()
    run_mail_tasks()
    (told,) = mails_to(people.buyer_user)
    assert told.subject == f"Meera Iyer returned purchase order {draft.buyer_po_number} to you"
    assert "Split the toner into its own order." in told.body
