"""Hardening: the deployment checklist, security headers, CSP, secrets, logs, /healthz."""

import ast
import io
import json
import logging.config
import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from procurement import demo
from purchase_orders.enkash import kinds
from purchase_orders.models import OutboundMessage
from tests.plugins.webhooks import webhook_url

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [BASE_DIR / "templates", BASE_DIR / "purchase_orders" / "templates"]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def production_env(**overrides) -> dict:
    """Return an environment like a production one: DEBUG off, secrets from outside."""
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "procurement.example.in",
        "DATABASE_URL": "sqlite:////nonexistent/never-opened.sqlite3",
        "PORTAL_BASE_URL": "https://procurement.example.in",
        "EMAIL_HOST": "smtp.example.in",
        "ENKASH_BASE_URL": "https://enkash.example.in",
        "ENKASH_CLIENT_ID": "procurement-example-in",
        "ENKASH_CLIENT_SECRET": secrets.token_urlsafe(24),
        "ENKASH_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(24),
    }
    env.update(overrides)
    return env


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_checklist_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def check_deploy(env: dict) -> tuple[int, list[str]]:
    """Run ``check --deploy`` in a process of its own; return its exit status and the app's ids."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, re.findall(r"\((purchase_orders\.[EW]\d+)\)", result.stderr)


def env_example() -> dict:
    """Return the variables .env.example sets, as a production copied from it would have."""
    text = (BASE_DIR / ".env.example").read_text()
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.M))


def test_without_debug_the_defaults_fail_the_deployment_checklist():
    env = production_env()
    for name in (
        "PORTAL_BASE_URL",
        "EMAIL_HOST",
        "ENKASH_BASE_URL",
        "ENKASH_CLIENT_ID",
        "ENKASH_CLIENT_SECRET",
        "ENKASH_WEBHOOK_SECRET",
    ):
        del env[name]

    status, ids = check_deploy(env)

    assert status == 1
    assert ids == [
        "purchase_orders.E003",  # ENKASH_BASE_URL: the sandbox on the loopback
        "purchase_orders.E004",  # ENKASH_CLIENT_ID: demo-client
        "purchase_orders.E005",  # ENKASH_CLIENT_SECRET: empty
        "purchase_orders.E006",  # ENKASH_WEBHOOK_SECRET: empty
        "purchase_orders.E009",  # PORTAL_BASE_URL: unset
        "purchase_orders.E011",  # EMAIL_BACKEND: the console
    ]


def test_a_production_copied_from_env_example_fails_the_deployment_checklist():
    env = {
        **env_example(),
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "ALLOWED_HOSTS": "procurement.example.in",
        "DATABASE_URL": "sqlite:////nonexistent/never-opened.sqlite3",
    }

    status, ids = check_deploy(env)

    assert status == 1
    assert ids == [f"purchase_orders.E{n:03d}" for n in (3, 4, 5, 6, 8, 10, 11)]


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("postgres://nobody@127.0.0.1:9/never-opened", (1, ["purchase_orders.E012"])),
        ("sqlite:////nonexistent/never-opened.sqlite3", (0, ["purchase_orders.W001"])),
    ],
)
def test_a_per_process_cache_fails_the_checklist_on_a_shared_database(database_url, expected):
    env = production_env(CACHE_URL="locmemcache://", DATABASE_URL=database_url)

    assert check_deploy(env) == expected


# The settings whose DEBUG default is the demo's published value (procurement/demo.py).
DEMO_SETTINGS = (
    "SECRET_KEY",
    "ENKASH_BASE_URL",
    "ENKASH_CLIENT_ID",
    "ENKASH_CLIENT_SECRET",
    "ENKASH_WEBHOOK_SECRET",
    "PORTAL_BASE_URL",
)


def test_the_demo_values_are_those_of_env_example_and_of_the_debug_defaults():
    code = (
        "import django, os, json; os.environ['DJANGO_SETTINGS_MODULE'] = 'procurement.settings';"
        "django.setup(); from django.conf import settings as s;"
        f"print(json.dumps([getattr(s, name) for name in {DEMO_SETTINGS!r}]))"
    )
    env = {"PATH": os.environ["PATH"], "DEBUG": "true", "DATABASE_URL": "sqlite://"}

    debug_defaults = json.loads(run_python(code, env).stdout)

    assert debug_defaults == [getattr(demo, name) for name in DEMO_SETTINGS]
    # .env.example suggests a signing key of its own, refused as well.
    example = env_example()
    assert example["SECRET_KEY"] == demo.EXAMPLE_SECRET_KEY
    assert [example[name] for name in DEMO_SETTINGS[1:]] == debug_defaults[1:]


def test_the_demo_settings_pass_the_checks_without_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"], "DEBUG": "true", "DATABASE_URL": "sqlite://"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_readme_says_what_to_configure_and_register_to_connect_to_enkash():
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("\n## Connecting to EnKash\n", 1)[1].split("\n## ", 1)[0]
    settings_source = (BASE_DIR / "procurement" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"(ENKASH_[A-Z0-9_]+)"', settings_source))

    assert len(read) > 15
    assert sorted(name for name in read if f"`{name}`" not in section) == []
    for kind in kinds.WEBHOOK_KINDS:
        assert f"`PORTAL_BASE_URL{reverse(f'api:{kind}')}`" in section


def test_pages_send_the_security_headers_and_the_policy(people):
    response = people.buyer_client.get(reverse("home"), secure=True)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Content-Security-Policy"] == CSP


def test_the_webhook_api_and_the_login_page_send_the_policy_too():
    for response in (Client().get(reverse("login")), Client().post(webhook_url("req-send"))):
        assert response["Content-Security-Policy"] == CSP
        assert response["X-Frame-Options"] == "DENY"


def template_files():
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def test_templates_have_no_inline_script_style_or_event_handler():
    offending = []
    for path in template_files():
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+="):
            offending += [f"{path.relative_to(BASE_DIR)}: {m}" for m in re.findall(pattern, text)]

    assert len(template_files()) > 10
    assert offending == []


def test_the_api_docs_render_under_a_relaxed_style_policy_with_no_inline_script(admin_client):
    page = admin_client.get("/api/docs/")
    script = admin_client.get("/api/docs/?script=")

    assert page.status_code == 200
    assert '<div id="swagger-ui"></div>' in page.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.content.decode()) == []
    assert '<script src="/api/docs/?script="></script>' in page.content.decode()
    assert page["Content-Security-Policy"] == CSP.replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle" in script.content.decode()


# -- secrets come from the environment only -------------------------------------------

SECRET_NAME = re.compile(r"(SECRET|SECRETS|PASSWORD|SECRET_KEY|TOKEN)$")


def refuses_production(statement) -> bool:
    """Return whether a statement is ``if not DEBUG: raise ...``."""
    return (
        isinstance(statement, ast.If)
        and ast.unparse(statement.test) == "not DEBUG"
        and isinstance(statement.body[0], ast.Raise)
    )


def guarded_by_debug(node, parents) -> bool:
    """Return whether a literal is only used when DEBUG is on.

    It is inside ``if DEBUG``-like test's branch or ``x if DEBUG else y``, or
    follows ``if not DEBUG: raise`` in its block.
    """
    child = node
    for parent in reversed(parents):
        body = getattr(parent, "body", None)
        if isinstance(body, list) and child in body:
            if any(refuses_production(earlier) for earlier in body[: body.index(child)]):
                return True
        test = getattr(parent, "test", None)
        if isinstance(parent, (ast.If, ast.IfExp)) and test is not None and child is not test:
            names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
            if "DEBUG" in names:
                return True
        child = parent
    return False


def secret_literals(source: str) -> list[str]:
    """Return secret-looking string literals of settings not guarded by DEBUG."""
    found = []

    def visit(node, parents):
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(SECRET_NAME.search(name) for name in names):
                for literal in ast.walk(node.value):
                    if (
                        isinstance(literal, ast.Constant)
                        and isinstance(literal.value, str)
                        and literal.value
                        and not SECRET_NAME.search(literal.value)
                        and not guarded_by_debug(literal, parents + [node] + lineage(node, literal))
                    ):
                        found.append(f"{names[0]} = {literal.value!r}")
        for child in ast.iter_child_nodes(node):
            visit(child, parents + [node])

    visit(ast.parse(source), [])
    return found


def lineage(root, target) -> list:
    """Return the nodes between root (excluded) and target (excluded)."""
    for child in ast.iter_child_nodes(root):
        if child is target:
            return []
        path = lineage(child, target)
        if path is not None:
            return [child] + path
    return None


def test_settings_hold_no_secret_literal_outside_debug_defaults():
    source = (BASE_DIR / "procurement" / "settings.py").read_text()

    assert secret_literals(source) == []
    # The check itself finds an unguarded literal.
    assert secret_literals('SECRET_KEY = env("SECRET_KEY", default="hunter2")\n') == [
        "SECRET_KEY = 'hunter2'"
    ]


def test_migrations_are_checked_with_nothing_but_a_database_set(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No changes detected"


def test_without_debug_every_secret_is_empty_unless_the_environment_gives_it():
    env = production_env()
    for name in ("ENKASH_CLIENT_SECRET", "ENKASH_WEBHOOK_SECRET"):
        del env[name]
    code = (
        "import django, os, json; os.environ['DJANGO_SETTINGS_MODULE'] = 'procurement.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.ENKASH_CLIENT_SECRET, s.ENKASH_WEBHOOK_SECRET, "
        "s.EMAIL_HOST_PASSWORD, s.ENKASH_WEBHOOK_PREVIOUS_SECRETS]))"
    )

    assert json.loads(run_python(code, env).stdout) == ["", "", "", []]
    del env["SECRET_KEY"]
    # Commands that sign nothing still run; the web application refuses to start.
    assert run_python(code, env).returncode == 0
    refused = run_python("import procurement.wsgi", env)
    assert refused.returncode != 0
    assert "Set SECRET_KEY (or DEBUG=true for local work)." in refused.stderr


def test_the_web_application_freezes_its_start_up_objects_out_of_the_collector():
    code = (
        "import gc; before = gc.get_freeze_count(); import procurement.wsgi as w;"
        "from django.urls import get_resolver;"
        "print(before, gc.get_freeze_count(), 'url_patterns' in vars(get_resolver()),"
        " callable(w.application))"
    )

    result = run_python(code, production_env())

    assert result.returncode == 0, result.stderr
    before, frozen, urls_loaded, application = result.stdout.split()
    assert before == "0"
    # The settings, the apps, their models and the URL patterns: far more than a bare Python.
    assert int(frozen) > 50_000
    assert urls_loaded == "True"
    assert application == "True"


# -- structured logs -----------------------------------------------------------------


@pytest.fixture
def json_logs():
    """Return a function listing the JSON log lines written so far, as the settings write them."""
    stream = io.StringIO()
    config = json.loads(json.dumps(django_settings.LOGGING))
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.config.dictConfig(django_settings.LOGGING)


def test_logs_are_json_lines_with_the_request_id_and_the_req_msg_id(json_logs, signed_post):
    response = signed_post(
        "req-confirm",
        {"unexpected": True},
        headers={"X-Request-ID": "lb-7f3a", "X-Req-Msg-Id": "RMSG-0042"},
    )

    assert response["X-Request-ID"] == "lb-7f3a"
    lines = [line for line in json_logs() if line["logger"] == "purchase_orders.services.inbound"]
    assert len(lines) == 1
    assert lines[0]["request_id"] == "lb-7f3a"
    assert lines[0]["reqMsgId"] == "RMSG-0042"
    assert lines[0]["level"] == "INFO"
    assert "is invalid" in lines[0]["message"]


@pytest.mark.parametrize("offered", ["bad id\r\nX-Evil: 1", "lb-7f3a\n"])
def test_a_request_without_a_plain_id_gets_a_new_one(client, offered):
    given = client.get(reverse("login"), headers={"X-Request-ID": offered})
    fresh = client.get(reverse("login"))

    assert re.fullmatch(r"[0-9a-f]{32}", given["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", fresh["X-Request-ID"])
    assert given["X-Request-ID"] != fresh["X-Request-ID"]


# -- /healthz ------------------------------------------------------------------------


def test_healthz_reports_the_database_and_the_queue_without_secrets(people, settings):
    purchase_order = people.purchase_order(sent=True)
    hour_ago = timezone.now() - timezone.timedelta(hours=1)
    people.message(purchase_order, next_attempt_at=hour_ago)
    people.message(purchase_order, state=OutboundMessage.State.FAILED)

    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["latency_ms"] >= 0
    queue = body["queue"]
    assert (queue["outbound_due"], queue["outbound_failed"]) == (1, 1)
    assert 3590 < queue["oldest_due_seconds"] < 3700
    assert isinstance(queue["tasks_ready"], int)
    text = response.content.decode()
    kept = (settings.SECRET_KEY, settings.ENKASH_WEBHOOK_SECRET, settings.ENKASH_CLIENT_SECRET)
    for secret in kept:
        assert secret not in text
    assert set(body) == {"status", "database", "queue"}


def test_healthz_answers_503_when_the_database_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    env = production_env(
        DATABASE_URL=f"postgres://nobody@127.0.0.1:{closed_port}/nothing",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="true",
    )
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'procurement.settings';"
        "django.setup(); from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )

    result = run_python(code, env)

    assert result.stdout.strip() == '503 {"status": "unavailable", "database": {"ok": false}}'
