"""A stand-in for EnKash: a real HTTP server for the demo and the tests.

It plays the network's side of SPEC §2: the token endpoint, the four
purchase-order APIs (checked strictly against the spec, as a contract test),
the documented acknowledgement, and afterwards the signed webhooks to the
portal at ``deliver_to``. Faults can be switched on to show how the portal
copes. It keeps what it received and delivered for tests to assert on. A
request whose ``X-Req-Msg-Id`` was already acknowledged is acknowledged
again and delivers nothing more, so a caller's retry is harmless.

Control API, JSON (for the demo and for tests in other processes):

    GET    /_sandbox/health            {"status": "ok", ...}
    GET    /_sandbox/received          every API request, with its answer status
    GET    /_sandbox/delivered         every webhook delivery
    POST   /_sandbox/reset             forget requests, deliveries and faults
    POST   /_sandbox/tokens/expire     every token issued so far stops working
    GET    /_sandbox/faults            the faults waiting to happen
    POST   /_sandbox/faults            add one: {"mode", "kind", "times", "error_code",
                                       "error_detail", "error_field", "seconds"}
    DELETE /_sandbox/faults            remove them all
    POST   /_sandbox/release           deliver the exchanges held by out_of_order now
"""

import contextlib
import functools
import logging
import secrets
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from purchase_orders.enkash import conventions, encoding

from . import faults as fault_modes
from .delivery import Deliverer, Exchange
from .faults import Fault, FaultBook, make_fault
from .validation import Invalid, validate_request

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox/"
MAX_BODY_BYTES = 5 * 1024 * 1024


