"""A stand-in for EnKash: a real HTTP server for the demo and the tests.

It plays the network's side of SPEC §2: the token endpoint, the four
purchase-order APIs (checked strictly against the spec, as a contract test),
the documented acknowledgement, and afterwards the signed webhooks to the
portal at ``deliver_to``. It also answers Business Onboarding's Search
Entity (ONBOARDING.md A4, W3) from a directory of the businesses it knows
(``directory``). Faults can be switched on to show how the portal
copes. It keeps what it received and delivered for tests to assert on. A
request whose ``X-Req-Msg-Id`` was already acknowledged is acknowledged
again and delivers nothing more, so a caller's retry is harmless.

This module listens and routes; beside it, ``endpoints`` answers the token
endpoint and the four APIs, ``state`` keeps what happened, and ``control``
is the JSON control API for the demo and for tests in other processes.
"""

import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from django.conf import settings

from purchase_orders.enkash import conventions, encoding
from purchase_orders.enkash.kinds import KINDS, OUTBOUND_KINDS

from .control import CONTROL_PREFIX, SandboxControl
from .delivery import Deliverer
from .directory import Directory
from .endpoints import Aborted, SandboxEndpoints
from .faults import FaultBook
from .state import SandboxRecords

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 5 * 1024 * 1024
# The path of each API, with or without a trailing slash: its kind.
API_PATHS = {KINDS[kind].path: kind for kind in OUTBOUND_KINDS}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # A held answer (the timeout fault) must not delay stop().
    block_on_close = False
    allow_reuse_address = True


class SandboxServer(SandboxRecords, SandboxControl, SandboxEndpoints):
    """The EnKash sandbox; ``start()`` it, point ``ENKASH_BASE_URL`` at ``.url``, ``stop()`` it.

    Credentials, the token path and header and the webhook secret default to
    the ``ENKASH_*`` settings as they are when the server is created. With
    ``deliver_to`` None no webhook is delivered. ``directory`` lists the
    businesses Search Entity finds (``directory.make_entry``).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        deliver_to: str | None = None,
        delay: float = 0.0,
        answer_latency: float = 0.0,
        *,
        token_ttl: float = 3600.0,
        delivery_attempts: int = 4,
        retry_backoff: float = 0.5,
        delivery_timeout: float = 10.0,
        delivery_threads: int = 1,
        client_id: str | None = None,
        client_secret: str | None = None,
        webhook_secret: str | None = None,
        token_path: str | None = None,
        token_header: str | None = None,
        directory=(),
    ):
        self.host = host
        self.port = port
        self.deliver_to = deliver_to or None
        self.delay = delay
        # Seconds each API answer is held, as a distant network's would be.
        self.answer_latency = answer_latency
        self.token_ttl = token_ttl
        self._use_credentials(
            client_id=client_id,
            client_secret=client_secret,
            webhook_secret=webhook_secret,
            token_path=token_path,
            token_header=token_header,
        )
        self.faults = FaultBook()
        self.directory = Directory(directory)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._received: list[dict] = []
        self._delivered: list[dict] = []
        self._drifted: list[dict] = []
        self._token_requests: list[dict] = []
        self._tokens: dict[str, float] = {}
        # The reqMsgId of every request acknowledged: a repeat is acknowledged
        # again and changes nothing (at-least-once callers, DESIGN.md "Scale").
        self._accepted: set[str] = set()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._deliverer = self._new_deliverer(
            attempts=delivery_attempts,
            backoff=retry_backoff,
            timeout=delivery_timeout,
            threads=delivery_threads,
        )

    def _use_credentials(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        webhook_secret: str | None,
        token_path: str | None,
        token_header: str | None,
    ) -> None:
        """Take each credential and name given, or else its ``ENKASH_*`` setting."""
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

    def _new_deliverer(
        self, *, attempts: int, backoff: float, timeout: float, threads: int = 1
    ) -> Deliverer | None:
        """Return the deliverer of webhooks to ``deliver_to``, or None without one."""
        if not self.deliver_to:
            return None
        return Deliverer(
            deliver_to=self.deliver_to,
            secret=self.webhook_secret,
            attempts=attempts,
            backoff=backoff,
            timeout=timeout,
            record=self._record_delivery,
            threads=threads,
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
        kind = API_PATHS.get(path.rstrip("/"))
        if kind is not None:
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
        except Aborted:
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
