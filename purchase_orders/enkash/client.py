"""Transport to EnKash's APIs (purchase orders, Search Entity): session, token, time-outs, errors.

The client knows URLs and HTTP, not models: it takes and returns plain
dicts. Every call ends in one of three ways: the network's envelope is
returned (HTTP 2xx, ``response_code`` 0), or ``EnKashUnavailable`` is raised
(unreachable, timed out, 5xx, 429: try again), or ``EnKashRejected`` is
raised (another 4xx or a non-zero ``response_code``: final). An answer that
cannot be read raises ``EnKashError`` with the response attached.
"""

import functools
import logging
import threading
import time
import tomllib
from dataclasses import dataclass
from decimal import Decimal

import requests
from django.conf import settings

from . import conventions, encoding
from .exceptions import (
    EnKashAuthenticationError,
    EnKashError,
    EnKashRejected,
    EnKashUnavailable,
)
from .kinds import KINDS, OUTBOUND_KINDS, SEARCH_ENTITY

logger = logging.getLogger(__name__)

USER_AGENT_PRODUCT = "procurement-portal"
# Answers that say "later, not never".
RETRYABLE_STATUSES = frozenset({429})


@functools.cache
def portal_version() -> str:
    """Return the portal's version as pyproject.toml states it."""
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


# -- token cache ---------------------------------------------------------------
# Shared by every client of the process, so that a token is not fetched again
# for each delivery: keyed by (base URL, client id).


@dataclass(frozen=True)
class CachedToken:
    token: str
    expires_at: float  # epoch seconds

    def is_fresh(self, now: float) -> bool:
        return now < self.expires_at - conventions.TOKEN_REFRESH_MARGIN_SECONDS


_tokens: dict[tuple[str, str], CachedToken] = {}
_token_locks: dict[tuple[str, str], threading.Lock] = {}
_cache_lock = threading.Lock()


def _token_lock(key: tuple[str, str]) -> threading.Lock:
    with _cache_lock:
        return _token_locks.setdefault(key, threading.Lock())


def clear_token_cache() -> None:
    """Forget every cached token (the next call of each client fetches a new one)."""
    with _cache_lock:
        _tokens.clear()


# -- the client ----------------------------------------------------------------


