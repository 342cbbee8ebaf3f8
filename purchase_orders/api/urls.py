"""URLs of the webhook API (``conventions.API_PREFIX``) and its description."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from purchase_orders.enkash import conventions
from purchase_orders.enkash.kinds import WEBHOOK_KINDS

from .docs import staff_unless_public
from .views import WebhookView

app_name = "api"
PREFIX = conventions.API_PREFIX.lstrip("/")

# Each kind answers with and without a trailing slash, so that a POST is
# never redirected (a redirect would lose its body); only the first is
# described in the schema.
urlpatterns = (
    [
        path(f"{PREFIX}{kind}", WebhookView.as_view(kind=kind), name=kind)
        for kind in WEBHOOK_KINDS
    ]
    + [
        path(f"{PREFIX}{kind}/", WebhookView.as_view(kind=kind, schema=None))
        for kind in WEBHOOK_KINDS
    ]
    + [
        # Staff only with DEBUG off, unless API_DOCS_PUBLIC (docs.py).
        path("api/schema/", staff_unless_public(SpectacularAPIView.as_view()), name="schema"),
        # The split view serves Swagger UI's start-up script as a file of its
        # own (?script), so that the Content Security Policy needs no inline script.
        path(
            "api/docs/",
            staff_unless_public(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
            name="docs",
        ),
    ]
)
