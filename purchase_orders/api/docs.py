"""Who may read the webhook API's description: staff, unless it is opened.

``/api/schema/`` and ``/api/docs/`` list every webhook, field and check the
portal makes; the network needs none of it (EnKash calls the webhooks, it
does not read their description), and an outsider probing the webhooks would
find it useful. So with ``DEBUG`` off they answer staff only, the way the
rest of the site answers: a visitor who is not signed in is sent to the login
page, a signed-in user who is not staff is refused (403). ``DEBUG`` on, or
``API_DOCS_PUBLIC``, opens them to everyone. The settings are read on each
request, not at import.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def are_public() -> bool:
    """Return whether anyone may read the API's description."""
    return settings.DEBUG or settings.API_DOCS_PUBLIC


def staff_unless_public(view):
    """Wrap a view of the API's description so that only staff reach it, unless public."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not are_public():
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_staff:
                raise PermissionDenied("Only staff read the API's description.")
        return view(request, *args, **kwargs)

    return guarded