class _Aborted(Exception):
    """The server stopped while an answer was held."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # A held answer (the timeout fault) must not delay stop().
    block_on_close = False
    allow_reuse_address = True


class SandboxServer:
    """The EnKash sandbox; ``start()`` it, point ``ENKASH_BASE_URL`` at ``.url``, ``stop()`` it.

    Credentials, the token path and header and the webhook secret default to
    the ``ENKASH_*`` settings as they are when the server is created. With
    ``deliver_to`` None no webhook is delivered.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        deliver_to: str | None = None,
        delay: float = 0.0,
        *,
        token_ttl: float = 3600.0,
        delivery_attempts: int = 4,
        retry_backoff: float = 0.5,
        delivery_timeout: float = 10.0,
        client_id: str | None = None,
        client_secret: str | None = None,
        webhook_secret: str | None = None,
        token_path: str | None = None,
        token_header: str | None = None,
    ):
        self.host = host
        self.port = port
        self.deliver_to = deliver_to or None
        self.delay = delay
        self.token_ttl = token_ttl
        self.client_id = settings.ENKASH_CLIENT_ID if client_id is None else client_id
        self.client_secret = (
            settings.ENKASH_CLIENT_SECRET if client_secret is None else client_secret
        )
        self.webhook_secret = (
            settings.ENKASH_WEBHOOK_SECRET if webhook_secret is None else webhook_secret
        )
        self.token_path = "/" + (token_path or settings.ENKASH_TOKEN_PATH).strip("/")
        self.token_header = token_header or settings.ENKASH_TOKEN_HEADER
        if self.deliver_to and not self.webhook_secret:
            raise ValueError("Delivering webhooks needs a webhook secret (ENKASH_WEBHOOK_SECRET).")
        self.faults = FaultBook()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._received: list[dict] = []
        self._delivered: list[dict] = []
        self._token_requests: list[dict] = []
        self._tokens: dict[str, float] = {}
        # The reqMsgId of every request acknowledged: a repeat is acknowledged
        # again and changes nothing (at-least-once callers, DESIGN.md "Scale").
        self._accepted: set[str] = set()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._deliverer = (
            Deliverer(
                deliver_to=self.deliver_to,
                secret=self.webhook_secret,
                attempts=delivery_attempts,
                backoff=retry_backoff,
                timeout=delivery_timeout,
                record=self._record_delivery,
            )
            if self.deliver_to
            else None
        )

    # -- running ---------------------------------------------------------------

    def start(self) -> "SandboxServer":
        """Listen, and start delivering; return the server."""
        self.start_listening()
        if self._deliverer:
            self._deliverer.start()
        logger.info("EnKash sandbox listening at %s", self.url)
        return self

    def start_listening(self) -> None:
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.sandbox = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="enkash-sandbox-http",
            daemon=True,
        )
        self._thread.start()

    def go_offline(self) -> None:
        """Stop listening, as a network that is down: connections are refused.

        What was received, the tokens and the webhooks still to deliver are
        kept; ``go_online`` listens again on the same port.
        """
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def go_online(self) -> None:
        """Listen again on the same port after ``go_offline``."""
        if self._httpd is None:
            self.start_listening()

    def stop(self) -> None:
        """Stop listening and delivering; held answers are dropped."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._deliverer:
            self._deliverer.stop()

    def serve_forever(self) -> None:
        """Run until interrupted (the management command's loop)."""
        try:
            while not self._stopping.wait(0.5):
                pass
        finally:
            self.stop()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    # -- what happened -------------------------------------------------------------

    @property
    def received(self) -> list[dict]:
        """Every API request: kind, req_msg_id, headers, body, the status answered.

        ``repeat`` is true for a request whose reqMsgId was already
        acknowledged: it was acknowledged again and nothing was delivered.
        """
        with self._lock:
            return list(self._received)

    @property
    def delivered(self) -> list[dict]:
        """Every webhook delivery: url, kind, webhook_id, attempts, status, outcome, body."""
        with self._lock:
            return list(self._delivered)

    @property
    def token_requests(self) -> list[dict]:
        """Every token request: the client id offered and the status answered."""
        with self._lock:
            return list(self._token_requests)

    def wait_for_deliveries(self, n: int, timeout: float = 5.0) -> list[dict]:
        """Wait until ``n`` webhook deliveries have finished and return them all."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._delivered) >= n, timeout):
                raise TimeoutError(
                    f"{len(self._delivered)} webhook deliveries after {timeout} s, "
                    f"not {n}: {[entry['kind'] for entry in self._delivered]}"
                )
            return list(self._delivered)

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Wait until the webhooks of every request acknowledged so far are delivered.

        Exchanges held back by ``out_of_order`` are not waited for.
        """
        if self._deliverer:
            self._deliverer.wait_idle(timeout)

    @contextlib.contextmanager
    def deliveries_paused(self):
        """Hold every webhook back inside the block, then deliver them in order."""
        if not self._deliverer:
            yield
            return
        self._deliverer.pause()
        try:
            yield
        finally:
            self._deliverer.resume()

    def _record_delivery(self, entry: dict) -> None:
        with self._changed:
            self._delivered.append(entry)
            self._changed.notify_all()

    # -- control -------------------------------------------------------------------

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

        Issued tokens stay valid (``expire_tokens`` ends them).
        """
        self.faults.clear()
        if self._deliverer:
            self._deliverer.clear()
        with self._lock:
            self._received.clear()
            self._delivered.clear()
            self._token_requests.clear()
            self._accepted.clear()

    # -- the token endpoint ----------------------------------------------------------

    def _issue_token(self, raw: bytes) -> tuple[int, dict]:
        try:
            data = encoding.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {}
        offered_id = data.get(conventions.TOKEN_REQUEST_ID_FIELD)
        offered_secret = data.get(conventions.TOKEN_REQUEST_SECRET_FIELD)
        if not (isinstance(offered_id, str) and isinstance(offered_secret, str)):
            status, answer = HTTPStatus.BAD_REQUEST, self._token_refusal(
                400,
                f"Send a JSON object with {conventions.TOKEN_REQUEST_ID_FIELD} and "
                f"{conventions.TOKEN_REQUEST_SECRET_FIELD}.",
            )
        elif (
            self.client_secret
            and constant_time_compare(offered_id, self.client_id)
            and constant_time_compare(offered_secret, self.client_secret)
        ):
            token = secrets.token_urlsafe(32)
            expires_at = time.time() + self.token_ttl
            with self._lock:
                self._tokens[token] = expires_at
            status, answer = HTTPStatus.OK, {
                conventions.TOKEN_RESPONSE_TOKEN_FIELD: token,
                conventions.TOKEN_RESPONSE_EXPIRY_FIELD: int(expires_at * 1000),
                conventions.TOKEN_RESPONSE_CODE_FIELD: conventions.TOKEN_RESULT_SUCCESS,
                conventions.TOKEN_RESPONSE_MESSAGE_FIELD: conventions.RESPONSE_MESSAGE_SUCCESS,
            }
        else:
            status, answer = HTTPStatus.UNAUTHORIZED, self._token_refusal(
                401, f"Invalid {conventions.TOKEN_REQUEST_ID_FIELD} or "
                f"{conventions.TOKEN_REQUEST_SECRET_FIELD}."
            )
        with self._lock:
            self._token_requests.append(
                {
                    "client_id": offered_id,
                    "status": int(status),
                    "received_at": timezone.now().isoformat(),
                }
            )
        return status, answer

    @staticmethod
    def _token_refusal(code: int, message: str) -> dict:
        return {
            conventions.TOKEN_RESPONSE_TOKEN_FIELD: None,
            conventions.TOKEN_RESPONSE_EXPIRY_FIELD: None,
            conventions.TOKEN_RESPONSE_CODE_FIELD: code,
            conventions.TOKEN_RESPONSE_MESSAGE_FIELD: message,
        }

    def _token_is_valid(self, headers) -> bool:
        value = headers.get(self.token_header) or ""
        if self.token_header.lower() == conventions.AUTHORIZATION_HEADER.lower():
            scheme, _, value = value.partition(" ")
            if scheme.lower() != conventions.BEARER_SCHEME.lower():
                return False
        value = value.strip()
        with self._lock:
            expires_at = self._tokens.get(value)
        return expires_at is not None and time.time() < expires_at

    # -- the four APIs -----------------------------------------------------------------

    def _handle_api(self, kind: str, raw: bytes, headers, respond) -> None:
        """Answer one API request with ``respond(status, envelope)``, then schedule its webhooks."""
        req_msg_id = (headers.get(conventions.REQ_MSG_ID_HEADER) or "").strip()
        try:
            body = encoding.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        entry = {
            "kind": kind,
            "req_msg_id": req_msg_id,
            "headers": dict(headers.items()),
            "body": body,
            "status": None,
            "answer": None,
            "received_at": timezone.now().isoformat(),
        }
        with self._lock:
            self._received.append(entry)
        if self._deliverer:
            # Counted from now, so that waiting for the webhooks to be out
            # also waits for a request still being answered.
            self._deliverer.expect()
        exchange = None
        try:
            status, envelope, exchange = self._answer_api(kind, raw, headers, req_msg_id)
            with self._lock:
                entry["status"] = int(status)
                entry["answer"] = envelope
                entry["repeat"] = status == HTTPStatus.OK and exchange is None
            logger.info("API %s (reqMsgId %s): HTTP %s", kind, req_msg_id or "-", int(status))
            respond(status, envelope)
        finally:
            if self._deliverer:
                self._deliverer.schedule(exchange)

    def _answer_api(self, kind: str, raw: bytes, headers, req_msg_id: str):
        """Return (HTTP status, envelope, exchange to deliver or None)."""
        refuse = functools.partial(_refusal, req_msg_id=req_msg_id)
        if not self._token_is_valid(headers):
            return refuse(
                HTTPStatus.UNAUTHORIZED,
                error_code=conventions.ERROR_UNAUTHENTICATED,
                error_detail="A valid token is required; ask the token endpoint for one.",
                response_code=conventions.RESPONSE_CODE_UNAUTHENTICATED,
            )
        fault = self.faults.take(kind, fault_modes.TRANSPORT_MODES)
        if fault is not None and fault.mode == fault_modes.HTTP_500:
            return refuse(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                error_code=conventions.ERROR_INTERNAL,
                error_detail="The EnKash sandbox was told to fail (http_500).",
                response_code=conventions.RESPONSE_CODE_ERROR,
            )
        if fault is not None and fault.mode == fault_modes.TIMEOUT:
            if self._stopping.wait(fault.seconds):
                raise _Aborted
        try:
            body = self._read_request(kind, raw, headers, req_msg_id)
        except Invalid as error:
            invalid = error.response_code == conventions.RESPONSE_CODE_INVALID
            return refuse(
                HTTPStatus.BAD_REQUEST if invalid else HTTPStatus.UNPROCESSABLE_ENTITY,
                error_code=error.error_code,
                error_detail=error.detail,
                error_field=error.field,
                response_code=error.response_code,
            )
        with self._lock:
            is_repeat = req_msg_id in self._accepted
        if is_repeat:
            return HTTPStatus.OK, conventions.success_envelope(), None
        fault = self.faults.take(kind, fault_modes.EXCHANGE_MODES)
        if fault is not None and fault.mode == fault_modes.REJECT:
            return refuse(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                error_code=fault.error_code,
                error_detail=fault.error_detail,
                error_field=fault.error_field,
                response_code=conventions.RESPONSE_CODE_REFUSED,
            )
        exchange = self._exchange(kind, raw, body, req_msg_id, fault)
        with self._lock:
            if req_msg_id in self._accepted:
                # The same request, sent again while this one was being read.
                return HTTPStatus.OK, conventions.success_envelope(), None
            self._accepted.add(req_msg_id)
        return HTTPStatus.OK, conventions.success_envelope(), exchange

    def _read_request(self, kind: str, raw: bytes, headers, req_msg_id: str) -> dict:
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise Invalid(
                "Content-Type",
                f"The body must be sent as application/json, not {content_type or 'nothing'}.",
                error_code=conventions.ERROR_UNSUPPORTED_MEDIA_TYPE,
            )
        if not req_msg_id:
            raise Invalid(
                conventions.REQ_MSG_ID_HEADER,
                f"The {conventions.REQ_MSG_ID_HEADER} header is required.",
            )
        if len(req_msg_id) > 100 or any(char.isspace() for char in req_msg_id):
            raise Invalid(
                conventions.REQ_MSG_ID_HEADER,
                f"The {conventions.REQ_MSG_ID_HEADER} header must be 1 to 100 characters "
                "without spaces.",
            )
        try:
            body = encoding.loads(raw)
        except ValueError as error:
            raise Invalid("", f"The body is not JSON: {error}.") from None
        validate_request(kind, body)
        return body

    def _exchange(
        self, kind: str, raw: bytes, body: dict, req_msg_id: str, fault: Fault | None
    ) -> Exchange:
        mode = fault.mode if fault else None
        return Exchange(
            kind=kind,
            req_msg_id=req_msg_id,
            raw=raw,
            body=body,
            due=time.monotonic() + self.delay,
            rejection=fault if mode == fault_modes.REJECT_ASYNC else None,
            duplicate=mode == fault_modes.DUPLICATE,
            out_of_order=mode == fault_modes.OUT_OF_ORDER,
        )

    # -- the control API ---------------------------------------------------------------

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
            ("POST", "reset"): lambda: self.reset() or {"status": "reset"},
            ("POST", "tokens/expire"): lambda: self.expire_tokens() or {"status": "expired"},
            ("GET", "faults"): self.faults.all,
            ("DELETE", "faults"): lambda: self.clear_faults() or {"status": "cleared"},
            ("POST", "release"): lambda: {"released": self.release_held()},
        }
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

    # -- routing -----------------------------------------------------------------------

    def _dispatch(self, handler: "_Handler", method: str) -> None:
        path = urlsplit(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            handler.send_json(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                {
                    "response_code": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    "response_message": f"Bodies over {MAX_BODY_BYTES} bytes are refused.",
                },
            )
            return
        raw = handler.rfile.read(length) if length else b""
        if path.startswith(CONTROL_PREFIX):
            status, answer = self._handle_control(method, path, raw)
            handler.send_json(status, answer)
            return
        if path.rstrip("/") == self.token_path.rstrip("/"):
            if method != "POST":
                handler.send_json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "Use POST."})
                return
            handler.send_json(*self._issue_token(raw))
            return
        kind = path.rstrip("/").removeprefix(conventions.API_PREFIX)
        if path.startswith(conventions.API_PREFIX) and kind in conventions.REQUEST_KINDS:
            if method != "POST":
                handler.send_json(
                    HTTPStatus.METHOD_NOT_ALLOWED,
                    conventions.refusal_envelope(
                        req_msg_id="",
                        error_code=conventions.ERROR_METHOD_NOT_ALLOWED,
                        error_detail="Use POST.",
                        response_code=HTTPStatus.METHOD_NOT_ALLOWED,
                    ),
                )
                return
            self._handle_api(kind, raw, handler.headers, handler.send_json)
            return
        handler.send_json(HTTPStatus.NOT_FOUND, {"error": f"Nothing at {path}."})


def _refusal(
    status: int,
    *,
    req_msg_id: str,
    error_code: str,
    error_detail: str,
    error_field: str = "",
    response_code: int,
) -> tuple[int, dict, None]:
    """Return an API answer that refuses the request: no webhook follows."""
    envelope = conventions.refusal_envelope(
        req_msg_id=req_msg_id,
        error_code=error_code,
        error_detail=error_detail,
        error_field=error_field,
        response_code=response_code,
    )
    return status, envelope, None


class _Handler(BaseHTTPRequestHandler):
    server_version = "EnKashSandbox/1"

    def do_GET(self) -> None:
        self._run("GET")

    def do_POST(self) -> None:
        self._run("POST")

    def do_DELETE(self) -> None:
        self._run("DELETE")

    def do_PUT(self) -> None:
        self._run("PUT")

    def _run(self, method: str) -> None:
        try:
            self.server.sandbox._dispatch(self, method)
        except _Aborted:
            self.close_connection = True
        except Exception:
            logger.exception("The EnKash sandbox failed on %s %s", method, self.path)
            self.send_json(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                {
                    "response_code": conventions.RESPONSE_CODE_ERROR,
                    "response_message": "The EnKash sandbox failed; see its log.",
                },
            )

    def send_json(self, status: int, answer) -> None:
        data = encoding.dumps(answer).encode()
        try:
            self.send_response(int(status))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            # The caller gave up waiting (a client time-out): nobody to answer.
            self.close_connection = True

    def log_message(self, format: str, *args) -> None:
        logger.debug("%s %s", self.address_string(), format % args)
