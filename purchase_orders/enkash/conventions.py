"""What the portal assumes of EnKash's wire format where its documentation is silent.

Every wire convention of DESIGN.md ("Where the network's documentation is
silent") lives here, as a named constant or a small function, so that a
confirmed answer from EnKash is a one-line change: identifiers, formats,
envelopes, error codes, authentication, paths, and the network's words for
the portal's statuses. The lifecycle itself (who may move an order from which
status to which, and the version rule) is ``purchase_orders/lifecycle.py``.
The sandbox reads the same module.
"""

import re
import secrets
import string

from purchase_orders import lifecycle

# -- The lifecycle in the network's words ---------------------------------------
# The statuses and actions are the portal's own (``lifecycle.py``); the
# network carries them under the same names, except that it has no DRAFT and
# knows nothing of approvals (``lifecycle.LOCAL_STATUSES``, the local moves).

NETWORK_STATUSES = tuple(
    status for status in lifecycle.STATUSES if status not in lifecycle.LOCAL_STATUSES
)
SUPPLIER_RESPONSES = lifecycle.SUPPLIER_RESPONSES  # poConfirmation.supplierResponse
BUYER_ACTIONS = lifecycle.BUYER_STATUS_ACTIONS  # poStatus.buyerAction


def network_status(status: str) -> str:
    """Return the status the network knows for one of the portal's (a draft is CREATED).

    A status of an approval is never sent: asking for it is a fault.
    """
    if status == lifecycle.DRAFT:
        return lifecycle.CREATED
    if status not in NETWORK_STATUSES:
        raise ValueError(f"{status!r} is the portal's own status and is never sent.")
    return status


# -- Identifiers -------------------------------------------------------------

OBJECT_ID_PREFIX = "PO"
OBJECT_ID_LENGTH = 32
_ID_ALPHABET = string.ascii_uppercase + string.digits
REQ_MSG_ID_HEADER = "X-Req-Msg-Id"
# B2B IDs as EnKash's invoice and payment pages constrain them (1-100
# characters, no backslash or double quote); the PO pages say nothing.
B2B_ID_PATTERN = r'^[^\\"]{1,100}$'


def new_object_id() -> str:
    """Return a new network objectId: PO followed by 32 upper-case letters and digits."""
    return OBJECT_ID_PREFIX + "".join(secrets.choice(_ID_ALPHABET) for _ in range(OBJECT_ID_LENGTH))


def new_search_object_id() -> str:
    """Return a new objectId for a Search Entity request: ORG and 32 letters and digits."""
    return SEARCH_OBJECT_ID_PREFIX + "".join(
        secrets.choice(_ID_ALPHABET) for _ in range(SEARCH_OBJECT_ID_LENGTH)
    )


def new_req_msg_id() -> str:
    """Return a new reqMsgId for an outbound request (32 hex characters)."""
    return secrets.token_hex(16)


# -- Formats -----------------------------------------------------------------

DATE_FORMAT = "%Y-%m-%d"
# The years a date or a ts of a purchase order may fall in (inclusive). The
# network states no range; a purchase order of the year 1 or 9999 is a typo
# or an attack, and at the edges of Python's calendar a ts with an offset has
# no UTC time to be stored as (0001-01-01T00:00:00+14:00 is in the year 0).
# Two centuries from 2000 leave room for any real order, old or planned.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2199
IS_SERVICE_YES = "Y"
IS_SERVICE_NO = "N"
DEVICE_TAG_NAME = "GEOCODE"

# -- What the purchaseOrder has no field for ----------------------------------

# A purchase order's terms and conditions (the business's default terms to
# begin with) travel as one of its poInfos, {detailType, detailValue}: the
# network's purchaseOrder has no field of its own for them (SPEC §3).
TERMS_DETAIL_TYPE = "TERMS_AND_CONDITIONS"

# -- What a webhook answers --------------------------------------------------

