"""The network's side of SPEC §2: the token endpoint, the four purchase-order APIs, Search Entity.

Every request is checked strictly against the spec, as a contract test, and
answered with the documented acknowledgement or refusal; an acknowledged
request's webhooks are handed to the deliverer. A request whose
``X-Req-Msg-Id`` was already acknowledged is acknowledged again and delivers
nothing more, so a caller's retry is harmless.
"""

import functools
import logging
import secrets
import time
from http import HTTPStatus

from django.utils import timezone
from django.utils.crypto import constant_time_compare

from purchase_orders.enkash import conventions, encoding, kinds

from . import faults as fault_modes
from .delivery import Exchange
from .faults import Fault
from .onboarding import validate_search_request
from .validation import Invalid, validate_request

logger = logging.getLogger(__name__)

# Whose B2B ID a request is addressed to, by the side that sends it.
COUNTERPARTY = {"buyer": "supplierB2BId", "supplier": "buyerB2BId"}


class Aborted(Exception):
    """The server stopped while an answer was held."""


class SandboxEndpoints:
    """Answer token and API requests as EnKash does, faults included.

    A part of ``SandboxServer``, whose ``__init__`` sets the credentials,
    the tokens issued, the reqMsgIds acknowledged and the fault book.
    """

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

    # -- the APIs: four of purchase orders, and Search Entity -----------------------------

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
            if self.answer_latency:
                self._stopping.wait(self.answer_latency)
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
                raise Aborted
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
        if kind == kinds.SEARCH_ENTITY:
            validate_search_request(body)
        else:
            validate_request(kind, body)
        return body

    def _exchange(
        self, kind: str, raw: bytes, body: dict, req_msg_id: str, fault: Fault | None
    ) -> Exchange:
        mode = fault.mode if fault else None
        # A search is answered from the directory as it stands when it is asked.
        found, elsewhere = None, False
        if kind == kinds.SEARCH_ENTITY:
            found = self.directory.search(body["search"]["criteria"])
        else:
            addressee = body["b2bIds"][COUNTERPARTY[kinds.sender(kind)]]
            elsewhere = self.directory.is_elsewhere(addressee)
        return Exchange(
            kind=kind,
            req_msg_id=req_msg_id,
            raw=raw,
            body=body,
            due=time.monotonic() + self.delay,
            rejection=fault if mode == fault_modes.REJECT_ASYNC else None,
            duplicate=mode == fault_modes.DUPLICATE,
            out_of_order=mode == fault_modes.OUT_OF_ORDER,
            found=found,
            elsewhere=elsewhere,
        )


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
