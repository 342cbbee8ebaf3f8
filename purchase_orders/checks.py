"""System checks of the app's settings, and the deployment checklist."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from procurement import demo
from purchase_orders.enkash import conventions


@checks.register(checks.Tags.compatibility)
def check_sending_lease(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse a sending lease that could end while a worker still awaits its answer.

    When the lease ends, another worker may take the message over; a lease
    shorter than the connect and read time-outs together lets it do so while
    the first worker is still waiting on a live request.
    """
    lease = settings.ENKASH_SENDING_LEASE_SECONDS
    connect = settings.ENKASH_CONNECT_TIMEOUT_SECONDS
    read = settings.ENKASH_TIMEOUT_SECONDS
    if lease > connect + read:
        return []
    return [
        checks.Error(
            f"ENKASH_SENDING_LEASE_SECONDS ({lease:g}) must be longer than "
            f"ENKASH_CONNECT_TIMEOUT_SECONDS + ENKASH_TIMEOUT_SECONDS "
            f"({connect:g} + {read:g} = {connect + read:g}).",
            hint="Lengthen the lease or shorten the time-outs, or a worker still "
            "waiting for EnKash's answer may see its message taken over.",
            id="purchase_orders.E001",
        )
    ]


# -- The deployment checklist (manage.py check --deploy) ---------------------------
# A production must not run on the demo's values: the sandbox's address, the
# published credentials and secrets (procurement/demo.py), links to the
# loopback, e-mail that never leaves the server, or a cache kept per process.
# Each check reads the settings when called; none runs without --deploy, so
# the demo and the tests, which use those values, are untouched.

# E-mail backends that keep the mail on the server.
UNSENT_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints",
    "procurement.mail.ConsoleEmailBackend": "prints",
    "django.core.mail.backends.locmem.EmailBackend": "keeps in memory",
    "django.core.mail.backends.filebased.EmailBackend": "writes to files",
    "django.core.mail.backends.dummy.EmailBackend": "drops",
}
# Cache backends whose entries live in one process (the dummy cache keeps none).
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def is_loopback(host: str) -> bool:
    """Return whether a URL's host name is this machine: localhost or a loopback address."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def url_problem(name: str, *, id_unset: str, id_loopback: str, hint: str) -> checks.Error | None:
    """Return the Error of an address setting that is unset, not absolute, or local, or None."""
    value = getattr(settings, name)
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = f"is {value!r}" if value else "is not set"
        return checks.Error(
            f"{name} {shown}; it must be an absolute http(s) URL.", hint=hint, id=id_unset
        )
    if is_loopback(parts.hostname):
        return checks.Error(
            f"{name} ({value}) points at this machine, which no one else reaches.",
            hint=hint,
            id=id_loopback,
        )
    return None


@checks.register(checks.Tags.security, deploy=True)
def check_network_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse an EnKash address that is unset or on the loopback (the demo's sandbox)."""
    error = url_problem(
        "ENKASH_BASE_URL",
        id_unset="purchase_orders.E002",
        id_loopback="purchase_orders.E003",
        hint="Set ENKASH_BASE_URL to the base URL of EnKash's API that EnKash gave you; "
        f"{demo.ENKASH_BASE_URL}, the default, is the demo's sandbox.",
    )
    return [error] if error else []


