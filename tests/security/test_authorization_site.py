"""Who may open the pages outside ``purchase_orders/urls.py``: home, health, API docs, admin.

Each test names what the allowed visitor gets, so that a page refusing
everyone fails, and keeps the refusals of the others.
"""

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from purchase_orders import lifecycle
from tests.purchase_orders.admin.conftest import demo  # noqa: F401  (the seeded data)
from tests.security.authorization import order_in, text

pytestmark = pytest.mark.django_db
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
BUYER_SECTIONS = ("rejected-heading", "sent-heading", "drafts-heading")
SUPPLIER_SECTIONS = ("awaiting-heading",)


def sections(content: str) -> set[str]:
    return {name for name in BUYER_SECTIONS + SUPPLIER_SECTIONS if f'id="{name}"' in content}


def test_home_shows_each_role_its_own_sections(people):
    draft = order_in(people, lifecycle.DRAFT)
    sent = order_in(people, lifecycle.CREATED)
    url = reverse("home")

    buyer = people.buyer_client.get(url)
    supplier = people.supplier_client.get(url)
    outsider = people.outsider_client.get(url)

    assert (buyer.status_code, supplier.status_code, outsider.status_code) == (200, 200, 200)
    assert sections(text(buyer)) == set(BUYER_SECTIONS)
    assert sections(text(supplier)) == set(SUPPLIER_SECTIONS)
    assert sections(text(outsider)) == set(BUYER_SECTIONS + SUPPLIER_SECTIONS)
    assert draft.buyer_po_number in text(buyer)
    assert draft.buyer_po_number not in text(supplier)
    assert sent.buyer_po_number in text(supplier)
    for number in (draft.buyer_po_number, sent.buyer_po_number):
        assert number not in text(outsider)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{reverse('login')}?next={url}"


def test_healthz_answers_ok_without_a_login(db):
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["status"], body["database"]["ok"]) == ("ok", True)
    assert Client().post("/healthz").status_code == 405


DOCS_URLS = ("/api/schema/?format=json", "/api/docs/", "/api/docs/?script=")


def assert_the_docs_are_served(client):
    schema = client.get("/api/schema/", {"format": "json"})
    docs = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert schema.status_code == 200
    assert schema.json()["info"]["title"].startswith("Procurement portal")
    assert schema.json()["paths"]
    assert docs.status_code == 200
    assert "/api/docs/?script=" in text(docs)
    assert script.status_code == 200
    assert reverse("api:schema") in text(script)


def test_the_api_schema_and_docs_are_for_staff(people, admin_client):
    assert_the_docs_are_served(admin_client)
    for url in DOCS_URLS:
        anonymous = Client().get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"] == f"{reverse('login')}?next={quote(url, safe='/')}"
        assert people.buyer_client.get(url).status_code == 403


def test_the_api_schema_and_docs_are_public_when_opened_or_with_debug(people, settings):
    settings.API_DOCS_PUBLIC = True
    assert_the_docs_are_served(Client())
    assert_the_docs_are_served(people.buyer_client)

    settings.API_DOCS_PUBLIC = False
    settings.DEBUG = True
    assert_the_docs_are_served(Client())


def test_the_webhooks_stay_open_to_the_network_when_the_docs_are_closed(signed_post):
    # The webhooks authenticate by their signature, not by a login.
    response = signed_post("req-confirm", {"unexpected": True})

    assert response.status_code == 400


def admin_urls(model) -> list[str]:
    """Return the change list and the change page of a model's first row."""
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    pk = model._default_manager.values_list("pk", flat=True).first()
    assert pk is not None, f"the demo has no {model._meta.label}"
    return [reverse(f"{info}_changelist"), reverse(f"{info}_change", args=[pk])]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_pages_open_for_a_superuser_and_send_others_to_log_in(demo, model):  # noqa: F811
    superuser = Client()
    superuser.force_login(get_user_model().objects.get(username="admin"))
    non_staff = get_user_model().objects.filter(is_staff=False, memberships__isnull=False).first()
    member = Client()
    member.force_login(non_staff)

    for url in admin_urls(model):
        assert superuser.get(url).status_code == 200, url
        for client in (member, Client()):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"{reverse('admin:login')}?next=")
