"""The list queries on 100,000 purchase orders: PostgreSQL's plans and their times.

Orders are spread over 40 buyers and 40 suppliers (the first pair has a
tenth of them, the largest accounts); after ANALYZE, the buyer's list and
the supplier's inbox are asked for as the pages ask, and EXPLAIN ANALYZE
shows whether each is read through an index.

Searches ("carbide", one order in a thousand; one PO number) must be served
by the trigram index po_search_trgm_idx; each is timed again without it
(dropped in a transaction rolled back), the baseline of its figure.

    python -m benchmarks.explain [--orders 100000]
"""

import argparse
import re

from benchmarks import harness

PAIRS = 40


def copy_purchase_orders(*, buyer, supplier, count: int, start: int = 0) -> None:
    """Insert bulk purchase orders with PostgreSQL's COPY, fast.

    The rows are those of ``unsaved_purchase_orders``: every column is
    prepared once from the first, and only the varying ones per row.
    """
    from django.db import connection
    from django.utils import timezone

    from purchase_orders.models import PurchaseOrder
    from tests.performance.conftest import unsaved_purchase_orders, varying_fields

    first = unsaved_purchase_orders(buyer=buyer, supplier=supplier, count=1, start=start)[0]
    fields = [field for field in PurchaseOrder._meta.concrete_fields if not field.primary_key]
    base = [field.get_db_prep_save(field.pre_save(first, True), connection) for field in fields]
    by_name = {field.name: (position, field) for position, field in enumerate(fields)}
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(PurchaseOrder._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for index in range(start, start + count):
                row = list(base)
                for name, value in varying_fields(index, now).items():
                    position, field = by_name[name]
                    row[position] = field.get_db_prep_save(value, connection)
                copy.write_row(row)


def fill(orders: int):
    """Create the businesses and ``orders`` purchase orders; return the largest pair's viewers."""
    from django.db import connection

    from purchase_orders.models import Membership
    from purchase_orders.selectors import get_viewer
    from tests.factories import BusinessFactory, MembershipFactory

    buyers = BusinessFactory.create_batch(PAIRS)
    suppliers = BusinessFactory.create_batch(PAIRS, state_code="27")
    largest = orders // 10
    copy_purchase_orders(buyer=buyers[0], supplier=suppliers[0], count=largest)
    rest = orders - largest
    for index in range(1, PAIRS):
        share = rest // (PAIRS - 1) + (1 if index <= rest % (PAIRS - 1) else 0)
        copy_purchase_orders(
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
    from purchase_orders.models import Membership, PurchaseOrder

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
        "supplier inbox, newest first": listed(supplier_viewer, supplier, ordering="newest")[page],
        "awaiting confirmation": selectors.awaiting_confirmation(viewer=supplier_viewer)[page],
        # The admin's change list: the model's ordering, 100 a page.
        "admin change list": PurchaseOrder.objects.select_related("buyer", "supplier")[:100],
    }


SEARCH_INDEX = "po_search_trgm_idx"


def search_queries(buyer_viewer, supplier_viewer) -> dict:
    """Return the querysets of the lists' searches, by name."""
    from purchase_orders import selectors
    from purchase_orders.models import Membership

    buyer, supplier = Membership.Role.BUYER, Membership.Role.SUPPLIER
    page = slice(0, 25)

    def listed(viewer, role, **filters):
        return selectors.list_purchase_orders(viewer=viewer, role=role, **filters)

    return {
        "buyer list, search a line word": listed(buyer_viewer, buyer, search="carbide")[page],
        # What the page's count reads: every match, not only a page of them.
        "buyer list, search, count": listed(buyer_viewer, buyer, search="carbide")
        .order_by()
        .values("pk"),
        "buyer list, search a PO number": listed(buyer_viewer, buyer, search="BULK/000417")[page],
        "supplier inbox, search": listed(supplier_viewer, supplier, search="carbide")[page],
    }


def uses_search_index(plan: str) -> bool:
    """Return whether a plan finds purchase orders through the search's trigram index.

    The few orders found may then be sorted; the table is never scanned.
    """
    nodes = [line.strip().removeprefix("->").strip() for line in plan.splitlines()]
    return SEARCH_INDEX in plan and not any(
        node.startswith("Seq Scan on purchase_orders_purchaseorder") for node in nodes
    )


def _execution_ms(plan: str) -> float:
    line = next(line for line in plan.splitlines() if "Execution Time" in line)
    return float(re.search(r"([\d.]+) ms", line).group(1))


def _without_search_index(queryset) -> str:
    """Return the EXPLAIN ANALYZE of a query with the search index dropped, then kept."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX {SEARCH_INDEX}")
        plan = queryset.explain(analyze=True)
        transaction.set_rollback(True)
    return plan


def uses_index(plan: str) -> bool:
    """Return whether a plan reads purchase orders in order through an index.

    No full scan of the table and no sort of all the viewer's orders: a
    page is the first rows of an index, at most sorted again within equal
    keys (an incremental sort).
    """
    nodes = [line.strip().removeprefix("->").strip() for line in plan.splitlines()]
    return (
        not any(node.startswith("Seq Scan on purchase_orders_purchaseorder") for node in nodes)
        and not any(re.match(r"Sort(\s+\(|$)", node) for node in nodes)
        and any("Index" in node for node in nodes)
    )


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
    searched = True
    for name, queryset in search_queries(buyer_viewer, supplier_viewer).items():
        plan = queryset.explain(analyze=True)
        indexed = uses_search_index(plan)
        searched = searched and indexed
        with_index, without = _execution_ms(plan), _execution_ms(_without_search_index(queryset))
        print(
            f"{name:<32} trigram index: {'yes' if indexed else 'NO '}  execution "
            f"{with_index:.3f} ms, without the index {without:.3f} ms "
            f"({without / max(with_index, 0.001):.1f}× as long)"
        )
        if verbose:
            for line in plan.splitlines():
                if "Index" in line or "Scan" in line or "Sort" in line:
                    print("    " + line.strip()[:110])
    print(f"every search uses the trigram index: {'yes' if searched else 'NO'}", flush=True)
    return {"ok": ok and searched}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    options = parser.parse_args()
    harness.setup_django()
    return 0 if run(orders=options.orders)["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
