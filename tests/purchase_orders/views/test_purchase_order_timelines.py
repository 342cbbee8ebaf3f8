"""The purchase order page's timelines and alerts: status changes, network messages, refusals."""

import re

import pytest
from django.urls import reverse

from purchase_orders.models import (
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
    StatusChange,
)
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import confirm_purchase_order, send_purchase_order
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db


def test_the_status_timeline_lists_each_change_with_its_remarks(people):
    purchase_order = people.purchase_order(status="REJECTED", version=1, lines=1)
    StatusChange.objects.create(
        purchase_order=purchase_order,
        from_status="CREATED",
        to_status="REJECTED",
        version=1,
        action="REJECT",
        remarks="Price too high",
        actor=people.supplier_user,
        actor_business=people.supplier,
    )

    content = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()

    assert "Sent, awaiting confirmation → Rejected" in content
    assert "Price too high" in content
    assert "Rejected by Sahyadri Paper" in content


def status_timeline(content: str) -> str:
    """Return the HTML of the status timeline section."""
    start = content.rindex("<section", 0, content.index('id="history-heading"'))
    return content[start : content.index("</section>", start)]


def words(html: str) -> str:
    """Return the text of some HTML, its whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_refusal_in_the_status_timeline_is_said_in_plain_words_and_keeps_its_codes(people):
    draft = people.purchase_order(lines=1)
    send_purchase_order(purchase_order=draft, sent_by=people.buyer_user)
    settle_outbound_message(
        message=OutboundMessage.objects.get(purchase_order=draft),
        succeeded=False,
        error_code="INVALID_FIELD",
        error_detail="HSN code 48025690 is not in the GST tariff.",
        error_field="purchaseOrder.itemLists[0].hsnCode",
    )

    content = people.buyer_client.get(draft.get_absolute_url()).content.decode()

    timeline = status_timeline(content)
    refusal = re.search(r"<blockquote data-refusal>(.*?)</blockquote>", timeline, re.S)
    codes = re.search(r"<details[^>]*>(.*?)</details>", refusal.group(1), re.S)
    shown = words(refusal.group(1).replace(codes.group(0), ""))
    assert shown == (
        "The network refused the send: HSN code 48025690 is not in the GST tariff. "
        "A field is not valid. Field: Line 1 › HSN/SAC code "
        "The purchase order is as it was."
    )
    assert words(codes.group(1)) == (
        "Codes for support field purchaseOrder.itemLists[0].hsnCode; code INVALID_FIELD"
    )
    draft.refresh_from_db()
    assert (draft.status, draft.version, draft.pending_action) == ("DRAFT", 0, "")


def test_other_remarks_in_the_status_timeline_are_shown_as_written(people):
    purchase_order = people.purchase_order(status="CANCELLED", version=1, lines=1)
    StatusChange.objects.create(
        purchase_order=purchase_order,
        from_status="CREATED",
        to_status="CANCELLED",
        version=1,
        action="CANCEL",
        remarks="Wrong supplier (code ABC; see field notes).",
        actor=people.buyer_user,
    )

    timeline = status_timeline(
        people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    )

    assert "<blockquote>Wrong supplier (code ABC; see field notes).</blockquote>" in timeline
    assert "data-refusal" not in timeline


@pytest.mark.parametrize("status", PurchaseOrder.Status.values)
def test_a_status_timeline_without_history_says_what_is_true_of_the_status(people, status):
    purchase_order = people.purchase_order(status=status, version=0 if status == "DRAFT" else 1)

    said = words(
        status_timeline(people.buyer_client.get(purchase_order.get_absolute_url()).content.decode())
    )

    label = PurchaseOrder.Status(status).label
    if status == "DRAFT":
        assert said == "Status timeline Nothing has happened yet: this is a draft."
    else:
        assert said == (
            "Status timeline No status changes are recorded for this purchase order; "
            f"its status is “{label}”."
        )


def test_the_network_timeline_shows_errors_in_plain_words_and_offers_retry_to_the_sender(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    refused = people.message(
        purchase_order,
        state=OutboundMessage.State.REJECTED,
        error_code="INVALID_FIELD",
        error_detail="hsnCode must have 4, 6 or 8 digits",
        error_field="purchaseOrder.itemLists[0].hsnCode",
    )
    failed = people.message(
        purchase_order,
        kind=OutboundMessage.Kind.STATUS_CHANGE,
        state=OutboundMessage.State.FAILED,
        attempts=12,
        last_error="HTTP 503 from the network",
    )
    InboundEvent.objects.create(
        kind="resp-send",
        dedupe_key="k1",
        body="{}",
        purchase_order=purchase_order,
        outbound_message=refused,
        state=InboundEvent.State.APPLIED,
    )
    InboundEvent.objects.create(
        kind="req-confirm",
        dedupe_key="k2",
        body="{}",
        purchase_order=purchase_order,
        state=InboundEvent.State.REFUSED,
        error_code="STALE_VERSION",
    )

    buyer_page = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    supplier_page = people.supplier_client.get(purchase_order.get_absolute_url()).content.decode()

    assert "A field is not valid." in buyer_page
    assert "Field: Line 1 › HSN/SAC code" in buyer_page
    assert "Not delivered after 12 attempts." in buyer_page
    assert "HTTP 503 from the network" in buyer_page
    assert "Network&#x27;s answer to the purchase order" in buyer_page
    assert "The other side holds a different version of this purchase order." in buyer_page
    retry = reverse("purchase_orders:retry", args=[purchase_order.object_id, failed.pk])
    assert f'action="{retry}"' in buyer_page
    assert buyer_page.count(">Retry</button>") == 1
    assert ">Retry</button>" not in supplier_page


def undelivered_alert(content: str) -> str:
    """Return the text of the alert about an undelivered message (empty if none)."""
    match = re.search(r"<div[^>]*data-undelivered>(.*?)</div>", content, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


def test_the_latest_refusal_is_said_at_the_top_to_its_sender_only(people):
    draft = people.purchase_order(lines=1)
    people.message(
        draft,
        object_version=1,
        state=OutboundMessage.State.REJECTED,
        error_code="INVALID_FIELD",
        error_detail="hsnCode must have 4, 6 or 8 digits",
        error_field="purchaseOrder.itemLists[0].hsnCode",
    )
    confirmed = people.purchase_order(sent=True, lines=1)
    failed = people.message(
        confirmed,
        kind=OutboundMessage.Kind.CONFIRM,
        state=OutboundMessage.State.FAILED,
        attempts=12,
        last_error="HTTP 503 from the network",
    )

    refused = people.buyer_client.get(draft.get_absolute_url()).content.decode()
    failed_for_buyer = people.buyer_client.get(confirmed.get_absolute_url()).content.decode()
    failed_for_supplier = people.supplier_client.get(confirmed.get_absolute_url()).content.decode()

    assert undelivered_alert(refused) == (
        "The network refused the send message of version 1. A field is not valid. "
        "hsnCode must have 4, 6 or 8 digits Field: Line 1 › HSN/SAC code "
        "Edit the purchase order to put it right, then send it again. "
        "See it in the network timeline"
    )
    assert undelivered_alert(failed_for_buyer) == ""
    # The notice says it was not delivered, and offers to retry it.
    assert undelivered_alert(failed_for_supplier) == (
        "The confirm message of version 1 was not delivered after 12 attempts. "
        "HTTP 503 from the network Retry delivery See it in the network timeline"
    )
    retry = reverse("purchase_orders:retry", args=[confirmed.object_id, failed.pk])
    assert f'action="{retry}"' in failed_for_supplier.split("data-undelivered")[1]
    assert people.supplier_client.post(retry).status_code == 302
    failed.refresh_from_db()
    assert failed.state == OutboundMessage.State.QUEUED


def test_a_message_delivered_after_a_refusal_clears_the_alert(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    people.message(purchase_order, state=OutboundMessage.State.REJECTED, error_code="X")
    people.message(purchase_order, state=OutboundMessage.State.ACKNOWLEDGED)

    content = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()

    assert undelivered_alert(content) == ""


def timeline_rows(content: str) -> list[str]:
    """Return the words of each row of the status timeline, its time left out."""
    rows = re.findall(r"<li>(.*?)</li>", status_timeline(content), re.S)
    return [
        words(re.sub(r'<p class="timeline__when">.*?</p>', "", row, flags=re.S)) for row in rows
    ]


def test_the_status_timeline_says_what_was_attempted_and_what_the_network_did(people):
    draft = people.purchase_order(lines=1)
    send_purchase_order(purchase_order=draft, sent_by=people.buyer_user)

    assert timeline_rows(people.buyer_client.get(draft.get_absolute_url()).content.decode()) == [
        "Sent, waiting for the network "
        "(Send: Draft → Sent, awaiting confirmation, version 1) By Asha of Kaveri Textiles"
    ]

    sent = acknowledged(draft)
    confirm_purchase_order(
        purchase_order=sent,
        confirmed_by=people.supplier_user,
        accept=True,
        remarks="Will ship on the 10th",
        expected_version=1,
    )

    pending = [
        "Sent to the network "
        "(Send: Draft → Sent, awaiting confirmation, version 1) By Asha of Kaveri Textiles",
        "Draft → Sent, awaiting confirmation (Send, version 1) By Asha of Kaveri Textiles",
        "Sent, waiting for the network "
        "(Accept: Sent, awaiting confirmation → Accepted, version 1) By Sunil of Sahyadri Paper "
        "Will ship on the 10th",
    ]
    for client in (people.buyer_client, people.supplier_client):
        assert timeline_rows(client.get(sent.get_absolute_url()).content.decode()) == pending

    acknowledged(sent)
    rows = timeline_rows(people.buyer_client.get(sent.get_absolute_url()).content.decode())
    assert rows[2].startswith("Sent to the network (Accept:")
    assert rows[3] == (
        "Sent, awaiting confirmation → Accepted (Accept, version 1) "
        "By Sunil of Sahyadri Paper Will ship on the 10th"
    )


def test_a_refused_answer_leaves_the_order_as_it_was_and_says_so_in_the_timeline(people):
    sent = acknowledged(
        send_purchase_order(
            purchase_order=people.purchase_order(lines=1), sent_by=people.buyer_user
        )
    )
    confirm_purchase_order(
        purchase_order=sent, confirmed_by=people.supplier_user, accept=True, remarks=""
    )
    sent.refresh_from_db()
    settle_outbound_message(
        message=sent.pending_message,
        succeeded=False,
        error_code="STALE_VERSION",
        error_detail="Version 1 is not the latest.",
    )

    content = people.supplier_client.get(sent.get_absolute_url()).content.decode()

    rows = timeline_rows(content)
    assert rows[-2].startswith(
        "Sent to the network (Accept: Sent, awaiting confirmation → Accepted"
    )
    assert rows[-1].startswith(
        "Refused by the network (Accept, version 1) By Sahyadri Paper · over the network "
        "The network refused the confirm: Version 1 is not the latest. "
        "The other side holds a different version of this purchase order. "
        "The purchase order is as it was."
    )
    sent.refresh_from_db()
    assert (sent.status, sent.pending_action) == ("CREATED", "")
    # Nothing waits any more: the supplier may answer again.
    assert ">Confirm</button>" in content
    assert "data-pending-action" not in content
