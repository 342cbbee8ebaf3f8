"""The stamps open pages poll with their signed token (``views/live.py``).

A poll carries the page's token and no cookie: it is answered 304 while
the stamp is the one it names, with the new stamp once something changed,
in one query and without a template; a forged, expired or other page's
token is refused, and a token never tells anything of another business's
orders. Every test runs twice: through Django's view, and through
``purchase_orders.live_wsgi``, which answers polls before Django's stack in
production (``procurement/wsgi.py``); a poll it leaves to Django goes to the
view.
"""

import json
import re
import time
from unittest import mock

import pytest
from django.core import signing
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from purchase_orders import lifecycle, live_wait, live_wsgi, selectors
from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.views import live

pytestmark = pytest.mark.django_db

LIVE = re.compile(r'data-live-url="([^"]+)" data-live-token="([^"]+)" data-stamp="([^"]+)"')


def live_of(client, url: str) -> tuple[str, str, str]:
    """Return the stamp URL, token and stamp a page carries."""
    response = client.get(url)
    assert response.status_code == 200
    match = LIVE.search(response.content.decode())
    assert match, "the page carries no live token"
    return match.groups()


class Answered:
    """A poll's answer from ``live_wsgi``, read as the tests read the test client's."""

    templates: list = []
    cookies: dict = {}

    def __init__(self, status: str, headers: list, body: bytes):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.content = body

    def __getitem__(self, name: str) -> str:
        return self.headers[name]

    def get(self, name: str, default=None):
        return self.headers.get(name, default)

    def json(self):
        return json.loads(self.content)


@pytest.fixture(autouse=True, params=["view", "wsgi"])
def polled_through(request, monkeypatch):
    """Run each test with the polls answered by Django's view, then by ``live_wsgi``."""
    monkeypatch.setattr(f"{__name__}.POLLED_THROUGH", request.param)
    return request.param


POLLED_THROUGH = "view"


def poll(
    url: str,
    token: str,
    stamp: str | None = None,
    method: str = "get",
    *,
    wait: float | None = None,
    threaded: bool = False,
):
    """Poll as the page's script does: a fresh client, no cookie, the token, If-None-Match.

    With ``wait``, the poll asks to be held until the stamp changes; with
    ``threaded``, the server says it runs requests in threads (as gthread
    and runserver do), without which a poll is never held.
    """
    headers = {"X-Live-Token": token}
    if stamp is not None:
        headers["If-None-Match"] = f'"{stamp}"'
    if wait is not None:
        headers["X-Live-Wait"] = str(wait)
    extra = {"wsgi.multithread": threaded}
    if POLLED_THROUGH == "wsgi":
        environ = RequestFactory().generic(method.upper(), url, headers=headers, **extra).environ
        answered = live_wsgi.answer(environ)
        if answered is not None:
            return Answered(*answered)
        assert method != "get", "live_wsgi left a GET poll to Django"
    return getattr(Client(), method)(url, headers=headers, **extra)


def save(purchase_order: PurchaseOrder, **fields) -> None:
    for name, value in fields.items():
        setattr(purchase_order, name, value)
    purchase_order.save()


def viewer_of(people, user) -> selectors.Viewer:
    return selectors.get_viewer(user)


def test_the_order_page_poll_is_304_until_the_order_changes(people, django_assert_num_queries):
    purchase_order = people.purchase_order(sent=True, lines=1)
    url, token, stamp = live_of(people.supplier_client, purchase_order.get_absolute_url())
    assert url == reverse("purchase_orders:stamp", args=[purchase_order.object_id])

    with django_assert_num_queries(1):
        unchanged = poll(url, token, stamp)
    save(purchase_order, status=PurchaseOrder.Status.ACCEPTED)
    changed = poll(url, token, stamp)

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.templates == []
    assert changed.status_code == 200
    new_stamp = changed.json()["stamp"]
    assert new_stamp != stamp
    assert changed["ETag"] == f'"{new_stamp}"'
    assert poll(url, token, new_stamp).status_code == 304


