"""Big purchase orders: one of 3,000 lines created, validated, sent and shown.

The order is written through the drafts service (as the form does), its
totals computed and checked as the network will check them, turned into
its req-send message (``payloads.build_send_request``), sent through the
send service, its page rendered for the buyer, and its lines downloaded
as CSV and Excel. Prints each time, the message-building time per line and
each download's time against the page's, in the same run.

Then the network acknowledges it (the send settled as its SUCCESS answer
settles it), so that the supplier has received it, and the pages people
open are measured against those of a 10-line order sent and acknowledged
the same way, in the same run: the buyer's PO page, the supplier's and
the printable view, each the median of a few GETs. Prints the time, the
size of the HTML and the ratio of each; the goal is each within 10× of
the 10-line page's time and under 1 MB. The part fails if a page of the
big order is 1 MB or more.

    python -m benchmarks.big_po [--lines 3000] [--repeat 5]
"""

import argparse
import copy
import dataclasses
from dataclasses import dataclass, field

from benchmarks import harness


@dataclass
class BigOrder:
    """What ``exercise`` did, and how long each step took, in seconds."""

    purchase_order: object
    message: dict
    page_status: int
    page_queries: int
    seconds: dict = field(default_factory=dict)


def big_contents(template, lines: int):
    """Return the contents of ``template`` (a saved order) with ``lines`` lines.

    The lines are the template's, repeated with their own serial numbers;
    one payment milestone carries the whole total.
    """
    from purchase_orders.contents import read_contents
    from purchase_orders.selectors import get_purchase_order_with_contents
    from purchase_orders.services import drafts

    contents = read_contents(get_purchase_order_with_contents(pk=template.pk))
    pattern = contents.lines
    contents.lines = []
    for index in range(lines):
        line = copy.deepcopy(pattern[index % len(pattern)])
        line.serial_no = str(index + 1)
        line.product_description = f"{line.product_description} (item {index + 1})"
        contents.lines.append(line)
    contents.header.buyer_po_number = ""
    completed = drafts.complete_contents(
        contents=contents, buyer=template.buyer, supplier=template.supplier
    )
    contents.milestones = [
        dataclasses.replace(contents.milestones[0], due_amount=completed.header.total_po_value)
    ]
    return contents


def exercise(*, template, buyer_user, client, lines: int = 1000) -> BigOrder:
    """Create, validate, build, send and render a purchase order of ``lines`` lines.

    ``template`` is a saved order of the buyer's whose lines are repeated;
    ``client`` is a test client signed in as ``buyer_user``.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from purchase_orders.contents import read_contents
    from purchase_orders.enkash import payloads
    from purchase_orders.selectors import get_purchase_order_with_contents
    from purchase_orders.services import drafts
    from purchase_orders.services.checks import validate_for_network
    from purchase_orders.services.purchase_orders import send_purchase_order
    from purchase_orders.totals import totals_for_purchase_order

    seconds = {}
    contents = big_contents(template, lines)
    seconds["create (drafts service)"], draft = harness.timed(
        drafts.create_draft,
        buyer=template.buyer,
        supplier=template.supplier,
        created_by=buyer_user,
        contents=contents,
    )
    seconds["load with contents"], loaded = harness.timed(
        get_purchase_order_with_contents, pk=draft.pk
    )

    def validate():
        totals = totals_for_purchase_order(loaded)
        validate_for_network(read_contents(loaded))
        return totals

    seconds["validate (totals)"], totals = harness.timed(validate)
    assert totals.total_po_value == loaded.total_po_value
    seconds["build req-send message"], message = harness.timed(payloads.build_send_request, loaded)
    seconds["send (send service)"], sent = harness.timed(
        send_purchase_order, purchase_order=draft, sent_by=buyer_user
    )
    with CaptureQueriesContext(connection) as queries:
        seconds["render the PO page"], response = harness.timed(client.get, sent.get_absolute_url())
    # Read now: the next request clears the connection's log of queries.
    page_queries = len(queries.captured_queries)
    for file_format in ("csv", "xlsx"):
        url = reverse(f"purchase_orders:lines-{file_format}", args=[sent.object_id])
        seconds[f"download its lines, {file_format}"], size = harness.timed(
            _downloaded_bytes, client, url
        )
        assert size > lines * 50, (file_format, size)
    return BigOrder(
        purchase_order=sent,
        message=message,
        page_status=response.status_code,
        page_queries=page_queries,
        seconds=seconds,
    )


def _downloaded_bytes(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(body)


def signed_in_buyer():
    """Return (template order, buyer user, client signed in as that user) in a fresh pair."""
    from django.test import Client

    from purchase_orders.models import Membership
    from tests.factories import MembershipFactory, PurchaseOrderFactory

    template = PurchaseOrderFactory(lines=3)
    user = MembershipFactory(business=template.buyer, role=Membership.Role.BUYER).user
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return template, user, client


def signed_in_supplier(template):
    """Return a client signed in as a user of the template order's supplier."""
    from django.test import Client

    from purchase_orders.models import Membership
    from tests.factories import MembershipFactory

    user = MembershipFactory(business=template.supplier, role=Membership.Role.SUPPLIER).user
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def acknowledged(purchase_order):
    """Settle the order's pending send as the network's SUCCESS answer does: it is received."""
    from purchase_orders.models import PurchaseOrder
    from purchase_orders.services.outbound import settle_outbound_message

    purchase_order = PurchaseOrder.objects.get(pk=purchase_order.pk)
    settle_outbound_message(message=purchase_order.pending_message, succeeded=True)
    purchase_order.refresh_from_db()
    assert purchase_order.version == 1, purchase_order.version
    return purchase_order


