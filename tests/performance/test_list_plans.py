"""On PostgreSQL the lists read a large account's orders through indexes."""

import pytest
from django.db import connection

from benchmarks.explain import (
    list_queries,
    search_queries,
    uses_index,
    uses_search_index,
)
from purchase_orders.selectors import get_viewer
from tests.factories import BusinessFactory
from tests.performance.conftest import bulk_purchase_orders, postgresql_only


@postgresql_only
@pytest.mark.django_db
def test_every_list_query_reads_a_page_from_an_index_without_sorting(people):
    # The viewers' orders are a tenth of all, as for a large account among many.
    bulk_purchase_orders(buyer=people.buyer, supplier=people.supplier, count=200)
    for index in range(9):
        bulk_purchase_orders(
            buyer=BusinessFactory(), supplier=BusinessFactory(), count=200, start=(index + 1) * 200
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE purchase_orders_purchaseorder")
        # At this size a sort or a full scan may be cheaper than an index, so
        # they are discouraged: a plan that still has one has no index to use
        # instead. (benchmarks.explain shows the plans chosen for 100,000.)
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
    queries = list_queries(get_viewer(people.buyer_user), get_viewer(people.supplier_user))

    plans = {name: queryset.explain() for name, queryset in queries.items()}

    assert {name: uses_index(plan) for name, plan in plans.items()} == dict.fromkeys(plans, True)


@postgresql_only
@pytest.mark.django_db
def test_every_search_finds_its_orders_through_the_trigram_index(people):
    bulk_purchase_orders(buyer=people.buyer, supplier=people.supplier, count=3000)
    bulk_purchase_orders(
        buyer=BusinessFactory(), supplier=BusinessFactory(), count=3000, start=3000
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE purchase_orders_purchaseorder")
        # At this size a full scan may be cheaper than any index; discouraged,
        # as above, a plan keeps one only if no index can serve the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
    queries = search_queries(get_viewer(people.buyer_user), get_viewer(people.supplier_user))

    plans = {name: queryset.explain() for name, queryset in queries.items()}

    assert {name: uses_search_index(plan) for name, plan in plans.items()} == dict.fromkeys(
        plans, True
    ), "\n\n".join(plans.values())
    # One order in a thousand has a carbide line (tests/performance/conftest.py).
    assert len(queries["buyer list, search a line word"]) == 3
    assert [order.buyer_po_number for order in queries["buyer list, search a PO number"]] == [
        "BULK/000417"
    ]


def test_a_search_plan_without_the_trigram_index_is_told_apart():
    indexed = (
        "Limit\n  ->  Sort\n        ->  Bitmap Heap Scan on purchase_orders_purchaseorder\n"
        "              ->  Bitmap Index Scan on po_search_trgm_idx"
    )
    filtered = (
        "Limit\n  ->  Index Scan using po_buyer_newest_idx on purchase_orders_purchaseorder\n"
        "        Filter: (search_text ~~ '%carbide%'::text)"
    )
    scanned = "Limit\n  ->  Seq Scan on purchase_orders_purchaseorder"

    assert (
        uses_search_index(indexed),
        uses_search_index(filtered),
        uses_search_index(scanned),
    ) == (
        True,
        False,
        False,
    )


def test_a_sorted_or_sequential_plan_is_told_apart():
    sorted_plan = (
        "Limit  (cost=1.0..2.0)\n  ->  Sort  (cost=1.0..2.0)\n        Sort Key: total_po_value\n"
        "        ->  Index Scan using x on purchase_orders_purchaseorder"
    )
    scanned = "Limit\n  ->  Seq Scan on purchase_orders_purchaseorder"
    in_order = (
        "Limit\n  ->  Incremental Sort\n        Sort Key: buyer_po_number, id\n"
        "        ->  Index Scan using unique_po_number_per_buyer"
    )

    assert (uses_index(sorted_plan), uses_index(scanned), uses_index(in_order)) == (
        False,
        False,
        True,
    )