@checks.register(checks.Tags.security, deploy=True)
def check_network_credentials(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse an empty or demo client id, client secret or webhook secret.

    The demo's values are published (``.env.example``, the README): a token
    fetched with them is no one's, and a webhook signed with them could come
    from anyone.
    """
    errors = []
    client_id = settings.ENKASH_CLIENT_ID
    if client_id in ("", demo.ENKASH_CLIENT_ID):
        errors.append(
            checks.Error(
                "ENKASH_CLIENT_ID is "
                + ("empty." if not client_id else f"the demo one ({client_id!r})."),
                hint="Set ENKASH_CLIENT_ID to the client id EnKash issued for the portal.",
                id="purchase_orders.E004",
            )
        )
    client_secret = settings.ENKASH_CLIENT_SECRET
    if client_secret in ("", demo.ENKASH_CLIENT_SECRET):
        errors.append(
            checks.Error(
                f"ENKASH_CLIENT_SECRET is {'empty' if not client_secret else 'the demo one'}.",
                hint="Set ENKASH_CLIENT_SECRET to the secret EnKash issued with the client id.",
                id="purchase_orders.E005",
            )
        )
    webhook_secrets = [settings.ENKASH_WEBHOOK_SECRET, *settings.ENKASH_WEBHOOK_PREVIOUS_SECRETS]
    if not webhook_secrets[0] or demo.ENKASH_WEBHOOK_SECRET in webhook_secrets:
        what = (
            "ENKASH_WEBHOOK_SECRET is empty"
            if not webhook_secrets[0]
            else "The demo webhook secret is among ENKASH_WEBHOOK_SECRET and "
            "ENKASH_WEBHOOK_PREVIOUS_SECRETS"
        )
        errors.append(
            checks.Error(
                f"{what}.",
                hint="Set ENKASH_WEBHOOK_SECRET to the secret agreed with EnKash for webhooks "
                "(an empty one refuses every delivery; the demo's lets anyone sign one).",
                id="purchase_orders.E006",
            )
        )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def check_webhook_auth_mode(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse a webhook-authentication mode the portal does not know: it refuses every delivery."""
    mode = settings.ENKASH_WEBHOOK_AUTH_MODE
    known = (conventions.WEBHOOK_AUTH_SIGNATURE, conventions.WEBHOOK_AUTH_HEADER)
    if mode in known:
        return []
    return [
        checks.Error(
            f"ENKASH_WEBHOOK_AUTH_MODE is {mode!r}, so every webhook delivery is refused.",
            hint=f"Set it to {known[0]!r} (Standard Webhooks signatures) or {known[1]!r} "
            "(the shared secret in ENKASH_WEBHOOK_AUTH_HEADER).",
            id="purchase_orders.E007",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse a SECRET_KEY that is published: the DEBUG fallback or .env.example's."""
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        return []  # Empty: Django's own security.W009 says so.
    if key not in (demo.SECRET_KEY, demo.EXAMPLE_SECRET_KEY):
        return []
    return [
        checks.Error(
            "SECRET_KEY is a published one (the demo's or .env.example's).",
            hint="Set SECRET_KEY to 50 or more random characters kept secret, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'.",
            id="purchase_orders.E008",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_portal_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse a portal address that is unset or on the loopback.

    E-mails link to pages under it, and it is the base of the webhook URLs
    registered with EnKash; a loopback address reaches no one.
    """
    error = url_problem(
        "PORTAL_BASE_URL",
        id_unset="purchase_orders.E009",
        id_loopback="purchase_orders.E010",
        hint="Set PORTAL_BASE_URL to the portal's address as its users and EnKash reach it, "
        "e.g. https://procurement.example.in.",
    )
    return [error] if error else []


@checks.register(checks.Tags.security, deploy=True)
def check_email_backend(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse an e-mail backend that never sends: nobody would hear of an order."""
    backend = settings.EMAIL_BACKEND
    if backend not in UNSENT_MAIL_BACKENDS:
        return []
    return [
        checks.Error(
            f"EMAIL_BACKEND ({backend}) {UNSENT_MAIL_BACKENDS[backend]} the portal's e-mails "
            "instead of sending them.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, "
            "EMAIL_USE_TLS) for the SMTP backend, or EMAIL_BACKEND to another that sends.",
            id="purchase_orders.E011",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse a per-process cache where several processes serve the portal.

    Django's default cache is expected to be one for the whole site: whatever is
    cached by one web process is what the others read, and invalidating it in
    one invalidates it for all. A cache that lives in one process gives each
    process its own (the dummy cache keeps nothing at all). Any database but
    SQLite is a server that several web processes and nodes share: an error.
    SQLite is a file on one machine, where a single web process is possible
    (though gunicorn's workers are processes too): a warning.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    message = (
        f"The default cache ({backend}) lives in one process, so each web process "
        "would cache on its own."
    )
    hint = (
        "Set CACHE_URL to a cache every web process shares: dbcache://procurement_cache "
        "(the default, its table made by migrate) or redis://host:6379/0."
    )
    if connection.vendor == "sqlite":
        return [
            checks.Warning(
                message,
                hint=hint + " On SQLite this is safe only with one web process.",
                id="purchase_orders.W001",
            )
        ]
    return [
        checks.Error(
            message,
            hint=hint + f" The {connection.vendor} database is shared by several processes.",
            id="purchase_orders.E012",
        )
    ]
