"""Stamp polls answered before Django's middleware, URL resolver and views.

``procurement/wsgi.py`` (and ``asgi.py``) wrap Django's application in
``LiveStamps``: a GET or HEAD that carries a page's token
(``X-Live-Token``) on one of the four stamp paths is answered here, by the
same rules as ``views/live.py`` (the token's signature, salt, age and scope
checked by ``live.stamp_for_token``; the stamp computed by the selectors'
one raw SQL statement, ``purchase_orders.stamps``), 304 when
``If-None-Match`` names it, else 200 with the stamp and its ETag; 403 for a
refused token, 404 for an order the token's businesses may not see. A
poll with ``X-Live-Wait`` whose stamp has not changed is held until it
does, or for up to 25 s (``purchase_orders.live_wait``): in its thread
under a threaded WSGI server (gunicorn's ``gthread``, ``runserver``), in the
event loop under ASGI; a single-threaded server answers it at once.

Everything else, and a poll this module will not answer (a host not in
``ALLOWED_HOSTS``, plain HTTP where HTTPS is required, a path it does not
know exactly), goes to Django unchanged. What is skipped for a poll:
sessions, users, messages, CSRF, the request's log line, and Django's
``request_started``/``request_finished`` signals. The last matters for the
database: those signals make Django check a kept connection with a round
trip before each request's first query (``CONN_HEALTH_CHECKS``); here the
kept connection is used as it is, and closed and opened again only if the
query fails on it, or once it is older than ``CONN_MAX_AGE``.
"""

import json
import time
from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404
from django.http.request import split_domain_port, validate_host
from django.urls import get_script_prefix, reverse

from purchase_orders import live_wait, selectors
from purchase_orders.views import live

# The headers ``never_cache`` and the security middleware give the view's answers.
COMMON_HEADERS = [
    ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
]
STATUS_LINES = {200: "200 OK", 304: "304 Not Modified", 403: "403 Forbidden", 404: "404 Not Found"}


@cache
def _routes() -> tuple[dict, str, str]:
    """Return the fixed stamp paths (path → scope, stamp) and the order path's two ends."""
    prefix = len(get_script_prefix()) - 1

    def path_of(name: str, *args) -> str:
        return reverse(f"purchase_orders:{name}", args=args)[prefix:]

    fixed = {
        path_of("home-stamp"): (live.HOME, lambda viewer: selectors.home_stamp(viewer=viewer)),
        path_of("list-stamp"): (live.LIST, lambda viewer: selectors.list_stamp(viewer=viewer)),
        path_of("inbox-stamp"): (
            live.INBOX,
            lambda viewer: selectors.inbox_stamp(viewer=viewer),
        ),
    }
    head, tail = path_of("stamp", "OBJECT").split("OBJECT")
    return fixed, head, tail


def _route(path: str):
    """Return (scope, stamp_of) for a stamp path, or None."""
    fixed, head, tail = _routes()
    found = fixed.get(path)
    if found is not None:
        return found
    if not (path.startswith(head) and path.endswith(tail)):
        return None
    object_id = path[len(head) : len(path) - len(tail)]
    if not object_id or "/" in object_id or not object_id.isascii():
        return None
    return (
        live.purchase_order_scope(object_id),
        lambda viewer: selectors.purchase_order_stamp(viewer=viewer, object_id=object_id),
    )


def _host_allowed(environ) -> bool:
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _ = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def _secure_enough(environ) -> bool:
    """False where Django would redirect the request to HTTPS."""
    if not settings.SECURE_SSL_REDIRECT or environ.get("wsgi.url_scheme") == "https":
        return True
    if settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        return environ.get(header, "").split(",")[0].strip() == value
    return False


def _run(function):
    """Run a poll's query on the kept connection, once more on a fresh one if it failed."""
    try:
        return function()
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        return function()
    finally:
        if (
            not connection.in_atomic_block
            and connection.close_at is not None
            and time.monotonic() >= connection.close_at
        ):
            connection.close()


def _parse(environ):
    """Return a poll's (token, scope, stamp_of, unchanged, seconds), or None for Django."""
    token = environ.get("HTTP_X_LIVE_TOKEN")
    if token is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    route = _route(environ.get("PATH_INFO", ""))
    if route is None or not _host_allowed(environ) or not _secure_enough(environ):
        return None
    scope, stamp_of = route
    unchanged = live_wait.unchanged_by(environ.get("HTTP_IF_NONE_MATCH", ""))
    seconds = live_wait.requested_wait(environ.get("HTTP_X_LIVE_WAIT"))
    return token, scope, stamp_of, unchanged, seconds