def received_order(template, user, lines: int):
    """Return an order of ``lines`` lines written, sent and acknowledged as a buyer's is."""
    from purchase_orders.services import drafts
    from purchase_orders.services.purchase_orders import send_purchase_order

    draft = drafts.create_draft(
        buyer=template.buyer,
        supplier=template.supplier,
        created_by=user,
        contents=big_contents(template, lines),
    )
    return acknowledged(send_purchase_order(purchase_order=draft, sent_by=user))


# The pages of an order as people open them: (name, whose client, URL name).
PAGES = (
    ("buyer's PO page", "buyer", "purchase_orders:detail"),
    ("supplier's PO page", "supplier", "purchase_orders:detail"),
    ("print view", "buyer", "purchase_orders:print"),
)
BASELINE_LINES = 10
GOAL_RATIO = 10
GOAL_BYTES = 1_000_000


def page_figures(client, url: str, *, repeat: int) -> tuple[float, int]:
    """Return the median seconds of ``repeat`` GETs of a page (after one unmeasured), its size."""
    import statistics

    client.get(url)
    runs = []
    for _ in range(repeat):
        elapsed, response = harness.timed(client.get, url)
        assert response.status_code == 200, (url, response.status_code)
        runs.append((elapsed, len(response.content)))
    return statistics.median(elapsed for elapsed, _ in runs), runs[-1][1]


def compare_pages(*, clients: dict, small, large, lines: int, repeat: int) -> dict:
    """Measure each page of ``large`` against the same page of ``small``; print and return them."""
    from django.urls import reverse

    figures = {}
    for name, side, url_name in PAGES:
        client = clients[side]
        small_seconds, small_bytes = page_figures(
            client, reverse(url_name, args=[small.object_id]), repeat=repeat
        )
        seconds, size = page_figures(
            client, reverse(url_name, args=[large.object_id]), repeat=repeat
        )
        ratio = seconds / small_seconds
        met = ratio <= GOAL_RATIO and size < GOAL_BYTES
        print(
            f"{name:<19} {BASELINE_LINES:>5} lines {small_seconds * 1000:7.1f} ms "
            f"{small_bytes / 1000:7.1f} kB | {lines:>5} lines {seconds * 1000:7.1f} ms "
            f"{size / 1000:7.1f} kB | ratio {ratio:4.1f}× time, {size / small_bytes:4.1f}× bytes "
            f"| goal ≤ {GOAL_RATIO}× and < 1 MB: {'met' if met else 'MISSED'}",
            flush=True,
        )
        figures[name] = {
            "seconds": seconds,
            "bytes": size,
            "baseline_seconds": small_seconds,
            "baseline_bytes": small_bytes,
            "ratio": ratio,
            "met": met,
        }
    return figures


def run(*, lines: int, repeat: int = 5) -> dict:
    harness.heading(f"Big purchase order: {lines} lines")
    template, user, client = signed_in_buyer()
    big = exercise(template=template, buyer_user=user, client=client, lines=lines)
    for step, elapsed in big.seconds.items():
        print(f"{step:<28} {elapsed * 1000:8.1f} ms")
    per_line = big.seconds["build req-send message"] / lines * 1e6
    print(f"message building per line: {per_line:.1f} µs")
    print(f"PO page: HTTP {big.page_status}, {big.page_queries} queries", flush=True)
    page = big.seconds["render the PO page"]
    for file_format in ("csv", "xlsx"):
        download = big.seconds[f"download its lines, {file_format}"]
        print(f"lines as {file_format}: {download / page:.2f}× the time of rendering its page")
    print(
        f"Acknowledged, received by the supplier: its pages against a {BASELINE_LINES}-line "
        f"order's (median of {repeat} GETs)"
    )
    large = acknowledged(big.purchase_order)
    small = received_order(template, user, BASELINE_LINES)
    clients = {"buyer": client, "supplier": signed_in_supplier(template)}
    pages = compare_pages(clients=clients, small=small, large=large, lines=lines, repeat=repeat)
    small_enough = all(figures["bytes"] < GOAL_BYTES for figures in pages.values())
    return {
        "seconds": big.seconds,
        "pages": pages,
        "ok": big.page_status == 200 and small_enough,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    harness.setup_django()
    return 0 if run(lines=options.lines, repeat=options.repeat)["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
