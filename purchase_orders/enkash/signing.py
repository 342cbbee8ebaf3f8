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
import time
from collections.abc import Iterable, Mapping

from django.utils.crypto import constant_time_compare

from .exceptions import WebhookAuthenticationError

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"


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
    header is missing, the timestamp is outside the tolerance, or no
    signature matches any of the secrets.
    """
    msg_id = headers.get("webhook-id") or ""
    timestamp = headers.get("webhook-timestamp") or ""
    signatures = headers.get("webhook-signature") or ""
    if not (msg_id and timestamp and signatures):
        raise WebhookAuthenticationError("missing webhook signature headers")
    if "." in msg_id or not timestamp.isdigit():
        raise WebhookAuthenticationError("malformed webhook-id or webhook-timestamp")
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
