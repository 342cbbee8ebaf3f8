"""Fixtures: the EnKash sandbox, a real HTTP server on 127.0.0.1."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from requests.structures import CaseInsensitiveDict

from purchase_orders.enkash import answers, conventions, encoding, kinds
from purchase_orders.enkash.client import clear_token_cache
from purchase_orders.sandbox.server import SandboxServer
from purchase_orders.sandbox.validation import BODY_OBJECTS
from tests.conftest import load_example


def fail_on_drifted_answers(server: SandboxServer) -> None:
    """Fail the test if the portal answered any webhook out of the documented shapes."""
    drifted = server.drifted
    if drifted:
        lines = [
            f"{entry['kind']} (HTTP {drift['status']}): {drift['drift']}"
            for entry in drifted
            for drift in entry["drifts"]
        ]
        pytest.fail(
            "The sandbox got answers out of the documented shapes:\n" + "\n".join(lines),
            pytrace=False,
        )


@pytest.fixture
def sandbox(settings):
    """A sandbox on a free port that ENKASH_BASE_URL points at; it delivers no webhooks."""
    server = SandboxServer().start()
    settings.ENKASH_BASE_URL = server.url
    clear_token_cache()
    yield server
    server.stop()
    clear_token_cache()
    fail_on_drifted_answers(server)


@pytest.fixture
def network_sandbox(settings, live_server):
    """A sandbox that delivers its webhooks to the live test server, for end-to-end tests.

    A test fails at teardown if the portal answered a webhook out of the
    documented shapes.
    """
    server = SandboxServer(deliver_to=live_server.url, retry_backoff=0.1).start()
    settings.ENKASH_BASE_URL = server.url
    clear_token_cache()
    yield server
    server.stop()
    clear_token_cache()
    fail_on_drifted_answers(server)


# -- conforming request bodies ---------------------------------------------------------

# The documented example each kind's body follows (SPEC §2.1; A2 and A3).
EXAMPLE_FOR_KIND = {
    "req-send": "api-req-send.json",
    "req-edit": "api-req-send.json",
    "req-confirm": "webhook-req-confirm.json",
    "req-status-change": "api-req-status-change.json",
}
# Version and status each kind moves a purchase order by, in the conventions.
MOVE_FOR_KIND = {
    "req-send": ((0, 1), ("CREATED", "CREATED")),
    "req-edit": ((1, 2), ("ACCEPTED", "CREATED")),
    "req-confirm": ((1, 1), ("CREATED", "ACCEPTED")),
    "req-status-change": ((1, 1), ("ACCEPTED", "CANCELLED")),
}
# What replaces the examples' "string" placeholders where a convention applies.
CONFORMING_TEXT = {
    "value": "12.9716,77.5946",
    "buyerB2BId": "B2B00000001",
    "supplierB2BId": "B2B00000002",
    "objectId": "PO" + "A1B2C3D4" * 4,
    "buyerPONumber": "PO/2026-27/00001",
    "ts": "2026-11-23T10:15:00+05:30",
    "orderDate": "2026-11-23",
    "deliveryDate": "2026-12-15",
    "gstin": "29AABCS1234K1ZC",
    "stateCode": "29",
    "placeOfSupply": "29",
    "pincode": "560001",
    "isService": "N",
    "hsnCode": "4802",
    "expiryDate": "2027-12-31",
    "batchWarrantyDate": "",
    "milestoneDate": "2026-12-31",
    "receiptAdviceDate": "2026-11-20",
    "supplierResponse": "ACCEPT",
    "buyerAction": "CANCEL",
}
# One line whose amounts add up: 2.5 x 1250.50, with 9% CGST + 9% SGST
# (281.36 each) within Karnataka; the one milestone is the whole total.
CONFORMING_NUMBERS = {
    "quantity": Decimal("2.500"),
    "unitPrice": Decimal("1250.50"),
    "totalAmt": Decimal("3126.25"),
    "assessmentAmount": Decimal("3126.25"),
    "gstRate": 18,
    "totalItemValue": Decimal("3688.97"),
    "totalPOValue": Decimal("3688.97"),
    "dueAmount": Decimal("3688.97"),
}
# The buyer's GSTIN, registered in the same state as the supplier's.
CONFORMING_BUYER_GSTIN = "29AAACB5678L1Z4"


def _fill(value, key: str = ""):
    if isinstance(value, dict):
        return {name: _fill(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, key) for item in value]
    if value == "string":
        return CONFORMING_TEXT.get(key, f"Sample {key}")
    if key in CONFORMING_NUMBERS and not isinstance(value, str):
        return CONFORMING_NUMBERS[key]
    return value


def conforming_request(kind: str, example: str | None = None) -> dict:
    """Return the documented example for ``kind``, its placeholders given conforming values."""
    body = _fill(load_example(example or EXAMPLE_FOR_KIND[kind]))
    obj = body[BODY_OBJECTS[kind]]
    (current, new), (from_status, to_status) = MOVE_FOR_KIND[kind]
    obj["objectVersion"] = {"currentVersion": current, "newVersion": new}
    obj["poStatusTransition"] = {"currentStatus": from_status, "newStatus": to_status}
    if "supplierDetails" in obj:
        # Each party carries the B2B ID the body's b2bIds name it by.
        obj["supplierDetails"]["b2bId"] = body["b2bIds"]["supplierB2BId"]
        obj["buyerDetails"]["b2bId"] = body["b2bIds"]["buyerB2BId"]
        obj["buyerDetails"]["gstin"] = CONFORMING_BUYER_GSTIN
    return body


@pytest.fixture
def request_body():
    """Return ``conforming_request(kind)``: a valid body for one of the four APIs."""
    return conforming_request


# -- a stand-in for the portal's webhook endpoints ------------------------------------------


@dataclass
class Delivery:
    """One webhook as the receiver got it."""

    kind: str
    headers: CaseInsensitiveDict
    raw: bytes
    arrived_at: datetime = field(default_factory=timezone.now)

    @property
    def body(self):
        return encoding.loads(self.raw)


def answer_as_the_portal_does(kind: str, headers, raw: bytes) -> tuple[int, dict]:
    """Acknowledge like the portal: the rich envelope to requests, SUCCESS to responses."""
    return 200, answers.webhook_answer(
        kind, req_msg_id=headers.get(conventions.REQ_MSG_ID_HEADER, ""), body=encoding.loads(raw)
    )


# Each webhook's kind, by the path it is delivered at.
WEBHOOK_KINDS_BY_PATH = {kinds.webhook_path(kind): kind for kind in kinds.INBOUND_KINDS}


class WebhookReceiver:
    """A small stdlib HTTP server that records the webhooks posted to it.

    ``answer(kind, headers, raw) -> (status, JSON value)`` decides each answer.
    """

    def __init__(self, answer: Callable = answer_as_the_portal_does):
        self.answer = answer
        self.deliveries: list[Delivery] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.rstrip("/")
                kind = WEBHOOK_KINDS_BY_PATH.get(path, path.removeprefix(conventions.API_PREFIX))
                headers = CaseInsensitiveDict(self.headers.items())
                with receiver._changed:
                    receiver.deliveries.append(Delivery(kind=kind, headers=headers, raw=raw))
                    receiver._changed.notify_all()
                status, answer = receiver.answer(kind, headers, raw)
                data = encoding.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def wait_for(self, n: int, timeout: float = 15.0) -> list[Delivery]:
        """Wait until ``n`` webhooks have arrived and return them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.deliveries) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self.deliveries)} webhooks arrived, not {n}")
                self._changed.wait(remaining)
            return list(self.deliveries)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()