def test_the_poll_reads_no_session_and_sets_no_cookie(people, django_assert_num_queries):
    purchase_order = people.purchase_order(sent=True, lines=1)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())

    with django_assert_num_queries(1) as queries:
        response = poll(url, token)

    assert response.status_code == 200
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")
    sql = queries.captured_queries[0]["sql"]
    assert "django_session" not in sql and "auth_user" not in sql
    assert "purchase_orders_membership" not in sql


def test_a_new_message_or_event_changes_the_order_stamp(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())

    message = people.message(purchase_order)
    after_message = poll(url, token, stamp)
    OutboundMessage.objects.filter(pk=message.pk).update(state=OutboundMessage.State.SENT)
    after_sent = poll(url, token, after_message.json()["stamp"])

    assert after_message.status_code == 200
    assert after_sent.status_code == 200


def test_the_page_and_its_poll_agree_on_the_stamp(people):
    purchase_order = people.purchase_order(sent=True, lines=2)
    people.message(purchase_order, state=OutboundMessage.State.ACKNOWLEDGED)
    people.message(purchase_order, state=OutboundMessage.State.QUEUED)
    url, token, stamp = live_of(people.supplier_client, purchase_order.get_absolute_url())

    assert poll(url, token, stamp).status_code == 304
    viewer = viewer_of(people, people.supplier_user)
    assert stamp == selectors.purchase_order_stamp(
        viewer=viewer, object_id=purchase_order.object_id
    )


@pytest.mark.parametrize("who", ["admin", "approver"])
def test_anyone_of_the_buying_business_who_sees_the_order_follows_it(people, who):
    purchase_order = people.purchase_order(sent=True, lines=2)
    client = getattr(people, f"{who}_client")
    url, token, stamp = live_of(client, purchase_order.get_absolute_url())

    assert poll(url, token, stamp).status_code == 304
    assert client.get(url).status_code == 200
    people.message(purchase_order, state=OutboundMessage.State.QUEUED)
    assert poll(url, token, stamp).status_code == 200


@pytest.mark.parametrize(
    ("user", "page", "change"),
    [
        ("buyer_user", "purchase_orders:list", "new draft"),
        ("supplier_user", "purchase_orders:inbox", "new order"),
        ("buyer_user", "home", "new draft"),
        ("supplier_user", "home", "new order"),
    ],
)
def test_the_list_and_home_polls_change_when_an_order_arrives(people, user, page, change):
    client = people.client(getattr(people, user))
    url, token, stamp = live_of(client, reverse(page))

    assert poll(url, token, stamp).status_code == 304
    people.purchase_order(sent=change == "new order", lines=0)
    changed = poll(url, token, stamp)

    assert changed.status_code == 200
    assert changed.json()["stamp"] != stamp


def test_a_draft_does_not_change_the_suppliers_inbox(people):
    url, token, stamp = live_of(people.supplier_client, reverse("purchase_orders:inbox"))

    people.purchase_order(lines=0)

    assert poll(url, token, stamp).status_code == 304


def test_home_changes_when_a_delivery_fails(people):
    purchase_order = people.purchase_order(sent=True, lines=0)
    message = people.message(purchase_order, state=OutboundMessage.State.SENDING)
    url, token, stamp = live_of(people.buyer_client, reverse("home"))

    # The failure is written to the message alone; the order is not saved.
    OutboundMessage.objects.filter(pk=message.pk).update(state=OutboundMessage.State.FAILED)

    assert poll(url, token, stamp).status_code == 200


def test_a_forged_token_is_refused(people):
    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())
    value, signature = token.rsplit(":", 1)
    forged = f"{value}:{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    scope = live.purchase_order_scope(purchase_order.object_id)
    unsigned = signing.dumps(
        {"scope": scope, "buyers": [people.buyer.pk], "suppliers": []}, salt="another salt"
    )

    for bad in (forged, unsigned, "", "not a token"):
        response = poll(url, bad, stamp)
        assert response.status_code == 403, bad
        assert "stamp" not in response.json()


def test_an_expired_token_is_refused(people):
    purchase_order = people.purchase_order(sent=True, lines=0)
    signed_at = time.time() - live.TOKEN_MAX_AGE - 5
    with mock.patch("django.core.signing.time.time", return_value=signed_at):
        url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())

    assert poll(url, token, stamp).status_code == 403


