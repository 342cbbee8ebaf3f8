"""A page not found is the portal's own 404 page, with DEBUG on as off."""

import pytest
from django.http import HttpResponseNotFound, JsonResponse

from procurement.middleware import PortalNotFoundMiddleware

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
@pytest.mark.parametrize("path", ["/no/such/page/", "/purchase-orders/PONOSUCHORDER/"])
def test_a_missing_page_is_the_portals_404_page_with_no_inline_style(people, settings, debug, path):
    settings.DEBUG = debug

    response = people.buyer_client.get(path)

    assert response.status_code == 404
    assert {"404.html", "base.html"} <= {t.name for t in response.templates}
    content = response.content.decode()
    assert "<h1>Not found</h1>" in content
    assert "<style" not in content
    assert "style=" not in content


def test_with_debug_on_an_answer_that_is_not_a_page_is_left_as_it_is(rf, settings):
    settings.DEBUG = True
    answer = JsonResponse({"response_code": 404}, status=404)

    response = PortalNotFoundMiddleware(lambda request: answer)(rf.get("/api/v0/x"))

    assert response is answer


def test_with_debug_on_a_page_of_the_portals_own_that_answers_404_is_left_as_it_is(rf, settings):
    settings.DEBUG = True
    answer = HttpResponseNotFound("<h1>This invitation link was not made here</h1>")

    response = PortalNotFoundMiddleware(lambda request: answer)(rf.get("/invitations/x/"))

    assert response is answer
