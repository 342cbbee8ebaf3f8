"""Many workers: ``db_worker`` processes drain one queue of outbound messages.

A queue of req-send messages, each of its own purchase order, with a
delivery task each, is drained against the EnKash sandbox (``manage.py
enkash_sandbox``, a process of its own) by one worker, then a queue of
``--messages`` by ``--workers``. The sandbox's record of the ``reqMsgId``
values it received shows each message arrived exactly once; the ratio of
the two drain rates is the speed-up. (The single worker drains a shorter
queue, ``--baseline-messages``, to keep the run short: its rate is
steady.) The sandbox holds each answer ``--answer-latency`` seconds, as
EnKash across the internet would; 0 makes each delivery pure CPU.

    python -m benchmarks.drain [--messages 1000] [--workers 2] [--baseline-messages 250]
                               [--answer-latency 0.05]
"""

import argparse
import collections
import copy
import json
import time
import urllib.request

from benchmarks import harness


def queue_messages(count: int, *, template=None) -> list[str]:
    """Write ``count`` queued req-send messages and their delivery tasks; return their ids.

    Each message is a new purchase order's (its own objectId and number),
    so none waits behind another; ``template`` is the order whose body is
    copied (a new sent one unless given).
    """
    from purchase_orders import tasks
    from purchase_orders.enkash import conventions, encoding, payloads
    from purchase_orders.models import OutboundMessage
    from purchase_orders.selectors import get_purchase_order_with_contents
    from tests.factories import PurchaseOrderFactory

    template = template or PurchaseOrderFactory(sent=True, lines=3)
    body = payloads.build_send_request(get_purchase_order_with_contents(pk=template.pk))
    messages = []
    for _ in range(count):
        copied = copy.deepcopy(body)
        object_id = conventions.new_object_id()
        copied["purchaseOrder"]["objectId"] = object_id
        copied["purchaseOrder"]["buyerPONumber"] = object_id[-12:]
        messages.append(
            OutboundMessage(
                kind=OutboundMessage.Kind.SEND,
                req_msg_id=conventions.new_req_msg_id(),
                object_id=object_id,
                object_version=1,
                body=encoding.dumps(copied),
            )
        )
    OutboundMessage.objects.bulk_create(messages)
    for message in OutboundMessage.objects.filter(
        req_msg_id__in=[message.req_msg_id for message in messages]
    ):
        tasks.deliver_outbound_message_task.enqueue(message_id=message.pk)
    return [message.req_msg_id for message in messages]


def worker_command() -> list[str]:
    return harness.manage(
        "db_worker", "--batch", "--no-reload", "--interval", "0", "--no-startup-delay"
    )


def drain(workers: int, *, env: dict) -> float:
    """Run ``workers`` batch workers until the queue is empty; return the seconds taken."""
    import subprocess
    import tempfile

    # Each task's log line goes to a file, shown only if a worker fails.
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        processes = [
            subprocess.Popen(worker_command(), cwd=harness.ROOT, env=env, stderr=log)
            for _ in range(workers)
        ]
        for process in processes:
            if process.wait(timeout=600) != 0:
                log.seek(0)
                raise RuntimeError(
                    f"A worker ended with status {process.returncode}:\n"
                    + log.read().decode(errors="replace")[-3000:]
                )
        return time.perf_counter() - started


def received_counts(sandbox_url: str) -> collections.Counter:
    """Return how many times the sandbox received each reqMsgId."""
    with urllib.request.urlopen(sandbox_url + "/_sandbox/received", timeout=30) as answer:
        received = json.load(answer)
    return collections.Counter(entry["req_msg_id"] for entry in received)


def reset_sandbox(sandbox_url: str) -> None:
    request = urllib.request.Request(sandbox_url + "/_sandbox/reset", method="POST", data=b"")
    urllib.request.urlopen(request, timeout=30).close()


def check_exactly_once(req_msg_ids: list[str], counts: collections.Counter) -> list[str]:
    """Return what is wrong with the queued messages: missing, repeated, or not settled as sent."""
    from purchase_orders.models import OutboundMessage

    problems = [f"{req} received {counts[req]} times" for req in req_msg_ids if counts[req] != 1]
    unsent = (
        OutboundMessage.objects.filter(req_msg_id__in=req_msg_ids)
        .exclude(state=OutboundMessage.State.SENT)
        .count()
    )
    if unsent:
        problems.append(f"{unsent} messages are not marked sent")
    return problems


def run(
    *,
    messages: int,
    workers: int,
    baseline_messages: int | None = None,
    answer_latency: float = 0.0,
) -> dict:
    baseline_messages = baseline_messages or messages
    harness.heading(
        f"Outbox drain: {baseline_messages} messages with 1 worker, then {messages} with "
        f"{workers} workers; the sandbox answers after {answer_latency * 1000:.0f} ms"
    )
    port = harness.free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    env = harness.environment(ENKASH_BASE_URL=sandbox_url)
    sandbox = harness.manage(
        "enkash_sandbox",
        "--port",
        str(port),
        "--deliver-to",
        "",
        "--delay",
        "0",
        "--answer-latency",
        str(answer_latency),
    )
    from purchase_orders.models import PurchaseOrder

    template = PurchaseOrder.objects.filter(status="CREATED").first()
    rates, ok = {}, True
    with harness.running(sandbox, env=env, port=port):
        for count, size in ((1, baseline_messages), (workers, messages)):
            reset_sandbox(sandbox_url)
            queued, req_msg_ids = harness.timed(queue_messages, size, template=template)
            seconds = drain(count, env=env)
            problems = check_exactly_once(req_msg_ids, received_counts(sandbox_url))
            ok = ok and not problems
            rates[count] = size / seconds
            print(
                f"{count} worker(s): {size} messages (queued in {queued:.1f} s) drained in "
                f"{seconds:6.2f} s = {rates[count]:6.1f} msg/s; each delivered exactly "
                f"once: {'yes' if not problems else 'NO'}",
                flush=True,
            )
            for problem in problems[:5]:
                print("  problem:", problem)
    speed_up = rates[workers] / rates[1]
    print(f"speed-up with {workers} workers: {speed_up:.2f}x", flush=True)
    return {"rates": rates, "speed_up": speed_up, "ok": ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-messages", type=int, default=250)
    parser.add_argument("--answer-latency", type=float, default=0.05)
    options = parser.parse_args()
    harness.setup_django()
    figures = run(
        messages=options.messages,
        workers=options.workers,
        baseline_messages=options.baseline_messages,
        answer_latency=options.answer_latency,
    )
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
