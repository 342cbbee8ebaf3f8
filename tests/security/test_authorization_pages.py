"""The rightful side opens each page of a purchase order, in every status it applies to.

Each test also sends the wrong side and an outsider, who are refused as in
``test_authorization.py``; a view that refused everyone fails every test here.
"""

import pytest
from django.urls import reverse

from purchase_orders import lifecycle, selectors
from purchase_orders.models import PurchaseOrder
from tests.plugins.network import acknowledged
from tests.security.authorization import (
    ACTIONS,
    DIRECTORY,
    LOCAL,
    NAMES,
    PAGES,
    SENT,
    STATUSES,
    assert_refused,
    order_in,
    text,
    url_of,
    with_two_versions,
)

pytestmark = pytest.mark.django_db
EDITABLE = (lifecycle.DRAFT, lifecycle.CREATED, lifecycle.ACCEPTED, lifecycle.REJECTED)


def test_every_named_url_is_granted_somewhere():
    assert sorted(NAMES) == sorted(PAGES + ACTIONS + DIRECTORY)


@pytest.mark.parametrize("status", STATUSES)
def test_the_buyers_list_shows_their_orders_in_every_status(people, status):
    purchase_order = order_in(people, status)
    url = url_of("list", people, purchase_order)

    response = people.buyer_client.get(url)

    assert response.status_code == 200
    assert "<h1>Purchase orders</h1>" in text(response)
    assert purchase_order.buyer_po_number in text(response)
    assert_refused(people, "list", purchase_order, "get")
    assert purchase_order.buyer_po_number not in text(people.outsider_client.get(url))


@pytest.mark.parametrize("status", STATUSES)
def test_the_suppliers_inbox_shows_what_was_sent_and_no_draft(people, status):
    purchase_order = order_in(people, status)
    url = url_of("inbox", people, purchase_order)

    response = people.supplier_client.get(url)

    assert response.status_code == 200
    assert "<h1>Received purchase orders</h1>" in text(response)
    shown = purchase_order.buyer_po_number in text(response)
    assert shown is (status not in LOCAL)
    assert_refused(people, "inbox", purchase_order, "get")
    assert purchase_order.buyer_po_number not in text(people.outsider_client.get(url))


def test_the_inbox_stamp_changes_when_an_order_arrives(people):
    url = reverse("purchase_orders:inbox-stamp")
    empty = people.supplier_client.get(url)

    purchase_order = order_in(people, lifecycle.CREATED)
    response = people.supplier_client.get(url)

    assert (empty.status_code, response.status_code) == (200, 200)
    viewer = selectors.get_viewer(people.supplier_user)
    assert response.json() == {"stamp": selectors.inbox_stamp(viewer=viewer)}
    assert response.json() != empty.json()
    assert_refused(people, "inbox-stamp", purchase_order, "get")


def test_the_list_stamp_changes_when_the_buyer_raises_an_order(people):
    url = reverse("purchase_orders:list-stamp")
    empty = people.buyer_client.get(url)

    purchase_order = order_in(people, lifecycle.DRAFT)
    response = people.buyer_client.get(url)

    assert (empty.status_code, response.status_code) == (200, 200)
    viewer = selectors.get_viewer(people.buyer_user)
    assert response.json() == {"stamp": selectors.list_stamp(viewer=viewer)}
    assert response.json() != empty.json()
    assert_refused(people, "list-stamp", purchase_order, "get")


def test_the_home_stamp_follows_each_sides_own_orders_only(people):
    url = reverse("purchase_orders:home-stamp")
    clients = [people.buyer_client, people.supplier_client, people.outsider_client]
    before = [client.get(url).json()["stamp"] for client in clients]

    order_in(people, lifecycle.CREATED)
    after = [client.get(url).json()["stamp"] for client in clients]

    assert after[0] != before[0]
    assert after[1] != before[1]
    assert after[2] == before[2]


def test_the_new_order_form_is_for_the_buyer_and_saves_a_draft(people, form_data, three_lines):
    url = reverse("purchase_orders:create")
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines)
    data["buyer_po_number"] = "PO/2026-27/04321"

    page = people.buyer_client.get(url)
    assert people.supplier_client.post(url, data).status_code == 403
    response = people.buyer_client.post(url, data)

    assert page.status_code == 200
    assert "New purchase order" in text(page)
    draft = PurchaseOrder.objects.get(buyer_po_number="PO/2026-27/04321")
    assert (draft.status, draft.buyer, draft.created_by) == (
        lifecycle.DRAFT,
        people.buyer,
        people.buyer_user,
    )
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert people.supplier_client.get(url).status_code == 403


