"""Scale-out: one web node and one worker against two of each, the same actions, one database.

Each configuration runs on the benchmark's PostgreSQL database, emptied
and filled afresh: ``--web`` gunicorn processes, each on a port of its own
(two web nodes), and ``--workers`` ``manage.py db_worker`` processes,
against one EnKash sandbox (``manage.py enkash_sandbox``), which answers
each request and delivers its webhooks back to the portal: the
counterparty's request (the supplier's ``req-send``, the buyer's
``req-confirm`` …) and the sender's response (``resp-send`` …), which
settles the message, ``DELIVERY_THREADS`` at once (each order's in the
order they arose). The sandbox has one address to deliver to: the first
web node; the people's pages are spread over the nodes.

``--pairs`` buyer/supplier pairs sign in over HTTP, each person on the
nodes in turn. Every order of a pair lives through four actions from the
pages: the buyer sends the draft, the supplier confirms it, the buyer
edits the accepted order (a new version, with a reason), the buyer
cancels it. Each person acts on whichever of their orders is ready (its
last action acknowledged, as the page requires), so actions of different
orders, and the webhooks of earlier ones, are under way at once.
``--actions`` in all (four per order).

Then it waits until every order is cancelled and settled, and checks:

- 0 lost: every action's message acknowledged by the network, every
  webhook the sandbox delivered stored and applied, every order cancelled
  at version 2;
- 0 applied twice: the sandbox received each ``reqMsgId`` once, and each
  delivery is one applied event;
- order: each order's messages reached the sandbox in the order the outbox
  wrote them.

It prints the throughput (actions per second until all settled) of each
configuration and their ratio, and p50/p95 from each action's commit to
its acknowledgement (the outbox row's ``created_at`` to ``settled_at``).

    python -m benchmarks.scale_out [--actions 1000] [--pairs 5]
"""

import argparse
import collections
import json
import os
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack
from urllib.parse import urlencode

import requests

from benchmarks import harness
from benchmarks.drain import reset_sandbox
from benchmarks.line_import import form_fields
from benchmarks.pickup import sign_in

ACTIONS_PER_ORDER = 4  # send, confirm, edit, cancel
POLL_SECONDS = 0.05
SETTLE_TIMEOUT_SECONDS = 600
# How often one action on one order may be refused before the run fails.
MAX_REFUSALS = 400
LEASE_SECONDS = 120.0
# Webhooks the sandbox delivers at once (each order's in turn), as a network
# serving many businesses would; with one, its single delivery thread, not
# the portal, would set the pace.
DELIVERY_THREADS = 8


def make_pairs(pairs: int, orders: int) -> list[dict]:
    """Create ``pairs`` buyer/supplier pairs with their people, and ``orders`` drafts in all."""
    from purchase_orders.models import Membership
    from tests.factories import (
        BusinessFactory,
        MembershipFactory,
        PurchaseOrderFactory,
        UserFactory,
    )

    made = []
    for index in range(pairs):
        buyer = BusinessFactory()
        supplier = BusinessFactory(
            state_code="27", city="Pune", state="Maharashtra", pincode="411001"
        )
        buyer_user = UserFactory(username=f"buyer{index}")
        supplier_user = UserFactory(username=f"supplier{index}")
        MembershipFactory(user=buyer_user, business=buyer, role=Membership.Role.BUYER)
        MembershipFactory(user=supplier_user, business=supplier, role=Membership.Role.SUPPLIER)
        count = orders // pairs + (1 if index < orders % pairs else 0)
        drafts = [PurchaseOrderFactory(buyer=buyer, supplier=supplier) for _ in range(count)]
        made.append(
            {
                "buyer": buyer_user.username,
                "supplier": supplier_user.username,
                "object_ids": [draft.object_id for draft in drafts],
            }
        )
    return made


def next_action(status: str, version: int) -> tuple[str, str] | None:
    """Return (role, action) due next for an order with nothing pending, or None when done."""
    if status == "DRAFT":
        return "buyer", "send"
    if status == "CREATED" and version == 1:
        return "supplier", "confirm"
    if status == "ACCEPTED":
        return "buyer", "edit"
    if status == "CREATED":
        return "buyer", "cancel"
    return None