RESULT_SUCCESS = "SUCCESS"
RESULT_FAILURE = "FAILURE"
RESPONSE_CODE_SUCCESS = 0
RESPONSE_MESSAGE_SUCCESS = "SUCCESS"
# Non-zero response codes: an invalid body, and a well-formed message refused.
RESPONSE_CODE_INVALID = 400
RESPONSE_CODE_REFUSED = 422
# A delivery that could not be authenticated, and a fault of the portal's own
# (the network should deliver it again).
RESPONSE_CODE_UNAUTHENTICATED = 401
RESPONSE_CODE_ERROR = 500
# A message that arrived before one it depends on (HTTP 409 too): refused for
# now, applied when the network delivers it again.
RESPONSE_CODE_NOT_YET = 409

# errorCd values the portal answers with (and the sandbox uses).
ERROR_INVALID_FIELD = "INVALID_FIELD"
ERROR_PO_NOT_FOUND = "PO_NOT_FOUND"
ERROR_PARTY_NOT_FOUND = "PARTY_NOT_FOUND"
ERROR_PARTY_MISMATCH = "PARTY_MISMATCH"
# A request acting for a business hosted here that this portal did not send
# for it, and a purchase order naming a hosted business with details other
# than its own (services/inbound/trust.py); both are flagged for admins.
ERROR_NOT_SENT_FROM_HERE = "NOT_SENT_FROM_HERE"
ERROR_HOSTED_DETAILS_MISMATCH = "HOSTED_DETAILS_MISMATCH"
ERROR_STALE_VERSION = "STALE_VERSION"
# A message based on a version or status the purchase order has not reached yet.
ERROR_OUT_OF_ORDER = "OUT_OF_ORDER"
ERROR_TRANSITION_NOT_ALLOWED = "TRANSITION_NOT_ALLOWED"
ERROR_UNKNOWN_ACTION = "UNKNOWN_ACTION"
ERROR_TOTALS_MISMATCH = "TOTALS_MISMATCH"
ERROR_DUPLICATE_PO_NUMBER = "DUPLICATE_PO_NUMBER"
ERROR_PO_NUMBER_MISMATCH = "PO_NUMBER_MISMATCH"
# A response webhook (resp-*) for a request that was never sent from here.
ERROR_MESSAGE_NOT_FOUND = "MESSAGE_NOT_FOUND"
# Deliveries refused before their body is read.
ERROR_UNAUTHENTICATED = "UNAUTHENTICATED"
ERROR_BODY_TOO_LARGE = "BODY_TOO_LARGE"
ERROR_UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
ERROR_METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
ERROR_INTERNAL = "INTERNAL_ERROR"
# A response webhook's failure when the network could not deliver the request
# to the counterparty (no answer, or 5xx, on every attempt).
ERROR_COUNTERPARTY_UNREACHABLE = "COUNTERPARTY_UNREACHABLE"
# ...and when the counterparty refused it without saying why in an envelope.
ERROR_COUNTERPARTY_REFUSED = "COUNTERPARTY_REFUSED"

# -- Authentication ----------------------------------------------------------

# Outbound: a client id and secret exchanged for a bearer token, as EnKash's
# other products do; the path and header are settings (ENKASH_TOKEN_PATH,
# ENKASH_TOKEN_HEADER). The token is renewed this long before it expires.
TOKEN_REFRESH_MARGIN_SECONDS = 60
TOKEN_REQUEST_ID_FIELD = "accessKey"
TOKEN_REQUEST_SECRET_FIELD = "secretKey"
# The token answer: {token, expiry (epoch milliseconds), resultCode, resultMessage}.
TOKEN_RESPONSE_TOKEN_FIELD = "token"
TOKEN_RESPONSE_EXPIRY_FIELD = "expiry"
TOKEN_RESPONSE_CODE_FIELD = "resultCode"
TOKEN_RESPONSE_MESSAGE_FIELD = "resultMessage"
TOKEN_RESULT_SUCCESS = 0
# When ENKASH_TOKEN_HEADER is this header the token is sent as a bearer
# credential ("Authorization: Bearer <token>"); any other header carries the
# bare token.
AUTHORIZATION_HEADER = "Authorization"
BEARER_SCHEME = "Bearer"