class EnKashClient:
    """One connection to EnKash's purchase-order APIs and Business Onboarding's Search Entity."""

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        token_path: str,
        token_header: str,
        connect_timeout: float,
        read_timeout: float,
    ):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_path = "/" + token_path.lstrip("/")
        self.token_header = token_header
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.headers.update(
            {
                "User-Agent": f"{USER_AGENT_PRODUCT}/{portal_version()}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            }
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "EnKashClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- the four APIs (SPEC §2.1) ----------------------------------------------

    def send_purchase_order(self, body: dict, *, req_msg_id: str) -> dict:
        """Send a new purchase order (``req-send``, SPEC A1)."""
        return self.request("req-send", body, req_msg_id=req_msg_id)

    def confirm_purchase_order(self, body: dict, *, req_msg_id: str) -> dict:
        """Accept or reject a purchase order as its supplier (``req-confirm``, SPEC A2)."""
        return self.request("req-confirm", body, req_msg_id=req_msg_id)

    def edit_purchase_order(self, body: dict, *, req_msg_id: str) -> dict:
        """Send a new version of a purchase order (``req-edit``, SPEC A3)."""
        return self.request("req-edit", body, req_msg_id=req_msg_id)

    def change_purchase_order_status(self, body: dict, *, req_msg_id: str) -> dict:
        """Cancel, fulfil or close a purchase order (``req-status-change``, SPEC A4)."""
        return self.request("req-status-change", body, req_msg_id=req_msg_id)

    def search_entity(self, body: dict, *, req_msg_id: str) -> dict:
        """Ask which business holds a GSTIN or B2B ID (``search-entity``, ONBOARDING.md A4)."""
        return self.request(SEARCH_ENTITY, body, req_msg_id=req_msg_id)

    def request(self, kind: str, body: dict, *, req_msg_id: str) -> dict:
        """Post one request message and return the network's acknowledging envelope.

        ``kind`` is one of ``kinds.OUTBOUND_KINDS``, posted at its path. A
        401 fetches a new token and tries once more; a second 401 raises
        ``EnKashAuthenticationError``.
        """
        if kind not in OUTBOUND_KINDS:
            raise ValueError(f"unknown request kind {kind!r}")
        if not req_msg_id:
            raise ValueError("every request needs a reqMsgId")
        url = f"{self.base_url}{KINDS[kind].path}"
        data = encoding.dumps(body).encode()
        token = self._token()
        response = self._post(url, data, req_msg_id=req_msg_id, token=token)
        if response.status_code == 401:
            self._forget_token(token)
            response = self._post(url, data, req_msg_id=req_msg_id, token=self._token())
            if response.status_code == 401:
                code, detail, field = self._error_triple(response)
                raise EnKashAuthenticationError(
                    f"EnKash refused the portal's token for {kind}: {detail or 'HTTP 401'}",
                    error_code=code or conventions.ERROR_UNAUTHENTICATED,
                    error_detail=detail,
                    error_field=field,
                    response=response,
                )
        return self._read_envelope(kind, response)

    # -- HTTP --------------------------------------------------------------------

    def _post(self, url: str, data: bytes, *, req_msg_id: str, token: str) -> requests.Response:
        headers = {conventions.REQ_MSG_ID_HEADER: req_msg_id, **self._auth_header(token)}
        return self._send(url, data, headers=headers)

    def _send(self, url: str, data: bytes, *, headers: dict) -> requests.Response:
        try:
            # A redirect would turn the POST into a GET: report it instead.
            return self.session.post(
                url, data=data, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout as error:
            raise EnKashUnavailable(f"EnKash did not answer in time: {error}") from error
        except requests.RequestException as error:
            raise EnKashUnavailable(f"EnKash could not be reached: {error}") from error

    def _auth_header(self, token: str) -> dict:
        if self.token_header.lower() == conventions.AUTHORIZATION_HEADER.lower():
            return {self.token_header: f"{conventions.BEARER_SCHEME} {token}"}
        return {self.token_header: token}

    def _read_envelope(self, kind: str, response: requests.Response) -> dict:
        status = response.status_code
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise EnKashUnavailable(
                f"EnKash answered {kind} with HTTP {status}", response=response
            )
        if 400 <= status < 500:
            code, detail, field = self._error_triple(response)
            raise EnKashRejected(
                f"EnKash refused {kind} (HTTP {status}): {code or '-'} {detail}".rstrip(),
                error_code=code,
                error_detail=detail or f"HTTP {status}",
                error_field=field,
                response=response,
            )
        envelope = self._json(response)
        if not (200 <= status < 300) or not isinstance(envelope, dict):
            raise EnKashError(
                f"EnKash answered {kind} with HTTP {status} and no envelope", response=response
            )
        response_code = envelope.get("response_code")
        if isinstance(response_code, bool) or not isinstance(response_code, int):
            raise EnKashError(
                f"EnKash answered {kind} without an integer response_code", response=response
            )
        if response_code != conventions.RESPONSE_CODE_SUCCESS:
            code, detail, field = conventions.envelope_error(envelope)
            raise EnKashRejected(
                f"EnKash refused {kind} (response_code {response_code}): {code or '-'} {detail}",
                error_code=code,
                error_detail=detail or f"response_code {response_code}",
                error_field=field,
                response=response,
            )
        return envelope

    @staticmethod
    def _json(response: requests.Response):
        try:
            return encoding.loads(response.content)
        except ValueError as error:
            raise EnKashError(
                f"EnKash's answer (HTTP {response.status_code}) is not JSON: {error}",
                response=response,
            ) from error

    @staticmethod
    def _error_triple(response: requests.Response) -> tuple[str, str, str]:
        """Return (errorCd, errorDtl, errorField) of a refusal; blanks when it has none."""
        try:
            body = encoding.loads(response.content)
        except ValueError:
            return "", "", ""
        return conventions.envelope_error(body)

    # -- token adapter (DESIGN.md, "Outbound authentication") ----------------------

    @property
    def _cache_key(self) -> tuple[str, str]:
        return (self.base_url, self.client_id)

    def _token(self) -> str:
        """Return a token that is not about to expire, fetching one if needed."""
        key = self._cache_key
        with _token_lock(key):
            cached = _tokens.get(key)
            if cached is not None and cached.is_fresh(time.time()):
                return cached.token
            token, expires_at = self._fetch_token()
            if expires_at is not None:
                _tokens[key] = CachedToken(token=token, expires_at=expires_at)
            else:
                _tokens.pop(key, None)
            return token

    def _forget_token(self, token: str) -> None:
        """Drop a refused token, unless another thread already replaced it."""
        key = self._cache_key
        with _token_lock(key):
            cached = _tokens.get(key)
            if cached is not None and cached.token == token:
                del _tokens[key]

    def _fetch_token(self) -> tuple[str, float | None]:
        """Exchange the client id and secret for a token; return it and its expiry.

        An answer without an expiry gives a token used for one call only.
        """
        body = {
            conventions.TOKEN_REQUEST_ID_FIELD: self.client_id,
            conventions.TOKEN_REQUEST_SECRET_FIELD: self.client_secret,
        }
        response = self._send(
            self.base_url + self.token_path, encoding.dumps(body).encode(), headers={}
        )
        status = response.status_code
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise EnKashUnavailable(
                f"EnKash's token endpoint answered HTTP {status}", response=response
            )
        if 400 <= status < 500:
            message = self._token_message(response) or f"HTTP {status}"
            raise EnKashAuthenticationError(
                f"EnKash refused the portal's credentials: {message}",
                error_code=conventions.ERROR_UNAUTHENTICATED,
                error_detail=message,
                response=response,
            )
        answer = self._json(response)
        if not (200 <= status < 300) or not isinstance(answer, dict):
            raise EnKashError(
                f"EnKash's token endpoint answered HTTP {status} without a token object",
                response=response,
            )
        token = answer.get(conventions.TOKEN_RESPONSE_TOKEN_FIELD)
        result_code = answer.get(
            conventions.TOKEN_RESPONSE_CODE_FIELD, conventions.TOKEN_RESULT_SUCCESS
        )
        has_token = isinstance(token, str) and bool(token)
        if not has_token or result_code != conventions.TOKEN_RESULT_SUCCESS:
            message = self._token_message(response) or "no token in the answer"
            raise EnKashAuthenticationError(
                f"EnKash gave no token: {message}",
                error_code=conventions.ERROR_UNAUTHENTICATED,
                error_detail=message,
                response=response,
            )
        expiry = answer.get(conventions.TOKEN_RESPONSE_EXPIRY_FIELD)
        if isinstance(expiry, bool) or not isinstance(expiry, (int, Decimal)):
            logger.warning("EnKash's token has no readable expiry; it is used for one call")
            return token, None
        return token, float(expiry) / 1000

    @staticmethod
    def _token_message(response: requests.Response) -> str:
        try:
            answer = encoding.loads(response.content)
        except ValueError:
            return ""
        if not isinstance(answer, dict):
            return ""
        return str(answer.get(conventions.TOKEN_RESPONSE_MESSAGE_FIELD) or "")


def get_enkash_client() -> EnKashClient:
    """Return a client configured from the ``ENKASH_*`` settings as they are now."""
    return EnKashClient(
        base_url=settings.ENKASH_BASE_URL,
        client_id=settings.ENKASH_CLIENT_ID,
        client_secret=settings.ENKASH_CLIENT_SECRET,
        token_path=settings.ENKASH_TOKEN_PATH,
        token_header=settings.ENKASH_TOKEN_HEADER,
        connect_timeout=settings.ENKASH_CONNECT_TIMEOUT_SECONDS,
        read_timeout=settings.ENKASH_TIMEOUT_SECONDS,
    )
