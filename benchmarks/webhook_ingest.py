"""Webhook ingest: signed req-send deliveries against a bare DRF endpoint, under gunicorn.

Both endpoints are served by one gunicorn (``benchmarks.settings``, whose
URLs add the bare endpoint) on the benchmark's PostgreSQL database, and
loaded in the same run by the same client threads with the same bodies.
Every real delivery has its own webhook-id, objectId and PO number, so
each one creates a purchase order with its lines, parties, version and
audit row. Then the same deliveries are posted again, as the network
repeats a delivery it got no answer to: each is authenticated and answered
from its stored record. The three phases alternate in rounds of ``ROUND``
requests, so that a change in the machine's other load weighs on all
three. Prints requests/s, p50 and p99 latency and errors of each phase, and
their throughput and p99 ratios to the bare endpoint.

    python -m benchmarks.webhook_ingest [--requests 400] [--concurrency 8] [--workers 3]
"""

import argparse
import copy
import os
import uuid

from benchmarks import harness

# The bare endpoint's path (benchmarks.bare_urls, imported only once Django is set up).
BARE_PATH = "bench/bare"

# The goals, against the bare endpoint: new deliveries' throughput at least
# this ratio, their p99 at most this many times the bare one, and repeats'
# throughput at least this ratio.
TARGET_RATIO = 0.30
TARGET_P99_RATIO = 3.0
TARGET_REPEAT_RATIO = 0.8
WARM_UP_REQUESTS = 24
# Requests of each phase per round.
ROUND = 100


def default_workers() -> int:
    """Return gunicorn's worker count for this machine: one per core, plus one.

    Each worker spends part of every request waiting for PostgreSQL, which
    shares the cores, so one more worker than cores keeps them busy; more
    only adds switching.
    """
    return (os.cpu_count() or 1) + 1


def make_parties():
    """Create a supplier hosted here and a buyer elsewhere; return a req-send body between them."""
    from purchase_orders.enkash import payloads
    from purchase_orders.selectors import get_purchase_order_with_contents
    from tests.factories import PurchaseOrderFactory
    from tests.plugins.webhooks import ADDITIONAL_INFOS

    template = PurchaseOrderFactory(sent=True, lines=3)
    template.buyer.is_hosted = False
    template.buyer.save(update_fields=["is_hosted"])
    body = payloads.build_send_request(get_purchase_order_with_contents(pk=template.pk))
    body["additionalInfos"] = ADDITIONAL_INFOS
    return body


def signed(path: str, body: dict, *, sign: bool = True) -> harness.Request:
    from purchase_orders.enkash import conventions, encoding, signing

    raw = encoding.dumps(body).encode()
    headers = {"Content-Type": "application/json", "webhook-id": f"msg_{uuid.uuid4().hex}"}
    if sign:
        headers.update(
            signing.signature_headers(
                secret=harness.WEBHOOK_SECRET, msg_id=headers["webhook-id"], body=raw
            )
        )
    headers[conventions.REQ_MSG_ID_HEADER] = conventions.new_req_msg_id()
    return harness.Request(path=path, body=raw, headers=headers)


def send_requests(template: dict, count: int, prefix: str) -> list[harness.Request]:
    """Return ``count`` signed req-send deliveries, each of a new purchase order."""
    from purchase_orders.enkash import conventions

    requests = []
    for index in range(count):
        body = copy.deepcopy(template)
        body["purchaseOrder"]["objectId"] = conventions.new_object_id()
        body["purchaseOrder"]["buyerPONumber"] = f"{prefix}/{index:06d}"
        requests.append(signed(conventions.API_PREFIX + "req-send", body))
    return requests


def bare_requests(template: dict, count: int) -> list[harness.Request]:
    return [signed("/" + BARE_PATH, template, sign=False) for _ in range(count)]


def accepted(status: int, body: bytes) -> bool:
    from purchase_orders.enkash import encoding

    return status == 200 and encoding.loads(body).get("response_code") == 0


