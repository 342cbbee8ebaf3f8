"""A supplier search's page follows the network live: its stamp, its poll, what wakes it."""

import json
import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from purchase_orders import live_wait, selectors
from purchase_orders.models import OutboundMessage, SupplierSearch
from purchase_orders.views import live
from tests.factories import make_search

pytestmark = pytest.mark.django_db

LIVE = re.compile(r'data-live-url="([^"]+)" data-live-token="([^"]+)" data-stamp="([^"]+)"')


def live_of(client, search: SupplierSearch) -> tuple[str, str, str]:
    response = client.get(reverse("purchase_orders:supplier-search", args=[search.pk]))
    match = LIVE.search(response.content.decode())
    assert match, "the page carries no live token"
    return match.groups()


def poll(url: str, token: str, stamp: str, *, wait: float | None = None, threaded=False):
    headers = {"X-Live-Token": token, "If-None-Match": f'"{stamp}"'}
    if wait is not None:
        headers["X-Live-Wait"] = str(wait)
    return Client().get(url, headers=headers, **{"wsgi.multithread": threaded})


def answer(search: SupplierSearch) -> None:
    SupplierSearch.objects.filter(pk=search.pk).update(
        state=SupplierSearch.State.ANSWERED, results=[{"name": "Kaveri", "b2bIds": []}]
    )


def retry(search: SupplierSearch) -> None:
    # As the outbox does: a queryset update, which sends no Django signal.
    OutboundMessage.objects.filter(pk=search.outbound_message_id).update(
        state=OutboundMessage.State.RETRYING, attempts=1
    )


def test_the_poll_is_304_until_the_search_changes(people, django_assert_num_queries):
    search = make_search(people.buyer)
    url, token, stamp = live_of(people.buyer_client, search)

    with django_assert_num_queries(1):
        assert poll(url, token, stamp).status_code == 304
    retry(search)
    changed = poll(url, token, stamp)
    assert changed.status_code == 200
    assert changed.json()["stamp"] != stamp
    answer(search)
    assert poll(url, token, changed.json()["stamp"]).json()["stamp"] != changed.json()["stamp"]


def test_the_page_and_its_poll_agree_on_the_stamp(people):
    search = make_search(people.buyer)
    url, token, stamp = live_of(people.buyer_client, search)

    assert Client().get(url, headers={"X-Live-Token": token}).json()["stamp"] == stamp
    buyer = selectors.Viewer(user=None, buyer_ids=frozenset({people.buyer.pk}))
    assert selectors.supplier_search_stamp(viewer=buyer, pk=search.pk) == stamp


def test_an_answered_search_still_carries_its_token_so_an_open_page_swaps_the_answer_in(people):
    """The page's script stops following a page whose fresh copy carries no token."""
    search = make_search(people.buyer)
    answer(search)

    assert live_of(people.buyer_client, search)


def test_the_token_names_only_the_business_that_asked(people):
    search = make_search(people.buyer)
    _, token, _ = live_of(people.buyer_client, search)

    claims = live.viewer_from_token(token, scope=live.search_scope(search.pk))

    assert (claims.buyer_ids, claims.supplier_ids) == (frozenset({people.buyer.pk}), frozenset())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", [answer, retry])
def test_a_waiting_poll_is_answered_soon_after_a_change_commits(people, change):
    """Held for up to 20 s, the poll is answered within 3 s of the commit.

    On PostgreSQL what answers is the trigger's notification (migration
    0012): the listener is connected first; on SQLite, a re-check.
    """
    search = make_search(people.buyer)
    url, token, stamp = live_of(people.buyer_client, search)
    answers = []

    def held() -> None:
        try:
            answers.append((poll(url, token, stamp, wait=20, threaded=True), time.monotonic()))
        finally:
            connection.close()

    waiting = threading.Thread(target=held)
    waiting.start()
    if connection.vendor == "postgresql":
        deadline = time.monotonic() + 10
        while not live_wait.HUB.listening and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_wait.HUB.listening
        assert live_wait.HUB.recheck_seconds(20) == 20
    time.sleep(0.6)
    assert answers == []
    change(search)
    committed = time.monotonic()
    waiting.join(timeout=15)

    assert answers, "the waiting poll was not answered"
    answered, at = answers[0]
    assert answered.status_code == 200
    assert answered.json()["stamp"] != stamp
    assert at - committed < 3


def test_only_the_waiters_of_the_search_are_woken_by_its_notification(people, settings):
    settings.LIVE_LISTEN = False  # this hub's waiters are woken by hand
    viewer = selectors.Viewer(user=None, buyer_ids=frozenset({people.buyer.pk}))
    hub = live_wait.Hub()
    waiters = {
        "search 5": hub.add(live.search_scope(5), viewer),
        "search 6": hub.add(live.search_scope(6), viewer),
        "home": hub.add(live.HOME, viewer),
        "list": hub.add(live.LIST, viewer),
    }

    hub.wake(json.dumps(["search:5", None, None]))

    assert {name for name, waiter in waiters.items() if waiter.event.is_set()} == {"search 5"}
