"""A signed-in session ends after half an hour idle and twelve hours after its login.

Time passing is played by moving the session's own stamps back, as the
middleware reads nothing else.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse

from procurement import sessions
from tests.factories import DEMO_PASSWORD
from tests.purchase_orders.views.test_live_stamps import LIVE

pytestmark = pytest.mark.django_db

IDLE = "You were signed out after 30 minutes of inactivity. Log in again to carry on."
LIFETIME = (
    "You were signed out because you had been signed in for 12 hours. Log in again to carry on."
)


def signed_in(username: str) -> Client:
    """Return a client that logged in through the login page, as a person does."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def age(client: Client, *, idle: int = 0, signed_in_for: int = 0) -> None:
    """Make the session look ``idle`` seconds since its last request, ``signed_in_for`` old."""
    session = client.session
    now = int(time.time())
    session[sessions.SEEN_AT] = now - idle
    session[sessions.SIGNED_IN_AT] = now - max(idle, signed_in_for)
    session.save()


def test_the_defaults_suit_a_business_portal(settings):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_LIFETIME_SECONDS == 12 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_LIFETIME_SECONDS


def test_a_session_within_both_limits_stays_signed_in_and_its_activity_counts(people):
    client = signed_in("asha")
    age(client, idle=29 * 60, signed_in_for=11 * 60 * 60)

    assert client.get(reverse("home")).status_code == 200
    assert int(time.time()) - client.session[sessions.SEEN_AT] < 5
    # Another 29 minutes on, it is still within the idle limit: the last request counted.
    session = client.session
    session[sessions.SEEN_AT] -= 29 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_a_request_after_the_idle_limit_lands_on_login_saying_why(people):
    client = signed_in("asha")
    age(client, idle=31 * 60)

    response = client.get(reverse("purchase_orders:list"), follow=True)

    assert response.redirect_chain == [
        (f"{reverse('login')}?next={reverse('purchase_orders:list')}", 302)
    ]
    assert IDLE in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Said once: the login page asked again has nothing to explain.
    assert IDLE not in client.get(reverse("login")).content.decode()


def test_a_request_beyond_the_lifetime_lands_on_login_however_busy(people):
    client = signed_in("asha")
    age(client, idle=10, signed_in_for=12 * 60 * 60 + 1)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain == [(f"{reverse('login')}?next=/", 302)]
    assert LIFETIME in response.content.decode()
    assert client.get(reverse("purchase_orders:list")).status_code == 302


def test_the_admin_is_signed_out_too(people):
    people.buyer_user.is_staff = people.buyer_user.is_superuser = True
    people.buyer_user.save()
    client = signed_in("asha")
    assert client.get(reverse("admin:index")).status_code == 200
    age(client, idle=31 * 60)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_limits_follow_the_settings(people, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 5 * 60
    client = signed_in("asha")
    age(client, idle=6 * 60)

    response = client.get(reverse("home"), follow=True)

    assert "You were signed out after 5 minutes of inactivity." in response.content.decode()


def test_an_open_pages_refresh_does_not_keep_an_idle_session_alive(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    client = signed_in("asha")
    page = purchase_order.get_absolute_url()
    age(client, idle=20 * 60)
    seen_at = client.session[sessions.SEEN_AT]

    refreshed = client.get(page, headers={"X-Live-Refresh": "1"})

    assert refreshed.status_code == 200
    assert client.session[sessions.SEEN_AT] == seen_at
    session = client.session
    session[sessions.SEEN_AT] -= 11 * 60
    session.save()
    assert client.get(page, headers={"X-Live-Refresh": "1"})["Location"].startswith(
        reverse("login")
    )


def test_an_open_pages_polls_still_answer_after_its_session_ended(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    client = signed_in("asha")
    url, token, stamp = LIVE.search(
        client.get(purchase_order.get_absolute_url()).content.decode()
    ).groups()
    age(client, idle=31 * 60)
    assert client.get(reverse("home")).status_code == 302

    # The poll carries the page's token and no cookie: it neither needs the
    # session nor keeps it alive.
    poll = Client().get(url, headers={"X-Live-Token": token, "If-None-Match": f'"{stamp}"'})

    assert poll.status_code == 304