def act(session, base_url: str, object_id: str, action: str) -> None:
    """Take one action from the order's pages, as the person's browser would."""
    page = f"{base_url}/purchase-orders/{object_id}/"
    token = {"csrfmiddlewaretoken": session.cookies["csrftoken"]}
    if action == "send":
        answer = session.post(f"{page}send/", data=token, allow_redirects=False, timeout=60)
    elif action == "confirm":
        answer = session.post(f"{page}confirm/", data=token, allow_redirects=False, timeout=60)
    elif action == "edit":
        fields = form_fields(session.get(f"{page}edit/", timeout=60).text)
        fields.update(reason="Quantities agreed again", intent="save")
        answer = session.post(
            f"{page}edit/",
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            timeout=60,
        )
    else:
        answer = session.post(
            f"{page}status/",
            data={**token, "action": "CANCEL", "remarks": "No longer needed"},
            allow_redirects=False,
            timeout=60,
        )
    if answer.status_code != 302:
        raise Refused(f"answered HTTP {answer.status_code}")


class Refused(Exception):
    """The page did not take the action (its answer was not the redirect of one taken)."""


def person(
    *, role: str, session, base_url: str, object_ids: list[str], errors: list, refused: list
) -> None:
    """Act on each of the orders whenever it waits for this person, until all are done."""
    from purchase_orders.models import PurchaseOrder

    remaining = set(object_ids)
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    try:
        while remaining and time.monotonic() < deadline:
            acted = False
            rows = PurchaseOrder.objects.filter(object_id__in=remaining).values_list(
                "object_id", "status", "version", "pending_action"
            )
            for object_id, status, version, pending in rows:
                if pending:
                    continue
                due = next_action(status, version)
                if due is None:
                    remaining.discard(object_id)
                elif due[0] == role:
                    # The order's row may say it waits for this person a moment
                    # before the page does (a webhook for it still on its way),
                    # and a loaded server may drop a request: a refused or lost
                    # action is tried again once the row still says it is due
                    # (one taken whose answer was lost is not), a few hundred
                    # times at most, then counted as the run's failure.
                    try:
                        act(session, base_url, object_id, due[1])
                        acted = True
                    except (Refused, requests.RequestException) as refusal:
                        reason = f"{due[1]} of {object_id}: {type(refusal).__name__} {refusal}"
                        refused.append(reason)
                        if refused.count(reason) >= MAX_REFUSALS:
                            raise
            if not acted:
                time.sleep(POLL_SECONDS)
        if remaining:
            errors.append(f"{role}: {len(remaining)} orders not done in time")
    except Exception as error:  # noqa: BLE001 - reported as the run's failure
        errors.append(f"{role}: {type(error).__name__}: {error}")
    finally:
        from django.db import connection

        connection.close()


def settled(object_ids: list[str]) -> bool:
    from purchase_orders.models import OutboundMessage, PurchaseOrder

    orders = PurchaseOrder.objects.filter(object_id__in=object_ids)
    return (
        not orders.exclude(status="CANCELLED").exists()
        and not orders.filter(pending_action__gt="").exists()
        and not OutboundMessage.objects.exclude(state=OutboundMessage.State.ACKNOWLEDGED).exists()
    )


def sandbox_json(sandbox_url: str, what: str) -> list:
    with urllib.request.urlopen(f"{sandbox_url}/_sandbox/{what}", timeout=60) as answer:
        return json.load(answer)


