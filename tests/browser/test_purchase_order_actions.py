"""The actions around a purchase order in the browser: refusals, retries, rejects, copies."""

import pytest
import requests
from playwright.sync_api import expect

from purchase_orders.enkash import conventions
from purchase_orders.models import OutboundMessage, PurchaseOrder
from tests.browser.steps import error_of, mails_to, notice, pending, status_badge

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def add_fault(sandbox, **fault) -> None:
    """Switch a fault on through the sandbox's control API, as a demo would."""
    response = requests.post(f"{sandbox.url}/_sandbox/faults", json=fault, timeout=5)
    assert response.status_code == 201, response.text


def test_a_refused_send_is_explained_and_sent_again_once_put_right(
    people, network_sandbox, visitors, deliver, portal_lock
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
    deliver(0)
    page.reload()

    refusal = page.get_by_role("alert").filter(has_text="The network refused")
    expect(refusal).to_contain_text(
        "The network refused the send message of version 1. A field is not valid."
    )
    expect(refusal).to_contain_text("HSN code 48025690 is not in the GST tariff.")
    expect(refusal).to_contain_text("Field: Line 1 › HSN/SAC code")
    buyer.shot("send-refused")
    with portal_lock:
        draft.refresh_from_db()
    assert (draft.status, draft.version) == ("DRAFT", 0)

    page.get_by_role("link", name="Edit", exact=True).click()
    line = page.get_by_role("group", name="Line 1", exact=True)
    line.get_by_label("HSN/SAC code", exact=True).fill("48025610")
    page.get_by_role("button", name="Send to supplier", exact=True).click()
    expect(notice(page)).to_contain_text("is on its way to")
    deliver(2)
    page.reload()
    expect(refusal).to_have_count(0)
    expect(status_badge(page)).to_have_text("Sent, awaiting confirmation")
    buyer.shot("sent-again-and-delivered")
    with portal_lock:
        sent = list(OutboundMessage.objects.order_by("pk").values_list("state", flat=True))
        draft.refresh_from_db()
    assert sent == ["rejected", "acknowledged"]
    assert draft.lines.get(serial_no="1").hsn_code == "48025610"
    assert draft.delivered_at is not None


def test_a_message_the_network_never_took_is_retried_by_the_buyer(
    people, network_sandbox, visitors, deliver, settings
):
    settings.ENKASH_MAX_ATTEMPTS = 1
    add_fault(network_sandbox, mode="http_500", kind="req-send")
    draft = people.purchase_order()
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(draft.get_absolute_url())
    page.get_by_role("button", name="Send to supplier", exact=True).click()
    deliver(0)
    page.reload()

    expect(page.locator(".network__error")).to_contain_text("Not delivered after 1 attempt.")
    # The send is still pending, not delivered: the order is as it was, to retry.
    expect(pending(page)).to_contain_text(
        "Purchase order not delivered: the network could not be reached. "
        "The purchase order is as it was; retry it."
    )
    expect(status_badge(page)).to_have_text("Draft")
    buyer.shot("delivery-failed")
    pending(page).get_by_role("button", name="Retry delivery", exact=True).click()
    expect(notice(page)).to_contain_text("queued to be delivered again")
    expect(pending(page)).to_contain_text("waiting for the network")
    deliver(2)
    page.reload()

    expect(page.get_by_role("button", name="Retry", exact=True)).to_have_count(0)
    expect(pending(page)).to_have_count(0)
    expect(status_badge(page)).to_have_text("Sent, awaiting confirmation")
    expect(page.locator(".network__entry--out .badge").first).to_have_text("Acknowledged")
    buyer.shot("retried-and-acknowledged")


def test_the_supplier_rejects_only_with_remarks_and_the_buyer_hears_why(
    people, network_sandbox, visitors, deliver, portal_lock, mailoutbox, run_mail_tasks
):
    draft = people.purchase_order()
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    buyer.page.goto(draft.get_absolute_url())
    buyer.page.get_by_role("button", name="Send to supplier", exact=True).click()
    deliver(2)
    supplier = visitors("supplier")
    supplier.log_in(people.supplier_user)
    page = supplier.page
    page.goto(draft.get_absolute_url())

    page.get_by_role("button", name="Reject", exact=True).click()
    remarks = page.get_by_label("Remarks")
    expect(remarks).to_have_attribute("aria-invalid", "true")
    expect(error_of(page, remarks)).to_have_text(
        "Say why you reject this purchase order; the buyer sees your remarks."
    )
    supplier.shot("reject-needs-remarks")
    with portal_lock:
        assert PurchaseOrder.objects.get().status == "CREATED"
    remarks.fill("We no longer stock this paper.")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(notice(page)).to_contain_text("Your rejection of")
    deliver(4)

    buyer.page.reload()
    expect(status_badge(buyer.page)).to_have_text("Rejected")
    expect(buyer.page.locator(".alert--error")).to_contain_text("We no longer stock this paper.")
    buyer.shot("rejected")
    run_mail_tasks()
    number = draft.buyer_po_number
    assert [mail.subject for mail in mails_to(people.supplier_user)] == [
        f"New purchase order {number} from {people.buyer}"
    ]
    assert [mail.subject for mail in mails_to(people.buyer_user)] == [
        f"{people.supplier} rejected purchase order {number}"
    ]
    assert len(mailoutbox) == 2


def test_duplicate_makes_a_new_draft_to_check_and_save(people, visitors, portal_lock):
    original = people.purchase_order(sent=True)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(original.get_absolute_url())

    page.get_by_role("button", name="Duplicate", exact=True).click()
    expect(notice(page)).to_contain_text(f"Copied {original.buyer_po_number} into the new draft")
    expect(page.get_by_role("group", name="Line 2", exact=True)).to_be_visible()
    buyer.shot("duplicate-draft")
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(notice(page)).to_contain_text("saved")

    with portal_lock:
        copy = PurchaseOrder.objects.exclude(pk=original.pk).get()
        original_lines = list(original.lines.values_list("product_description", "quantity"))
        copied_lines = list(copy.lines.values_list("product_description", "quantity"))
    assert (copy.status, copy.version) == ("DRAFT", 0)
    assert copy.buyer_po_number != original.buyer_po_number
    assert copied_lines == original_lines
    expect(page).to_have_url(f"{buyer.base_url}{copy.get_absolute_url()}")
