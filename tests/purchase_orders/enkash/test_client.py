"""EnKashClient against the EnKash sandbox, over real HTTP on 127.0.0.1."""

import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from purchase_orders.enkash import conventions, encoding
from purchase_orders.enkash.client import (
    EnKashClient,
    clear_token_cache,
    get_enkash_client,
    portal_version,
)
from purchase_orders.enkash.exceptions import (
    EnKashAuthenticationError,
    EnKashError,
    EnKashRejected,
    EnKashUnavailable,
)
from purchase_orders.sandbox.server import SandboxServer

pytestmark = pytest.mark.sandbox


def post(body: dict, *, kind: str = "req-send", req_msg_id: str = "req-0001") -> dict:
    with get_enkash_client() as client:
        return client.request(kind, body, req_msg_id=req_msg_id)


@pytest.fixture
def start_sandbox(settings):
    """Return ``start(**options)``: a sandbox of one's own that ENKASH_BASE_URL points at."""
    servers = []

    def start(**options) -> SandboxServer:
        server = SandboxServer(**options).start()
        servers.append(server)
        settings.ENKASH_BASE_URL = server.url
        clear_token_cache()
        return server

    yield start
    for server in servers:
        server.stop()
    clear_token_cache()


# -- acknowledged requests -------------------------------------------------------------


def test_an_acknowledged_send_returns_the_envelope(sandbox, request_body):
    body = request_body("req-send")

    with get_enkash_client() as client:
        envelope = client.send_purchase_order(body, req_msg_id="req-0001")

    assert envelope == {"payload": "SUCCESS", "response_code": 0, "response_message": "SUCCESS"}
    [entry] = sandbox.received
    assert (entry["kind"], entry["status"], entry["req_msg_id"]) == ("req-send", 200, "req-0001")
    assert entry["headers"][conventions.REQ_MSG_ID_HEADER] == "req-0001"
    assert entry["headers"]["User-Agent"] == f"procurement-portal/{portal_version()}"
    assert portal_version() == "0.1.0"
    assert entry["headers"]["Authorization"].startswith("Bearer ")
    assert entry["body"] == body


def test_amounts_travel_as_json_numbers(sandbox, request_body):
    body = request_body("req-send")

    post(body)

    line = sandbox.received[0]["body"]["purchaseOrder"]["itemLists"][0]
    assert line["unitPrice"] == Decimal("1250.50")
    assert isinstance(line["unitPrice"], Decimal)
    assert line["quantity"] == Decimal("2.500")


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ("send_purchase_order", "req-send"),
        ("confirm_purchase_order", "req-confirm"),
        ("edit_purchase_order", "req-edit"),
        ("change_purchase_order_status", "req-status-change"),
    ],
)
def test_each_api_posts_to_its_documented_path(sandbox, request_body, method, kind):
    with get_enkash_client() as client:
        envelope = getattr(client, method)(request_body(kind), req_msg_id="req-0002")

    assert envelope["response_code"] == 0
    assert [(entry["kind"], entry["status"]) for entry in sandbox.received] == [(kind, 200)]


def test_an_unknown_kind_is_refused_before_anything_is_sent(sandbox, request_body):
    with pytest.raises(ValueError, match="unknown request kind"):
        post(request_body("req-send"), kind="req-delete")

    assert sandbox.received == []
    assert sandbox.token_requests == []


def test_the_client_reads_settings_when_built(settings):
    settings.ENKASH_BASE_URL = "http://127.0.0.1:9/"
    settings.ENKASH_CONNECT_TIMEOUT_SECONDS = 1.5
    settings.ENKASH_TIMEOUT_SECONDS = 7.0

    client = get_enkash_client()

    assert client.base_url == "http://127.0.0.1:9"
    assert client.timeout == (1.5, 7.0)
    assert client.client_id == settings.ENKASH_CLIENT_ID


# -- the token ---------------------------------------------------------------------------