def _respond(status: int, stamp: str | None, unchanged) -> tuple[str, list, bytes]:
    if stamp is None:
        body = json.dumps(live.REFUSALS[status]).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return STATUS_LINES[status], headers + COMMON_HEADERS, body
    etag = f'"{stamp}"'
    if unchanged(stamp):
        return STATUS_LINES[304], [("ETag", etag), *COMMON_HEADERS], b""
    body = json.dumps({"stamp": stamp}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("ETag", etag),
    ]
    return STATUS_LINES[200], headers + COMMON_HEADERS, body


def answer(environ) -> tuple[str, list, bytes] | None:
    """Return the poll's (status line, headers, body), or None to leave it to Django.

    A poll that asks to wait is held in this thread (``live_wait``) when the
    server runs requests in threads; a single-threaded one answers at once.
    """
    parsed = _parse(environ)
    if parsed is None:
        return None
    token, scope, stamp_of, unchanged, seconds = parsed
    if not environ.get("wsgi.multithread"):
        seconds = 0.0
    try:
        status, stamp = live_wait.wait_for_stamp(
            token, scope=scope, stamp_of=stamp_of, unchanged=unchanged, seconds=seconds, run=_run
        )
    except DatabaseError:
        return None  # Django answers, and logs, as for any request whose database fails.
    return _respond(status, stamp, unchanged)


async def answer_async(environ) -> tuple[str, list, bytes] | None:
    """The same under ASGI: each query in Django's thread, the wait in the event loop."""
    import asyncio

    from asgiref.sync import sync_to_async

    parsed = _parse(environ)
    if parsed is None:
        return None
    token, scope, stamp_of, unchanged, seconds = parsed
    try:
        viewer = live.viewer_from_token(token, scope=scope)
    except live.RefusedToken:
        return _respond(403, None, unchanged)
    query = sync_to_async(lambda: _run(lambda: stamp_of(viewer)), thread_sensitive=True)
    hub = live_wait.HUB
    waiter = hub.add(scope, viewer, loop=asyncio.get_running_loop()) if seconds > 0 else None
    deadline = time.monotonic() + seconds
    release = sync_to_async(live_wait.release_connection, thread_sensitive=True)
    try:
        look = True
        while True:
            if look:
                try:
                    stamp = await query()
                except Http404:
                    return _respond(404, None, unchanged)
                except DatabaseError:
                    return None
            left = deadline - time.monotonic()
            if waiter is None or left <= 0 or not unchanged(stamp):
                return _respond(200, stamp, unchanged)
            await release()
            mark = hub.heard()
            woken = await waiter.asleep(hub.recheck_seconds(left))
            look = woken or not hub.heard_all_since(mark)
    finally:
        hub.remove(waiter)


class LiveStamps:
    """A WSGI application: stamp polls answered here, everything else by ``application``."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        answered = answer(environ) if "HTTP_X_LIVE_TOKEN" in environ else None
        if answered is None:
            return self.application(environ, start_response)
        status, headers, body = answered
        start_response(status, headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


class LiveStampsASGI:
    """The same for ASGI: a waiting poll holds no thread, only its place in the event loop."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and any(
            name == b"x-live-token" for name, _ in scope.get("headers", ())
        ):
            answered = await answer_async(_environ_of(scope))
            if answered is not None:
                status, headers, body = answered
                await send(
                    {
                        "type": "http.response.start",
                        "status": int(status.split()[0]),
                        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
                    }
                )
                head = scope["method"] == "HEAD"
                await send({"type": "http.response.body", "body": b"" if head else body})
                return
        await self.application(scope, receive, send)


def _environ_of(scope) -> dict:
    """Return the few WSGI environ keys ``answer`` reads, from an ASGI scope."""
    path = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    environ = {
        "REQUEST_METHOD": scope["method"],
        "PATH_INFO": path,
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "SERVER_NAME": (scope.get("server") or ("unknown", 0))[0],
    }
    for name, value in scope.get("headers", ()):
        key = "HTTP_" + name.decode("latin1").upper().replace("-", "_")
        value = value.decode("latin1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
