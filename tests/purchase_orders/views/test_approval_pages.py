"""Approvals on the pages: what each person sees and may press, and what a bad post gets."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from purchase_orders.models import (
    ApprovalRequest,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    StatusChange,
)
from purchase_orders.services.approvals import submit_edit_for_approval, submit_for_approval
from purchase_orders.services.purchase_orders import send_purchase_order
from purchase_orders.templatetags.portal import format_inr
from tests.factories import MembershipFactory
from tests.plugins.network import acknowledged, revised_contents

pytestmark = pytest.mark.django_db

LIMIT = Decimal("1000.00")


def url(name, purchase_order):
    return reverse(f"purchase_orders:{name}", args=[purchase_order.object_id])


def words(response) -> str:
    """Return a page's text without its tags, spaces collapsed."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content)))


def buttons(response) -> list[str]:
    return [
        html.unescape(label).strip()
        for label in re.findall(r"<button[^>]*>(.*?)</button>", response.content.decode(), re.S)
    ]


@pytest.fixture
def limited(people):
    """Give the buyer an approval limit of ₹1,000.00 and its approver; return the people."""
    people.buyer.approval_limit = LIMIT
    people.buyer.save(update_fields=["approval_limit"])
    assert people.approver_user
    return people


@pytest.fixture
def draft(limited):
    purchase_order = limited.purchase_order(lines=2)
    assert purchase_order.total_po_value > LIMIT
    return purchase_order


@pytest.fixture
def waiting(limited, draft):
    submit_for_approval(purchase_order=draft, submitted_by=limited.buyer_user)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def edit_waiting(limited):
    limited.buyer.approval_limit = None
    limited.buyer.save(update_fields=["approval_limit"])
    purchase_order = limited.purchase_order(lines=2)
    send_purchase_order(purchase_order=purchase_order, sent_by=limited.buyer_user)
    purchase_order = acknowledged(purchase_order)
    limited.buyer.approval_limit = LIMIT
    limited.buyer.save(update_fields=["approval_limit"])
    submit_edit_for_approval(
        purchase_order=purchase_order,
        edited_by=limited.buyer_user,
        contents=revised_contents(purchase_order, Decimal("40.000")),
        reason="Forty boxes for the year.",
        expected_version=1,
    )
    purchase_order.refresh_from_db()
    return purchase_order


# -- the buyer ----------------------------------------------------------------------------


def test_a_draft_over_the_limit_offers_submit_for_approval_and_says_why(limited, draft):
    response = limited.buyer_client.get(draft.get_absolute_url())

    assert "Submit for approval" in buttons(response)
    assert "Send to supplier" not in buttons(response)
    assert url("submit", draft) in response.content.decode()
    assert (
        f"Needs approval before it is sent. Total {format_inr(draft.total_po_value)} is over "
        "Kaveri Textiles's approval limit of ₹1,000.00."
    ) in words(response)


def test_a_draft_within_the_limit_offers_send_to_supplier(limited, draft):
    limited.buyer.approval_limit = draft.total_po_value
    limited.buyer.save(update_fields=["approval_limit"])

    response = limited.buyer_client.get(draft.get_absolute_url())

    assert "Send to supplier" in buttons(response)
    assert "Submit for approval" not in buttons(response)
    assert "Needs approval" not in words(response)


def test_submit_from_the_page_and_the_buyer_sees_it_waiting(limited, draft):
    response = limited.buyer_client.post(url("submit", draft), follow=True)

    draft.refresh_from_db()
    assert draft.status == "AWAITING_APPROVAL"
    text = words(response)
    assert (
        f"Purchase order {draft.buyer_po_number} is submitted for approval. The approvers of "
        "Kaveri Textiles are told; it goes to Sahyadri Paper once one of them approves it."
    ) in text
    assert "Waiting for approval. Submitted by Asha" in text
    assert "Nothing has gone to Sahyadri Paper: an approver sends it once they approve it." in text
    assert not {"Send to supplier", "Submit for approval", "Approve", "Return"} & set(
        buttons(response)
    )
    assert 'id="po-edit"' not in response.content.decode()
    assert "Submitted for approval" in text  # the status timeline
    # Nothing waits for the network: the order is the buyer's alone.
    assert not OutboundMessage.objects.exists()


def test_a_forged_approval_by_the_buyer_is_forbidden_and_changes_nothing(
    limited, waiting, unchanged
):
    check = unchanged(waiting)
    data = {"approval-expected_request": str(waiting.waiting_approval_id)}

    approved = limited.buyer_client.post(url("approve", waiting), data)
    returned = limited.buyer_client.post(
        url("return", waiting), {**data, "approval-remarks": "Mine."}
    )
    sent = limited.buyer_client.post(url("send", waiting), follow=True)

    assert (approved.status_code, returned.status_code) == (403, 403)
    assert "This purchase order cannot be changed while it waits for approval" in words(sent)
    check()


def test_the_printable_view_says_it_is_not_sent_yet(limited, waiting):
    printed = limited.buyer_client.get(url("print", waiting))

    assert "Waiting for approval: not sent to the supplier" in words(printed)


