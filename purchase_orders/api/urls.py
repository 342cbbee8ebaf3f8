"""URLs of the webhook API (``API_PREFIX``, ``ONBOARDING_PREFIX``) and its description."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from purchase_orders.enkash.kinds import INBOUND_KINDS, webhook_path

from .docs import staff_unless_public
from .views import WebhookView


def _route(kind: str) -> str:
    return webhook_path(kind).lstrip("/")


app_name = "api"

# Each kind answers with and without a trailing slash, so that a POST is
# never redirected (a redirect would lose its body); only the first is
# described in the schema. The eight purchase-order kinds are under
# conventions.API_PREFIX, the onboarding webhook under ONBOARDING_PREFIX.
urlpatterns = (
    [path(_route(kind), WebhookView.as_view(kind=kind), name=kind) for kind in INBOUND_KINDS]
    + [
        path(f"{_route(kind)}/", WebhookView.as_view(kind=kind, schema=None))
        for kind in INBOUND_KINDS
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
