"""The list queries on 100,000 purchase orders: PostgreSQL's plans and their times.

Orders are spread over 40 buyers and 40 suppliers (the first pair has a
tenth of them, the largest accounts); after ANALYZE, the buyer's list and
the supplier's inbox are asked for as the pages ask, and EXPLAIN ANALYZE
shows whether each is read through an index.

    python -m benchmarks.explain [--orders 100000]
"""

import argparse

from benchmarks import harness

PAIRS = 40


def fill(orders: int):
    """Create the businesses and ``orders`` purchase orders; return the largest pair's viewers."""
    from django.db import connection

    from purchase_orders.models import Membership
    from purchase_orders.selectors import get_viewer
    from tests.factories import BusinessFactory, MembershipFactory
    from tests.performance.conftest import bulk_purchase_orders

    buyers = BusinessFactory.create_batch(PAIRS)
    suppliers = BusinessFactory.create_batch(PAIRS, state_code="27")
    largest = orders // 10
    bulk_purchase_orders(buyer=buyers[0], supplier=suppliers[0], count=largest)
    rest = orders - largest
    for index in range(1, PAIRS):
        share = rest // (PAIRS - 1) + (1 if index <= rest % (PAIRS - 1) else 0)
        bulk_purchase_orders(
            buyer=buyers[index], supplier=suppliers[index], count=share, start=index * orders
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    buyer = MembershipFactory(business=buyers[0], role=Membership.Role.BUYER).user
    supplier = MembershipFactory(business=suppliers[0], role=Membership.Role.SUPPLIER).user
    return get_viewer(buyer), get_viewer(supplier)


def list_queries(buyer_viewer, supplier_viewer) -> dict:
    """Return the querysets the buyer's list and the supplier's inbox run, by name."""
    from purchase_orders import selectors
    from purchase_orders.models import Membership

    buyer, supplier = Membership.Role.BUYER, Membership.Role.SUPPLIER
    page = slice(0, 25)

    def listed(viewer, role, **filters):
        return selectors.list_purchase_orders(viewer=viewer, role=role, **filters)

    return {
        "buyer list, newest first": listed(buyer_viewer, buyer)[page],
        "buyer list, count": listed(buyer_viewer, buyer).order_by().values("pk")[:1],
        "buyer list, by total": listed(buyer_viewer, buyer, ordering="-total")[page],
        "buyer list, by number": listed(buyer_viewer, buyer, ordering="number")[page],
        "buyer list, status CREATED": listed(buyer_viewer, buyer, status="CREATED")[page],
        "supplier inbox": listed(supplier_viewer, supplier)[page],
        "supplier inbox, newest first": listed(supplier_viewer, supplier, ordering="newest")[
            page
        ],
        "awaiting confirmation": selectors.awaiting_confirmation(viewer=supplier_viewer)[page],
    }


def count_query(viewer, role) -> str:
    """Return the SQL of the count a list page's paginator runs."""
    from purchase_orders import selectors

    return str(selectors.list_purchase_orders(viewer=viewer, role=role).order_by().query)


def uses_index(plan: str) -> bool:
    """Return whether a plan reads purchase orders through an index, never a full scan."""
    return "Seq Scan on purchase_orders_purchaseorder" not in plan and "Index" in plan


def run(*, orders: int, verbose: bool = True) -> dict:
    harness.heading(f"List queries on {orders} purchase orders (PostgreSQL EXPLAIN ANALYZE)")
    seconds, (buyer_viewer, supplier_viewer) = harness.timed(fill, orders)
    print(f"created {orders} purchase orders and analyzed in {seconds:.1f} s")
    ok = True
    for name, queryset in list_queries(buyer_viewer, supplier_viewer).items():
        plan = queryset.explain(analyze=True)
        indexed = uses_index(plan)
        ok = ok and indexed
        execution = next(
            (line.split(":")[1].strip() for line in plan.splitlines() if "Execution" in line),
            "?",
        )
        print(f"{name:<32} index: {'yes' if indexed else 'NO '}  execution {execution}")
        if verbose:
            for line in plan.splitlines():
                if "Index" in line or "Scan" in line or "Sort" in line:
                    print("    " + line.strip()[:110])
    print(f"every list query uses an index: {'yes' if ok else 'NO'}", flush=True)
    return {"ok": ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    options = parser.parse_args()
    harness.setup_django()
    return 0 if run(orders=options.orders)["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