def test_the_token_is_fetched_once_and_reused(sandbox, request_body):
    post(request_body("req-send"), req_msg_id="req-1")
    post(request_body("req-send"), req_msg_id="req-2")

    assert [request["status"] for request in sandbox.token_requests] == [200]
    assert [request["client_id"] for request in sandbox.token_requests] == ["test-client"]
    tokens = {entry["headers"]["Authorization"] for entry in sandbox.received}
    assert len(tokens) == 1


def test_the_token_is_refreshed_after_the_network_expires_it(sandbox, request_body):
    post(request_body("req-send"), req_msg_id="req-1")
    requests.post(sandbox.url + "/_sandbox/tokens/expire", timeout=5).raise_for_status()

    envelope = post(request_body("req-send"), req_msg_id="req-2")

    assert envelope["response_code"] == 0
    assert [entry["status"] for entry in sandbox.received] == [200, 401, 200]
    assert len(sandbox.token_requests) == 2
    first, refused, retried = (entry["headers"]["Authorization"] for entry in sandbox.received)
    assert first == refused != retried


def test_a_token_about_to_expire_is_not_used(start_sandbox, request_body):
    # Valid for less than the refresh margin: renewed before every call.
    server = start_sandbox(token_ttl=conventions.TOKEN_REFRESH_MARGIN_SECONDS - 30)

    post(request_body("req-send"), req_msg_id="req-1")
    post(request_body("req-send"), req_msg_id="req-2")

    assert len(server.token_requests) == 2
    assert [entry["status"] for entry in server.received] == [200, 200]


def test_a_second_401_is_an_authentication_error(start_sandbox, request_body):
    server = start_sandbox(token_ttl=0)  # every token is dead on arrival

    with pytest.raises(EnKashAuthenticationError) as caught:
        post(request_body("req-send"))

    assert caught.value.error_code == conventions.ERROR_UNAUTHENTICATED
    assert caught.value.status_code == 401
    assert caught.value.retryable is False
    assert [entry["status"] for entry in server.received] == [401, 401]
    assert len(server.token_requests) == 2


def test_a_wrong_client_secret_is_an_authentication_error(sandbox, settings, request_body):
    settings.ENKASH_CLIENT_SECRET = "not-the-secret"

    with pytest.raises(EnKashAuthenticationError) as caught:
        post(request_body("req-send"))

    assert caught.value.status_code == 401
    assert caught.value.error_detail == "Invalid accessKey or secretKey."
    assert isinstance(caught.value, EnKashRejected)
    assert sandbox.received == []
    assert [request["status"] for request in sandbox.token_requests] == [401]


def test_a_custom_token_header_carries_the_bare_token(start_sandbox, settings, request_body):
    settings.ENKASH_TOKEN_HEADER = "X-Api-Token"
    server = start_sandbox()

    post(request_body("req-send"))

    [entry] = server.received
    assert entry["status"] == 200
    assert "Authorization" not in entry["headers"]
    assert " " not in entry["headers"]["X-Api-Token"]


# -- failures ------------------------------------------------------------------------------


def test_a_server_error_is_unavailable(sandbox, request_body):
    sandbox.add_fault(mode="http_500", kind="req-send")

    with pytest.raises(EnKashUnavailable) as caught:
        post(request_body("req-send"))

    assert caught.value.retryable is True
    assert caught.value.status_code == 500


def test_a_time_out_is_unavailable(sandbox, settings, request_body):
    settings.ENKASH_TIMEOUT_SECONDS = 0.2
    sandbox.add_fault(mode="timeout", kind="req-send", seconds=3)
    started = time.monotonic()

    with pytest.raises(EnKashUnavailable, match="did not answer in time") as caught:
        post(request_body("req-send"))

    assert time.monotonic() - started < 1.5
    assert caught.value.response is None


def test_a_stopped_network_is_unavailable(sandbox, request_body):
    sandbox.stop()

    with pytest.raises(EnKashUnavailable, match="could not be reached"):
        post(request_body("req-send"))


