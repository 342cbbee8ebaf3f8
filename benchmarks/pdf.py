"""The PDF of a purchase order: 10 lines against 3,000, downloaded as a buyer does.

Each order is written through the drafts service and sent, then its PDF is
asked for through the page's URL (selector, ReportLab), the
baseline of 10 lines measured in the same run. Prints the time, pages and
size of each, the ratio and whether it is within ``GOAL_RATIO``; fails if
the large PDF takes ``GOAL_SECONDS`` or more.

    python -m benchmarks.pdf [--lines 3000] [--repeat 3]
"""

import argparse
import io
import statistics

from benchmarks import big_po, harness

BASELINE_LINES = 10
GOAL_SECONDS = 5.0
GOAL_RATIO = 10.0


def sent_order(template, user, lines: int):
    from purchase_orders.services import drafts
    from purchase_orders.services.purchase_orders import send_purchase_order

    draft = drafts.create_draft(
        buyer=template.buyer,
        supplier=template.supplier,
        created_by=user,
        contents=big_po.big_contents(template, lines),
    )
    return send_purchase_order(purchase_order=draft, sent_by=user)


def download(client, purchase_order) -> tuple[float, bytes]:
    from django.urls import reverse

    url = reverse("purchase_orders:pdf", args=[purchase_order.object_id])
    elapsed, response = harness.timed(client.get, url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return elapsed, response.content


def pages(content: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


def run(*, lines: int = 3000, repeat: int = 3) -> dict:
    harness.heading(f"PDF of a purchase order: {BASELINE_LINES} lines against {lines}")
    template, user, client = big_po.signed_in_buyer()
    small = sent_order(template, user, BASELINE_LINES)
    large = sent_order(template, user, lines)
    download(client, small)  # ReportLab reads the font files once per process.
    figures = {}
    for name, order in ((BASELINE_LINES, small), (lines, large)):
        runs = [download(client, order) for _ in range(repeat)]
        seconds = statistics.median(elapsed for elapsed, _ in runs)
        figures[name] = seconds
        count = pages(runs[0][1])
        size = len(runs[0][1]) / 1024
        print(
            f"{name:>5} lines: {seconds * 1000:8.1f} ms (median of {repeat}), "
            f"{count} pages, {size:.0f} KiB"
        )
    ratio = figures[lines] / figures[BASELINE_LINES]
    per_line = (figures[lines] - figures[BASELINE_LINES]) / (lines - BASELINE_LINES) * 1000
    print(f"ratio {lines} / {BASELINE_LINES} lines: {ratio:.1f}×; {per_line:.2f} ms per extra line")
    within = ratio <= GOAL_RATIO
    print(f"goal: {lines} lines within {GOAL_RATIO:.0f}× of {BASELINE_LINES}: ", end="")
    print("met" if within else f"MISSED by {ratio / GOAL_RATIO:.1f}×")
    ok = figures[lines] < GOAL_SECONDS
    print(f"goal: {lines} lines in < {GOAL_SECONDS:.0f} s: {'met' if ok else 'MISSED'}", flush=True)
    return {"seconds": figures, "ratio": ratio, "within_ratio": within, "ok": ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    harness.setup_django()
    return 0 if run(lines=options.lines, repeat=options.repeat)["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
