"""Fixtures for the scale tests: many purchase orders made quickly, queries counted."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.enkash import conventions
from purchase_orders.models import LineItem, LineItemTax, PurchaseOrder

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (several processes on one database, or its planner)",
)


# What bulk orders are bought: one in a thousand has a carbide line.
BULK_LINES = ["a4 copier paper, 75 gsm", "nitrile gloves, box of 100", "pantry supplies"]


def varying_fields(index: int, now) -> dict:
    """Return the fields that differ between bulk purchase orders: number, dates, total."""
    line = "tungsten carbide insert" if index % 1000 == 417 else BULK_LINES[index % len(BULK_LINES)]
    return {
        "object_id": conventions.new_object_id(),
        "buyer_po_number": f"BULK/{index:06d}",
        # As services/documents.py writes it (no parties or lines are made).
        "search_text": f"bulk/{index:06d}\n{line}",
        "order_date": datetime.date(2026, 1, 1) + datetime.timedelta(days=index % 300),
        "sent_at": now - datetime.timedelta(minutes=index),
        "total_po_value": Decimal(index) + Decimal("0.50"),
    }


def unsaved_purchase_orders(*, buyer, supplier, count: int, start: int = 0) -> list:
    """Return ``count`` sent purchase orders (no lines) between two businesses, unsaved."""
    now = timezone.now()
    return [
        PurchaseOrder(
            buyer=buyer,
            supplier=supplier,
            status=PurchaseOrder.Status.CREATED,
            previous_status=lifecycle.CREATED,
            version=1,
            **varying_fields(index, now),
        )
        for index in range(start, start + count)
    ]


def bulk_purchase_orders(*, buyer, supplier, count: int, start: int = 0) -> None:
    """Insert ``count`` sent purchase orders (no lines) between two businesses, fast."""
    PurchaseOrder.objects.bulk_create(
        unsaved_purchase_orders(buyer=buyer, supplier=supplier, count=count, start=start),
        batch_size=2000,
    )


def add_cess_to_every_line(purchase_order: PurchaseOrder) -> None:
    """Give each line of a purchase order one other tax, so that they are read too."""
    LineItemTax.objects.bulk_create(
        LineItemTax(line=line, name="Cess", rate=Decimal(1), amount=Decimal("1.00"))
        for line in LineItem.objects.filter(purchase_order=purchase_order)
    )


class Counted:
    """A response and the SQL queries it took."""

    def __init__(self, response, queries: list[str]):
        self.response = response
        self.queries = queries

    def __len__(self) -> int:
        return len(self.queries)


@pytest.fixture
def counted_get():
    """Return ``get(client, url, **params) -> Counted``: a GET and its queries."""

    def get(client, url: str, **params) -> Counted:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        return Counted(response, [query["sql"] for query in context.captured_queries])

    return get