def test_a_token_is_for_its_own_page_only(people):
    first = people.purchase_order(sent=True, lines=0)
    second = people.purchase_order(sent=True, lines=0)
    _, first_token, _ = live_of(people.buyer_client, first.get_absolute_url())
    list_url, list_token, _ = live_of(people.buyer_client, reverse("purchase_orders:list"))
    home_url, home_token, _ = live_of(people.buyer_client, reverse("home"))
    second_url = reverse("purchase_orders:stamp", args=[second.object_id])

    assert poll(second_url, first_token).status_code == 403
    assert poll(list_url, first_token).status_code == 403
    assert poll(second_url, list_token).status_code == 403
    assert poll(reverse("purchase_orders:inbox-stamp"), list_token).status_code == 403
    assert poll(list_url, home_token).status_code == 403
    assert poll(home_url, list_token).status_code == 403


def test_a_token_never_reveals_another_businesss_order(people):
    """A validly signed token for another business's order finds nothing, as a page would."""
    draft = people.purchase_order(lines=0)
    sent = people.purchase_order(sent=True, lines=0)
    outsider = viewer_of(people, people.outsider_user)
    supplier = viewer_of(people, people.supplier_user)

    for viewer, purchase_order in ((outsider, sent), (outsider, draft), (supplier, draft)):
        scope = live.purchase_order_scope(purchase_order.object_id)
        url = reverse("purchase_orders:stamp", args=[purchase_order.object_id])
        token = live.follow(viewer=viewer, scope=scope, url=url, stamp="")["token"]
        response = poll(url, token)
        assert response.status_code == 404
        assert response.json() == {"error": "not found"}


def test_another_businesss_changes_leave_a_lists_stamp_alone(people):
    client = people.outsider_client
    polled = [live_of(client, reverse(page)) for page in ("purchase_orders:list", "home")]
    polled.append(live_of(client, reverse("purchase_orders:inbox")))

    sent = people.purchase_order(sent=True, lines=0)
    save(sent, status=PurchaseOrder.Status.ACCEPTED, delivered_at=timezone.now())
    people.message(sent, state=OutboundMessage.State.FAILED)

    for url, token, stamp in polled:
        assert poll(url, token, stamp).status_code == 304, url


def test_the_page_token_names_only_the_businesses_party_to_the_order(people):
    purchase_order = people.purchase_order(sent=True, lines=0)
    _, token, _ = live_of(people.supplier_client, purchase_order.get_absolute_url())

    claims = signing.loads(token, salt=live.TOKEN_SALT)

    assert claims == {
        "scope": live.purchase_order_scope(purchase_order.object_id),
        "buyers": [],
        "suppliers": [people.supplier.pk],
    }
    assert lifecycle.SUPPLIER in viewer_of(people, people.supplier_user).roles_for(purchase_order)


def test_a_poll_is_get_only(people):
    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, _ = live_of(people.buyer_client, purchase_order.get_absolute_url())

    assert poll(url, token, method="post").status_code == 405


def test_an_open_edit_form_carries_the_orders_token(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    url, token, stamp = live_of(
        people.buyer_client, reverse("purchase_orders:edit", args=[purchase_order.object_id])
    )

    page = people.buyer_client.get(reverse("purchase_orders:edit", args=[purchase_order.object_id]))
    assert 'data-live-mode="notice"' in page.content.decode()
    assert url == reverse("purchase_orders:stamp", args=[purchase_order.object_id])
    assert poll(url, token, stamp).status_code == 304


def test_the_wsgi_application_answers_polls_and_passes_everything_else(people, polled_through):
    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())
    passed = []

    def django(environ, start_response):
        passed.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"from Django"]

    application = live_wsgi.LiveStamps(django)
    answers = []

    def call(target: str, method: str = "GET", **headers) -> bytes:
        environ = RequestFactory().generic(method, target, headers=headers).environ
        body = b"".join(application(environ, lambda status, _: answers.append(status)))
        return body

    assert call(url, **{"X-Live-Token": token, "If-None-Match": f'"{stamp}"'}) == b""
    assert call(url, "HEAD", **{"X-Live-Token": token}) == b""
    assert call(url, **{"X-Live-Token": token}) == json.dumps({"stamp": stamp}).encode()
    assert answers == ["304 Not Modified", "200 OK", "200 OK"]
    assert passed == []
    for target, method, headers in (
        (url, "GET", {}),  # no token: the session's way, Django's
        (url, "POST", {"X-Live-Token": token}),
        (url.rstrip("/"), "GET", {"X-Live-Token": token}),
        (purchase_order.get_absolute_url(), "GET", {"X-Live-Token": token}),
        (url, "GET", {"X-Live-Token": token, "Host": "elsewhere.example"}),
    ):
        assert call(target, method, **headers) == b"from Django", (target, method, headers)
    assert len(passed) == 5


