"""Deliver the webhooks that follow an acknowledged request, signed, over HTTP.

For each acknowledged request (an *exchange*) the network tells the
counterparty with the request webhook (``req-<op>``, the body as received),
then tells the sender how that went with the response webhook
(``resp-<op>``: ``b2bIds``, ``resp``, the business object and
``additionalInfos``; no ``device``, SPEC W2/W8). One thread delivers the
exchanges one after another, in the order their requests arrived, so that
what a test sees does not depend on thread timing; with ``threads`` above
one, that many deliver at once, each order's exchanges still one after
another in the order they arrived (as a network serving many businesses
would). Both parties are served
at the same ``deliver_to`` URL. A supplier search (``search-entity``) has
no counterparty: the network answers the caller alone, with the businesses
of its directory that match (``respSearchEntity``, ONBOARDING.md W3).
Every answer is checked against the documented shapes (``answers``); one
that drifts is recorded with its delivery, under ``drifts``.
"""

import heapq
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from django.utils import timezone

from purchase_orders.enkash import conventions, encoding, signing
from purchase_orders.enkash.kinds import response_kind, webhook_path

from .answers import answer_drift
from .faults import Fault
from .onboarding import search_answer
from .validation import BODY_OBJECTS

logger = logging.getLogger(__name__)

USER_AGENT = "enkash-sandbox"


@dataclass
class Exchange:
    """An acknowledged request whose webhooks are still to be delivered."""

    kind: str
    req_msg_id: str
    raw: bytes  # the request body exactly as received
    body: dict
    due: float  # time.monotonic() when delivery may start
    rejection: Fault | None = None  # reject_async: the response says FAILURE
    duplicate: bool = False
    out_of_order: bool = False
    released: bool = False  # held by out_of_order, now let go
    # A search's answer: the businesses found when it was asked (None: not a search).
    found: list | None = None
    # The counterparty trades on another platform, which takes the request itself.
    elsewhere: bool = False
    seq: int = field(default_factory=itertools.count().__next__)


@dataclass
class Outcome:
    """How the counterparty took a request webhook, as the response webhook reports it."""

    error_code: str = ""
    error_detail: str = ""
    error_field: str = ""


