"""Live pages: what 200 open pages polling their stamps cost one web node, under gunicorn.

Twenty buyer and supplier pairs, eight sent orders each; each pair has ten
pages open (six order pages, two buyer's lists, an inbox, a home page):
200 pages, each polling its stamp once a second, as ``static/js/live.js``
does, with its signed token and ``If-None-Match``, and fetching itself
through its session when the stamp changes. Measured on the server's side:
requests served per second and the CPU time of gunicorn's processes (master
and workers, from ``/proc/<pid>/stat``), as a share of one core, first while
nothing changes, then with one order saved every second. In the same run
and with the same pages, two baselines: polling a stamp through the session
without ``If-None-Match`` (answered 200 each time), and fetching the whole
page every second.

    python -m benchmarks.live_pages [--seconds 20] [--workers 3] [--interval 1.0]
        [--worker-class sync|gthread] [--threads 4]

With gthread workers each page's thread keeps its HTTP connection open
between polls, as a browser does; sync workers close every connection.
"""

import argparse
import http.client
import json
import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import harness
from benchmarks.webhook_ingest import default_workers

PAIRS = 20
ORDERS_PER_PAIR = 8
# Per pair: order pages (buyer's, supplier's), buyer's lists, inboxes, home pages.
PAGES_PER_PAIR = {"order": 6, "list": 2, "inbox": 1, "home": 1}
# Goal while nothing changes: under a tenth of one core for 200 pages.
IDLE_CPU_GOAL = 10.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Page:
    pair: int
    url: str
    stamp_url: str
    token: str
    stamp: str
    cookie: str
    order_pk: int | None = None


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    seen_after: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def count(self, name: str) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1


def make_pages() -> tuple[list[Page], list[list[int]]]:
    """Create the pairs, their orders and sessions; return the pages and each pair's orders."""
    from django.test import Client

    from purchase_orders import selectors
    from purchase_orders.models import Membership
    from purchase_orders.views import live
    from tests.factories import BusinessFactory, MembershipFactory, PurchaseOrderFactory

    def session_of(user) -> str:
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}"

    pages, orders_by_pair = [], []
    for pair in range(PAIRS):
        buyer = BusinessFactory(legal_name=f"Bench Buyer {pair}")
        supplier = BusinessFactory(legal_name=f"Bench Supplier {pair}", state_code="27")
        buyer_user = MembershipFactory(business=buyer, role=Membership.Role.BUYER).user
        supplier_user = MembershipFactory(business=supplier, role=Membership.Role.SUPPLIER).user
        cookies = {buyer_user: session_of(buyer_user), supplier_user: session_of(supplier_user)}
        viewers = {user: selectors.get_viewer(user) for user in cookies}
        orders = [
            PurchaseOrderFactory(
                sent=True, lines=2, buyer=buyer, supplier=supplier, created_by=buyer_user
            )
            for _ in range(ORDERS_PER_PAIR)
        ]
        orders_by_pair.append([order.pk for order in orders[: PAGES_PER_PAIR["order"]]])
        for index, order in enumerate(orders[: PAGES_PER_PAIR["order"]]):
            user = buyer_user if index % 2 == 0 else supplier_user
            viewer = viewers[user]
            stamp = selectors.purchase_order_stamp(viewer=viewer, object_id=order.object_id)
            followed = live.follow_purchase_order(
                viewer=viewer, purchase_order=order, stamp=stamp
            )
            pages.append(page_of(pair, order.get_absolute_url(), followed, cookies[user], order.pk))
        for _ in range(PAGES_PER_PAIR["list"]):
            followed = live.follow_list(viewer=viewers[buyer_user], role="buyer")
            pages.append(page_of(pair, "/purchase-orders/", followed, cookies[buyer_user]))
        for _ in range(PAGES_PER_PAIR["inbox"]):
            followed = live.follow_list(viewer=viewers[supplier_user], role="supplier")
            pages.append(
                page_of(pair, "/purchase-orders/received/", followed, cookies[supplier_user])
            )
        for _ in range(PAGES_PER_PAIR["home"]):
            followed = live.follow_home(viewer=viewers[buyer_user])
            pages.append(page_of(pair, "/", followed, cookies[buyer_user]))
    return pages, orders_by_pair


def page_of(pair: int, url: str, followed: dict, cookie: str, order_pk=None) -> Page:
    return Page(
        pair=pair,
        url=url,
        stamp_url=followed["url"],
        token=followed["token"],
        stamp=followed["stamp"],
        cookie=cookie,
        order_pk=order_pk,
    )


