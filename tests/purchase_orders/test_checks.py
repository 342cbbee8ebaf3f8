"""The app's system checks: the sending lease, and the deployment checklist.

The lease must outlast the connect and read time-outs together; ``check
--deploy`` refuses each demo value and unsafe setting with its own id
(``tests/security/test_hardening.py`` runs it in a production-like process).
"""

import pytest
from django.core import checks
from django.db import connection

from procurement import demo
from purchase_orders.checks import check_sending_lease

CACHE_IDS = {"purchase_orders.E012", "purchase_orders.W001"}


def test_a_lease_longer_than_both_time_outs_passes(settings):
    settings.ENKASH_CONNECT_TIMEOUT_SECONDS = 1
    settings.ENKASH_TIMEOUT_SECONDS = 2
    settings.ENKASH_SENDING_LEASE_SECONDS = 3.5

    assert check_sending_lease() == []


def test_a_lease_no_longer_than_both_time_outs_is_an_error(settings):
    settings.ENKASH_CONNECT_TIMEOUT_SECONDS = 5
    settings.ENKASH_TIMEOUT_SECONDS = 20
    settings.ENKASH_SENDING_LEASE_SECONDS = 25

    errors = check_sending_lease()

    assert [(type(error), error.id) for error in errors] == [(checks.Error, "purchase_orders.E001")]
    assert errors[0].msg == (
        "ENKASH_SENDING_LEASE_SECONDS (25) must be longer than "
        "ENKASH_CONNECT_TIMEOUT_SECONDS + ENKASH_TIMEOUT_SECONDS (5 + 20 = 25)."
    )


def test_the_check_is_registered_with_django(settings):
    settings.ENKASH_SENDING_LEASE_SECONDS = 2

    errors = checks.run_checks(tags=[checks.Tags.compatibility])

    assert "purchase_orders.E001" in [error.id for error in errors]


# -- The deployment checklist ----------------------------------------------------------

PRODUCTION = {
    "ENKASH_BASE_URL": "https://enkash.example.in",
    "ENKASH_CLIENT_ID": "procurement-example-in",
    "ENKASH_CLIENT_SECRET": "a-secret-enkash-issued",
    "ENKASH_WEBHOOK_SECRET": "whsec_YS1zZWNyZXQtYWdyZWVkLXdpdGgtZW5rYXNo",
    "ENKASH_WEBHOOK_PREVIOUS_SECRETS": [],
    "ENKASH_WEBHOOK_AUTH_MODE": "signature",
    "SECRET_KEY": "a-long-random-key-kept-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "PORTAL_BASE_URL": "https://procurement.example.in",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "procurement_cache",
        }
    },
}


@pytest.fixture
def production(settings):
    """Settings as a production sets them; a test spoils one."""
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    return settings


def deploy_check_ids() -> list[str]:
    """Return the ids of the app's messages of ``check --deploy``, as Django runs them."""
    messages = checks.run_checks(include_deployment_checks=True)
    return [message.id for message in messages if message.id.startswith("purchase_orders.")]


def test_production_settings_pass_the_deployment_checklist(production):
    assert deploy_check_ids() == []


def test_the_checklist_runs_only_with_deploy(production):
    production.ENKASH_CLIENT_ID = demo.ENKASH_CLIENT_ID

    assert [m.id for m in checks.run_checks() if m.id.startswith("purchase_orders.")] == []
    assert deploy_check_ids() == ["purchase_orders.E004"]