# Inbound: Standard Webhooks signatures ("signature", the default) or a
# shared secret in a configured header ("header"); ENKASH_WEBHOOK_AUTH_MODE.
WEBHOOK_AUTH_SIGNATURE = "signature"
WEBHOOK_AUTH_HEADER = "header"
WEBHOOK_ID_HEADER = "webhook-id"
WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
WEBHOOK_SIGNATURE_HEADER = "webhook-signature"

# -- Paths -------------------------------------------------------------------

# Each of the eight kinds (``kinds.py``) is a path under this prefix.
API_PREFIX = "/api/v0/purchase-order/"
# Business Onboarding's APIs and webhooks (ONBOARDING.md §1.1): kebab-case
# APIs, camelCase webhooks, both under this prefix.
ONBOARDING_PREFIX = "/api/v0/business-onboarding/"


# -- Business Onboarding: Search Entity (ONBOARDING.md A4, W3, §7) ---------------
# The webhook is documented (W3); the API's page came back empty, so its path
# and body are inferred from what the webhook echoes and from A1-A3.

# The API the portal calls (inferred: ONBOARDING.md A4, "perhaps search-entity"),
# and the webhook that brings its answer (documented: W3).
SEARCH_ENTITY_API = "search-entity"
SEARCH_ENTITY_WEBHOOK = "respSearchEntity"
# The search's objectId: "ORG" and 32 letters and digits, the pattern of A1 and
# A2 read as a literal prefix (``^[ORG]{3}[A-Za-z0-9]{32,32}$``); minted here,
# upper-case as the purchase orders' are.
SEARCH_OBJECT_ID_PREFIX = "ORG"
SEARCH_OBJECT_ID_LENGTH = 32
# initiatorEntity (undocumented, ONBOARDING.md Q6): the partner platform that
# initiates the request, named by the client id EnKash issued to the portal.
INITIATOR_ENTITY_SETTING = "ENKASH_CLIENT_ID"
# search.criteria[]: one criterion, searchParameter GSTIN or B2BID (the names
# of the third-party simulator, §8), operator EXACT (the only one shown, W3).
SEARCH_PARAMETER_GSTIN = "GSTIN"
SEARCH_PARAMETER_B2B_ID = "B2BID"
SEARCH_PARAMETERS = (SEARCH_PARAMETER_GSTIN, SEARCH_PARAMETER_B2B_ID)
SEARCH_OPERATOR_EXACT = "EXACT"
# Correlation: the webhook is matched to the search asked from here by its
# objectId (optional on W3); without one, by resp.reqMsgId (the request's
# X-Req-Msg-Id, as for purchase orders); else by the echoed criteria and
# onboardingB2BIds.requestorB2BId, to the latest search still unanswered.
# A known objectId whose echoed requestor or criteria differ is refused.
# resp.result is RESULT_SUCCESS or RESULT_FAILURE (errorCd, errorDtl and
# errorField say why); a SUCCESS without respParams.entityInfo, or with an
# empty one, means no business matches.
# The answer is the plain envelope of the response webhooks (success_envelope,
# response_refusal_envelope). EnKash documents no answer for the onboarding
# webhooks; a refusal (an unknown search, another requestor) is answered with
# this HTTP status as well as the response_code, so that a network reading
# only the status sees it.
SEARCH_REFUSAL_HTTP_STATUS = RESPONSE_CODE_REFUSED
# errorCd of a webhook naming a search never asked from here, or echoing other
# criteria than its search asked for (another requestor is ERROR_PARTY_MISMATCH).
ERROR_SEARCH_NOT_FOUND = "SEARCH_NOT_FOUND"


# -- Envelopes -----------------------------------------------------------------
# The synchronous answer of the APIs and of response webhooks is
# {payload, response_code, response_message} (SPEC §3.14); ``enkash/answers.py``
# builds a webhook's answer from these. A refusal keeps the envelope, with a
# non-zero response_code. Where the answer's payload is an object (the APIs'
# refusals and every answer to a request webhook) the error is in
# payload.resp; the seeds type every key of resp as a string, so a blank is "".

