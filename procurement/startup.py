"""Checks the web application makes as it starts, before it serves a page."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve without a SECRET_KEY: sessions and CSRF tokens are signed with it."""
    try:
        settings.SECRET_KEY  # noqa: B018 (Django refuses to read an empty key.)
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local work).") from error
