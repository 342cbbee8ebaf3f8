"""End a signed-in session after a spell of inactivity, and after a fixed lifetime.

A session ends ``SESSION_IDLE_TIMEOUT_SECONDS`` after the last request its
person made, and ``SESSION_ABSOLUTE_LIFETIME_SECONDS`` after the login
however busy it has been. The next request is signed out and sent to the
login page, which says why.

Both times are stamped in the session: the login's when the person logs in,
the last request's as requests come (rewritten at most once per
``SEEN_RESOLUTION_SECONDS``, so that a busy session is not saved on every
request). What an open page does by itself is not the person's activity:
its polls (``purchase_orders/live_wsgi.py``, ``views/live.py``) carry a
token and no cookie, so they never reach the session, and the fetch it makes
when its order changes (``static/js/live.js``) says so with
``X-Live-Refresh``; it is checked against both limits like any request but
does not push the idle limit back. So a page left open on a busy order is
signed out on time, and its script then stops following it.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import LoginView, redirect_to_login
from django.dispatch import receiver

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SIGNED_OUT_BECAUSE = "signed_out_because"
IDLE, LIFETIME = "idle", "lifetime"
# The idle limit is kept to within this many seconds.
SEEN_RESOLUTION_SECONDS = 60
LIVE_REFRESH_HEADER = "X-Live-Refresh"


@receiver(user_logged_in)
def stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


def _minutes(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def signed_out_message(reason: str | None) -> str:
    """Return what the login page says to a person whose session was ended, or ''."""
    if reason == IDLE:
        return (
            f"You were signed out after {_minutes(settings.SESSION_IDLE_TIMEOUT_SECONDS)} "
            "of inactivity. Log in again to carry on."
        )
    if reason == LIFETIME:
        return (
            f"You were signed out because you had been signed in for "
            f"{_minutes(settings.SESSION_ABSOLUTE_LIFETIME_SECONDS)}. Log in again to carry on."
        )
    return ""


def expiry_reason(session, now: int) -> str | None:
    """Return why a signed-in session has ended (``IDLE``, ``LIFETIME``), or None.

    A session signed in before these stamps existed starts its times now.
    """
    signed_in_at = session.setdefault(SIGNED_IN_AT, now)
    seen_at = session.setdefault(SEEN_AT, now)
    if now - signed_in_at > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
        return LIFETIME
    if now - seen_at > settings.SESSION_IDLE_TIMEOUT_SECONDS:
        return IDLE
    return None


class SessionTimeoutMiddleware:
    """Sign out a session past its idle limit or its lifetime; note each request's time.

    After ``AuthenticationMiddleware``, which it needs for ``request.user``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie nobody is signed in; not reading the
        # session leaves such answers (the API's, a poll's) free of
        # "Vary: Cookie".
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_session and request.user.is_authenticated:
            now = int(time.time())
            reason = expiry_reason(request.session, now)
            if reason is not None:
                logout(request)
                # Kept in the new, anonymous session for the login page.
                request.session[SIGNED_OUT_BECAUSE] = reason
                return redirect_to_login(request.get_full_path())
            is_own_request = LIVE_REFRESH_HEADER not in request.headers
            if is_own_request and now - request.session[SEEN_AT] >= SEEN_RESOLUTION_SECONDS:
                request.session[SEEN_AT] = now
        return self.get_response(request)


class SignInView(LoginView):
    """Django's login view, saying once why the last session was signed out."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["signed_out_message"] = signed_out_message(
            self.request.session.pop(SIGNED_OUT_BECAUSE, None)
        )
        return context
