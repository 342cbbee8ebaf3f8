"""The demo's published values: what settings fall back on with DEBUG on.

They are printed in ``.env.example`` and the README, so anyone can sign
tokens or webhooks with them. ``settings.py`` uses them only when ``DEBUG``
is on, and ``manage.py check --deploy`` refuses each of them
(``purchase_orders/checks.py``), so that a production copied from
``.env.example`` does not start with them.
"""

SECRET_KEY = "insecure-development-key-only-used-when-debug-is-on"
# The signing key .env.example suggests before it is changed.
EXAMPLE_SECRET_KEY = "change-me-to-a-long-random-string-before-any-real-use"
ENKASH_BASE_URL = "http://127.0.0.1:8001"
ENKASH_CLIENT_ID = "demo-client"
ENKASH_CLIENT_SECRET = "demo-secret"
ENKASH_WEBHOOK_SECRET = "whsec_ZGVtby13ZWJob29rLXNlY3JldC1mb3ItbG9jYWwtd29yaw=="
PORTAL_BASE_URL = "http://127.0.0.1:8000"