def combined(name: str, rounds: list[harness.LoadResult]) -> harness.LoadResult:
    """Return the figures of a phase run in several rounds, as if run at once."""
    return harness.LoadResult(
        name=name,
        requests=sum(result.requests for result in rounds),
        seconds=sum(result.seconds for result in rounds),
        latencies=[latency for result in rounds for latency in result.latencies],
        errors=[error for result in rounds for error in result.errors],
    )


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def run(*, requests: int, concurrency: int, workers: int) -> dict:
    """Run the benchmark in a set-up Django process; return its figures."""
    from django.db.models import Sum

    from purchase_orders.models import InboundEvent, PurchaseOrder

    harness.heading(
        f"Webhook ingest: {requests} req-send deliveries, then repeated, vs {requests} bare "
        f"posts, in rounds of {ROUND}; {concurrency} client threads, gunicorn with {workers} "
        "sync workers"
    )
    template = make_parties()
    warm_up = send_requests(template, WARM_UP_REQUESTS, "WARM") + bare_requests(
        template, WARM_UP_REQUESTS
    )
    real = send_requests(template, requests, "BENCH")
    bare = bare_requests(template, requests)
    port = harness.free_port()
    command = [
        harness.PYTHON, "-m", "gunicorn", "procurement.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--log-level", "warning",
    ]  # fmt: skip
    env = harness.environment()
    before = PurchaseOrder.objects.count()
    phases = {"bare DRF endpoint": [], "req-send webhook": [], "req-send repeated": []}
    with harness.running(command, env=env, port=port):
        harness.load("warm-up", port, warm_up, concurrency=concurrency, accept=accepted)
        # In rounds, so that what else loads the machine weighs on every
        # phase alike; each round's deliveries are repeated right after
        # they are first posted, well within the signature's tolerance.
        for start in range(0, requests, ROUND):
            delivered = real[start : start + ROUND]
            for name, chunk in zip(
                phases, (bare[start : start + ROUND], delivered, delivered), strict=True
            ):
                phases[name].append(
                    harness.load(name, port, chunk, concurrency=concurrency, accept=accepted)
                )
    bare_result, real_result, repeat_result = (
        combined(name, rounds) for name, rounds in phases.items()
    )
    created = PurchaseOrder.objects.count() - before - WARM_UP_REQUESTS
    applied = InboundEvent.objects.filter(kind="req-send", state="applied").count()
    repeats = (
        InboundEvent.objects.filter(kind="req-send", dedupe_key__in=webhook_ids(real)).aggregate(
            repeats=Sum("repeats")
        )["repeats"]
        or 0
    )
    ratio = real_result.throughput / bare_result.throughput
    p99_ratio = real_result.percentile(0.99) / bare_result.percentile(0.99)
    repeat_ratio = repeat_result.throughput / bare_result.throughput
    results = (bare_result, real_result, repeat_result)
    for result in results:
        print(result.line())
    for problem in [error for result in results for error in result.errors][:5]:
        print("  error:", problem)
    print(
        f"purchase orders created: {created} of {requests}; req-send events applied: {applied}; "
        f"repeats counted: {repeats} of {requests}"
    )
    print(
        f"real / bare throughput: {ratio:.2f} "
        f"(goal >= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)})"
    )
    print(
        f"real / bare p99: {p99_ratio:.2f} "
        f"(goal <= {TARGET_P99_RATIO}: {verdict(p99_ratio <= TARGET_P99_RATIO)})"
    )
    print(
        f"repeated / bare throughput: {repeat_ratio:.2f} "
        f"(goal >= {TARGET_REPEAT_RATIO}: {verdict(repeat_ratio >= TARGET_REPEAT_RATIO)})",
        flush=True,
    )
    return {
        "bare": bare_result,
        "real": real_result,
        "repeat": repeat_result,
        "ratio": ratio,
        "p99_ratio": p99_ratio,
        "repeat_ratio": repeat_ratio,
        "created": created,
        "ok": created == requests
        and repeats == requests
        and not any(result.errors for result in results),
    }


def webhook_ids(requests: list[harness.Request]) -> list[str]:
    return [request.headers["webhook-id"] for request in requests]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=default_workers())
    options = parser.parse_args()
    harness.setup_django()
    figures = run(
        requests=options.requests, concurrency=options.concurrency, workers=options.workers
    )
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
