"""The buyer's list and the supplier's inbox: filters, search, sorting, pages."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from purchase_orders.models import PurchaseOrder
from tests.factories import BusinessFactory, PurchaseOrderFactory

pytestmark = pytest.mark.django_db

LIST = reverse("purchase_orders:list")
INBOX = reverse("purchase_orders:inbox")


def numbers(response) -> list[str]:
    """Return the PO numbers in a list page's table, in order."""
    return re.findall(
        r'<th scope="row">\s*<a href="/purchase-orders/PO\w+/">([^<]+)</a>',
        response.content.decode(),
    )


def place_order(people, number, supplier, status, order_date, total) -> None:
    """Add one of the buyer's orders, sent on its order date unless it is a draft."""
    purchase_order = people.purchase_order(
        buyer_po_number=number,
        supplier=supplier,
        status=status,
        order_date=order_date,
        version=0 if status == PurchaseOrder.Status.DRAFT else 1,
        lines=0,
    )
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(
        total_po_value=Decimal(total),
        sent_at=None
        if status == PurchaseOrder.Status.DRAFT
        else datetime.datetime(2026, order_date.month, order_date.day, tzinfo=datetime.UTC),
    )


@pytest.fixture
def orders(people):
    """Five orders of the buyer to two suppliers, in different states and dates."""
    other_supplier = BusinessFactory(legal_name="Tapti Stationers", trade_name="Tapti Stationers")
    specs = [
        (
            "PO/2026-27/00001",
            people.supplier,
            PurchaseOrder.Status.DRAFT,
            datetime.date(2026, 4, 2),
            "1000.00",
        ),
        (
            "PO/2026-27/00002",
            people.supplier,
            PurchaseOrder.Status.CREATED,
            datetime.date(2026, 5, 10),
            "25000.00",
        ),
        (
            "PO/2026-27/00003",
            other_supplier,
            PurchaseOrder.Status.ACCEPTED,
            datetime.date(2026, 6, 15),
            "500.50",
        ),
        (
            "PO/2026-27/00004",
            people.supplier,
            PurchaseOrder.Status.REJECTED,
            datetime.date(2026, 7, 1),
            "99999.99",
        ),
        (
            "SPECIAL-77",
            other_supplier,
            PurchaseOrder.Status.CREATED,
            datetime.date(2026, 8, 20),
            "7000.00",
        ),
    ]
    for number, supplier, status, order_date, total in specs:
        place_order(people, number, supplier, status, order_date, total)
    PurchaseOrderFactory(buyer_po_number="PO/2026-27/00099", lines=0)
    return other_supplier


def test_the_buyer_sees_only_their_own_purchase_orders_newest_first(people, orders):
    response = people.buyer_client.get(LIST)

    assert response.status_code == 200
    assert numbers(response) == [
        "SPECIAL-77",
        "PO/2026-27/00004",
        "PO/2026-27/00003",
        "PO/2026-27/00002",
        "PO/2026-27/00001",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "CREATED"}, ["SPECIAL-77", "PO/2026-27/00002"]),
        ({"status": "DRAFT"}, ["PO/2026-27/00001"]),
        (
            {"ordered_from": "2026-05-01", "ordered_to": "2026-07-01"},
            ["PO/2026-27/00004", "PO/2026-27/00003", "PO/2026-27/00002"],
        ),
        ({"q": "special"}, ["SPECIAL-77"]),
        (
            {"q": "0000"},
            ["PO/2026-27/00004", "PO/2026-27/00003", "PO/2026-27/00002", "PO/2026-27/00001"],
        ),
        (
            {"sort": "-total"},
            [
                "PO/2026-27/00004",
                "PO/2026-27/00002",
                "SPECIAL-77",
                "PO/2026-27/00001",
                "PO/2026-27/00003",
            ],
        ),
        (
            {"sort": "number"},
            [
                "PO/2026-27/00001",
                "PO/2026-27/00002",
                "PO/2026-27/00003",
                "PO/2026-27/00004",
                "SPECIAL-77",
            ],
        ),
        ({"sort": "oldest", "status": "CREATED"}, ["PO/2026-27/00002", "SPECIAL-77"]),
    ],
)
def test_filters_search_and_sorting(people, orders, query, expected):
    assert numbers(people.buyer_client.get(LIST, query)) == expected


def test_filter_by_supplier(people, orders):
    response = people.buyer_client.get(LIST, {"counterparty": orders.pk})

    assert numbers(response) == ["SPECIAL-77", "PO/2026-27/00003"]
    content = response.content.decode()
    assert "Elsewhere Traders" not in content.split("<table")[0]


def test_a_filter_that_cannot_be_read_is_reported_and_ignored(people, orders):
    response = people.buyer_client.get(LIST, {"ordered_from": "yesterday", "status": "DRAFT"})

    assert numbers(response) == ["PO/2026-27/00001"]
    assert "Enter a date such as 23/11/2026." in response.content.decode()


def test_amounts_and_dates_are_shown_unambiguously(people, orders):
    content = people.buyer_client.get(LIST, {"q": "00004"}).content.decode()

    assert "₹99,999.99" in content
    assert '<time datetime="2026-07-01">1 Jul 2026</time>' in content


def test_the_list_is_paginated_by_25_with_a_constant_number_of_queries(
    people, django_assert_num_queries
):
    client = people.buyer_client
    for index in range(3):
        people.purchase_order(buyer_po_number=f"PO/2026-27/{index:05d}", lines=0)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for index in range(3, 27):
        people.purchase_order(buyer_po_number=f"PO/2026-27/{index:05d}", lines=0)

    with django_assert_num_queries(len(few.captured_queries)):
        first = client.get(LIST, {"sort": "number"})
    second = client.get(LIST, {"sort": "number", "page": 2})

    assert len(numbers(first)) == 25
    assert numbers(second) == ["PO/2026-27/00025", "PO/2026-27/00026"]
    assert "Page 2 of 2 · 27 purchase orders" in second.content.decode()
    assert "?sort=number&amp;page=2" in first.content.decode()


def test_the_supplier_inbox_shows_unconfirmed_orders_first_newest_first(people, orders):
    response = people.supplier_client.get(INBOX)

    assert response.status_code == 200
    assert numbers(response) == ["PO/2026-27/00002", "PO/2026-27/00004"]


def test_the_supplier_inbox_puts_the_latest_unconfirmed_order_on_top(people):
    for day, number, status in [
        (1, "A-1", "CREATED"),
        (3, "A-3", "ACCEPTED"),
        (2, "A-2", "CREATED"),
    ]:
        purchase_order = people.purchase_order(
            buyer_po_number=number, status=status, version=1, lines=0
        )
        PurchaseOrder.objects.filter(pk=purchase_order.pk).update(
            sent_at=datetime.datetime(2026, 11, day, tzinfo=datetime.UTC)
        )

    assert numbers(people.supplier_client.get(INBOX)) == ["A-2", "A-1", "A-3"]


def test_the_lists_are_for_their_role_only(people):
    assert people.supplier_client.get(LIST).status_code == 403
    assert people.buyer_client.get(INBOX).status_code == 403
    assert people.buyer_client.get(reverse("purchase_orders:inbox-stamp")).status_code == 403
