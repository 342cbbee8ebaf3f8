"""Failed logins are limited per username and address, in a count the database keeps.

The limit holds under simultaneous attempts: twenty wrong passwords sent at
once to a threaded server get at most the limit's password checks, on
SQLite and on PostgreSQL.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from procurement.login_limits import count_attempt
from procurement.models import LoginFailureCount
from tests.factories import DEMO_PASSWORD
from tests.plugins.network import database_url

pytestmark = pytest.mark.django_db

WAIT = "Too many failed attempts to log in as this user. Wait 15 minutes and try again."
WRONG = "Please enter a correct username and password."
BASE_DIR = Path(__file__).resolve().parents[2]


def log_in(username: str, password: str, *, address: str = "203.0.113.7", admin=False):
    url = reverse("admin:login") if admin else reverse("login")
    return Client(REMOTE_ADDR=address).post(url, {"username": username, "password": password})


def test_failures_are_counted_in_the_database_every_web_node_shares(people):
    for _ in range(3):
        log_in("asha", "wrong-password")

    assert list(LoginFailureCount.objects.values_list("failures", flat=True)) == [3]
    assert log_in("asha", DEMO_PASSWORD).status_code == 302
    assert not LoginFailureCount.objects.exists()


def test_five_failures_make_the_form_say_to_wait_even_with_the_right_password(people):
    for _ in range(5):
        assert WRONG in log_in("asha", "wrong-password").content.decode()

    refused = log_in("asha", DEMO_PASSWORD)

    assert refused.status_code == 200
    assert WAIT in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_four_failures_still_let_the_right_password_in_and_clear_the_count(people):
    for _ in range(4):
        log_in("asha", "wrong-password")

    assert log_in("asha", DEMO_PASSWORD).status_code == 302
    for _ in range(4):
        log_in("asha", "wrong-password")
    assert log_in("asha", DEMO_PASSWORD).status_code == 302


def test_the_limit_is_per_username_and_address(people):
    for _ in range(5):
        log_in("asha", "wrong-password")

    assert log_in("asha", DEMO_PASSWORD, address="198.51.100.9").status_code == 302
    assert log_in("sunil", DEMO_PASSWORD).status_code == 302
    # The username is matched however it is typed.
    assert WAIT in log_in(" ASHA", DEMO_PASSWORD).content.decode()


def test_the_admin_login_is_limited_too(people):
    people.buyer_user.is_staff = True
    people.buyer_user.save()
    for _ in range(5):
        log_in("asha", "wrong-password", admin=True)

    response = log_in("asha", DEMO_PASSWORD, admin=True)

    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_wait_ends_with_the_window(people, settings):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    for _ in range(5):
        log_in("asha", "wrong-password")
    assert "Wait 1 minutes" in log_in("asha", DEMO_PASSWORD).content.decode()

    LoginFailureCount.objects.update(last_failed_at=timezone.now() - timezone.timedelta(seconds=61))

    assert log_in("asha", DEMO_PASSWORD).status_code == 302


def test_a_count_past_its_window_starts_again_at_one(people, settings):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    request = Client(REMOTE_ADDR="203.0.113.7").get("/").wsgi_request
    assert [count_attempt(request, "asha") for _ in range(3)] == [1, 2, 3]

    LoginFailureCount.objects.update(last_failed_at=timezone.now() - timezone.timedelta(seconds=61))

    assert count_attempt(request, "asha") == 1


def test_counts_past_their_window_are_swept_when_a_new_name_is_tried(people, settings):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    request = Client(REMOTE_ADDR="203.0.113.7").get("/").wsgi_request
    for username in ("asha", "sunil"):
        count_attempt(request, username)
    LoginFailureCount.objects.update(last_failed_at=timezone.now() - timezone.timedelta(seconds=61))

    count_attempt(request, "olga")

    assert LoginFailureCount.objects.count() == 1


# -- simultaneous attempts, over HTTP to a threaded server in its own process ----------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*arguments: str, env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def portal_process(transactional_db, tmp_path):
    """Return the address of ``runserver`` (threaded) in its own process, with user ``asha``.

    On PostgreSQL it serves the test database; on SQLite, whose test
    database lives in this process's memory, a migrated database file. The
    passwords are hashed at full strength, so that each check takes long
    enough for simultaneous attempts to overlap.
    """
    env = {
        **os.environ,
        # With DEBUG on, static files need no collectstatic manifest.
        "DEBUG": "true",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
    }
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = database_url(connection.settings_dict)
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
        manage("migrate", "--noinput", env=env)
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('asha', password='{DEMO_PASSWORD}')",
        env=env,
    )
    port = free_port()
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/login/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                output = log.read().decode(errors="replace")
                pytest.fail(f"runserver did not start:\n{output[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def attempt_at_once(url: str, passwords: list[str]) -> list[str]:
    """Post each password for ``asha`` at the same moment; return what each answer said."""
    barrier = threading.Barrier(len(passwords))
    answers = [""] * len(passwords)

    def attempt(index: int, password: str) -> None:
        with requests.Session() as browser:
            page = browser.get(url + "/login/", timeout=30).text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            barrier.wait(timeout=60)
            answer = browser.post(
                url + "/login/",
                data={"username": "asha", "password": password, "csrfmiddlewaretoken": token},
                headers={"Referer": url + "/login/"},
                allow_redirects=False,
                timeout=120,
            )
        if answer.status_code == 302:
            answers[index] = "signed in"
        else:
            text = answer.text.replace("&#x27;", "'")
            answers[index] = next((said for said in (WAIT, WRONG) if said in text), text[:200])

    threads = [
        threading.Thread(target=attempt, args=(index, password))
        for index, password in enumerate(passwords)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


@pytest.mark.slow
def test_twenty_simultaneous_wrong_passwords_get_at_most_the_limits_checks(portal_process):
    """Only an attempt under the limit has its password checked and answers "wrong"."""
    answers = attempt_at_once(portal_process, ["wrong-password"] * 20)

    assert Counter(answers) == {WRONG: 5, WAIT: 15}
    # Then even the right password waits.
    assert attempt_at_once(portal_process, [DEMO_PASSWORD]) == [WAIT]