# A refused response webhook (resp-*) keeps the documented string payload
# (W2 shows only "SUCCESS"): FAILURE, and a response_message that names the
# error code, the field and the detail, as in
# "MESSAGE_NOT_FOUND at resp.reqMsgId: No req-send request ... was sent from here."
# ("<code>: <detail>" when no field is at fault).
RESPONSE_REFUSAL_PAYLOAD = RESULT_FAILURE
# The field runs to the first ": ": a field holding one is read short, the code never.
_REFUSAL_MESSAGE = re.compile(
    r"(?P<code>[A-Z][A-Z0-9_]*)(?: at (?P<field>.+?))?: (?P<detail>.*)", re.DOTALL
)


def success_envelope() -> dict:
    return {
        "payload": RESULT_SUCCESS,
        "response_code": RESPONSE_CODE_SUCCESS,
        "response_message": RESPONSE_MESSAGE_SUCCESS,
    }


def resp_block(
    *, req_msg_id: str, error_code: str = "", error_detail: str = "", error_field: str = ""
) -> dict:
    """Return a ``resp`` object: SUCCESS when there is no error code, blanks as ""."""
    return {
        "reqMsgId": req_msg_id,
        "result": RESULT_FAILURE if error_code else RESULT_SUCCESS,
        "errorCd": error_code,
        "errorDtl": error_detail,
        "errorField": error_field,
    }


def refusal_envelope(
    *,
    req_msg_id: str,
    error_code: str,
    error_detail: str,
    error_field: str = "",
    response_code: int = RESPONSE_CODE_REFUSED,
    payload: dict | None = None,
) -> dict:
    """Return the envelope of a refused message; ``payload`` adds b2bIds and the object."""
    return {
        "payload": {
            **(payload or {}),
            "resp": resp_block(
                req_msg_id=req_msg_id,
                error_code=error_code,
                error_detail=error_detail,
                error_field=error_field,
            ),
        },
        "response_code": response_code,
        "response_message": error_detail,
    }


def refusal_message(*, error_code: str, error_detail: str, error_field: str = "") -> str:
    """Return the response_message of a refused response webhook (``RESPONSE_REFUSAL_PAYLOAD``)."""
    where = f" at {error_field}" if error_field else ""
    return f"{error_code}{where}: {error_detail}"


def response_refusal_envelope(
    *,
    error_code: str,
    error_detail: str,
    error_field: str = "",
    response_code: int = RESPONSE_CODE_REFUSED,
) -> dict:
    """Return the envelope of a refused response webhook: its payload stays a string."""
    return {
        "payload": RESPONSE_REFUSAL_PAYLOAD,
        "response_code": response_code,
        "response_message": refusal_message(
            error_code=error_code, error_detail=error_detail, error_field=error_field
        ),
    }


def request_webhook_envelope(*, req_msg_id: str, payload: dict) -> dict:
    """Return the rich SUCCESS envelope a request webhook (``req-*``) answers with.

    ``payload`` holds ``b2bIds``, the business object and ``additionalInfos``.
    """
    return {
        "response_code": RESPONSE_CODE_SUCCESS,
        "response_message": RESPONSE_MESSAGE_SUCCESS,
        "payload": {**payload, "resp": resp_block(req_msg_id=req_msg_id)},
    }


def envelope_error(body) -> tuple[str, str, str]:
    """Return (errorCd, errorDtl, errorField) from a refusal envelope, blanks if absent.

    The error is in payload.resp, or, where the payload is a string, in the
    response_message (``refusal_message``); a message in no known form is
    the detail.
    """
    if not isinstance(body, dict):
        return "", "", ""
    payload = body.get("payload")
    resp = payload.get("resp") if isinstance(payload, dict) else None
    if isinstance(resp, dict):
        return (
            str(resp.get("errorCd") or ""),
            str(resp.get("errorDtl") or ""),
            str(resp.get("errorField") or ""),
        )
    message = body.get("response_message")
    message = message if isinstance(message, str) else ""
    found = _REFUSAL_MESSAGE.fullmatch(message)
    if found is None:
        return "", message, ""
    return found["code"], found["detail"], found["field"] or ""
