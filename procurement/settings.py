"""
Settings for the procurement portal.

Every value comes from the environment (or an optional ``.env`` file beside
``manage.py``); ``.env.example`` documents each variable. Defaults are the safe
ones: ``DEBUG`` off, and no serving pages without a ``SECRET_KEY`` unless
``DEBUG`` is on.
"""

from pathlib import Path

import environ

from procurement import demo

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(DEBUG=(bool, False))
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env("DEBUG")

# Required to serve pages with DEBUG off: the web application refuses to
# start without it (procurement/startup.py), and Django signs nothing with an
# empty key. Commands that sign nothing (migrate, makemigrations, check) run.
SECRET_KEY = env("SECRET_KEY", default="")
if DEBUG and not SECRET_KEY:
    SECRET_KEY = demo.SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The project's own models: failed-login counts (procurement/login_limits.py).
    "procurement",
    # Before django_tasks_db, so that its db_worker command, which sweeps the
    # outbox as the worker starts, is the one manage.py runs.
    "purchase_orders",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "procurement.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "procurement.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "procurement.sessions.SessionTimeoutMiddleware",
    "purchase_orders.middleware.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "procurement.middleware.PortalNotFoundMiddleware",
]

ROOT_URLCONF = "procurement.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Django's form renderer, with plain inputs written without a template: a
# 1,000-line purchase-order form renders in half the time.
FORM_RENDERER = "purchase_orders.forms.rendering.PortalFormRenderer"

WSGI_APPLICATION = "procurement.wsgi.application"

# SQLite is the embedded default so that the demo needs no server; PostgreSQL
# (psycopg 3) is used whenever DATABASE_URL points at it.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and a busy timeout stop "database is locked"
    # errors when the web process and the worker write at the same time.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins are counted per username and address in a database row that
# every web node shares (procurement/login_limits.py), each attempt counted
# before its password is checked; past the limit, that username is refused
# from that address until the window has passed since its last attempt.
AUTHENTICATION_BACKENDS = ["procurement.login_limits.RateLimitedModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)

# The database cache by default: shared by every web node with no other
# service (migration 0007_cache_table makes its table). CACHE_URL may name
# another, e.g. redis://host:6379/0; a per-process cache (locmemcache://) would
# give each process a cache of its own, which `check --deploy` refuses on a
# database shared by several processes.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://procurement_cache")}

# A signed-in session ends after SESSION_IDLE_TIMEOUT_SECONDS without a
# request from its person, and SESSION_ABSOLUTE_LIFETIME_SECONDS after its
# login however busy (procurement/sessions.py). A session can send and
# accept purchase orders that commit a business's money, and office PCs are
# shared and left unlocked: half an hour idle is the usual figure for
# business banking; twelve hours covers a working day with one login, and
# no stolen cookie lasts past it. The cookie lasts no longer either.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME_SECONDS = env.int(
    "SESSION_ABSOLUTE_LIFETIME_SECONDS", default=12 * 60 * 60
)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME_SECONDS

# The purchase-order form posts some forty fields a line (a line's other
# taxes, value details, rates and attributes included); Django's default of
# 1,000 fields would refuse an order of a few dozen lines. The body's size
# stays bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50_000

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-in"
TIME_ZONE = env("TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if env("EMAIL_HOST", default="")
        else "procurement.mail.ConsoleEmailBackend"
    ),
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="procurement@localhost")
# Seconds before an SMTP connection or answer counts as failed (then retried).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30.0)
# The e-mail tasks' retries while the mail server fails: attempts in all, and
# the back-off, doubling from the base up to the ceiling.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=10)
NOTIFICATION_RETRY_BASE_SECONDS = env.float("NOTIFICATION_RETRY_BASE_SECONDS", default=30.0)
NOTIFICATION_RETRY_MAX_SECONDS = env.float("NOTIFICATION_RETRY_MAX_SECONDS", default=3600.0)
# The portal's address as its users reach it; links in e-mails start with it.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default=demo.PORTAL_BASE_URL if DEBUG else "")

