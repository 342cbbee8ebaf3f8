"""Live pages: what 200 open pages following their stamps cost one web node, under gunicorn.

Twenty buyer and supplier pairs, eight sent orders each; each pair has ten
pages open (six order pages, two buyer's lists, an inbox, a home page):
200 pages, each polling its stamp once a second, as ``static/js/live.js``
does, with its signed token and ``If-None-Match``, and fetching itself
through its session when the stamp changes. Measured on the server's side:
requests served per second and the CPU time of gunicorn's processes (master
and workers, from ``/proc/<pid>/stat``), as a share of one core.

What ``live.js`` does now, long polls: each page's poll asks to wait
(``X-Live-Wait: 25``) on its kept connection and is held until its stamp
changes; gunicorn runs gthread workers with ``--wait-threads`` threads each.
Measured while nothing changes (each page's first poll waits a random part
of 25 s, as pages opened at different times would, then 25 s each), then
with one order saved every second (how long after the commit each page
showing it got its new stamp). In the same run, on a second server with
sync workers (``--worker-class``), the baselines: polling once a second
without waiting (what ``live.js`` did before), a stamp through the session
without ``If-None-Match`` (200 each time), and the whole page every second.

    python -m benchmarks.live_pages [--seconds 20] [--workers 3] [--interval 1.0]
        [--wait-threads 100] [--worker-class sync|gthread] [--threads 4]
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
# What live.js asks the server to hold a poll for (purchase_orders/live_wait.py).
WAIT_SECONDS = 25.0
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
    stamp changed), "wait" (the same, asking the server to hold the poll
    until the stamp changes: asked again at once when answered, at most
    once every ``interval``), "session" (the stamp through the session, no
    If-None-Match) or "page" (the whole page through the session).
    ``changes`` maps a pair to the time its last change was saved.
    """
    tally = Tally()
    deadline = time.monotonic() + seconds

    def run(page: Page) -> None:
        next_at = time.monotonic() + random.uniform(0, interval)
        # Pages opened at different times: the first wait ends anywhere in the 25 s.
        wait = random.uniform(0, WAIT_SECONDS)
        while True:
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            if time.monotonic() >= deadline:
                return
            next_at += interval
            if mode == "wait":
                # Never held past the phase's end, so that the phase ends on time.
                wait = min(wait, deadline - time.monotonic())
                next_at = max(next_at, time.monotonic())
            started = time.perf_counter()
            try:
                ask(page, wait)
                wait = WAIT_SECONDS
            except OSError as error:
                with tally.lock:
                    tally.errors.append(f"{type(error).__name__}: {error}")
            with tally.lock:
                tally.latencies.append(time.perf_counter() - started)

    def ask(page: Page, wait: float) -> None:
        if mode == "page":
            status, _ = get(port, page.url, {"Cookie": page.cookie})
            tally.count(f"page {status}")
            return
        if mode == "session":
            status, _ = get(port, page.stamp_url, {"Cookie": page.cookie})
            tally.count(f"stamp {status}")
            return
        headers = {"X-Live-Token": page.token, "If-None-Match": f'"{page.stamp}"'}
        if mode == "wait":
            headers["X-Live-Wait"] = f"{wait:.3f}"
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


def gunicorn(port: int, workers: int, worker_class: str, threads: int) -> list[str]:
    return [
        harness.PYTHON, "-m", "gunicorn", "procurement.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", worker_class,
        "--threads", str(threads),
        "--log-level", "warning",
    ]  # fmt: skip


