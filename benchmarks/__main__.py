"""Run every benchmark in turn on a fresh database: ``python -m benchmarks`` (``make bench``).

Each part is bounded in requests, messages and rows, so that the whole
run takes a few minutes; each can also be run alone (``python -m
benchmarks.webhook_ingest`` and so on, ``--help`` for their options).
Exits non-zero if a part saw an error or missed what it checks.
"""

import os
import platform
import time

from benchmarks import (
    big_admin,
    big_po,
    drain,
    explain,
    harness,
    line_import,
    live_pages,
    pdf,
    pickup,
    scale_out,
    webhook_ingest,
)


def main() -> int:
    started = time.monotonic()
    print(
        f"Benchmarks on {platform.node()}: {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}, database {harness.database_url()}",
        flush=True,
    )
    harness.setup_django()
    results = {
        "webhook ingest": webhook_ingest.run(
            requests=400, concurrency=8, workers=webhook_ingest.default_workers()
        ),
        # Before the big order, whose own message would join the drained queue.
        # EnKash answers across the internet; 50 ms is a fast round trip.
        "outbox drain": drain.run(
            messages=1000, workers=2, baseline_messages=250, answer_latency=0.05
        ),
        # Also before the big order: the worker would deliver its message too.
        "send to acknowledged": pickup.run(sends=50),
        "big purchase order": big_po.run(lines=3000),
        "big order in admin": big_admin.run(lines=3000),
        "purchase order PDF": pdf.run(lines=3000),
        "lines imported": line_import.run(lines=1000, baseline=10),
        "live pages": live_pages.run(seconds=20, workers=webhook_ingest.default_workers()),
        "list queries": explain.run(orders=100_000, verbose=False),
        # Last: it empties the database before each configuration. The
        # 1,000 actions of each take a few minutes on two cores.
        "scale-out": scale_out.run(actions=1000, pairs=5),
    }
    harness.heading("Summary")
    for name, result in results.items():
        print(f"{name:<20} {'ok' if result['ok'] else 'FAILED'}")
    print(f"total time: {time.monotonic() - started:.0f} s")
    return 0 if all(result["ok"] for result in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