KEPT = threading.local()


def get(port: int, path: str, headers: dict, *, keep_alive: bool = False) -> tuple[int, bytes]:
    """GET ``path``; with ``keep_alive``, on this thread's connection, kept open for the next."""
    connection = getattr(KEPT, "connection", None) if keep_alive else None
    for attempt in range(2):
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            connection.close()
            connection = None
            if not keep_alive or attempt:
                raise
            continue  # The server closed the kept connection: open another, as a browser does.
        if keep_alive and not response.will_close:
            KEPT.connection = connection
        else:
            connection.close()
            KEPT.connection = None
        return response.status, body
    raise AssertionError("unreachable")


def cpu_seconds(master_pid: int) -> float:
    """Return the CPU time (user + system) of gunicorn's master and its workers so far."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = raw[raw.rindex(")") + 2 :].split()
        pid, ppid = int(entry.name), int(fields[1])
        if pid == master_pid or ppid == master_pid:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def poll_pages(
    port: int,
    pages: list[Page],
    *,
    mode: str,
    seconds: float,
    interval: float,
    changes: dict | None = None,
    keep_alive: bool = False,
) -> Tally:
    """Run one thread per page for ``seconds``; each asks once every ``interval`` seconds.

    ``mode`` is "live" (token and If-None-Match, the page fetched when its
    stamp changed), "session" (the stamp through the session, no
    If-None-Match) or "page" (the whole page through the session).
    ``changes`` maps a pair to the time its last change was saved.
    """
    tally = Tally()
    deadline = time.monotonic() + seconds

    def run(page: Page) -> None:
        next_at = time.monotonic() + random.uniform(0, interval)
        while True:
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            if time.monotonic() >= deadline:
                return
            next_at += interval
            started = time.perf_counter()
            try:
                ask(page)
            except OSError as error:
                with tally.lock:
                    tally.errors.append(f"{type(error).__name__}: {error}")
            with tally.lock:
                tally.latencies.append(time.perf_counter() - started)

    def ask(page: Page) -> None:
        if mode == "page":
            status, _ = get(port, page.url, {"Cookie": page.cookie})
            tally.count(f"page {status}")
            return
        if mode == "session":
            status, _ = get(port, page.stamp_url, {"Cookie": page.cookie})
            tally.count(f"stamp {status}")
            return
        headers = {"X-Live-Token": page.token, "If-None-Match": f'"{page.stamp}"'}
        status, body = get(port, page.stamp_url, headers, keep_alive=keep_alive)
        tally.count(f"stamp {status}")
        if status != 200:
            if status != 304:
                with tally.lock:
                    tally.errors.append(f"stamp HTTP {status}: {body[:200]!r}")
            return
        page.stamp = json.loads(body)["stamp"]
        if changes is not None and page.pair in changes:
            with tally.lock:
                tally.seen_after.append(time.time() - changes[page.pair])
        status, _ = get(port, page.url, {"Cookie": page.cookie})
        tally.count(f"page {status}")

    threads = [threading.Thread(target=run, args=(page,), daemon=True) for page in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def change_every_second(orders_by_pair: list[list[int]], seconds: float, changes: dict) -> None:
    """Save one open order a second, as every service's save does (its updated_at moves)."""
    from django.db import close_old_connections

    from purchase_orders.models import PurchaseOrder

    deadline = time.monotonic() + seconds
    next_at = time.monotonic() + 0.5
    while next_at < deadline:
        time.sleep(max(0.0, next_at - time.monotonic()))
        pair = random.randrange(len(orders_by_pair))
        order = PurchaseOrder.objects.get(pk=random.choice(orders_by_pair[pair]))
        order.save(update_fields=["updated_at"])
        changes[pair] = time.time()
        next_at += 1.0
    close_old_connections()


@dataclass
class Phase:
    name: str
    seconds: float
    cpu: float
    tally: Tally

    @property
    def requests(self) -> int:
        return sum(self.tally.counts.values())

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def core_percent(self) -> float:
        return 100 * self.cpu / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.tally.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def line(self) -> str:
        counts = ", ".join(f"{name}: {n}" for name, n in sorted(self.tally.counts.items()))
        return (
            f"{self.name:<34} {self.rate:7.1f} req/s served, CPU {self.core_percent:6.1f} % "
            f"of one core, p50 {self.percentile(0.5) * 1000:5.1f} ms, p99 "
            f"{self.percentile(0.99) * 1000:6.1f} ms, errors {len(self.tally.errors)} ({counts})"
        )