class Deliverer:
    """A thread that delivers exchanges to ``deliver_to`` and records every delivery."""

    def __init__(
        self,
        *,
        deliver_to: str,
        secret: str,
        attempts: int,
        backoff: float,
        timeout: float,
        record: Callable[[dict], None],
        threads: int = 1,
    ):
        self.deliver_to = deliver_to.rstrip("/")
        self.secret = secret
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self._record = record
        self._condition = threading.Condition()
        self._queue: list[tuple[float, int, Exchange]] = []
        self._held: list[Exchange] = []
        # Exchanges acknowledged but not yet scheduled, and whether one is
        # being delivered: together with the queue, what ``wait_idle`` waits on.
        self._expected = 0
        self._busy = 0
        # The orders (objectIds) whose exchange a thread is delivering.
        self._in_flight: set[str] = set()
        self._paused = False
        self._stopping = threading.Event()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._threads = [
            threading.Thread(target=self._run, name=f"enkash-sandbox-delivery-{n}", daemon=True)
            for n in range(max(1, threads))
        ]

    # -- control -----------------------------------------------------------------

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._condition:
            self._condition.notify_all()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=5)
        with self._condition:
            for session in self._sessions:
                session.close()

    @property
    def _session(self) -> requests.Session:
        """Return this delivering thread's HTTP session."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            with self._condition:
                self._sessions.append(session)
        return session

    def expect(self) -> None:
        """Count a request being answered; ``schedule`` follows with its exchange or None."""
        with self._condition:
            self._expected += 1

    def schedule(self, exchange: Exchange | None) -> None:
        """Queue an expected exchange's webhooks; None when the request was refused."""
        with self._condition:
            self._expected = max(0, self._expected - 1)
            if exchange is not None:
                heapq.heappush(self._queue, (exchange.due, exchange.seq, exchange))
            self._condition.notify_all()

    def pause(self) -> None:
        """Deliver nothing until ``resume``; a delivery under way finishes first."""
        with self._condition:
            self._paused = True
            while self._busy:
                self._condition.wait()

    def resume(self) -> None:
        with self._condition:
            self._paused = False
            self._condition.notify_all()

    def wait_idle(self, timeout: float) -> None:
        """Wait until every acknowledged exchange is delivered (held ones aside)."""
        with self._condition:
            idle = self._condition.wait_for(
                lambda: not (self._expected or self._queue or self._busy), timeout
            )
            if not idle:
                raise TimeoutError(
                    f"The sandbox still has {len(self._queue) + self._expected} "
                    f"exchange(s) to deliver after {timeout} s"
                )

    def clear(self) -> None:
        """Forget the exchanges waiting or held (a delivery under way finishes)."""
        with self._condition:
            self._queue.clear()
            self._held.clear()

    def release_held(self) -> int:
        """Queue the exchanges held back by ``out_of_order`` now; return how many."""
        with self._condition:
            held, self._held = self._held, []
            now = time.monotonic()
            for exchange in held:
                exchange.released = True
                heapq.heappush(self._queue, (now, exchange.seq, exchange))
            self._condition.notify_all()
        return len(held)

    @property
    def held(self) -> int:
        with self._condition:
            return len(self._held)

    # -- the loop ----------------------------------------------------------------

    def _next_due(self) -> Exchange | None:
        """Take the first due exchange of an order no other thread is delivering."""
        with self._condition:
            while not self._stopping.is_set():
                if self._queue and not self._paused:
                    now = time.monotonic()
                    ready = [
                        item
                        for item in self._queue
                        if item[0] <= now and _order_of(item[2]) not in self._in_flight
                    ]
                    if ready:
                        item = min(ready)
                        self._queue.remove(item)
                        heapq.heapify(self._queue)
                        self._busy += 1
                        self._in_flight.add(_order_of(item[2]))
                        return item[2]
                    wait = self._queue[0][0] - now
                    # Else the first due waits for its order's thread, which notifies.
                    self._condition.wait(timeout=wait if wait > 0 else None)
                else:
                    self._condition.wait()
        return None

    def _run(self) -> None:
        while (exchange := self._next_due()) is not None:
            try:
                self._process(exchange)
            except Exception:
                logger.exception("The sandbox failed to deliver the webhooks of %s", exchange.kind)
            finally:
                with self._condition:
                    self._busy -= 1
                    self._in_flight.discard(_order_of(exchange))
                    self._condition.notify_all()

    def _process(self, exchange: Exchange) -> None:
        if exchange.released:
            self._deliver_exchange(exchange, response_first=True)
            return
        if exchange.out_of_order:
            # Held until the next exchange's webhooks are out, then delivered
            # response first.
            with self._condition:
                self._held.append(exchange)
            return
        self._deliver_exchange(exchange, response_first=False)
        while True:
            with self._condition:
                if not self._held:
                    break
                held = self._held.pop(0)
            self._deliver_exchange(held, response_first=True)

    def _deliver_exchange(self, exchange: Exchange, *, response_first: bool) -> None:
        if exchange.found is not None:
            fault = exchange.rejection
            outcome = (
                Outcome(fault.error_code, fault.error_detail, fault.error_field)
                if fault
                else Outcome()
            )
            self._deliver_search_answer(exchange, outcome)
        elif exchange.rejection is not None:
            # Refused by the network itself: the counterparty never hears of it.
            fault = exchange.rejection
            self._deliver_response(
                exchange, Outcome(fault.error_code, fault.error_detail, fault.error_field)
            )
        elif exchange.elsewhere:
            # The counterparty's own platform takes the request; nothing goes to the portal.
            self._deliver_response(exchange, Outcome())
        elif response_first:
            self._deliver_response(exchange, Outcome())
            self._deliver_request(exchange)
        else:
            self._deliver_response(exchange, self._deliver_request(exchange))

    # -- the two webhooks ------------------------------------------------------------

    def _deliver_request(self, exchange: Exchange) -> Outcome:
        entry = self._deliver(exchange, kind=exchange.kind, raw=exchange.raw, body=exchange.body)
        if entry["outcome"] == "delivered":
            return Outcome()
        if entry["outcome"] == "refused":
            code, detail, error_field = conventions.envelope_error(entry["answer"])
            return Outcome(
                code or conventions.ERROR_COUNTERPARTY_REFUSED,
                detail or f"The counterparty refused the request (HTTP {entry['status']}).",
                error_field,
            )
        return Outcome(
            conventions.ERROR_COUNTERPARTY_UNREACHABLE,
            f"The counterparty could not be reached after {entry['attempts']} attempts.",
            "",
        )

    def _deliver_response(self, exchange: Exchange, outcome: Outcome) -> None:
        object_name = BODY_OBJECTS[exchange.kind]
        body = {
            "b2bIds": exchange.body["b2bIds"],
            "resp": conventions.resp_block(
                req_msg_id=exchange.req_msg_id,
                error_code=outcome.error_code,
                error_detail=outcome.error_detail,
                error_field=outcome.error_field,
            ),
            object_name: exchange.body[object_name],
            "additionalInfos": exchange.body["additionalInfos"],
        }
        raw = encoding.dumps(body).encode()
        self._deliver(exchange, kind=response_kind(exchange.kind), raw=raw, body=body)

    def _deliver_search_answer(self, exchange: Exchange, outcome: Outcome) -> None:
        body = search_answer(
            exchange.body,
            req_msg_id=exchange.req_msg_id,
            found=exchange.found,
            error_code=outcome.error_code,
            error_detail=outcome.error_detail,
            error_field=outcome.error_field,
        )
        raw = encoding.dumps(body).encode()
        self._deliver(exchange, kind=response_kind(exchange.kind), raw=raw, body=body)

    def _deliver(self, exchange: Exchange, *, kind: str, raw: bytes, body: dict) -> dict:
        """Deliver one webhook (twice under ``duplicate``); return the first delivery's record."""
        webhook_id = f"msg_{uuid.uuid4().hex}"
        first = self._post(exchange, kind=kind, raw=raw, body=body, webhook_id=webhook_id)
        if exchange.duplicate:
            self._post(exchange, kind=kind, raw=raw, body=body, webhook_id=webhook_id)
        return first

    def _post(
        self, exchange: Exchange, *, kind: str, raw: bytes, body: dict, webhook_id: str
    ) -> dict:
        """Post one webhook, retrying a 5xx, a 409 or no answer with back-off, and record it.

        A 409 is the portal's "not yet": the message arrived before one it
        depends on, and is to be delivered again.
        """
        url = f"{self.deliver_to}{webhook_path(kind)}"
        entry = {
            "url": url,
            "kind": kind,
            "webhook_id": webhook_id,
            "req_msg_id": exchange.req_msg_id,
            "attempts": 0,
            "status": None,
            "outcome": "failed",
            "answer": None,
            "error": "",
            "body": body,
            "drifts": [],
        }
        for attempt in range(1, self.attempts + 1):
            if attempt > 1 and self._stopping.wait(self.backoff * 2 ** (attempt - 2)):
                break
            entry["attempts"] = attempt
            headers = {
                "Content-Type": "application/json",
                conventions.REQ_MSG_ID_HEADER: exchange.req_msg_id,
                # A fresh timestamp and signature on every attempt, the same id.
                **signing.signature_headers(secret=self.secret, msg_id=webhook_id, body=raw),
            }
            try:
                response = self._session.post(url, data=raw, headers=headers, timeout=self.timeout)
            except requests.RequestException as error:
                entry.update(status=None, answer=None, error=f"{type(error).__name__}: {error}")
                continue
            if _read_answer(entry, response):
                break
        entry["delivered_at"] = timezone.now().isoformat()
        logger.info(
            "Webhook %s to %s: %s (HTTP %s, %s attempt(s))",
            kind,
            url,
            entry["outcome"],
            entry["status"],
            entry["attempts"],
        )
        self._record(entry)
        return entry


