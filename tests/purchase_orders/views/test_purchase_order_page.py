"""The purchase order page, for both sides: contents, actions offered, scope, speed."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from purchase_orders.enkash import payloads
from purchase_orders.models import (
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.drafts import complete_contents, current_parties
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import edit_purchase_order, send_purchase_order

pytestmark = pytest.mark.django_db

ACTIONS = ("Send to supplier", "Edit", "Change status", "Duplicate", "Confirm", "Reject", "Retry")


def offered(content: str) -> set[str]:
    """Return the names of the action buttons and links on a page."""
    names = set(re.findall(r"<button[^>]*>([^<]+)</button>", content))
    names |= set(re.findall(r'<a class="button[^"]*"[^>]*>([^<]+)</a>', content))
    return {name.strip() for name in names} & set(ACTIONS)


def test_the_buyer_sees_the_whole_order_and_the_buyer_actions(people):
    purchase_order = people.purchase_order(sent=True, lines=2)

    response = people.buyer_client.get(purchase_order.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert f"Purchase order {purchase_order.buyer_po_number}" in content
    assert "A4 copier paper, 75 gsm, box 2" in content
    assert "48025690" in content
    assert people.buyer.gstin in content and people.supplier.gstin in content
    assert "₹4,466.30" in content
    assert "Rupees Four Thousand Four Hundred Sixty-Six and Thirty Paise Only" in content
    assert '<time datetime="2026-12-15">15 Dec 2026</time>' in content
    assert offered(content) == {"Edit", "Change status", "Duplicate"}


def test_the_supplier_sees_confirm_and_reject_only(people):
    purchase_order = people.purchase_order(sent=True, lines=1)

    content = people.supplier_client.get(purchase_order.get_absolute_url()).content.decode()

    assert offered(content) == {"Confirm", "Reject"}
    assert 'name="remarks"' in content
    assert 'name="expected_version" value="1"' in content


def test_a_draft_offers_sending_and_is_hidden_from_the_supplier(people):
    draft = people.purchase_order(lines=1)

    content = people.buyer_client.get(draft.get_absolute_url()).content.decode()

    assert offered(content) == {"Send to supplier", "Edit", "Duplicate"}
    assert people.supplier_client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("status", "buyer_actions", "supplier_actions"),
    [
        ("ACCEPTED", {"Edit", "Change status", "Duplicate"}, set()),
        ("REJECTED", {"Edit", "Change status", "Duplicate"}, set()),
        ("FULFILLED", {"Change status", "Duplicate"}, set()),
        ("CANCELLED", {"Duplicate"}, set()),
        ("CLOSED", {"Duplicate"}, set()),
    ],
)
def test_only_the_moves_the_lifecycle_allows_are_offered(
    people, status, buyer_actions, supplier_actions
):
    purchase_order = people.purchase_order(status=status, version=1, lines=1)
    url = purchase_order.get_absolute_url()

    assert offered(people.buyer_client.get(url).content.decode()) == buyer_actions
    assert offered(people.supplier_client.get(url).content.decode()) == supplier_actions


def test_an_edited_order_tells_the_supplier_why_and_links_to_the_changes(people):
    purchase_order = send_purchase_order(
        purchase_order=people.purchase_order(lines=2), sent_by=people.buyer_user
    )
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    contents = payloads.parse_purchase_order(payloads.build_purchase_order(fresh), [])
    contents.lines[1].quantity = Decimal("35")
    contents.milestones = []
    edit_purchase_order(
        purchase_order=purchase_order,
        edited_by=people.buyer_user,
        contents=complete_contents(
            contents=contents,
            buyer=people.buyer,
            supplier=people.supplier,
            parties=current_parties(fresh),
        ),
        reason="Need 35 boxes",
        expected_version=1,
    )

    content = people.supplier_client.get(purchase_order.get_absolute_url()).content.decode()

    assert "Edited by the buyer:" in content
    assert "Need 35 boxes" in content
    compare = reverse("purchase_orders:compare", args=[purchase_order.object_id])
    assert f"{compare}?from=1&amp;to=2" in content

    diff = people.supplier_client.get(compare, {"from": 1, "to": 2}).content.decode()
    assert "What changed from version 1 to version 2" in diff
    line = diff[diff.index("Line 2: A4 copier paper, 75 gsm, box 2") :]
    row = re.search(
        r'<tr class="diff-row--changed">\s*<th scope="row">Quantity.*?</tr>', line, re.S
    ).group(0)
    assert ">20<" in row and ">35<" in row
    assert "Line 1: A4 copier paper" not in diff


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
        "The purchase order is back to “Draft”, version 0."
    )
    assert words(codes.group(1)) == (
        "Codes for support field purchaseOrder.itemLists[0].hsnCode; code INVALID_FIELD"
    )


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
    assert "Delivery failed after 12 attempts." in buyer_page
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
    people.message(
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
    assert undelivered_alert(failed_for_supplier) == (
        "The confirm message of version 1 was not delivered after 12 attempts. "
        "HTTP 503 from the network See it in the network timeline"
    )


def test_a_message_delivered_after_a_refusal_clears_the_alert(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    people.message(purchase_order, state=OutboundMessage.State.REJECTED, error_code="X")
    people.message(purchase_order, state=OutboundMessage.State.ACKNOWLEDGED)

    content = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()

    assert undelivered_alert(content) == ""


def test_the_printable_view_reads_like_a_purchase_order(people):
    purchase_order = people.purchase_order(sent=True, lines=2)

    response = people.supplier_client.get(
        reverse("purchase_orders:print", args=[purchase_order.object_id])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "css/document.css" in content
    assert "<h1>Purchase order</h1>" in content
    assert "Authorised signatory" in content
    assert (
        "Amount in words:</strong> Rupees Four Thousand Four Hundred Sixty-Six "
        "and Thirty Paise Only" in content
    )
    assert "Tax summary" in content


def test_the_page_stamp_changes_when_the_order_changes(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    url = reverse("purchase_orders:stamp", args=[purchase_order.object_id])
    people.message(purchase_order, state=OutboundMessage.State.SENT)
    before = people.supplier_client.get(url).json()["stamp"]
    page = people.supplier_client.get(purchase_order.get_absolute_url()).content.decode()
    assert f'data-stamp="{before}"' in page

    people.message(purchase_order, state=OutboundMessage.State.QUEUED)

    assert people.supplier_client.get(url).json()["stamp"] != before


@pytest.mark.parametrize(
    "name",
    [
        "purchase_orders:detail",
        "purchase_orders:print",
        "purchase_orders:stamp",
        "purchase_orders:compare",
        "purchase_orders:edit",
        "purchase_orders:change-status",
    ],
)
def test_another_business_gets_404_for_every_page(people, name):
    purchase_order = people.purchase_order(sent=True, lines=1)

    response = people.outsider_client.get(reverse(name, args=[purchase_order.object_id]))

    assert response.status_code == 404


def test_an_unknown_id_gets_404(people):
    response = people.buyer_client.get(reverse("purchase_orders:detail", args=["PO" + "X" * 32]))

    assert response.status_code == 404
    assert "belongs to another business" in response.content.decode()


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("viewer", ["buyer", "supplier"])
def test_the_page_makes_the_same_number_of_queries_for_1_and_50_lines(
    people, viewer, django_assert_num_queries
):
    client = people.buyer_client if viewer == "buyer" else people.supplier_client
    small = people.purchase_order(sent=True, lines=1)
    large = people.purchase_order(sent=True, lines=50)
    for purchase_order in (small, large):
        people.message(purchase_order, state=OutboundMessage.State.FAILED)
        StatusChange.objects.create(
            purchase_order=purchase_order,
            to_status="CREATED",
            version=1,
            action="SEND",
            actor=people.buyer_user,
        )
    expected = page_queries(client, small.get_absolute_url())

    with django_assert_num_queries(expected):
        response = client.get(large.get_absolute_url())

    assert response.content.decode().count('<th scope="row" class="desc">') == 50


def test_the_printable_view_makes_the_same_number_of_queries_for_1_and_50_lines(
    people, django_assert_num_queries
):
    small = people.purchase_order(sent=True, lines=1)
    large = people.purchase_order(sent=True, lines=50)
    expected = page_queries(
        people.buyer_client, reverse("purchase_orders:print", args=[small.object_id])
    )

    with django_assert_num_queries(expected):
        people.buyer_client.get(reverse("purchase_orders:print", args=[large.object_id]))


def test_a_purchase_order_with_one_version_has_nothing_to_compare(people):
    purchase_order = send_purchase_order(
        purchase_order=people.purchase_order(lines=1), sent_by=people.buyer_user
    )

    response = people.buyer_client.get(
        reverse("purchase_orders:compare", args=[purchase_order.object_id]), follow=True
    )

    assert "only one version so far" in response.content.decode()


def test_comparing_a_version_that_does_not_exist_is_404(people):
    purchase_order = send_purchase_order(
        purchase_order=people.purchase_order(lines=1), sent_by=people.buyer_user
    )
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(version=2)
    PurchaseOrderVersion.objects.create(purchase_order=purchase_order, version=2, snapshot={})

    response = people.buyer_client.get(
        reverse("purchase_orders:compare", args=[purchase_order.object_id]), {"from": 1, "to": 7}
    )

    assert response.status_code == 404