def test_a_supplier_and_an_outsider_find_nothing_waiting_for_approval(limited, waiting):
    for client in (limited.supplier_client, limited.outsider_client):
        for name in ("detail", "print", "approve", "return", "submit"):
            method = client.get if name in ("detail", "print") else client.post
            assert method(url(name, waiting)).status_code == 404
    inbox = limited.supplier_client.get(reverse("purchase_orders:inbox"))
    assert waiting.buyer_po_number not in words(inbox)


# -- the approver ---------------------------------------------------------------------


def test_the_approver_finds_it_at_home_and_approves_it_from_its_page(limited, waiting):
    home = limited.approver_client.get(reverse("home"))
    text = words(home)
    assert "Waiting for your approval 1" in text
    assert waiting.buyer_po_number in text
    assert "New purchase order" in text
    assert format_inr(waiting.total_po_value) in text

    page = limited.approver_client.get(waiting.get_absolute_url())
    assert ["Approve", "Return"] == [b for b in buttons(page) if b in ("Approve", "Return")]
    assert f'value="{waiting.waiting_approval_id}"' in page.content.decode()
    assert "Duplicate" not in buttons(page) and "Send to supplier" not in buttons(page)

    response = limited.approver_client.post(
        url("approve", waiting),
        {"approval-expected_request": str(waiting.waiting_approval_id), "approval-remarks": ""},
        follow=True,
    )

    waiting.refresh_from_db()
    assert (waiting.status, waiting.pending_action) == ("DRAFT", "SEND")
    assert (
        f"You approved {waiting.buyer_po_number}: it is on its way to Sahyadri Paper."
    ) in words(response)
    assert "Sent to Sahyadri Paper — waiting for the network." in words(response)
    assert "Waiting for your approval 0" in words(limited.approver_client.get(reverse("home")))
    acknowledged(waiting)
    buyer_page = words(limited.buyer_client.get(waiting.get_absolute_url()))
    assert "Approved by Meera Iyer" in buyer_page


def test_approving_twice_says_so_and_sends_once(limited, waiting):
    data = {"approval-expected_request": str(waiting.waiting_approval_id)}
    limited.approver_client.post(url("approve", waiting), data)

    again = limited.approver_client.post(url("approve", waiting), data, follow=True)

    assert (
        "This purchase order was approved already, by Meera Iyer. Reload it to see where it stands."
    ) in words(again)
    assert OutboundMessage.objects.count() == 1
    assert StatusChange.objects.filter(action="APPROVE").count() == 1


def test_returning_needs_remarks_and_then_the_buyer_sees_them(limited, waiting):
    data = {"approval-expected_request": str(waiting.waiting_approval_id)}

    refused = limited.approver_client.post(url("return", waiting), data)

    assert refused.status_code == 200
    content = refused.content.decode()
    assert re.search(
        r'id="id_approval-remarks_error"><li>Say why you return it; the buyer sees your '
        r"remarks.</li>",
        content,
    )
    assert PurchaseOrder.objects.get().status == "AWAITING_APPROVAL"

    response = limited.approver_client.post(
        url("return", waiting),
        {**data, "approval-remarks": "Split the toner into its own order."},
        follow=True,
    )

    assert (
        f"You returned {waiting.buyer_po_number} to Asha with your remarks; nothing was sent "
        "to the supplier."
    ) in words(response)
    buyer_page = limited.buyer_client.get(waiting.get_absolute_url())
    text = words(buyer_page)
    assert "Returned by Meera Iyer (version 1): “Split the toner into its own order.”" in text
    assert "Change the draft as the remarks ask, then submit it for approval again." in text
    assert "Submit for approval" in buttons(buyer_page)


def test_an_approver_who_submitted_it_is_told_another_decides(limited, draft):
    MembershipFactory(
        user=limited.buyer_user, business=limited.buyer, role=Membership.Role.APPROVER
    )
    submit_for_approval(purchase_order=draft, submitted_by=limited.buyer_user)

    page = limited.buyer_client.get(draft.get_absolute_url())

    assert "Approve" not in buttons(page)
    assert "You submitted it, so another approver of Kaveri Textiles decides on it." in words(page)
    assert (
        draft.buyer_po_number
        not in words(limited.buyer_client.get(reverse("home")))
        .split("Waiting for your approval")[1]
        .split("Deliveries that failed")[0]
    )


def test_the_approvers_home_follows_submissions_live(limited, draft):
    stamp = reverse("purchase_orders:home-stamp")
    before = limited.approver_client.get(stamp).json()["stamp"]

    submit_for_approval(purchase_order=draft, submitted_by=limited.buyer_user)

    assert limited.approver_client.get(stamp).json()["stamp"] != before
    home = limited.approver_client.get(reverse("home"))
    assert home.context["live"]["stamp"] == limited.approver_client.get(stamp).json()["stamp"]
    page = limited.approver_client.get(draft.get_absolute_url())
    assert (
        page.context["live"]["stamp"]
        == (limited.approver_client.get(url("stamp", draft)).json()["stamp"])
    )


