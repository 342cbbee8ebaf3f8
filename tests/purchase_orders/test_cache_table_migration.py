"""``migrate`` alone prepares a database: the cache table (0007_cache_table), and logins.

The default cache is the database cache; its table is made by a migration,
and the failed-login counts have a table of their own (procurement's
migrations), so a database that has only been migrated signs people in.

Django's test runner makes cache tables itself once it has migrated, so the
tests here take the table away first: by reversing the migration in the test
database, and by migrating a fresh database of their own in a process of its
own, as a deployment does, and signing in over real HTTP.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import DEMO_PASSWORD
from tests.plugins.mail import free_port

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
APP = "purchase_orders"
BEFORE = (APP, "0006_live_change_notifications")
CACHE_TABLE = django_settings.CACHES["default"]["LOCATION"]


def migrate_to(target: tuple[str, str] | None) -> None:
    """Migrate the app to ``target``, or every app to its latest migration if None."""
    executor = MigrationExecutor(connection)
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def cache_table_exists() -> bool:
    return CACHE_TABLE in connection.introspection.table_names()


@pytest.fixture
def latest_schema_afterwards():
    """Leave the database at the latest migration, cache table included, whatever happened."""
    yield
    migrate_to(None)


def test_reversing_drops_the_cache_table_and_migrate_makes_it_again(latest_schema_afterwards):
    assert cache_table_exists() is True

    migrate_to(BEFORE)
    assert cache_table_exists() is False

    migrate_to(None)
    assert cache_table_exists() is True
    cache.set("made-by-migrate", "yes")
    assert cache.get("made-by-migrate") == "yes"


def test_migrate_leaves_a_cache_table_made_by_createcachetable_alone(latest_schema_afterwards):
    migrate_to(BEFORE)
    call_command("createcachetable", verbosity=0)
    cache.set("made-before", "kept")

    migrate_to(None)

    assert cache.get("made-before") == "kept"


def login_form(session: requests.Session, base_url: str) -> str:
    """Open the login page; return its CSRF token."""
    page = session.get(f"{base_url}/login/", timeout=30)
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def log_in(base_url: str, username: str, password: str) -> requests.Response:
    """Sign in through the login page over HTTP, as a browser does."""
    session = requests.Session()
    token = login_form(session, base_url)
    return session.post(
        f"{base_url}/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": f"{base_url}/login/"},
        allow_redirects=False,
        timeout=30,
    )


# The failed-login counts' table (procurement.LoginFailureCount).
COUNTS_TABLE = "procurement_loginfailurecount"


def assert_logins_work_and_failures_are_counted(base_url: str, counted_rows) -> None:
    wrong = log_in(base_url, "asha", "wrong-password")
    assert wrong.status_code == 200
    assert "Please enter a correct username and password." in wrong.text
    assert counted_rows() == 1

    right = log_in(base_url, "asha", DEMO_PASSWORD)
    assert right.status_code == 302
    assert right.headers["Location"] == "/"


def test_after_migrate_a_login_over_http_succeeds_and_a_failure_is_counted(
    latest_schema_afterwards, live_server, settings
):
    # The live server speaks plain HTTP, which secure cookies are not sent over.
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False
    migrate_to(BEFORE)
    migrate_to(None)
    get_user_model().objects.create_user("asha", password=DEMO_PASSWORD)

    def counted_rows() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(COUNTS_TABLE)}")
            return cursor.fetchone()[0]

    assert_logins_work_and_failures_are_counted(live_server.url, counted_rows)
    assert cache_table_exists() is True


# -- a fresh database, migrated by a process of its own --------------------------------


@pytest.fixture
def fresh_database_url(tmp_path):
    """Return the URL of an empty database of the run's kind; drop it afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_fresh"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    params = connection.settings_dict
    user = ":".join(part for part in (params["USER"], params["PASSWORD"]) if part)
    yield f"postgres://{user}@{params['HOST']}:{params['PORT']}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, env: dict, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.mark.slow
def test_on_a_fresh_database_migrate_alone_lets_a_runserver_sign_people_in(fresh_database_url):
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": fresh_database_url,
        "LOG_LEVEL": "WARNING",
    }
    assert manage("migrate", "--noinput", env=env).returncode == 0
    created = manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('asha', password={DEMO_PASSWORD!r})",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_for(f"{base_url}/healthz")

        def rows(table: str) -> int:
            counted = manage(
                "shell",
                "--no-imports",
                "-c",
                "from django.db import connection; c = connection.cursor(); "
                f"c.execute('SELECT COUNT(*) FROM {table}'); print(c.fetchone()[0])",
                env=env,
            )
            assert counted.returncode == 0, counted.stderr
            return int(counted.stdout)

        assert_logins_work_and_failures_are_counted(base_url, lambda: rows(COUNTS_TABLE))
        # The cache's table is there too, empty until something is cached.
        assert rows(CACHE_TABLE) == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