@pytest.mark.parametrize("status", STATUSES)
def test_both_sides_open_the_page_and_the_print_of_an_order_the_supplier_received(people, status):
    purchase_order = order_in(people, status)
    readers = [people.buyer_client]
    if status not in LOCAL:
        readers.append(people.supplier_client)
    else:
        for name in ("detail", "print", "stamp"):
            url = url_of(name, people, purchase_order)
            assert people.supplier_client.get(url).status_code == 404

    for client in readers:
        page = client.get(url_of("detail", people, purchase_order))
        printed = client.get(url_of("print", people, purchase_order))
        assert (page.status_code, printed.status_code) == (200, 200)
        assert f"<h1>Purchase order {purchase_order.buyer_po_number}</h1>" in text(page)
        assert "<h1>Purchase order</h1>" in text(printed)
        assert purchase_order.buyer_po_number in text(printed)
    for name in ("detail", "print"):
        assert_refused(people, name, purchase_order, "get")


@pytest.mark.parametrize("status", STATUSES)
def test_both_sides_download_the_pdf_of_an_order_the_supplier_received(people, status):
    purchase_order = order_in(people, status)
    url = url_of("pdf", people, purchase_order)
    readers = [people.buyer_client, people.approver_client]
    if status not in LOCAL:
        readers.append(people.supplier_client)
    else:
        assert people.supplier_client.get(url).status_code == 404

    for client in readers:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    assert_refused(people, "pdf", purchase_order, "get")


@pytest.mark.parametrize("status", STATUSES)
def test_the_page_stamp_is_the_orders_for_both_sides(people, status):
    purchase_order = order_in(people, status)
    url = url_of("stamp", people, purchase_order)
    clients = {people.buyer_user: people.buyer_client}
    if status not in LOCAL:
        clients[people.supplier_user] = people.supplier_client

    for user, client in clients.items():
        response = client.get(url)
        viewer = selectors.get_viewer(user)
        stamp = selectors.purchase_order_stamp(viewer=viewer, object_id=purchase_order.object_id)
        assert response.status_code == 200
        assert response.json() == {"stamp": stamp}
    assert_refused(people, "stamp", purchase_order, "get")


@pytest.mark.parametrize("status", SENT)
def test_both_sides_compare_two_versions(people, status):
    purchase_order = with_two_versions(people, order_in(people, status))
    url = url_of("compare", people, purchase_order)

    for client in (people.buyer_client, people.supplier_client):
        response = client.get(url)
        assert response.status_code == 200
        assert "<h1>What changed from version 1 to version 2</h1>" in text(response)
        assert "Paper and toner" in text(response)
    assert_refused(people, "compare", purchase_order, "get")


def test_a_draft_has_nothing_to_compare_and_is_the_buyers_alone(people):
    draft = order_in(people, lifecycle.DRAFT)
    url = url_of("compare", people, draft)

    response = people.buyer_client.get(url)

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert people.supplier_client.get(url).status_code == 404
    assert_refused(people, "compare", draft, "get")


@pytest.mark.parametrize("status", STATUSES)
def test_the_buyer_opens_the_edit_form_while_the_order_may_change(people, status):
    purchase_order = order_in(people, status)
    url = url_of("edit", people, purchase_order)

    response = people.buyer_client.get(url)

    if status in EDITABLE:
        assert response.status_code == 200
        heading = "Edit draft" if status == lifecycle.DRAFT else "Edit"
        assert f"{heading} {purchase_order.buyer_po_number}" in text(response)
        assert 'name="buyer_po_number"' in text(response)
    else:
        assert response.status_code == 302
        assert response["Location"] == purchase_order.get_absolute_url()
        followed = text(people.buyer_client.get(response["Location"]))
        if status == lifecycle.AWAITING_APPROVAL:
            assert "This purchase order cannot be changed while it waits for approval" in followed
        else:
            assert "This purchase order cannot be edited" in followed
    assert_refused(people, "edit", purchase_order, "get")


@pytest.mark.parametrize("status", [lifecycle.DRAFT, lifecycle.CREATED])
def test_the_buyer_saves_the_edit_form(people, status, form_data, three_lines):
    purchase_order = order_in(people, status)
    url = url_of("edit", people, purchase_order)
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        buyer_po_number=purchase_order.buyer_po_number,
        subject="Paper, toner and maintenance",
        reason="Toner and maintenance added",
        expected_version=str(purchase_order.version),
    )
    assert_refused(people, "edit", purchase_order, "post", data)

    response = people.buyer_client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == purchase_order.get_absolute_url()
    purchase_order.refresh_from_db()
    if status == lifecycle.CREATED:
        # The new version waits for the network; then it is the order's.
        assert (purchase_order.version, purchase_order.pending_action) == (1, lifecycle.EDIT)
        assert purchase_order.subject != "Paper, toner and maintenance"
        purchase_order = acknowledged(purchase_order)
    assert purchase_order.subject == "Paper, toner and maintenance"
    assert purchase_order.lines.count() == 3
    expected = (status, 0) if status == lifecycle.DRAFT else (lifecycle.CREATED, 2)
    assert (purchase_order.status, purchase_order.version) == expected