def check(object_ids: list[str], *, sandbox_url: str) -> tuple[list[str], list[float]]:
    """Return what was lost, applied twice or out of order, and the action -> ack latencies."""
    from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder

    problems = []
    messages = list(OutboundMessage.objects.order_by("pk"))
    expected = ACTIONS_PER_ORDER * len(object_ids)
    if len(messages) != expected:
        problems.append(f"{len(messages)} messages written, not {expected}")
    unacknowledged = [m for m in messages if m.state != OutboundMessage.State.ACKNOWLEDGED]
    if unacknowledged:
        problems.append(f"{len(unacknowledged)} messages not acknowledged")
    wrong = (
        PurchaseOrder.objects.filter(object_id__in=object_ids)
        .exclude(status="CANCELLED", version=2)
        .count()
    )
    if wrong:
        problems.append(f"{wrong} orders not cancelled at version 2")

    received = sandbox_json(sandbox_url, "received")
    counts = collections.Counter(entry["req_msg_id"] for entry in received)
    for message in messages:
        if counts[message.req_msg_id] != 1:
            problems.append(f"{message.req_msg_id} received {counts[message.req_msg_id]} times")
    arrival = {}
    for position, entry in enumerate(received):
        arrival.setdefault(entry["req_msg_id"], position)
    written = collections.defaultdict(list)
    for message in messages:
        written[message.object_id].append(message.req_msg_id)
    for object_id, req_msg_ids in written.items():
        if sorted(req_msg_ids, key=lambda req: arrival.get(req, -1)) != req_msg_ids:
            problems.append(f"{object_id}: messages reached the network out of order")

    delivered = sandbox_json(sandbox_url, "delivered")
    events = {
        event.dedupe_key: event
        for event in InboundEvent.objects.filter(
            dedupe_key__in=[entry["webhook_id"] for entry in delivered]
        )
    }
    deliveries = collections.Counter(entry["webhook_id"] for entry in delivered)
    for webhook_id, times in deliveries.items():
        event = events.get(webhook_id)
        if event is None:
            problems.append(f"webhook {webhook_id} was delivered but not stored")
        elif event.state != InboundEvent.State.APPLIED:
            problems.append(f"webhook {webhook_id} is {event.state}, not applied")
        elif times > 1 and event.repeats < times - 1:
            problems.append(f"webhook {webhook_id} delivered {times} times, seen once")
    # Each webhook applied once: one applied event per kind and message.
    applied = collections.Counter(
        InboundEvent.objects.filter(state=InboundEvent.State.APPLIED).values_list(
            "kind", "req_msg_id"
        )
    )
    twice = [key for key, times in applied.items() if times > 1]
    if twice:
        problems.append(f"{len(twice)} webhooks applied more than once: {twice[:3]}")
    expected_webhooks = 2 * expected  # the counterparty's request and the sender's response
    if len(deliveries) != expected_webhooks:
        problems.append(f"{len(deliveries)} webhooks delivered, not {expected_webhooks}")

    latencies = [
        (message.settled_at - message.created_at).total_seconds()
        for message in messages
        if message.settled_at is not None
    ]
    return problems, latencies


def prepare(*, pairs: int, orders: int) -> list[dict]:
    """Empty the database (its schema kept) and create the pairs and their drafts."""
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)
    return make_pairs(pairs, orders)


def one_configuration(
    *, web: int, workers: int, pairs: int, orders: int, sandbox_url: str, ports: list[int]
) -> dict:
    from tests.factories import DEMO_PASSWORD

    made = prepare(pairs=pairs, orders=orders)
    reset_sandbox(sandbox_url)
    env = environment(sandbox_url)
    ports = ports[:web]
    with tempfile.TemporaryFile() as log, ExitStack() as stack:
        for port in ports:
            stack.enter_context(harness.running(gunicorn(port), env=env, port=port, log=log))
        for _ in range(workers):
            stack.enter_context(harness.running(worker_command(), env=env, log=log))
        people, threads, errors, refused = 0, [], [], []
        for pair in made:
            for role in ("buyer", "supplier"):
                base_url = f"http://127.0.0.1:{ports[people % len(ports)]}"
                people += 1
                session = sign_in(base_url, pair[role], DEMO_PASSWORD)
                threads.append(
                    threading.Thread(
                        target=person,
                        kwargs={
                            "role": role,
                            "session": session,
                            "base_url": base_url,
                            "object_ids": pair["object_ids"],
                            "errors": errors,
                            "refused": refused,
                        },
                        daemon=True,  # Ctrl-C ends the run
                    )
                )
        object_ids = [object_id for pair in made for object_id in pair["object_ids"]]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while not settled(object_ids) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
        if errors:
            log.seek(0)
            print(log.read().decode(errors="replace")[-3000:])
    problems, latencies = check(object_ids, sandbox_url=sandbox_url)
    problems = errors + problems
    actions = ACTIONS_PER_ORDER * len(object_ids)
    result = {
        "actions": actions,
        "seconds": seconds,
        "throughput": actions / seconds,
        "latencies": latencies,
        "problems": problems,
    }
    name = f"{web} web + {workers} worker{'s' if workers > 1 else ''}"
    print(
        f"{name:<18} {actions} actions settled in {seconds:6.1f} s = "
        f"{result['throughput']:5.1f} actions/s; action -> acknowledged "
        f"p50 {harness.percentile(latencies, 0.5) * 1000:5.0f} ms, "
        f"p95 {harness.percentile(latencies, 0.95) * 1000:5.0f} ms; "
        f"lost, twice or out of order: {len(problems)}",
        flush=True,
    )
    print(
        f"{'':<18} actions refused by their page or lost, and tried again: {len(refused)}"
        + (f" (e.g. {refused[0]})" if refused else ""),
        flush=True,
    )
    for problem in problems[:10]:
        print("  problem:", problem)
    return result


