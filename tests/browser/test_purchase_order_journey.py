"""A purchase order's life in the browser: raised, sent, confirmed, edited, cancelled."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from purchase_orders.models import PurchaseOrder
from tests.browser.steps import (
    error_of,
    fact,
    fill_line,
    mails_to,
    notice,
    pending,
    status_badge,
    total,
)

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

# THREE_LINES (tests/plugins/pages.py) with ten times the paper, so that the
# total runs into lakhs. Worked out by hand, each tax rounded half-up:
# line 1: 100 x 1,250.00 = 1,25,000.00, GST 18% = 22,500.00 (11,250.00 twice);
# line 2: 9,499.97 taxable, IGST 1,709.99, or 855.00 CGST + 855.00 SGST;
# line 3: 15,000.00, GST 12% = 1,800.00 (900.00 twice).
TAXABLE = "₹1,49,499.97"
IGST = "₹26,009.99"
CGST = SGST = "₹13,005.00"
TOTAL_IGST = "₹1,75,509.96"
TOTAL_CGST_SGST = "₹1,75,509.97"


def test_a_purchase_order_goes_from_buyer_to_supplier_and_back(
    people, three_lines, visitors, deliver, portal_lock, run_mail_tasks, live_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    three_lines[0]["quantity"] = "100"
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)

    raise_three_lines(buyer, people, three_lines)
    purchase_order = send_to_the_supplier(buyer, people, deliver, portal_lock, run_mail_tasks)
    supplier = visitors("supplier")
    supplier.log_in(people.supplier_user)
    confirm_from_the_inbox(
        supplier, buyer, people, purchase_order, deliver, portal_lock, run_mail_tasks
    )
    edit_with_a_reason(buyer, three_lines, deliver)
    confirm_version_2_from_the_mail(
        supplier, people, purchase_order, deliver, live_server, run_mail_tasks
    )
    cancel_with_remarks(buyer, supplier, people, purchase_order, deliver, run_mail_tasks)


def raise_three_lines(buyer, people, three_lines) -> None:
    """The buyer fills a new purchase order of three lines; the totals follow the tax mode."""
    page = buyer.page
    page.get_by_role("link", name="New purchase order", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New purchase order")
    page.get_by_label("Supplier", exact=True).select_option(str(people.supplier.pk))
    fill_line(page, 1, three_lines[0])
    for number, line in enumerate(three_lines[1:], start=2):
        page.get_by_role("button", name="Add line", exact=True).click()
        fill_line(page, number, line)
    # The buyer is in Karnataka, the supplier in Maharashtra: IGST.
    expect(total(page, "Taxable value")).to_have_text(TAXABLE)
    expect(total(page, "IGST")).to_have_text(IGST)
    expect(total(page, "CGST")).to_be_hidden()
    expect(total(page, "Total PO value")).to_have_text(TOTAL_IGST)
    expect(page.locator("[data-tax-mode]")).to_contain_text("charged as IGST")
    buyer.shot("three-lines-igst")
    # Supplied in the supplier's own state: CGST and SGST, half each.
    page.get_by_label("Place of supply").select_option("27")
    expect(total(page, "CGST")).to_have_text(CGST)
    expect(total(page, "SGST")).to_have_text(SGST)
    expect(total(page, "IGST")).to_be_hidden()
    expect(total(page, "Total PO value")).to_have_text(TOTAL_CGST_SGST)
    buyer.shot("three-lines-cgst-sgst")


def send_to_the_supplier(buyer, people, deliver, portal_lock, run_mail_tasks) -> PurchaseOrder:
    """The buyer sends the form; the order is delivered and the supplier told by e-mail."""
    page = buyer.page
    page.get_by_role("button", name="Send to supplier", exact=True).click()
    expect(notice(page)).to_contain_text("is on its way to")
    with portal_lock:
        purchase_order = PurchaseOrder.objects.get()
    assert purchase_order.total_po_value == Decimal("175509.97")
    # Sent, not yet acknowledged: still the draft, the send waiting for the network.
    assert (purchase_order.status, purchase_order.version) == ("DRAFT", 0)
    assert purchase_order.pending_action == "SEND"
    expect(page.locator(".po-head__total")).to_have_text(TOTAL_CGST_SGST)
    expect(pending(page)).to_contain_text(f"Sent to {people.supplier} — waiting for the network.")
    expect(status_badge(page)).to_have_text("Draft")
    expect(page.get_by_role("button", name="Send to supplier", exact=True)).to_have_count(0)
    deliver(2)
    page.reload()
    expect(pending(page)).to_have_count(0)
    expect(status_badge(page)).to_have_text("Sent, awaiting confirmation")
    with portal_lock:
        purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)
    expect(fact(page, "Delivered to the supplier")).not_to_have_text("Not yet")
    buyer.shot("sent-and-delivered")

    run_mail_tasks()
    assert subjects(mails_to(people.supplier_user)) == [
        f"New purchase order {purchase_order.buyer_po_number} from {people.buyer}"
    ]
    return purchase_order


def confirm_from_the_inbox(
    supplier, buyer, people, purchase_order, deliver, portal_lock, run_mail_tasks
) -> None:
    """The supplier confirms from the inbox; the buyer sees it accepted and is told."""
    supplier.page.get_by_role("link", name="Received", exact=True).click()
    supplier.page.get_by_role("link", name=purchase_order.buyer_po_number).click()
    supplier.shot("inbox-order")
    supplier.page.get_by_role("button", name="Confirm", exact=True).click()
    expect(notice(supplier.page)).to_contain_text("Your confirmation of")
    expect(pending(supplier.page)).to_contain_text("Confirmation sent")
    expect(status_badge(supplier.page)).to_have_text("Sent, awaiting confirmation")
    expect(supplier.page.get_by_role("button", name="Confirm", exact=True)).to_have_count(0)
    deliver(4)

    buyer.page.reload()
    expect(status_badge(buyer.page)).to_have_text("Accepted")
    with portal_lock:
        assert PurchaseOrder.objects.get().status == "ACCEPTED"
    buyer.shot("accepted")
    run_mail_tasks()
    assert subjects(mails_to(people.buyer_user)) == [
        f"{people.supplier} accepted purchase order {purchase_order.buyer_po_number}"
    ]


def edit_with_a_reason(buyer, three_lines, deliver) -> None:
    """The buyer edits the accepted order: a reason is asked for."""
    page = buyer.page
    page.get_by_role("link", name="Edit", exact=True).click()
    fill_line(page, 2, {**three_lines[1], "quantity": "3"})
    page.get_by_role("button", name="Send to supplier", exact=True).click()
    reason = page.get_by_label("Reason for the change")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(error_of(page, reason)).to_have_text("Say why the purchase order is being changed.")
    buyer.shot("edit-needs-a-reason")
    reason.fill("Toner used faster than planned.")
    page.get_by_role("button", name="Send to supplier", exact=True).click()
    expect(notice(page)).to_contain_text("Version 2 of")
    expect(pending(page)).to_contain_text("New version sent")
    expect(page.locator(".po-head__meta")).to_contain_text("Version 1")
    deliver(6)
    page.reload()
    expect(pending(page)).to_have_count(0)
    expect(page.locator(".po-head__meta")).to_contain_text("Version 2")


def confirm_version_2_from_the_mail(
    supplier, people, purchase_order, deliver, live_server, run_mail_tasks
) -> None:
    """The supplier follows the e-mail's link to version 2 and its changes, and confirms."""
    run_mail_tasks()
    (edited_mail,) = mails_to(people.supplier_user)[1:]
    assert edited_mail.subject == (
        f"Purchase order {purchase_order.buyer_po_number} changed to version 2"
    )
    link = f"{live_server.url}{purchase_order.get_absolute_url()}"
    assert f"Open it in the portal: {link}\n" in edited_mail.body
    supplier.page.goto(link)
    expect(supplier.page.locator(".po-head__meta")).to_contain_text("Version 2")
    supplier.page.get_by_role("link", name="See what changed from version 1").click()
    line = supplier.page.get_by_role("region", name=re.compile(r"^Line 2\b"))
    changed = line.locator("tr.diff-row--changed")
    expect(changed.locator("th")).to_have_text(
        [
            "Quantity (changed)",
            "Amount (changed)",
            "Taxable value (changed)",
            "Line total (changed)",
        ]
    )
    expect(changed.first.locator("td")).to_have_text(["2.5", "3"])
    supplier.shot("version-2-changes")
    supplier.page.get_by_role("link", name=purchase_order.buyer_po_number).click()
    supplier.page.get_by_role("button", name="Confirm", exact=True).click()
    expect(notice(supplier.page)).to_contain_text("Your confirmation of")
    deliver(8)


