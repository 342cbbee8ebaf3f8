"""Failed logins are limited per username and address, in the shared database cache."""

import datetime

import django.core.cache.backends.db
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

WAIT = "Too many failed attempts to log in as this user. Wait 15 minutes and try again."
WRONG = "Please enter a correct username and password."


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def log_in(username: str, password: str, *, address: str = "203.0.113.7", admin=False):
    url = reverse("admin:login") if admin else reverse("login")
    return Client(REMOTE_ADDR=address).post(url, {"username": username, "password": password})


def test_the_cache_is_the_database_one_shared_by_every_web_node(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


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


def test_the_wait_ends_with_the_window(people, settings, monkeypatch):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    for _ in range(5):
        log_in("asha", "wrong-password")
    assert "Wait 1 minutes" in log_in("asha", DEMO_PASSWORD).content.decode()

    # The database cache reads its clock here to expire entries.
    later = timezone.now() + datetime.timedelta(seconds=61)
    monkeypatch.setattr(django.core.cache.backends.db, "tz_now", lambda: later)

    assert log_in("asha", DEMO_PASSWORD).status_code == 302
