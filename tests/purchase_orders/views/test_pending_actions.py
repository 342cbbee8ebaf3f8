"""An action sent from here and not yet acknowledged: what each side sees and may do meanwhile.

A status is what the network has acknowledged: while an action waits, the
pages show that status and, in plain words, where the action is; nobody
may act on the order until the network has answered.
"""

import re

import pytest
from django.urls import reverse

from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.services.acknowledgements import record_undelivered
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from tests.plugins.network import acknowledged, contents_of, edit_subject

pytestmark = pytest.mark.django_db

LIST = reverse("purchase_orders:list")
INBOX = reverse("purchase_orders:inbox")
BUTTONS = ("Send to supplier", "Edit", "Change status", "Confirm", "Reject", "Duplicate")


def url(name, purchase_order, *args):
    return reverse(f"purchase_orders:{name}", args=[purchase_order.object_id, *args])


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def page(client, purchase_order) -> str:
    response = client.get(purchase_order.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def pending_alert(content: str) -> str:
    """Return the words of the page's pending alert (empty if none)."""
    match = re.search(r'<div [^>]*class="alert[^"]*\bpending"[^>]*>(.*?)</div>', content, re.S)
    return words(match.group(1)) if match else ""


def header_status(content: str) -> str:
    """Return the status the page's heading and its Status fact show."""
    badge = re.search(
        r'<p class="po-head__meta"[^>]*>\s*<span class="badge[^"]*">([^<]*)</span>', content
    )
    fact = re.search(r"<dt>Status</dt><dd>([^<]*)</dd>", content)
    assert badge.group(1) == fact.group(1)
    return badge.group(1)


def offered(content: str) -> set[str]:
    names = set(re.findall(r"<button[^>]*>([^<]+)</button>", content))
    names |= set(re.findall(r'<a class="button[^"]*"[^>]*>([^<]+)</a>', content))
    return {name.strip() for name in names} & set(BUTTONS)


def row_of(content: str, purchase_order: PurchaseOrder) -> str:
    """Return the words of the table row linking to a purchase order."""
    link = f'href="{purchase_order.get_absolute_url()}"'
    rows = [row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", content, re.S) if link in row]
    assert rows, f"no row for {purchase_order}"
    return words(rows[0])


@pytest.fixture
def sent(people) -> PurchaseOrder:
    """A purchase order sent and acknowledged: version 1, awaiting confirmation."""
    draft = people.purchase_order(lines=1, buyer_po_number="PO/2026-27/00042")
    return acknowledged(send_purchase_order(purchase_order=draft, sent_by=people.buyer_user))


@pytest.fixture
def confirming(people, sent) -> PurchaseOrder:
    """The sent order, its confirmation by the supplier waiting for the network."""
    confirm_purchase_order(
        purchase_order=sent,
        confirmed_by=people.supplier_user,
        accept=True,
        remarks="",
        expected_version=1,
    )
    sent.refresh_from_db()
    return sent


# -- what the pages say ----------------------------------------------------------------


def test_a_pending_confirmation_is_said_to_each_side_and_the_status_stays(people, confirming):
    suppliers = page(people.supplier_client, confirming)
    buyers = page(people.buyer_client, confirming)

    assert pending_alert(suppliers).startswith("Confirmation sent — waiting for the network.")
    assert pending_alert(buyers).startswith(
        "Sahyadri Paper has accepted it; the network is delivering it."
    )
    for content in (suppliers, buyers):
        assert 'data-pending-action="ACCEPT"' in content
        assert header_status(content) == "Sent, awaiting confirmation"
        assert "as the network last acknowledged it: “Sent, awaiting confirmation”, version 1" in (
            pending_alert(content)
        )
        assert "Retry" not in pending_alert(content)
    # No answer, edit or status change while the network has not answered.
    assert offered(suppliers) == set()
    assert 'name="remarks"' not in suppliers
    assert offered(buyers) == {"Duplicate"}


def test_the_words_follow_the_delivery_of_the_pending_message(people, confirming):
    message = confirming.pending_message
    said = {}
    for state in ("retrying", "sent"):
        OutboundMessage.objects.filter(pk=message.pk).update(state=state)
        said[state] = pending_alert(page(people.supplier_client, confirming))

    assert said["retrying"].startswith(
        "Confirmation sent — the network cannot be reached yet; retrying."
    )
    assert said["sent"].startswith(
        "Confirmation sent — the network has it and is delivering it to Kaveri Textiles."
    )


def test_a_pending_send_keeps_the_draft_and_offers_nothing_to_send_again(people):
    draft = people.purchase_order(lines=1)
    send_purchase_order(purchase_order=draft, sent_by=people.buyer_user)

    content = page(people.buyer_client, draft)

    assert pending_alert(content).startswith("Sent to Sahyadri Paper — waiting for the network.")
    assert "as the network last acknowledged it: a draft." in pending_alert(content)
    assert header_status(content) == "Draft"
    assert offered(content) == {"Duplicate"}
    # Not delivered yet: the supplier has not received it.
    assert people.supplier_client.get(draft.get_absolute_url()).status_code == 404


def test_a_pending_edit_is_said_to_each_side_and_the_version_stays(people, sent):
    contents_subject = "Paper, in two deliveries"
    contents = contents_of(sent)
    contents.header.subject = contents_subject
    edit_purchase_order(
        purchase_order=sent,
        edited_by=people.buyer_user,
        contents=contents,
        reason="Two deliveries",
        expected_version=1,
    )

    buyers = page(people.buyer_client, sent)
    suppliers = page(people.supplier_client, sent)

    assert pending_alert(buyers).startswith("New version sent — waiting for the network.")
    assert pending_alert(suppliers).startswith(
        "Kaveri Textiles has sent a new version; the network is delivering it."
    )
    for content in (buyers, suppliers):
        assert header_status(content) == "Sent, awaiting confirmation"
        assert "<span>Version 1</span>" in content
        assert "Edited by the buyer:" not in content
        assert contents_subject not in content.split('id="history-heading"')[0]
    assert offered(buyers) == {"Duplicate"}
    assert offered(suppliers) == set()


def test_lists_home_and_inbox_say_the_pending_words_and_not_the_new_status(people, sent):
    cancelled = acknowledged(
        send_purchase_order(
            purchase_order=people.purchase_order(lines=1, buyer_po_number="PO/2026-27/00043"),
            sent_by=people.buyer_user,
        )
    )
    change_purchase_order_status(
        purchase_order=cancelled,
        changed_by=people.buyer_user,
        action="CANCEL",
        remarks="Ordered twice",
        expected_version=1,
    )
    confirm_purchase_order(
        purchase_order=sent, confirmed_by=people.supplier_user, accept=True, remarks=""
    )

    buyers_list = people.buyer_client.get(LIST).content.decode()
    suppliers_inbox = people.supplier_client.get(INBOX).content.decode()
    buyers_home = people.buyer_client.get(reverse("home")).content.decode()
    suppliers_home = people.supplier_client.get(reverse("home")).content.decode()

    for content, confirmation, cancellation in (
        (
            buyers_list,
            "Sahyadri Paper has accepted it; the network is delivering it.",
            "Cancellation sent — waiting for the network.",
        ),
        (
            buyers_home,
            "Sahyadri Paper has accepted it; the network is delivering it.",
            "Cancellation sent — waiting for the network.",
        ),
        (
            suppliers_inbox,
            "Confirmation sent — waiting for the network.",
            "Kaveri Textiles has cancelled it; the network is delivering it.",
        ),
        (
            suppliers_home,
            "Confirmation sent — waiting for the network.",
            "Kaveri Textiles has cancelled it; the network is delivering it.",
        ),
    ):
        assert confirmation in row_of(content, sent)
        assert cancellation in row_of(content, cancelled)
        for row in (row_of(content, sent), row_of(content, cancelled)):
            assert "Sent, awaiting confirmation" in row
            assert "Accepted" not in row and "Cancelled" not in row


def test_a_list_says_when_the_pending_message_was_not_delivered(people, confirming):
    OutboundMessage.objects.filter(pk=confirming.pending_message_id).update(state="failed")

    buyers = row_of(people.buyer_client.get(LIST).content.decode(), confirming)
    suppliers = row_of(people.supplier_client.get(INBOX).content.decode(), confirming)

    assert "Sahyadri Paper has accepted it, but the network has not delivered it yet." in buyers
    assert "Confirmation not delivered: the network could not be reached." in suppliers


# -- a second action while one is pending --------------------------------------------


WAITING = "and is waiting for the network&#x27;s answer."


def test_a_second_answer_while_one_is_pending_is_refused_and_changes_nothing(
    people, confirming, unchanged
):
    check = unchanged(confirming)

    for name, data in (
        ("confirm", {"remarks": "", "expected_version": "1", "expected_status": "CREATED"}),
        ("reject", {"remarks": "Too dear", "expected_version": "1", "expected_status": "CREATED"}),
    ):
        response = people.supplier_client.post(url(name, confirming), data, follow=True)
        assert response.redirect_chain[-1][0] == confirming.get_absolute_url()
        assert f"A confirmation has been sent for this purchase order, {WAITING}" in (
            response.content.decode()
        )
    check()


def test_a_buyer_action_while_one_is_pending_is_refused_and_changes_nothing(
    people, confirming, unchanged, form_data
):
    check = unchanged(confirming)
    said = f"A confirmation has been sent for this purchase order, {WAITING}"

    response = people.buyer_client.post(
        url("change-status", confirming),
        {"action": "CANCEL", "remarks": "Not needed", "expected_version": "1"},
        follow=True,
    )
    assert said in response.content.decode()
    response = people.buyer_client.get(url("change-status", confirming), follow=True)
    assert response.redirect_chain[-1][0] == confirming.get_absolute_url()
    assert said in response.content.decode()
    for method in ("get", "post"):
        data = (
            {}
            if method == "get"
            else form_data(
                buyer=people.buyer, supplier=people.supplier, lines=[], reason="x", intent="send"
            )
        )
        response = getattr(people.buyer_client, method)(url("edit", confirming), data, follow=True)
        assert response.redirect_chain[-1][0] == confirming.get_absolute_url()
        assert said in response.content.decode()
    check()


def test_sending_again_while_the_send_is_pending_is_refused(people, unchanged):
    draft = people.purchase_order(lines=1)
    send_purchase_order(purchase_order=draft, sent_by=people.buyer_user)
    check = unchanged(draft)

    response = people.buyer_client.post(url("send", draft), follow=True)

    assert f"This purchase order has been sent, {WAITING}" in response.content.decode()
    check()


def test_once_acknowledged_the_new_status_shows_and_the_actions_come_back(people, confirming):
    acknowledged(confirming)

    buyers = page(people.buyer_client, confirming)

    assert header_status(buyers) == "Accepted"
    assert "data-pending-action" not in buyers
    assert offered(buyers) == {"Edit", "Change status", "Duplicate"}
    assert "Accepted" in row_of(people.buyer_client.get(LIST).content.decode(), confirming)


# -- not delivered: retry ----------------------------------------------------------------


def test_a_pending_action_not_delivered_offers_retry_to_its_sender_only(people, confirming):
    message = confirming.pending_message
    OutboundMessage.objects.filter(pk=message.pk).update(
        state="failed", attempts=12, last_error="Connection refused"
    )
    message.refresh_from_db()
    record_undelivered(purchase_order=confirming, message=message)
    retry = f'action="{url("retry", confirming, message.pk)}"'

    suppliers = page(people.supplier_client, confirming)
    buyers = page(people.buyer_client, confirming)

    assert pending_alert(suppliers).startswith(
        "Confirmation not delivered: the network could not be reached. "
        "The purchase order is as it was; retry it."
    )
    assert "Retry delivery" in pending_alert(suppliers) and retry in suppliers
    assert pending_alert(buyers).startswith(
        "Sahyadri Paper has accepted it, but the network has not delivered it yet."
    )
    assert "Retry" not in pending_alert(buyers) and retry not in buyers
    assert header_status(suppliers) == header_status(buyers) == "Sent, awaiting confirmation"
    assert offered(suppliers) == set()
    assert "Not delivered (Accept, version 1)" in words(suppliers)

    response = people.supplier_client.post(url("retry", confirming, message.pk), follow=True)

    assert "queued to be delivered again" in response.content.decode()
    assert pending_alert(response.content.decode()).startswith(
        "Confirmation sent — waiting for the network."
    )
    assert people.buyer_client.post(url("retry", confirming, message.pk)).status_code == 403


def test_an_edit_not_delivered_is_refused_a_second_time_with_the_advice_to_retry(
    people, sent, unchanged
):
    edit_subject(sent, people.buyer_user, "Acknowledged subject")
    confirm_purchase_order(
        purchase_order=sent, confirmed_by=people.supplier_user, accept=True, remarks=""
    )
    sent.refresh_from_db()
    OutboundMessage.objects.filter(pk=sent.pending_message_id).update(state="failed")
    check = unchanged(sent)

    response = people.supplier_client.post(
        url("confirm", sent), {"remarks": "", "expected_version": "2"}, follow=True
    )

    assert (
        "A confirmation has been sent for this purchase order, but it was not delivered: "
        "retry it first." in response.content.decode()
    )
    check()