@pytest.mark.parametrize(
    ("name", "value", "expected_id", "message"),
    [
        (
            "ENKASH_BASE_URL",
            "",
            "purchase_orders.E002",
            "ENKASH_BASE_URL is not set; it must be an absolute http(s) URL.",
        ),
        (
            "ENKASH_BASE_URL",
            "enkash.example.in",
            "purchase_orders.E002",
            "ENKASH_BASE_URL is 'enkash.example.in'; it must be an absolute http(s) URL.",
        ),
        (
            "ENKASH_BASE_URL",
            demo.ENKASH_BASE_URL,
            "purchase_orders.E003",
            "ENKASH_BASE_URL (http://127.0.0.1:8001) points at this machine, "
            "which no one else reaches.",
        ),
        ("ENKASH_BASE_URL", "http://localhost:8001", "purchase_orders.E003", None),
        ("ENKASH_BASE_URL", "https://sandbox.localhost/", "purchase_orders.E003", None),
        ("ENKASH_BASE_URL", "http://[::1]:8001", "purchase_orders.E003", None),
        ("ENKASH_BASE_URL", "http://127.10.0.1", "purchase_orders.E003", None),
        ("ENKASH_BASE_URL", "http://0.0.0.0:8001", "purchase_orders.E003", None),
        (
            "ENKASH_CLIENT_ID",
            demo.ENKASH_CLIENT_ID,
            "purchase_orders.E004",
            "ENKASH_CLIENT_ID is the demo one ('demo-client').",
        ),
        ("ENKASH_CLIENT_ID", "", "purchase_orders.E004", "ENKASH_CLIENT_ID is empty."),
        (
            "ENKASH_CLIENT_SECRET",
            demo.ENKASH_CLIENT_SECRET,
            "purchase_orders.E005",
            "ENKASH_CLIENT_SECRET is the demo one.",
        ),
        ("ENKASH_CLIENT_SECRET", "", "purchase_orders.E005", "ENKASH_CLIENT_SECRET is empty."),
        (
            "ENKASH_WEBHOOK_SECRET",
            demo.ENKASH_WEBHOOK_SECRET,
            "purchase_orders.E006",
            "The demo webhook secret is among ENKASH_WEBHOOK_SECRET and "
            "ENKASH_WEBHOOK_PREVIOUS_SECRETS.",
        ),
        (
            "ENKASH_WEBHOOK_PREVIOUS_SECRETS",
            [demo.ENKASH_WEBHOOK_SECRET],
            "purchase_orders.E006",
            None,
        ),
        ("ENKASH_WEBHOOK_SECRET", "", "purchase_orders.E006", "ENKASH_WEBHOOK_SECRET is empty."),
        (
            "ENKASH_WEBHOOK_AUTH_MODE",
            "none",
            "purchase_orders.E007",
            "ENKASH_WEBHOOK_AUTH_MODE is 'none', so every webhook delivery is refused.",
        ),
        (
            "SECRET_KEY",
            demo.SECRET_KEY,
            "purchase_orders.E008",
            "SECRET_KEY is a published one (the demo's or .env.example's).",
        ),
        ("SECRET_KEY", demo.EXAMPLE_SECRET_KEY, "purchase_orders.E008", None),
        (
            "PORTAL_BASE_URL",
            "",
            "purchase_orders.E009",
            "PORTAL_BASE_URL is not set; it must be an absolute http(s) URL.",
        ),
        ("PORTAL_BASE_URL", "/", "purchase_orders.E009", None),
        (
            "PORTAL_BASE_URL",
            demo.PORTAL_BASE_URL,
            "purchase_orders.E010",
            "PORTAL_BASE_URL (http://127.0.0.1:8000) points at this machine, "
            "which no one else reaches.",
        ),
        (
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend",
            "purchase_orders.E011",
            "EMAIL_BACKEND (django.core.mail.backends.console.EmailBackend) prints the "
            "portal's e-mails instead of sending them.",
        ),
        (
            "EMAIL_BACKEND",
            "procurement.mail.ConsoleEmailBackend",
            "purchase_orders.E011",
            "EMAIL_BACKEND (procurement.mail.ConsoleEmailBackend) prints the "
            "portal's e-mails instead of sending them.",
        ),
        (
            "EMAIL_BACKEND",
            "django.core.mail.backends.locmem.EmailBackend",
            "purchase_orders.E011",
            None,
        ),
        (
            "EMAIL_BACKEND",
            "django.core.mail.backends.filebased.EmailBackend",
            "purchase_orders.E011",
            None,
        ),
        (
            "EMAIL_BACKEND",
            "django.core.mail.backends.dummy.EmailBackend",
            "purchase_orders.E011",
            None,
        ),
    ],
)
def test_each_unsafe_setting_has_its_own_error(production, name, value, expected_id, message):
    setattr(production, name, value)

    errors = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == expected_id]

    assert deploy_check_ids() == [expected_id]
    assert isinstance(errors[0], checks.Error)
    assert errors[0].hint
    if message is not None:
        assert errors[0].msg == message


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_a_per_process_cache_is_an_error_on_a_shared_database_and_a_warning_on_sqlite(
    production, backend
):
    production.CACHES = {"default": {"BACKEND": backend}}

    (message,) = [m for m in checks.run_checks(include_deployment_checks=True) if m.id in CACHE_IDS]

    if connection.vendor == "sqlite":
        assert (type(message), message.id) == (checks.Warning, "purchase_orders.W001")
        assert message.hint.endswith("On SQLite this is safe only with one web process.")
    else:
        assert (type(message), message.id) == (checks.Error, "purchase_orders.E012")
        assert message.hint.endswith(
            f"The {connection.vendor} database is shared by several processes."
        )
    assert message.msg == (
        f"The default cache ({backend}) lives in one process, so each web process "
        "would cache on its own."
    )