# -- an edit waiting --------------------------------------------------------------------


def test_an_edit_waiting_shows_its_changes_to_the_approver_and_nothing_to_the_supplier(
    limited, edit_waiting
):
    approver_page = limited.approver_client.get(edit_waiting.get_absolute_url())
    supplier_page = limited.supplier_client.get(edit_waiting.get_absolute_url())
    buyer_page = limited.buyer_client.get(edit_waiting.get_absolute_url())

    approver = words(approver_page)
    assert "Version 2 is waiting for approval." in approver
    assert "What version 2 changes from version 1" in approver
    # The reason is quoted without its own full stop: no doubled stop after it.
    assert "Why it changes: “Forty boxes for the year”." in approver
    assert "Approve" in buttons(approver_page)
    buyer = words(buyer_page)
    assert "Nothing of it has gone to Sahyadri Paper, who has version 1" in buyer
    assert 'id="po-edit"' not in buyer_page.content.decode()
    assert 'id="po-change-status"' not in buyer_page.content.decode()
    supplier = words(supplier_page)
    assert "approv" not in supplier.lower()
    assert "Forty boxes" not in supplier
    assert supplier_page.context["status_changes"] == [
        change
        for change in supplier_page.context["status_changes"]
        if change.action not in ("SUBMIT", "APPROVE", "RETURN")
    ]
    assert len(buyer_page.context["status_changes"]) == (
        len(supplier_page.context["status_changes"]) + 1
    )


def test_the_buyers_list_finds_what_waits_for_approval_and_the_inbox_offers_no_such_filter(
    limited, waiting, edit_waiting
):
    other = limited.purchase_order(lines=1, buyer_po_number="PO/2026-27/09999")

    response = limited.buyer_client.get(
        reverse("purchase_orders:list"), {"status": "AWAITING_APPROVAL"}
    )
    inbox = limited.supplier_client.get(reverse("purchase_orders:inbox"))

    listed = {po.pk for po in response.context["purchase_orders"]}
    assert listed == {waiting.pk, edit_waiting.pk}
    assert other.pk not in listed
    assert "A new version is waiting for approval." in words(response)
    assert '<option value="AWAITING_APPROVAL">Waiting for approval</option>' in (
        limited.buyer_client.get(reverse("purchase_orders:list")).content.decode()
    )
    assert 'value="AWAITING_APPROVAL"' not in inbox.content.decode()
    assert 'value="DRAFT"' not in inbox.content.decode()


# -- the form ---------------------------------------------------------------------------


def test_the_form_offers_submit_for_approval_where_the_buyer_has_a_limit(limited):
    response = limited.buyer_client.get(reverse("purchase_orders:create"))

    assert "Submit for approval" in buttons(response)
    assert (
        "A purchase order whose total is over Kaveri Textiles's approval limit of ₹1,000.00 "
        "needs an approver"
    ) in words(response)


def test_the_form_sends_over_the_limit_to_an_approver_and_refuses_to_send_it(
    limited, form_data, three_lines
):
    data = form_data(
        buyer=limited.buyer, supplier=limited.supplier, lines=three_lines, intent="send"
    )
    data["buyer_po_number"] = "PO/2026-27/04321"

    refused = limited.buyer_client.post(reverse("purchase_orders:create"), data)
    assert refused.status_code == 200
    assert "is over Kaveri Textiles's approval limit of ₹1,000.00. Submit it for approval" in (
        words(refused)
    )
    assert not PurchaseOrder.objects.exists()

    data["intent"] = "submit"
    response = limited.buyer_client.post(reverse("purchase_orders:create"), data)

    purchase_order = PurchaseOrder.objects.get()
    assert response["Location"] == purchase_order.get_absolute_url()
    assert (purchase_order.status, purchase_order.waiting_approval.action) == (
        "AWAITING_APPROVAL",
        "SEND",
    )


def test_an_edit_over_the_limit_is_submitted_from_the_form(limited, form_data, three_lines):
    limited.buyer.approval_limit = None
    limited.buyer.save(update_fields=["approval_limit"])
    purchase_order = limited.purchase_order(lines=1)
    send_purchase_order(purchase_order=purchase_order, sent_by=limited.buyer_user)
    purchase_order = acknowledged(purchase_order)
    limited.buyer.approval_limit = LIMIT
    limited.buyer.save(update_fields=["approval_limit"])
    data = form_data(
        buyer=limited.buyer,
        supplier=limited.supplier,
        lines=three_lines,
        buyer_po_number=purchase_order.buyer_po_number,
        reason="Toner and maintenance added",
        expected_version="1",
        intent="submit",
    )

    response = limited.buyer_client.post(url("edit", purchase_order), data, follow=True)

    assert (f"Version 2 of {purchase_order.buyer_po_number} is submitted for approval.") in words(
        response
    )
    purchase_order.refresh_from_db()
    request = ApprovalRequest.objects.get()
    assert (purchase_order.version, request.action, request.version, request.reason) == (
        1,
        "EDIT",
        2,
        "Toner and maintenance added",
    )
    assert OutboundMessage.objects.count() == 1