def _order_of(exchange: Exchange) -> str:
    """Return the objectId of the exchange's purchase order (a search: its reqMsgId)."""
    business_object = exchange.body.get(BODY_OBJECTS.get(exchange.kind, ""))
    if isinstance(business_object, dict) and business_object.get("objectId"):
        return str(business_object["objectId"])
    return exchange.req_msg_id


def _read_answer(entry: dict, response: requests.Response) -> bool:
    """Record an answer to one attempt in its delivery's entry; return whether it is final.

    A 5xx or a 409 is to be tried again; any other answer delivers or refuses.
    An answer in a shape other than the documented one is noted in ``drifts``.
    """
    entry["status"] = response.status_code
    entry["error"] = ""
    try:
        entry["answer"] = encoding.loads(response.content)
    except ValueError:
        entry["answer"] = response.text
    drift = answer_drift(
        entry["kind"],
        response.status_code,
        entry["answer"],
        req_msg_id=entry["req_msg_id"],
        body=entry["body"],
    )
    if drift:
        logger.warning("The answer to webhook %s drifts from its shape: %s", entry["kind"], drift)
        entry["drifts"].append(
            {
                "attempt": entry["attempts"],
                "status": response.status_code,
                "answer": entry["answer"],
                "drift": drift,
            }
        )
    if response.status_code >= 500 or response.status_code == 409:
        return False
    answer = entry["answer"]
    accepted = (
        200 <= response.status_code < 300
        and isinstance(answer, dict)
        and answer.get("response_code") == conventions.RESPONSE_CODE_SUCCESS
    )
    entry["outcome"] = "delivered" if accepted else "refused"
    return True
