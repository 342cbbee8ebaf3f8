"""Compute and verify webhook signatures (the Standard Webhooks scheme).

Signed content is ``"{webhook-id}.{webhook-timestamp}.{raw body}"``, signed
with HMAC-SHA256; the ``webhook-signature`` header is a space-separated list
of ``v1,<base64 signature>`` so that several secrets can be valid while one
is rotated. Secrets are written ``whsec_<base64 key>``; a secret without the
prefix is used as raw bytes.
"""

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Mapping

from django.utils.crypto import constant_time_compare

from .exceptions import WebhookAuthenticationError

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"

# Each header is read as ASCII and refused unless it has its shape, so that
# nothing else reaches int(), the HMAC or a database column: ``str.isdigit``
# is also true of "²" and of other scripts' digits, which int() refuses or
# reads, and a NUL in an id cannot be stored in PostgreSQL. An id is
# printable ASCII without a space or the "." that separates the signed
# parts; a timestamp is decimal seconds (at most 20 digits, far past any
# date); signatures are printable ASCII separated by spaces.
WEBHOOK_ID_PATTERN = re.compile(r"[\x21-\x2d\x2f-\x7e]+")
TIMESTAMP_PATTERN = re.compile(r"[0-9]{1,20}")
SIGNATURES_PATTERN = re.compile(r"[\x20-\x7e]+")
# A shared secret sent in a header (the "header" mode): printable ASCII.
SHARED_SECRET_PATTERN = re.compile(r"[\x20-\x7e]+")


def secret_key(secret: str) -> bytes:
    """Return the HMAC key bytes of a webhook secret."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX) :])
    return secret.encode()


def compute_signature(*, secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """Return the ``v1,<base64>`` signature of one delivery."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signature_headers(
    *, secret: str, msg_id: str, body: bytes, timestamp: int | None = None
) -> dict:
    """Return the three headers that sign a delivery."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": compute_signature(
            secret=secret, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }


SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def read_header(headers: Mapping[str, str], name: str, pattern: re.Pattern) -> str:
    """Return a header's value, "" when it is absent.

    Raise ``WebhookAuthenticationError`` unless all of it matches ``pattern``.
    """
    value = headers.get(name) or ""
    if value and not (isinstance(value, str) and pattern.fullmatch(value)):
        raise WebhookAuthenticationError(f"malformed {name} header")
    return value


def verify_signature(
    *,
    secrets: Iterable[str],
    headers: Mapping[str, str],
    body: bytes,
    tolerance_seconds: int,
    now: float | None = None,
) -> str:
    """Check a delivery's signature and return its ``webhook-id``.

    ``headers`` is looked up case-insensitively by the caller (Django's
    ``request.headers`` is). Raise ``WebhookAuthenticationError`` when a
    header is missing or malformed, the timestamp is outside the tolerance,
    or no signature matches any of the secrets.
    """
    if not all(headers.get(name) for name in SIGNATURE_HEADERS):
        raise WebhookAuthenticationError("missing webhook signature headers")
    msg_id = read_header(headers, "webhook-id", WEBHOOK_ID_PATTERN)
    timestamp = read_header(headers, "webhook-timestamp", TIMESTAMP_PATTERN)
    signatures = read_header(headers, "webhook-signature", SIGNATURES_PATTERN)
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance_seconds:
        raise WebhookAuthenticationError("webhook timestamp outside the tolerance")
    offered = [sig for sig in signatures.split() if sig.startswith(SIGNATURE_VERSION + ",")]
    for secret in secrets:
        if not secret:
            continue
        expected = compute_signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
        if any(constant_time_compare(expected, candidate) for candidate in offered):
            return msg_id
    raise WebhookAuthenticationError("no webhook signature matches")