def inline(function, **_):
    """``sync_to_async`` that runs the function in the caller's thread."""

    async def run(*args, **kwargs):
        return function(*args, **kwargs)

    return run


@pytest.mark.django_db(transaction=True)
def test_the_asgi_application_answers_polls(people, polled_through, monkeypatch):
    import asyncio

    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())
    sent = []

    async def django(scope, receive, send):
        raise AssertionError("the poll was left to Django")

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": url,
        "scheme": "http",
        "server": ("testserver", 80),
        "headers": [(b"x-live-token", token.encode()), (b"if-none-match", f'"{stamp}"'.encode())],
    }
    async def polls() -> float:
        from django.db import connections

        application = live_wsgi.LiveStampsASGI(django)
        try:
            await application(scope, None, send)
            started = time.monotonic()
            scope["headers"].append((b"x-live-wait", b"1"))
            await application(scope, None, send)
            return time.monotonic() - started
        finally:
            connections.close_all()  # the event loop's own connection

    # The poll's queries run in Django's thread for sync code; here they run
    # in the event loop's, on a connection of its own (so the data is committed).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with mock.patch("asgiref.sync.sync_to_async", inline):
        waited = asyncio.run(polls())

    assert sent[0]["status"] == 304
    assert (b"etag", f'"{stamp}"'.encode()) in sent[0]["headers"]
    assert sent[1] == {"type": "http.response.body", "body": b""}
    # Asked to wait, the unchanged poll is held for its second, in the event loop.
    assert sent[2]["status"] == 304
    assert waited >= 0.9


def test_a_pending_action_and_its_messages_state_change_the_stamps(people, polled_through):
    purchase_order = people.purchase_order(sent=True, lines=0)
    polled = [live_of(people.buyer_client, purchase_order.get_absolute_url())]
    polled += [
        live_of(people.buyer_client, reverse(page)) for page in ("purchase_orders:list", "home")
    ]
    polled.append(live_of(people.supplier_client, reverse("purchase_orders:inbox")))
    message = people.message(purchase_order, state=OutboundMessage.State.QUEUED)
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(
        pending_action=lifecycle.CANCEL, pending_message=message
    )

    for url, token, stamp in polled:
        # A pending action set without saving the order (no updated_at moved) still shows.
        pending = poll(url, token, stamp)
        assert pending.status_code == 200, url
        after = pending.json()["stamp"]
        OutboundMessage.objects.filter(pk=message.pk).update(state=OutboundMessage.State.RETRYING)
        assert poll(url, token, after).status_code == 200, url
        OutboundMessage.objects.filter(pk=message.pk).update(state=OutboundMessage.State.QUEUED)


# Long polls: a poll that asks to wait is held until its stamp changes.


def test_an_unchanged_poll_asked_to_wait_is_304_after_its_wait(people):
    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())

    started = time.monotonic()
    held = poll(url, token, stamp, wait=1, threaded=True)
    waited = time.monotonic() - started

    assert held.status_code == 304
    assert held["ETag"] == f'"{stamp}"'
    assert 0.9 <= waited < 5


def test_a_changed_stamp_is_answered_at_once_even_when_asked_to_wait(people):
    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())
    save(purchase_order, status=PurchaseOrder.Status.ACCEPTED)

    started = time.monotonic()
    changed = poll(url, token, stamp, wait=20, threaded=True)

    assert changed.status_code == 200
    assert changed.json()["stamp"] != stamp
    assert time.monotonic() - started < 1


