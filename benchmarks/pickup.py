"""Send to acknowledged: how long a buyer waits, from the Send click to the network's answer.

The real processes run on the benchmark's PostgreSQL database: the portal
under gunicorn, one ``manage.py db_worker``, and the EnKash sandbox
(``manage.py enkash_sandbox --delay 0``, delivering its webhooks to the
portal). The buyer signs in over HTTP and sends ``--sends`` draft purchase
orders one after another, pausing a random time between them as a person
would. For each, the clock runs from the Send POST until the order's page,
fetched every ``POLL_SECONDS``, shows it delivered (no ``data-pending-action``
on the page, "Delivered to the supplier" no longer "Not yet") and its
req-send message is ``acknowledged`` in the database. The pick-up delay is
from the commit that queued the delivery (its task's ``enqueued_at``) to the
worker's claim of the message (its lease's end less the lease).

It is measured twice in one run, with a worker as today's
(``TASKS_POLL_INTERVAL_SECONDS``, woken on PostgreSQL by each queued task)
and, for the comparison, one as before: polling every second, not woken.

    python -m benchmarks.pickup [--sends 50] [--old-interval 1.0]
"""

import argparse
import random
import re
import tempfile
import time
from datetime import timedelta

import requests

from benchmarks import harness
from benchmarks.webhook_ingest import default_workers

POLL_SECONDS = 0.05
WARM_UP_SENDS = 3
# Pauses between sends, spread over more than one poll interval of the old
# worker so that a send falls anywhere in its sleep.
PAUSE_SECONDS = (0.1, 1.3)
LEASE_SECONDS = 120.0
# The goals: p50 and p95 from the Send POST to the page showing delivery.
GOAL_P50_SECONDS = 1.5
GOAL_P95_SECONDS = 3.0
DELIVERED = re.compile(r"<dt>Delivered to the supplier</dt>\s*<dd>(.*?)</dd>", re.S)


def make_buyer(count: int):
    """Create a buyer with its member ``buyer``, a supplier, and ``count`` drafts."""
    from purchase_orders.models import Membership
    from tests.factories import (
        BusinessFactory,
        MembershipFactory,
        PurchaseOrderFactory,
        UserFactory,
    )

    buyer = BusinessFactory()
    supplier = BusinessFactory(state_code="27", city="Pune", state="Maharashtra", pincode="411001")
    user = UserFactory(username="buyer")
    MembershipFactory(user=user, business=buyer, role=Membership.Role.BUYER)
    drafts = [PurchaseOrderFactory(buyer=buyer, supplier=supplier) for _ in range(count)]
    return user, drafts