# How often the worker looks for purchase orders whose supplier should be
# reminded (services/reminders.py); each order is reminded at most once a day.
REMINDER_INTERVAL_SECONDS = env.float("REMINDER_INTERVAL_SECONDS", default=3600.0)

# Invitations to join a business (purchase_orders/services/invitations.py):
# the e-mailed link works for INVITATION_MAX_AGE_DAYS (a resend renews it);
# one person, and one business, may send at most INVITATION_SEND_LIMIT
# invitations (resends included) in INVITATION_SEND_WINDOW_SECONDS, counted
# in the database so that every web node shares the count.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
INVITATION_SEND_LIMIT = env.int("INVITATION_SEND_LIMIT", default=20)
INVITATION_SEND_WINDOW_SECONDS = env.int("INVITATION_SEND_WINDOW_SECONDS", default=60 * 60)

# Production hardening; every value can be relaxed from the environment for
# a deployment behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content Security Policy: everything from the portal's own origin, no
# inline scripts or styles, no framing. The API docs (Swagger UI) style
# their elements inline, so their paths get the relaxed policy.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSP_RELAXED = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
CSP_RELAXED_PATHS = ["/api/docs/"]
SESSION_COOKIE_HTTPONLY = True
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Procurement portal: EnKash purchase-order webhooks",
    "DESCRIPTION": (
        "Webhooks that the Bharat Connect B2B network (through EnKash) calls "
        "for purchase-order requests and responses, and with the answers to "
        "supplier searches (Business Onboarding's Search Entity)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# /api/schema/ and /api/docs/ answer only staff with DEBUG off
# (purchase_orders/api/docs.py): the description names every check the
# webhooks make, which an outsider has no need of. True opens them to all.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)

# Background work: the tasks API with the durable database backend, or
# RQ's on Redis for a larger fleet (TASKS_BACKEND=django_tasks_rq.RQBackend,
# workers `manage.py rqworker default --with-scheduler`).
TASKS_RQ_BACKEND = "django_tasks_rq.RQBackend"
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    },
}
# The Redis that holds RQ's queue (its database number in the path); read
# only with the RQ backend.
RQ_QUEUES = {
    "default": {"URL": env("TASKS_REDIS_URL", default="redis://127.0.0.1:6379/0")},
}
if TASKS["default"]["BACKEND"] == TASKS_RQ_BACKEND:
    # Its worker command (rqworker) and the backend's system check.
    INSTALLED_APPS.append("django_rq")
# How long an idle `manage.py db_worker` waits before looking at the queue
# again. On PostgreSQL a notification sent as each task is queued wakes it
# at once (purchase_orders/wakeup.py), so this only bounds how late a
# deferred task or a missed notification can be; SQLite has none, so there
# the worker polls often.
TASKS_POLL_INTERVAL_SECONDS = env.float(
    "TASKS_POLL_INTERVAL_SECONDS",
    default=0.1 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 1.0,
)
# Whether an idle worker LISTENs for those notifications (PostgreSQL only);
# off behind a pooler in transaction mode, which cannot hold a LISTEN.
TASKS_LISTEN = env.bool("TASKS_LISTEN", default=True)

# Live pages' polls may wait for a change (purchase_orders/live_wait.py):
# woken on PostgreSQL by notifications, which each web process LISTENs for
# (off behind a pooler in transaction mode; the waits then re-check every
# 0.5 s), and at most this many held at once in one web process, so that
# the server's other threads stay free for pages (below gunicorn's --threads).
LIVE_LISTEN = env.bool("LIVE_LISTEN", default=True)
LIVE_WAITERS_PER_PROCESS = env.int("LIVE_WAITERS_PER_PROCESS", default=48)