def test_refused_and_unknown_polls_are_not_held(people):
    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())
    outsider = viewer_of(people, people.outsider_user)
    scope = live.purchase_order_scope(purchase_order.object_id)
    outsiders = live.follow(viewer=outsider, scope=scope, url=url, stamp="")["token"]

    started = time.monotonic()
    assert poll(url, "not a token", stamp, wait=20, threaded=True).status_code == 403
    assert poll(url, outsiders, stamp, wait=20, threaded=True).status_code == 404
    assert time.monotonic() - started < 1


def test_a_single_threaded_server_or_a_full_process_does_not_hold_a_poll(people, settings):
    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())

    started = time.monotonic()
    # gunicorn's sync worker: one request at a time, so a held poll would block it.
    assert poll(url, token, stamp, wait=20, threaded=False).status_code == 304
    settings.LIVE_WAITERS_PER_PROCESS = 0
    assert poll(url, token, stamp, wait=20, threaded=True).status_code == 304
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("value", ["", "0", "-3", "nan", "soon"])
def test_a_poll_asking_no_sensible_wait_is_answered_at_once(people, value):
    purchase_order = people.purchase_order(sent=True, lines=0)
    url, token, stamp = live_of(people.buyer_client, purchase_order.get_absolute_url())

    started = time.monotonic()
    assert poll(url, token, stamp, wait=value, threaded=True).status_code == 304
    assert time.monotonic() - started < 1
    assert live_wait.requested_wait("600") == live_wait.MAX_WAIT_SECONDS


def change_the_order(purchase_order: PurchaseOrder) -> None:
    save(purchase_order, status=PurchaseOrder.Status.ACCEPTED)


def fail_its_message(purchase_order: PurchaseOrder) -> None:
    # As the outbox does: a queryset update, which sends no Django signal.
    OutboundMessage.objects.filter(purchase_order=purchase_order).update(
        state=OutboundMessage.State.FAILED
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", [change_the_order, fail_its_message])
@pytest.mark.parametrize("page", ["order", "home"])
def test_a_waiting_poll_is_answered_soon_after_a_change_commits(people, change, page):
    """Held for up to 20 s, the poll is answered within a generous 3 s of the commit.

    On PostgreSQL the process's listener is connected first, so that what
    answers is the trigger's notification, not a re-check (SQLite's way,
    every 0.5 s).
    """
    import threading

    from django.db import connection

    purchase_order = people.purchase_order(sent=True, lines=0)
    people.message(purchase_order, state=OutboundMessage.State.SENDING)
    target = purchase_order.get_absolute_url() if page == "order" else reverse("home")
    url, token, stamp = live_of(people.buyer_client, target)
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
    time.sleep(0.6)  # the poll is held now (its first check found the stamp unchanged)
    assert answers == []
    change(purchase_order)
    committed = time.monotonic()
    waiting.join(timeout=15)

    assert answers, "the waiting poll was not answered"
    answered, at = answers[0]
    assert answered.status_code == 200
    assert answered.json()["stamp"] != stamp
    assert at - committed < 3


def test_only_the_waiters_an_order_concerns_are_woken(people, settings):
    settings.LIVE_LISTEN = False  # this hub's waiters are woken by hand
    buyer, supplier, other = 11, 22, 33
    viewer = selectors.Viewer(user=None, buyer_ids=frozenset({buyer}))
    supplier_viewer = selectors.Viewer(user=None, supplier_ids=frozenset({supplier}))
    hub = live_wait.Hub()
    waiters = {
        "order": hub.add(live.purchase_order_scope("PO-1"), viewer),
        "other order": hub.add(live.purchase_order_scope("PO-2"), viewer),
        "list": hub.add(live.LIST, viewer),
        "inbox": hub.add(live.INBOX, supplier_viewer),
        "home": hub.add(live.HOME, supplier_viewer),
        "outsider's list": hub.add(live.LIST, selectors.Viewer(user=None, buyer_ids={other})),
    }

    hub.wake(json.dumps(["PO-1", buyer, supplier]))

    woken = {name for name, waiter in waiters.items() if waiter.event.is_set()}
    assert woken == {"order", "list", "inbox", "home"}
    hub.wake("not what the trigger sends")
    assert all(waiter.event.is_set() for waiter in waiters.values())
