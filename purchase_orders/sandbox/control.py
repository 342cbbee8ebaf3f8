"""The sandbox's control API and the methods behind it: faults, tokens, resets.

The control API speaks JSON, for the demo and for tests in other processes:

    GET    /_sandbox/health            {"status": "ok", ...}
    GET    /_sandbox/received          every API request, with its answer status
    GET    /_sandbox/delivered         every webhook delivery
    GET    /_sandbox/drifted           every delivery answered out of the documented shapes
    POST   /_sandbox/reset             forget requests, deliveries and faults (not drifts)
    POST   /_sandbox/tokens/expire     every token issued so far stops working
    GET    /_sandbox/faults            the faults waiting to happen
    POST   /_sandbox/faults            add one: {"mode", "kind", "times", "error_code",
                                       "error_detail", "error_field", "seconds"}
    DELETE /_sandbox/faults            remove them all
    POST   /_sandbox/release           deliver the exchanges held by out_of_order now
    GET    /_sandbox/directory         the businesses Search Entity finds
    POST   /_sandbox/directory         add one, or a list ({"name", "alias", "state",
                                       "pincode", "gstin", "b2bIds"}, see ``directory``)
    DELETE /_sandbox/directory         forget them all

``reset`` keeps the directory: it is what the sandbox was started with, not
what happened since.
"""

from http import HTTPStatus

from purchase_orders.enkash import encoding

from . import faults as fault_modes
from .directory import make_entries
from .faults import make_fault

CONTROL_PREFIX = "/_sandbox/"


class SandboxControl:
    """What a test or the control API may change in a running sandbox.

    A part of ``SandboxServer``, whose ``__init__`` sets the fault book, the
    deliverer and what is recorded.
    """

    def add_fault(
        self,
        mode: str,
        *,
        kind: str = fault_modes.ANY_KIND,
        times: int | None = 1,
        error_code: str = "",
        error_detail: str = "",
        error_field: str = "",
        seconds: float | None = None,
    ) -> dict:
        """Make the next ``times`` requests of ``kind`` fail in ``mode``; see ``faults``."""
        fault = make_fault(
            {
                "mode": mode,
                "kind": kind,
                "times": times,
                "error_code": error_code,
                "error_detail": error_detail,
                "error_field": error_field,
                "seconds": seconds,
            }
        )
        return self.faults.add(fault).as_dict()

    def clear_faults(self) -> None:
        self.faults.clear()

    def expire_tokens(self) -> None:
        """Make every token issued so far invalid: the next API call gets 401."""
        with self._lock:
            self._tokens.clear()

    def release_held(self) -> int:
        """Deliver now the exchanges held back by ``out_of_order``; return how many."""
        return self._deliverer.release_held() if self._deliverer else 0

    def reset(self) -> None:
        """Forget requests, deliveries, token requests, faults and pending deliveries.

        Issued tokens stay valid (``expire_tokens`` ends them), and drifted
        answers stay recorded (``drifted``): a reset must not hide them.
        """
        self.faults.clear()
        if self._deliverer:
            self._deliverer.clear()
        with self._lock:
            self._received.clear()
            self._delivered.clear()
            self._token_requests.clear()

    def _handle_control(self, method: str, path: str, raw: bytes) -> tuple[int, object]:
        name = path[len(CONTROL_PREFIX):].strip("/")
        routes = {
            ("GET", "health"): lambda: {
                "status": "ok",
                "url": self.url,
                "deliver_to": self.deliver_to,
                "delay": self.delay,
                "held": self._deliverer.held if self._deliverer else 0,
            },
            ("GET", "received"): lambda: self.received,
            ("GET", "delivered"): lambda: self.delivered,
            ("GET", "drifted"): lambda: self.drifted,
            ("POST", "reset"): lambda: self.reset() or {"status": "reset"},
            ("POST", "tokens/expire"): lambda: self.expire_tokens() or {"status": "expired"},
            ("GET", "faults"): self.faults.all,
            ("DELETE", "faults"): lambda: self.clear_faults() or {"status": "cleared"},
            ("POST", "release"): lambda: {"released": self.release_held()},
            ("GET", "directory"): self.directory.all,
            ("DELETE", "directory"): lambda: self.directory.clear() or {"status": "cleared"},
        }
        if (method, name) == ("POST", "directory"):
            try:
                added = self.directory.add(make_entries(encoding.loads(raw) if raw else None))
            except ValueError as error:
                return HTTPStatus.BAD_REQUEST, {"error": str(error)}
            return HTTPStatus.CREATED, [entry.as_dict() for entry in added]
        if (method, name) == ("POST", "faults"):
            try:
                fault = make_fault(encoding.loads(raw) if raw else None)
            except ValueError as error:
                return HTTPStatus.BAD_REQUEST, {"error": str(error)}
            return HTTPStatus.CREATED, self.faults.add(fault).as_dict()
        if (method, name) in routes:
            return HTTPStatus.OK, routes[(method, name)]()
        if any(route_name == name for _, route_name in routes):
            return HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{method} is not allowed here."}
        return HTTPStatus.NOT_FOUND, {"error": f"No control endpoint {path}."}