def test_a_refusal_carries_the_error_triple(sandbox, request_body):
    sandbox.add_fault(
        mode="reject",
        kind="req-send",
        error_code="PARTY_NOT_FOUND",
        error_detail="Supplier B2B ID is not registered",
        error_field="b2bIds.supplierB2BId",
    )

    with pytest.raises(EnKashRejected) as caught:
        post(request_body("req-send"))

    error = caught.value
    assert (error.error_code, error.error_detail, error.error_field) == (
        "PARTY_NOT_FOUND",
        "Supplier B2B ID is not registered",
        "b2bIds.supplierB2BId",
    )
    assert error.status_code == 422
    assert error.retryable is False
    assert not isinstance(error, EnKashAuthenticationError)


def test_an_invalid_body_is_refused_with_the_field(sandbox, request_body):
    body = request_body("req-send")
    del body["purchaseOrder"]["itemLists"][0]["hsnCode"]

    with pytest.raises(EnKashRejected) as caught:
        post(body)

    assert caught.value.error_code == conventions.ERROR_INVALID_FIELD
    assert caught.value.error_field == "purchaseOrder.itemLists[0].hsnCode"
    assert caught.value.status_code == 400


# -- answers the sandbox never gives ---------------------------------------------------------


class CannedNetwork:
    """A tiny HTTP server: tokens as the network issues them, one fixed answer to the APIs."""

    def __init__(self, status: int, body: bytes):
        self.status = status
        self.body = body
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith(conventions.API_PREFIX):
                    status, body = canned.status, canned.body
                else:
                    status = 200
                    body = encoding.dumps(
                        {"token": "t0k3n", "expiry": int((time.time() + 3600) * 1000),
                         "resultCode": 0, "resultMessage": "SUCCESS"}
                    ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def canned(settings):
    servers = []

    def start(status: int, body: bytes) -> CannedNetwork:
        server = CannedNetwork(status, body)
        servers.append(server)
        settings.ENKASH_BASE_URL = server.url
        clear_token_cache()
        return server

    yield start
    for server in servers:
        server.stop()
    clear_token_cache()


def test_an_answer_that_is_not_json_is_an_error_with_the_response(canned, request_body):
    canned(200, b"<html>Gateway</html>")

    with pytest.raises(EnKashError) as caught:
        post(request_body("req-send"))

    assert type(caught.value) is EnKashError
    assert caught.value.retryable is False
    assert caught.value.response.text == "<html>Gateway</html>"


def test_too_many_requests_is_unavailable(canned, request_body):
    canned(429, b'{"response_code": 429, "response_message": "Slow down"}')

    with pytest.raises(EnKashUnavailable) as caught:
        post(request_body("req-send"))

    assert caught.value.status_code == 429


def test_a_non_zero_response_code_in_a_200_is_a_refusal(canned, request_body):
    refusal = conventions.refusal_envelope(
        req_msg_id="req-0001",
        error_code="STALE_VERSION",
        error_detail="Version 1 is not the current version",
        error_field="purchaseOrder.objectVersion.currentVersion",
    )
    canned(200, encoding.dumps(refusal).encode())

    with pytest.raises(EnKashRejected) as caught:
        post(request_body("req-send"))

    assert (caught.value.error_code, caught.value.error_field) == (
        "STALE_VERSION",
        "purchaseOrder.objectVersion.currentVersion",
    )


def test_a_4xx_without_an_envelope_is_a_refusal_naming_the_status(canned, request_body):
    canned(404, b"Not Found")

    with pytest.raises(EnKashRejected) as caught:
        post(request_body("req-send"))

    assert (caught.value.error_code, caught.value.error_detail) == ("", "HTTP 404")


def test_a_2xx_without_a_response_code_is_an_error(canned, request_body):
    canned(200, b'{"payload": "SUCCESS"}')

    with pytest.raises(EnKashError, match="without an integer response_code") as caught:
        post(request_body("req-send"))

    assert type(caught.value) is EnKashError


def test_the_client_class_needs_no_settings():
    client = EnKashClient(
        base_url="http://127.0.0.1:9",
        client_id="id",
        client_secret="secret",
        token_path="api/v0/merchant/token",
        token_header="Authorization",
        connect_timeout=0.5,
        read_timeout=0.5,
    )

    assert client.token_path == "/api/v0/merchant/token"
    with pytest.raises(EnKashUnavailable):
        client.send_purchase_order({}, req_msg_id="req-1")
