"""ViewerMiddleware: who looks, read once per request, and nothing kept on the user."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_page_knows_its_viewers_businesses_from_the_request(people):
    response = people.buyer_client.get(reverse("home"))

    request = response.wsgi_request
    assert response.status_code == 200
    assert request.viewer.buyer_ids == frozenset({people.buyer.pk})
    assert request.viewer.supplier_ids == frozenset()
    assert not any(name.startswith("_portal") for name in vars(request.user))


def test_the_memberships_are_read_once_for_the_page_and_its_navigation(people):
    with CaptureQueriesContext(connection) as queries:
        response = people.buyer_client.get(reverse("home"))

    reads = [q["sql"] for q in queries.captured_queries if "purchase_orders_membership" in q["sql"]]
    assert response.status_code == 200
    assert len(reads) == 1
