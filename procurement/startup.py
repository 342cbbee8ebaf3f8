"""What the web application does as it starts, before it serves a page."""

import gc

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve without a SECRET_KEY: sessions and CSRF tokens are signed with it."""
    try:
        settings.SECRET_KEY  # noqa: B018 (Django refuses to read an empty key.)
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local work).") from error


def freeze_start_up_objects() -> None:
    """Keep the objects made at start-up out of the garbage collector's passes.

    Modules, classes, URL patterns and settings live as long as the server
    process; without this every full collection walks them again (some
    135,000 objects), and a 1,000-line form makes many collections: frozen,
    the collector's time in its import and save halves (about 0.6 s of CPU
    less, ``benchmarks/line_import.py``'s steps run both ways; a document's
    thousands of rows gain alike). Each process does it once it has started:
    each gunicorn worker as it imports ``procurement.wsgi``, and
    ``manage.py db_worker``, which renders the PDFs its e-mails carry.
    Garbage already made is collected first; whatever requests and tasks
    make is collected as usual.
    """
    from django.urls import get_resolver

    # The URL patterns (and the views they import) are loaded by the first
    # request otherwise: load them now, so that they are frozen too.
    get_resolver().url_patterns  # noqa: B018
    gc.collect()
    gc.freeze()