def measure(name: str, master_pid: int, seconds: float, work) -> Phase:
    started_cpu, started = cpu_seconds(master_pid), time.monotonic()
    tally = work()
    elapsed = time.monotonic() - started
    return Phase(name, elapsed, cpu_seconds(master_pid) - started_cpu, tally)


def run(
    *,
    seconds: float,
    workers: int,
    interval: float = 1.0,
    worker_class: str = "sync",
    threads: int = 4,
) -> dict:
    """Run the benchmark in a set-up Django process; return its figures."""
    pages, orders_by_pair = make_pages()
    harness.heading(
        f"Live pages: {len(pages)} open pages polling every {interval:g} s, {seconds:g} s a "
        f"phase, gunicorn with {workers} {worker_class} workers"
        + (f" of {threads} threads, kept connections" if worker_class == "gthread" else "")
    )
    keep_alive = worker_class == "gthread"
    port = harness.free_port()
    command = [
        harness.PYTHON, "-m", "gunicorn", "procurement.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", worker_class,
        "--threads", str(threads),
        "--log-level", "warning",
    ]  # fmt: skip
    phases = {}
    with harness.running(command, env=harness.environment(), port=port) as server:
        pid = server.pid
        # Warm every worker's connection and templates once.
        poll_pages(port, pages[:40], mode="page", seconds=2, interval=1.0)
        phases["idle"] = measure(
            "live, nothing changes",
            pid,
            seconds,
            lambda: poll_pages(
                port, pages, mode="live", seconds=seconds, interval=interval, keep_alive=keep_alive
            ),
        )

        def changing() -> Tally:
            changes: dict = {}
            writer = threading.Thread(
                target=change_every_second, args=(orders_by_pair, seconds, changes)
            )
            writer.start()
            tally = poll_pages(
                port,
                pages,
                mode="live",
                seconds=seconds,
                interval=interval,
                changes=changes,
                keep_alive=keep_alive,
            )
            writer.join()
            return tally

        phases["changing"] = measure("live, one change a second", pid, seconds, changing)
        phases["session"] = measure(
            "baseline: stamp via session, no 304",
            pid,
            seconds,
            lambda: poll_pages(port, pages, mode="session", seconds=seconds, interval=interval),
        )
        phases["page"] = measure(
            "baseline: whole page every second",
            pid,
            seconds,
            lambda: poll_pages(port, pages, mode="page", seconds=seconds, interval=interval),
        )
    for phase in phases.values():
        print(phase.line())
        for problem in phase.tally.errors[:3]:
            print("  error:", problem)
    seen = sorted(phases["changing"].tally.seen_after)
    if seen:
        print(
            f"a change seen by its pages' polls after: p50 {seen[len(seen) // 2]:.2f} s, "
            f"max {seen[-1]:.2f} s ({len(seen)} page refreshes)"
        )
    idle, session, page = phases["idle"], phases["session"], phases["page"]
    print(
        f"CPU, live idle / session stamp: {idle.cpu / max(session.cpu, 1e-9):.2f}; "
        f"live idle / whole page: {idle.cpu / max(page.cpu, 1e-9):.3f}"
    )
    print(
        f"CPU per poll: live idle {1000 * idle.cpu / max(idle.requests, 1):.2f} ms, session "
        f"stamp {1000 * session.cpu / max(session.requests, 1):.2f} ms, whole page "
        f"{1000 * page.cpu / max(page.requests, 1):.2f} ms"
    )
    verdict = "met" if idle.core_percent < IDLE_CPU_GOAL else "MISSED"
    print(
        f"live, nothing changes: {idle.core_percent:.1f} % of one core "
        f"(goal < {IDLE_CPU_GOAL:g} %: {verdict})",
        flush=True,
    )
    errors = sum(len(phase.tally.errors) for phase in (phases["idle"], phases["changing"]))
    return {"phases": phases, "ok": errors == 0 and bool(seen)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    options = parser.parse_args()
    harness.setup_django()
    figures = run(
        seconds=options.seconds,
        workers=options.workers,
        interval=options.interval,
        worker_class=options.worker_class,
        threads=options.threads,
    )
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