def run(
    *,
    seconds: float,
    workers: int,
    interval: float = 1.0,
    worker_class: str = "sync",
    threads: int = 4,
    wait_threads: int = 100,
) -> dict:
    """Run the benchmark in a set-up Django process; return its figures."""
    pages, orders_by_pair = make_pages()
    harness.heading(
        f"Live pages: {len(pages)} open pages, {seconds:g} s a phase; long polls under gunicorn "
        f"with {workers} gthread workers of {wait_threads} threads, the baselines with "
        f"{workers} {worker_class} workers"
        + (f" of {threads} threads" if worker_class == "gthread" else "")
    )
    phases = {}
    port = harness.free_port()
    # Each process may hold nearly all its threads in waiting polls; a few stay for pages.
    waiters = max(1, wait_threads - max(4, wait_threads // 10))
    env = harness.environment(LIVE_WAITERS_PER_PROCESS=str(waiters))
    with harness.running(
        gunicorn(port, workers, "gthread", wait_threads), env=env, port=port
    ) as server:
        pid = server.pid
        poll_pages(port, pages[:40], mode="page", seconds=2, interval=1.0)
        phases["idle"] = measure(
            "long poll, nothing changes",
            pid,
            seconds,
            lambda: poll_pages(
                port, pages, mode="wait", seconds=seconds, interval=interval, keep_alive=True
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
                mode="wait",
                seconds=seconds,
                interval=interval,
                changes=changes,
                keep_alive=True,
            )
            writer.join()
            return tally

        phases["changing"] = measure("long poll, one change a second", pid, seconds, changing)

    keep_alive = worker_class == "gthread"
    port = harness.free_port()
    command = gunicorn(port, workers, worker_class, threads)
    with harness.running(command, env=harness.environment(), port=port) as server:
        pid = server.pid
        # Warm every worker's connection and templates once.
        poll_pages(port, pages[:40], mode="page", seconds=2, interval=1.0)
        phases["polling"] = measure(
            "baseline: poll every 1 s, no wait",
            pid,
            seconds,
            lambda: poll_pages(
                port, pages, mode="live", seconds=seconds, interval=interval, keep_alive=keep_alive
            ),
        )
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
            f"a change seen by its pages' held polls after: p50 {seen[len(seen) // 2]:.2f} s, "
            f"p99 {seen[min(len(seen) - 1, int(0.99 * len(seen)))]:.2f} s, max {seen[-1]:.2f} s "
            f"({len(seen)} page refreshes)"
        )
    idle, polling = phases["idle"], phases["polling"]
    session, page = phases["session"], phases["page"]
    print(
        f"CPU, long poll idle / polling every 1 s: {idle.cpu / max(polling.cpu, 1e-9):.3f}; "
        f"/ session stamp: {idle.cpu / max(session.cpu, 1e-9):.3f}; "
        f"/ whole page: {idle.cpu / max(page.cpu, 1e-9):.4f}"
    )
    print(
        f"CPU per request: long poll idle {1000 * idle.cpu / max(idle.requests, 1):.2f} ms, "
        f"polling {1000 * polling.cpu / max(polling.requests, 1):.2f} ms, session stamp "
        f"{1000 * session.cpu / max(session.requests, 1):.2f} ms, whole page "
        f"{1000 * page.cpu / max(page.requests, 1):.2f} ms"
    )
    verdict = "met" if idle.core_percent < IDLE_CPU_GOAL else "MISSED"
    print(
        f"long poll, nothing changes: {idle.core_percent:.1f} % of one core "
        f"(goal < {IDLE_CPU_GOAL:g} %: {verdict}); polling every 1 s: "
        f"{polling.core_percent:.1f} %",
        flush=True,
    )
    errors = sum(len(phases[name].tally.errors) for name in ("idle", "changing", "polling"))
    late = [after for after in seen if after > 2.0]
    if late:
        print(f"{len(late)} of {len(seen)} changes took over 2 s to reach their page")
    return {"phases": phases, "ok": errors == 0 and bool(seen) and not late}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--wait-threads", type=int, default=100)
    options = parser.parse_args()
    harness.setup_django()
    figures = run(
        seconds=options.seconds,
        workers=options.workers,
        interval=options.interval,
        worker_class=options.worker_class,
        threads=options.threads,
        wait_threads=options.wait_threads,
    )
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
