"""Logging in and out, changing the password, and what anonymous visitors get."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_uses_the_standard_username_and_password_fields(client, people):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_logging_in_leads_to_the_home_page(people):
    client = Client()

    response = client.post(reverse("login"), {"username": "asha", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == people.buyer_user.pk


def test_a_wrong_password_is_refused_with_a_message(people):
    client = Client()

    response = client.post(reverse("login"), {"username": "asha", "password": "not-it"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_returns_to_the_page_asked_for(people):
    client = Client()
    target = reverse("purchase_orders:list")

    response = client.post(
        reverse("login"), {"username": "asha", "password": DEMO_PASSWORD, "next": target}
    )

    assert response["Location"] == target


def test_logging_out_takes_a_post_and_ends_the_session(people):
    client = people.buyer_client

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


def test_every_page_offers_log_out_as_a_csrf_protected_form(people):
    content = people.buyer_client.get(reverse("home")).content.decode()

    assert f'action="{reverse("logout")}"' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_changing_the_password(people):
    client = people.buyer_client

    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "monsoon-ledger-4821",
            "new_password2": "monsoon-ledger-4821",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    people.buyer_user.refresh_from_db()
    assert people.buyer_user.check_password("monsoon-ledger-4821") is True
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_old_password_changes_nothing(people):
    response = people.buyer_client.post(
        reverse("password_change"),
        {
            "old_password": "guess",
            "new_password1": "monsoon-ledger-4821",
            "new_password2": "monsoon-ledger-4821",
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    people.buyer_user.refresh_from_db()
    assert people.buyer_user.check_password(DEMO_PASSWORD) is True


@pytest.mark.parametrize(
    ("name", "takes_id", "method"),
    [
        ("home", False, "get"),
        ("password_change", False, "get"),
        ("purchase_orders:list", False, "get"),
        ("purchase_orders:inbox", False, "get"),
        ("purchase_orders:inbox-stamp", False, "get"),
        ("purchase_orders:create", False, "get"),
        ("purchase_orders:detail", True, "get"),
        ("purchase_orders:stamp", True, "get"),
        ("purchase_orders:print", True, "get"),
        ("purchase_orders:pdf", True, "get"),
        ("purchase_orders:edit", True, "get"),
        ("purchase_orders:compare", True, "get"),
        ("purchase_orders:change-status", True, "get"),
        ("purchase_orders:send", True, "post"),
        ("purchase_orders:confirm", True, "post"),
        ("purchase_orders:reject", True, "post"),
        ("purchase_orders:duplicate", True, "post"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(people, name, takes_id, method):
    purchase_order = people.purchase_order(sent=True)
    url = reverse(name, kwargs={"object_id": purchase_order.object_id} if takes_id else None)

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_retry_is_sent_to_log_in(people):
    purchase_order = people.purchase_order(sent=True)
    url = reverse(
        "purchase_orders:retry", kwargs={"object_id": purchase_order.object_id, "message_id": 1}
    )

    response = Client().post(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_forms_refuse_a_post_without_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.supplier_user)
    purchase_order = people.purchase_order(sent=True)

    response = client.post(reverse("purchase_orders:confirm", args=[purchase_order.object_id]))

    assert response.status_code == 403
    purchase_order.refresh_from_db()
    assert purchase_order.status == "CREATED"