def sign_in(base_url: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base_url}/login/", timeout=30).raise_for_status()
    answer = session.post(
        f"{base_url}/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"Signing in as {username} failed: HTTP {answer.status_code}")
    return session


def page_shows_delivered(html: str) -> bool:
    delivered = DELIVERED.search(html)
    return (
        "data-pending-action" not in html
        and delivered is not None
        and delivered.group(1).strip() != "Not yet"
    )


def send_and_wait(session: requests.Session, base_url: str, purchase_order) -> float:
    """Send one draft from its page; return the seconds until its page shows it delivered."""
    from purchase_orders.models import OutboundMessage

    page = f"{base_url}{purchase_order.get_absolute_url()}"
    session.get(page, timeout=30).raise_for_status()
    started = time.perf_counter()
    answer = session.post(
        f"{base_url}/purchase-orders/{purchase_order.object_id}/send/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"Send of {purchase_order} answered HTTP {answer.status_code}")
    message = OutboundMessage.objects.filter(
        purchase_order=purchase_order, kind=OutboundMessage.Kind.SEND
    )
    deadline = started + 60
    while time.perf_counter() < deadline:
        polled = time.perf_counter()
        html = session.get(page, timeout=30).text
        if page_shows_delivered(html) and message.get().state == "acknowledged":
            return time.perf_counter() - started
        time.sleep(max(0.0, POLL_SECONDS - (time.perf_counter() - polled)))
    raise RuntimeError(f"{purchase_order} was not acknowledged within 60 s: {message.get()}")


def pickup_delays(purchase_orders) -> list[float]:
    """Return, per order, the seconds from its delivery task's commit to the claim."""
    from django_tasks_db.models import DBTaskResult

    from purchase_orders import tasks
    from purchase_orders.models import OutboundMessage

    messages = {
        message.pk: message
        for message in OutboundMessage.objects.filter(
            purchase_order__in=purchase_orders, kind=OutboundMessage.Kind.SEND
        )
    }
    first_queued = {}
    for args_kwargs, enqueued_at in DBTaskResult.objects.filter(
        task_path=tasks.deliver_outbound_message_task.module_path
    ).values_list("args_kwargs", "enqueued_at"):
        message_id = args_kwargs["kwargs"]["message_id"]
        if message_id in messages:
            first_queued[message_id] = min(enqueued_at, first_queued.get(message_id, enqueued_at))
    lease = timedelta(seconds=LEASE_SECONDS)
    return [
        (message.next_attempt_at - lease - first_queued[pk]).total_seconds()
        for pk, message in messages.items()
    ]


def figures(values: list[float]) -> str:
    return (
        f"p50 {harness.percentile(values, 0.50) * 1000:6.0f} ms, "
        f"p95 {harness.percentile(values, 0.95) * 1000:6.0f} ms, "
        f"max {max(values) * 1000:6.0f} ms"
    )


def one_worker(name: str, *, env: dict, base_url: str, session, drafts, pauses) -> dict:
    """Run one worker and send every draft through it; return its figures."""
    worker = harness.manage("db_worker", "--no-reload", "--no-startup-delay")
    # A line per task goes to a file, shown only if a send is not acknowledged.
    with tempfile.TemporaryFile() as log, harness.running(worker, env=env, log=log):
        try:
            for purchase_order in drafts[:WARM_UP_SENDS]:
                send_and_wait(session, base_url, purchase_order)
            measured = drafts[WARM_UP_SENDS:]
            waits = []
            for purchase_order in measured:
                time.sleep(next(pauses))
                waits.append(send_and_wait(session, base_url, purchase_order))
        except RuntimeError:
            log.seek(0)
            print(log.read().decode(errors="replace")[-3000:])
            raise
    pickups = pickup_delays(measured)
    print(f"{name:<34} send -> acknowledged: {figures(waits)}", flush=True)
    print(f"{'':<34} commit -> claimed:     {figures(pickups)}", flush=True)
    return {"waits": waits, "pickups": pickups}


def run(*, sends: int, old_interval: float = 1.0, seed: int = 0) -> dict:
    from django.conf import settings

    from tests.factories import DEMO_PASSWORD

    harness.heading(
        f"Send to acknowledged: {sends} sends over HTTP per worker (after {WARM_UP_SENDS} "
        f"warm-up sends), the page polled every {POLL_SECONDS * 1000:.0f} ms, the sandbox "
        "answering and delivering at once"
    )
    user, drafts = make_buyer(2 * (sends + WARM_UP_SENDS))
    port, sandbox_port = harness.free_port(), harness.free_port()
    base_url, sandbox_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    env = harness.environment(
        ENKASH_BASE_URL=sandbox_url,
        ENKASH_SENDING_LEASE_SECONDS=str(LEASE_SECONDS),
        # Plain HTTP on the loopback: the session's cookies travel without TLS.
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )
    web = [
        harness.PYTHON, "-m", "gunicorn", "procurement.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(default_workers()),
        "--log-level", "warning",
    ]  # fmt: skip
    sandbox = harness.manage(
        "enkash_sandbox", "--port", str(sandbox_port), "--deliver-to", base_url, "--delay", "0"
    )
    pauses = iter(random.Random(seed).uniform(*PAUSE_SECONDS) for _ in range(2 * sends))
    interval = settings.TASKS_POLL_INTERVAL_SECONDS
    with harness.running(web, env=env, port=port), harness.running(
        sandbox, env=env, port=sandbox_port
    ):
        session = sign_in(base_url, user.username, DEMO_PASSWORD)
        old = one_worker(
            f"polling every {old_interval:g} s, not woken",
            env={**env, "TASKS_POLL_INTERVAL_SECONDS": str(old_interval), "TASKS_LISTEN": "false"},
            base_url=base_url,
            session=session,
            drafts=drafts[: sends + WARM_UP_SENDS],
            pauses=pauses,
        )
        new = one_worker(
            f"woken by notifications ({interval:g} s poll)",
            env=env,
            base_url=base_url,
            session=session,
            drafts=drafts[sends + WARM_UP_SENDS :],
            pauses=pauses,
        )
    p50, p95 = (harness.percentile(new["waits"], fraction) for fraction in (0.50, 0.95))
    met = p50 <= GOAL_P50_SECONDS and p95 <= GOAL_P95_SECONDS
    print(
        f"goal p50 <= {GOAL_P50_SECONDS} s and p95 <= {GOAL_P95_SECONDS} s: "
        f"{'met' if met else 'MISSED'}",
        flush=True,
    )
    return {"old": old, "new": new, "ok": True}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sends", type=int, default=50)
    parser.add_argument("--old-interval", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0, help="seed of the pauses between sends")
    options = parser.parse_args()
    harness.setup_django()
    figures = run(sends=options.sends, old_interval=options.old_interval, seed=options.seed)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