def cancel_with_remarks(buyer, supplier, people, purchase_order, deliver, run_mail_tasks) -> None:
    """The buyer cancels it, saying why; the supplier sees it cancelled."""
    page = buyer.page
    page.reload()
    page.get_by_role("link", name="Change status", exact=True).click()
    page.get_by_label("Cancel", exact=True).check()
    page.get_by_role("button", name="Change status", exact=True).click()
    expect(error_of(page, page.get_by_label("Remarks"))).to_have_text(
        "Say why the purchase order is cancelled; the supplier sees it."
    )
    page.get_by_label("Remarks").fill("The printing unit is closing.")
    buyer.shot("cancel-with-remarks")
    page.get_by_role("button", name="Change status", exact=True).click()
    expect(notice(page)).to_contain_text("becomes “Cancelled” once the network acknowledges it")
    expect(pending(page)).to_contain_text("Cancellation sent")
    expect(status_badge(page)).to_have_text("Accepted")
    deliver(10)
    supplier.page.reload()
    expect(status_badge(supplier.page)).to_have_text("Cancelled")
    expect(supplier.page.get_by_role("button", name="Confirm", exact=True)).to_have_count(0)
    expect(supplier.page.locator(".timeline")).to_contain_text("The printing unit is closing.")
    supplier.shot("cancelled")
    run_mail_tasks()
    assert subjects(mails_to(people.supplier_user))[2:] == [
        f"Purchase order {purchase_order.buyer_po_number} is now cancelled"
    ]
    assert len(mails_to(people.buyer_user)) == 2


def subjects(mails: list) -> list[str]:
    return [mail.subject for mail in mails]
