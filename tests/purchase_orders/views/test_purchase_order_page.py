"""The purchase order page, for both sides: contents, actions offered, scope, speed, versions.

Its timelines and alerts are in test_purchase_order_timelines.py.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from purchase_orders.enkash import payloads
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.drafts import complete_contents, current_parties
from purchase_orders.services.purchase_orders import edit_purchase_order, send_purchase_order
from tests.plugins.network import acknowledged

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


def sent_and_acknowledged(people, lines: int) -> PurchaseOrder:
    return acknowledged(
        send_purchase_order(
            purchase_order=people.purchase_order(lines=lines), sent_by=people.buyer_user
        )
    )


def edit_line_two(people, purchase_order: PurchaseOrder, quantity: str, reason: str):
    """Send a new version with line 2 at ``quantity``; it waits for the network."""
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    contents = payloads.parse_purchase_order(payloads.build_purchase_order(fresh), [])
    contents.lines[1].quantity = Decimal(quantity)
    contents.milestones = []
    return edit_purchase_order(
        purchase_order=purchase_order,
        edited_by=people.buyer_user,
        contents=complete_contents(
            contents=contents,
            buyer=people.buyer,
            supplier=people.supplier,
            parties=current_parties(fresh),
        ),
        reason=reason,
        expected_version=fresh.version,
    )


def test_an_edited_order_tells_the_supplier_why_and_links_to_the_changes(people):
    purchase_order = sent_and_acknowledged(people, lines=2)
    acknowledged(edit_line_two(people, purchase_order, "35", "Need 35 boxes"))

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
    purchase_order = sent_and_acknowledged(people, lines=1)

    response = people.buyer_client.get(
        reverse("purchase_orders:compare", args=[purchase_order.object_id]), follow=True
    )

    assert "only one version so far" in response.content.decode()


def test_comparing_a_version_that_does_not_exist_is_404(people):
    purchase_order = sent_and_acknowledged(people, lines=1)
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(version=2)
    PurchaseOrderVersion.objects.create(purchase_order=purchase_order, version=2, snapshot={})

    response = people.buyer_client.get(
        reverse("purchase_orders:compare", args=[purchase_order.object_id]), {"from": 1, "to": 7}
    )

    assert response.status_code == 404


@pytest.mark.parametrize("earlier_edits", [0, 1])
def test_a_version_still_pending_is_compared_by_the_buyer_only(people, earlier_edits):
    purchase_order = sent_and_acknowledged(people, lines=2)
    for number in range(earlier_edits):
        acknowledged(edit_line_two(people, purchase_order, str(30 + number), "More boxes"))
    acknowledged_version = 1 + earlier_edits
    edit_line_two(people, purchase_order, "35", "Need 35 boxes")
    compare = reverse("purchase_orders:compare", args=[purchase_order.object_id])
    pending = {"from": acknowledged_version, "to": acknowledged_version + 1}

    buyers = people.buyer_client.get(compare, pending)
    assert buyers.status_code == 200
    assert (
        f"What changed from version {acknowledged_version} to version {acknowledged_version + 1}"
        in buyers.content.decode()
    )
    buyers_page = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    assert f"See version {acknowledged_version + 1}, on its way" in buyers_page

    # Not delivered yet: the supplier has not received it, so it is not there.
    assert people.supplier_client.get(compare, pending).status_code == 404
    suppliers_page = people.supplier_client.get(purchase_order.get_absolute_url())
    assert f"to={acknowledged_version + 1}" not in suppliers_page.content.decode()

    acknowledged(purchase_order)
    assert people.supplier_client.get(compare, pending).status_code == 200