def environment(sandbox_url: str) -> dict:
    return harness.environment(
        ENKASH_BASE_URL=sandbox_url,
        ENKASH_SENDING_LEASE_SECONDS=str(LEASE_SECONDS),
        # Plain HTTP on the loopback: the session's cookies travel without TLS.
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )


def gunicorn(port: int) -> list[str]:
    from benchmarks.webhook_ingest import default_workers

    return [
        harness.PYTHON, "-m", "gunicorn", "procurement.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(default_workers()),
        "--worker-class", "gthread", "--threads", "4",
        "--log-level", "warning",
    ]  # fmt: skip


def worker_command() -> list[str]:
    return harness.manage("db_worker", "--no-reload", "--no-startup-delay")


def run(*, actions: int, pairs: int) -> dict:
    orders = max(1, actions // ACTIONS_PER_ORDER)
    load_before = open("/proc/loadavg").read().split()[0]
    harness.heading(
        f"Scale-out: {orders * ACTIONS_PER_ORDER} actions (send, confirm, edit, cancel of "
        f"{orders} orders) from the pages of {pairs} buyer/supplier pairs, with the "
        "sandbox's webhooks arriving at once; 1 web + 1 worker, then 2 web + 2 workers"
    )
    ports = [harness.free_port(), harness.free_port()]
    sandbox_port = harness.free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    sandbox = harness.manage(
        "enkash_sandbox",
        "--port", str(sandbox_port),
        "--deliver-to", f"http://127.0.0.1:{ports[0]}",
        "--delay", "0",
        "--delivery-threads", str(DELIVERY_THREADS),
    )  # fmt: skip
    results = {}
    with harness.running(sandbox, env=environment(sandbox_url), port=sandbox_port):
        for web, workers in ((1, 1), (2, 2)):
            results[(web, workers)] = one_configuration(
                web=web,
                workers=workers,
                pairs=pairs,
                orders=orders,
                sandbox_url=sandbox_url,
                ports=ports,
            )
    one, two = results[(1, 1)], results[(2, 2)]
    ratio = two["throughput"] / one["throughput"]
    ok = not one["problems"] and not two["problems"]
    print(f"2 + 2 against 1 + 1: {ratio:.2f}x the throughput", flush=True)
    print(
        f"0 lost, 0 applied twice, each order's messages in order: {'yes' if ok else 'NO'}",
        flush=True,
    )
    print(
        f"Note: {os.cpu_count()} CPU cores (load average {load_before} before, "
        f"{open('/proc/loadavg').read().split()[0]} after) run the web nodes, the workers, "
        "the sandbox, PostgreSQL and this client together: a second web node and worker "
        "compete with them for the same cores, so the ratio says what one machine gains, "
        "not what a second machine would.",
        flush=True,
    )
    return {"results": results, "ratio": ratio, "ok": ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=1000, help="actions per configuration")
    parser.add_argument("--pairs", type=int, default=5, help="buyer/supplier pairs")
    options = parser.parse_args()
    harness.setup_django()
    figures = run(actions=options.actions, pairs=options.pairs)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
