"""Faults the sandbox can be told to show, so that tests and demos see the portal cope."""

import itertools
import threading
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from purchase_orders.enkash.kinds import OUTBOUND_KINDS

HTTP_500 = "http_500"  # answer 500
TIMEOUT = "timeout"  # hold the answer for ``seconds``, then answer as usual
REJECT = "reject"  # refuse at once: 422 with the error triple
REJECT_ASYNC = "reject_async"  # acknowledge; the response webhook says FAILURE
DUPLICATE = "duplicate"  # deliver each webhook twice, with the same webhook-id
OUT_OF_ORDER = "out_of_order"  # response before request, held until the next request's
FAULT_MODES = (HTTP_500, TIMEOUT, REJECT, REJECT_ASYNC, DUPLICATE, OUT_OF_ORDER)
# Faults of the transport: they act before the body is read or checked.
TRANSPORT_MODES = (HTTP_500, TIMEOUT)
# Faults of the exchange: they act on a valid request only.
EXCHANGE_MODES = (REJECT, REJECT_ASYNC, DUPLICATE, OUT_OF_ORDER)
ANY_KIND = "*"
DEFAULT_HOLD_SECONDS = 5.0
FAULT_FIELDS = ("mode", "kind", "times", "error_code", "error_detail", "error_field", "seconds")

_ids = itertools.count(1)


@dataclass
class Fault:
    """One fault, applied to the next ``times`` requests of ``kind`` (None: every one)."""

    mode: str
    kind: str = ANY_KIND
    times: int | None = 1
    error_code: str = ""
    error_detail: str = ""
    error_field: str = ""
    seconds: float = DEFAULT_HOLD_SECONDS
    id: int = field(default_factory=lambda: next(_ids))

    def as_dict(self) -> dict:
        return asdict(self)

    def matches(self, kind: str, modes: tuple[str, ...]) -> bool:
        return self.mode in modes and self.kind in (ANY_KIND, kind)


def make_fault(data: dict) -> Fault:
    """Return a fault from its JSON description; raise ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("A fault is a JSON object.")
    unknown = sorted(set(data) - set(FAULT_FIELDS))
    if unknown:
        raise ValueError(f"Unknown fault fields: {', '.join(unknown)}.")
    mode = data.get("mode")
    if mode not in FAULT_MODES:
        raise ValueError(f"mode must be one of {', '.join(FAULT_MODES)}.")
    kind = data.get("kind") or ANY_KIND
    if kind != ANY_KIND and kind not in OUTBOUND_KINDS:
        raise ValueError(f"kind must be {ANY_KIND} or one of {', '.join(OUTBOUND_KINDS)}.")
    times = data.get("times", 1)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError("times must be a whole number, 1 or more (null: every request).")
    seconds = data.get("seconds")
    if seconds is None:
        seconds = DEFAULT_HOLD_SECONDS
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float, Decimal)) or seconds < 0:
        raise ValueError("seconds must be a number, 0 or more.")
    texts = {}
    for name in ("error_code", "error_detail", "error_field"):
        value = data.get(name) or ""
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string.")
        texts[name] = value
    if mode in (REJECT, REJECT_ASYNC):
        if not texts["error_code"]:
            raise ValueError(f"A {mode} fault needs an error_code.")
        texts["error_detail"] = texts["error_detail"] or "Refused by the EnKash sandbox."
    return Fault(mode=mode, kind=kind, times=times, seconds=float(seconds), **texts)


class FaultBook:
    """The faults waiting to happen, safe to use from many threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def all(self) -> list[dict]:
        with self._lock:
            return [fault.as_dict() for fault in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, kind: str, modes: tuple[str, ...]) -> Fault | None:
        """Use up one application of the first fault for this kind among ``modes``."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(kind, modes):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None
