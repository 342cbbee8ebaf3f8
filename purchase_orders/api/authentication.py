"""Authenticate webhook deliveries before anything touches the database.

EnKash documents no scheme, so the portal offers two (DESIGN.md, "Inbound
authentication"), chosen by ``ENKASH_WEBHOOK_AUTH_MODE``:

- ``signature``: Standard Webhooks headers, HMAC-SHA256 over the raw body
  with ``ENKASH_WEBHOOK_SECRET`` (or one of ``ENKASH_WEBHOOK_PREVIOUS_SECRETS``
  while it is rotated), timestamps within ``ENKASH_WEBHOOK_TOLERANCE_SECONDS``;
- ``header``: the header ``ENKASH_WEBHOOK_AUTH_HEADER`` carries one of those
  secrets, compared in constant time.

``ENKASH_WEBHOOK_ALLOWED_IPS`` (CIDRs) adds a check of ``REMOTE_ADDR``; a
forwarded-for header is never trusted, since anyone can write one. An empty
secret refuses every delivery: there is no unauthenticated mode.
"""

import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from purchase_orders.enkash import conventions, signing
from purchase_orders.enkash.exceptions import WebhookAuthenticationError

logger = logging.getLogger(__name__)

# The only words a refused sender hears, whatever the reason: the reason
# itself goes to the log.
REFUSAL_DETAIL = "The delivery could not be authenticated."


@dataclass(frozen=True)
class AuthenticatedDelivery:
    """What authentication established about a delivery (``request.auth``)."""

    mode: str
    webhook_id: str = ""


class WebhookAuthentication(BaseAuthentication):
    """Authenticate a delivery by signature or shared-secret header, or refuse it (401)."""

    def authenticate(self, request):
        try:
            delivery = authenticate_delivery(
                headers=request.headers,
                body=request.body,
                remote_addr=request.META.get("REMOTE_ADDR", ""),
            )
        except WebhookAuthenticationError as error:
            logger.warning(
                "Refused a webhook delivery to %s from %s: %s",
                request.path,
                request.META.get("REMOTE_ADDR", "?"),
                error.reason,
            )
            raise AuthenticationFailed(REFUSAL_DETAIL) from None
        return (None, delivery)

    def authenticate_header(self, request):
        # A WWW-Authenticate value is what makes DRF answer 401 rather than 403.
        return 'Webhook realm="EnKash webhooks"'


class IsAuthenticatedDelivery(BasePermission):
    """Let through only deliveries that ``WebhookAuthentication`` accepted."""

    def has_permission(self, request, view):
        return isinstance(request.auth, AuthenticatedDelivery)


def authenticate_delivery(*, headers, body: bytes, remote_addr: str) -> AuthenticatedDelivery:
    """Check a delivery against the settings; raise WebhookAuthenticationError if it fails.

    ``headers`` is looked up case-insensitively (``request.headers``).
    """
    _check_remote_address(remote_addr)
    secrets = _secrets()
    mode = settings.ENKASH_WEBHOOK_AUTH_MODE
    if mode == conventions.WEBHOOK_AUTH_SIGNATURE:
        webhook_id = signing.verify_signature(
            secrets=secrets,
            headers=headers,
            body=body,
            tolerance_seconds=settings.ENKASH_WEBHOOK_TOLERANCE_SECONDS,
        )
        return AuthenticatedDelivery(mode=mode, webhook_id=webhook_id)
    if mode == conventions.WEBHOOK_AUTH_HEADER:
        header = settings.ENKASH_WEBHOOK_AUTH_HEADER
        offered = signing.read_header(headers, header, signing.SHARED_SECRET_PATTERN)
        if not offered:
            raise WebhookAuthenticationError(f"missing the {header} header")
        # Unsigned here, but stored as the delivery's id: it must be one.
        webhook_id = signing.read_header(
            headers, conventions.WEBHOOK_ID_HEADER, signing.WEBHOOK_ID_PATTERN
        )
        # Every secret is compared, so the time taken does not tell which one is current.
        matches = [constant_time_compare(offered, secret) for secret in secrets]
        if not any(matches):
            raise WebhookAuthenticationError(f"the {header} header matches no webhook secret")
        return AuthenticatedDelivery(mode=mode, webhook_id=webhook_id)
    raise WebhookAuthenticationError(
        f"ENKASH_WEBHOOK_AUTH_MODE is {mode!r}, not signature or header"
    )


def _secrets() -> list[str]:
    if not settings.ENKASH_WEBHOOK_SECRET:
        raise WebhookAuthenticationError(
            "ENKASH_WEBHOOK_SECRET is empty, so every delivery is refused"
        )
    previous = [secret for secret in settings.ENKASH_WEBHOOK_PREVIOUS_SECRETS if secret]
    return [settings.ENKASH_WEBHOOK_SECRET, *previous]


def _check_remote_address(remote_addr: str) -> None:
    allowed = settings.ENKASH_WEBHOOK_ALLOWED_IPS
    if not allowed:
        return
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        raise WebhookAuthenticationError(
            f"REMOTE_ADDR {remote_addr!r} is not an IP address"
        ) from None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    for entry in allowed:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise WebhookAuthenticationError(
                f"ENKASH_WEBHOOK_ALLOWED_IPS holds {entry!r}, which is not an address or CIDR"
            ) from None
        if address in network:
            return
    raise WebhookAuthenticationError(f"{address} is not in ENKASH_WEBHOOK_ALLOWED_IPS")
