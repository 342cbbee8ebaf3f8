"""Who is looking: the businesses a request's user acts for, read once per request."""

from django.utils.functional import SimpleLazyObject

from purchase_orders import selectors


class ViewerMiddleware:
    """Set ``request.viewer``, read from the memberships the first time a page asks.

    The page and its navigation then share one query, and the user object
    carries nothing of the portal's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.viewer = SimpleLazyObject(lambda: selectors.get_viewer(request.user))
        return self.get_response(request)
