"""Middleware of the portal: request ids, the Content Security Policy, the debug 404 page."""

import contextvars
import re
import uuid

from django.conf import settings
from django.http import Http404
from django.views import defaults

from procurement.logging import log_context

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only if it is short and plain, so that it cannot
# forge log lines or headers.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Give each request an id (the caller's X-Request-ID, or a new one) and send it back.

    Every log line written while the request is handled carries it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        # The whole of it: "$" would let a trailing newline into the answer's headers.
        request.id = offered if REQUEST_ID_PATTERN.fullmatch(offered) else uuid.uuid4().hex
        # A context of its own, so that what the request binds ends with it.
        response = contextvars.copy_context().run(self._handle, request)
        response[REQUEST_ID_HEADER] = request.id
        return response

    def _handle(self, request):
        with log_context(request=request.id):
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send the Content Security Policy: ``CSP`` in general, ``CSP_RELAXED`` under its paths.

    The portal's pages load scripts and styles from their own origin only,
    with no inline code. The API's docs page (Swagger UI) sets styles inline,
    so its paths (``CSP_RELAXED_PATHS``) get the relaxed policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(tuple(settings.CSP_RELAXED_PATHS))
            response["Content-Security-Policy"] = settings.CSP_RELAXED if relaxed else settings.CSP
        return response


# What only Django's debug page of a 404 says (django/views/templates/technical_404.html).
TECHNICAL_404_MARK = b"<code>DEBUG = True</code>"


class PortalNotFoundMiddleware:
    """With ``DEBUG`` on, answer a page not found with the portal's own 404 page.

    Django's debug page for a 404 styles itself inline, which the Content
    Security Policy refuses: the page shows unstyled and the browser reports
    the refusal. The portal's ``404.html`` is what production shows, so a
    developer sees that, styled, with nothing refused. A page of the portal's
    own that answers 404 (a forged invitation's) and answers that are not HTML
    pages (the API's JSON) are left as they are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and TECHNICAL_404_MARK in getattr(response, "content", b"")
        ):
            response = defaults.page_not_found(request, Http404())
        return response