# EnKash (Bharat Connect B2B). Read by the network layer at call time.
# The base URL and client id default to the sandbox's even with DEBUG off, so
# that tests and benchmarks reach their sandbox; `check --deploy` refuses both
# (purchase_orders/checks.py), as it refuses the demo secrets.
ENKASH_BASE_URL = env("ENKASH_BASE_URL", default=demo.ENKASH_BASE_URL)
ENKASH_CLIENT_ID = env("ENKASH_CLIENT_ID", default=demo.ENKASH_CLIENT_ID)
ENKASH_CLIENT_SECRET = env(
    "ENKASH_CLIENT_SECRET", default=demo.ENKASH_CLIENT_SECRET if DEBUG else ""
)
ENKASH_WEBHOOK_SECRET = env(
    "ENKASH_WEBHOOK_SECRET", default=demo.ENKASH_WEBHOOK_SECRET if DEBUG else ""
)
# Extra secrets still accepted while a new ENKASH_WEBHOOK_SECRET rolls out.
ENKASH_WEBHOOK_PREVIOUS_SECRETS = env.list("ENKASH_WEBHOOK_PREVIOUS_SECRETS", default=[])
ENKASH_WEBHOOK_AUTH_MODE = env("ENKASH_WEBHOOK_AUTH_MODE", default="signature")
ENKASH_WEBHOOK_AUTH_HEADER = env("ENKASH_WEBHOOK_AUTH_HEADER", default="X-EnKash-Webhook-Secret")
ENKASH_WEBHOOK_TOLERANCE_SECONDS = env.int("ENKASH_WEBHOOK_TOLERANCE_SECONDS", default=300)
ENKASH_WEBHOOK_ALLOWED_IPS = env.list("ENKASH_WEBHOOK_ALLOWED_IPS", default=[])
# Larger webhook bodies are refused (413) before they are read or stored.
ENKASH_WEBHOOK_MAX_BODY_BYTES = env.int("ENKASH_WEBHOOK_MAX_BODY_BYTES", default=2 * 1024 * 1024)
ENKASH_CONNECT_TIMEOUT_SECONDS = env.float("ENKASH_CONNECT_TIMEOUT_SECONDS", default=5.0)
ENKASH_TIMEOUT_SECONDS = env.float("ENKASH_TIMEOUT_SECONDS", default=30.0)
ENKASH_TOKEN_PATH = env("ENKASH_TOKEN_PATH", default="/api/v0/merchant/token")
ENKASH_TOKEN_HEADER = env("ENKASH_TOKEN_HEADER", default="Authorization")
ENKASH_DEVICE_GEOCODE = env("ENKASH_DEVICE_GEOCODE", default="12.9716,77.5946")
ENKASH_MAX_ATTEMPTS = env.int("ENKASH_MAX_ATTEMPTS", default=12)
ENKASH_RETRY_BASE_SECONDS = env.float("ENKASH_RETRY_BASE_SECONDS", default=5.0)
ENKASH_RETRY_MAX_SECONDS = env.float("ENKASH_RETRY_MAX_SECONDS", default=900.0)
# How often the worker sweeps the outbox for messages whose task was lost.
ENKASH_SWEEP_INTERVAL_SECONDS = env.float("ENKASH_SWEEP_INTERVAL_SECONDS", default=60.0)
# How long a message may stay "sending" before another worker may take it
# over; longer than the connect and read time-outs together.
ENKASH_SENDING_LEASE_SECONDS = env.float("ENKASH_SENDING_LEASE_SECONDS", default=120.0)

# Logs: JSON lines (request_id, reqMsgId) unless LOG_FORMAT=plain; plain
# text by default with DEBUG, for reading in a terminal.
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "procurement.logging.ContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(req_msg_id)s] "
            "%(message)s"
        },
        "json": {"()": "procurement.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own configuration gives "django" a console handler of its
        # own (with DEBUG on) besides the root's: each of its lines would be
        # printed twice, once unformatted. Its records go to the root alone.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
