"""Live pages: the signed token a page carries and the stamps it polls.

An open page (a purchase order, the buyer's list, the supplier's inbox,
home, an open edit form, a supplier search waiting for the network) polls
its stamp with ``If-None-Match`` and is answered 304 while nothing has
changed; a poll that asks to wait (``X-Live-Wait``) is held until the
stamp changes or for up to 25 s (``purchase_orders.live_wait``), and the
page asks again at once. Only when
the stamp changes does the page fetch itself afresh, through the session,
and ``static/js/live.js`` swaps in the parts marked ``data-live-region``.

The poll sends the page's token (``X-Live-Token``) and no cookie. The token
is signed with ``SECRET_KEY`` and names the scope (one order, or a list)
and the businesses, by role, whose orders the viewer saw there; it expires
after ``TOKEN_MAX_AGE`` seconds. So a poll costs one query and no session
or user read. What a token reveals is whether an order its holder was
shown has changed, never the order itself: that comes with the page, which
is authorised by the session as usual. A page whose token has expired
fetches itself afresh, which hands it a new token while the session still
lets the viewer see the page.
"""

from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.cache import never_cache

from purchase_orders import lifecycle, selectors

TOKEN_HEADER = "X-Live-Token"
TOKEN_SALT = "purchase_orders.live"
# Long enough that a page rarely has to renew it; short enough that a user
# removed from a business stops learning when its orders change soon after.
TOKEN_MAX_AGE = 15 * 60

HOME, LIST, INBOX = "home", "list", "inbox"
SEARCH_SCOPE_PREFIX = "search:"


def purchase_order_scope(object_id: str) -> str:
    return f"po:{object_id}"


def search_scope(pk: int) -> str:
    """Return the scope of a supplier search's page (its change notifications name it too)."""
    return f"{SEARCH_SCOPE_PREFIX}{pk}"


def follow(*, viewer: selectors.Viewer, scope: str, url: str, stamp: str) -> dict:
    """Return what a page needs to follow ``scope``: its stamp's URL, the stamp, a token."""
    claims = {
        "scope": scope,
        "buyers": sorted(viewer.buyer_ids),
        "suppliers": sorted(viewer.supplier_ids),
    }
    token = signing.dumps(claims, salt=TOKEN_SALT)
    return {"url": url, "stamp": stamp, "token": token}


def follow_purchase_order(*, viewer: selectors.Viewer, purchase_order, stamp: str) -> dict:
    """Return what a page of one purchase order needs to follow it.

    The token names only the viewer's businesses that are party to the
    order, on the side they are: anyone of the buying business (a buyer, an
    approver, a business admin) follows it as the buying side does, as they
    see it (``selectors.visible_purchase_orders``).
    """
    mine = viewer.business_ids
    party = selectors.Viewer(
        user=None,
        buyer_ids=frozenset({purchase_order.buyer_id} & mine),
        supplier_ids=frozenset({purchase_order.supplier_id} & mine),
    )
    return follow(
        viewer=party,
        scope=purchase_order_scope(purchase_order.object_id),
        url=reverse("purchase_orders:stamp", args=[purchase_order.object_id]),
        stamp=stamp,
    )


def follow_list(*, viewer: selectors.Viewer, role: str) -> dict:
    """Return what the buyer's list or the supplier's inbox needs to follow its orders."""
    if role == lifecycle.BUYER:
        party = selectors.Viewer(user=None, buyer_ids=viewer.buyer_ids)
        return follow(
            viewer=party,
            scope=LIST,
            url=reverse("purchase_orders:list-stamp"),
            stamp=selectors.list_stamp(viewer=party),
        )
    party = selectors.Viewer(user=None, supplier_ids=viewer.supplier_ids)
    return follow(
        viewer=party,
        scope=INBOX,
        url=reverse("purchase_orders:inbox-stamp"),
        stamp=selectors.inbox_stamp(viewer=party),
    )


def follow_home(*, viewer: selectors.Viewer) -> dict:
    """Return what home needs to follow the viewer's orders.

    An approver's home lists what waits for their approval: it follows the
    orders of the businesses they approve for, as their buyers' homes do.
    """
    party = selectors.Viewer(
        user=None,
        buyer_ids=viewer.buyer_ids | viewer.approver_ids,
        supplier_ids=viewer.supplier_ids,
    )
    return follow(
        viewer=party,
        scope=HOME,
        url=reverse("purchase_orders:home-stamp"),
        stamp=selectors.home_stamp(viewer=party),
    )


def follow_supplier_search(*, viewer: selectors.Viewer, search) -> dict:
    """Return what a supplier search's page needs to follow the network's answer.

    The token names only the buying business the search was asked for.
    """
    party = selectors.Viewer(user=None, buyer_ids=frozenset({search.buyer_id}))
    return follow(
        viewer=party,
        scope=search_scope(search.pk),
        url=reverse("purchase_orders:supplier-search-stamp", args=[search.pk]),
        stamp=selectors.supplier_search_stamp(viewer=party, pk=search.pk),
    )


class RefusedToken(Exception):
    """The token is missing its signature, forged, expired or for another scope."""


def viewer_from_token(token: str, *, scope: str) -> selectors.Viewer:
    """Return the businesses a page's token names for ``scope``, or raise RefusedToken."""
    try:
        claims = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired included.
        raise RefusedToken(str(error)) from None
    if not isinstance(claims, dict) or claims.get("scope") != scope:
        raise RefusedToken("The token is for another page.")
    return selectors.Viewer(
        user=None,
        buyer_ids=frozenset(claims.get("buyers") or ()),
        supplier_ids=frozenset(claims.get("suppliers") or ()),
    )


# The answer to a poll whose token is refused (403) or whose order is not found (404).
REFUSALS = {403: {"error": "token refused"}, 404: {"error": "not found"}}


def stamp_for_token(token: str, *, scope: str, stamp_of) -> tuple[int, str | None]:
    """Return (200, the stamp) for a page's token, or (403 or 404, None).

    Shared by the view below and by ``purchase_orders.live_wsgi``, which
    answers polls before Django's middleware and views.
    """
    try:
        viewer = viewer_from_token(token, scope=scope)
        return 200, stamp_of(viewer)
    except RefusedToken:
        return 403, None
    except Http404:
        return 404, None


def _wait_for_stamp(request, token: str, *, scope: str, stamp_of):
    """Check the token and the stamp; with ``X-Live-Wait``, hold until the stamp changes."""
    from purchase_orders import live_wait

    seconds = live_wait.requested_wait(request.headers.get(live_wait.WAIT_HEADER))
    if not request.META.get("wsgi.multithread", True):
        seconds = 0.0  # a single-threaded server would be blocked while it waits
    return live_wait.wait_for_stamp(
        token,
        scope=scope,
        stamp_of=stamp_of,
        unchanged=live_wait.unchanged_by(request.headers.get("If-None-Match", "")),
        seconds=seconds,
    )


def _stamp_response(request, *, scope: str, stamp_of, session_check=None):
    """Answer a poll: 304 if ``If-None-Match`` holds the stamp, else the stamp as JSON.

    With the page's token, the token alone authorises; without one, the
    session does, as for any page (a script or a test may ask that way).
    """
    token = request.headers.get(TOKEN_HEADER)
    if token is not None:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        status, stamp = _wait_for_stamp(request, token, scope=scope, stamp_of=stamp_of)
        if stamp is None:
            return JsonResponse(REFUSALS[status], status=status)
    else:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if session_check is not None:
            session_check(request.viewer)
        stamp = stamp_of(request.viewer)
    etag = f'"{stamp}"'
    response = JsonResponse({"stamp": stamp})
    response["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response)


def _require_supplier(viewer) -> None:
    if not viewer.is_supplier:
        raise PermissionDenied("Only suppliers have an inbox.")


def _require_buyer(viewer) -> None:
    if not viewer.is_buyer:
        raise PermissionDenied("Only buyers have a list of purchase orders.")


@never_cache
def purchase_order_stamp(request, object_id: str):
    return _stamp_response(
        request,
        scope=purchase_order_scope(object_id),
        stamp_of=lambda viewer: selectors.purchase_order_stamp(
            viewer=viewer, object_id=object_id
        ),
    )


@never_cache
def list_stamp(request):
    return _stamp_response(
        request,
        scope=LIST,
        stamp_of=lambda viewer: selectors.list_stamp(viewer=viewer),
        session_check=_require_buyer,
    )


@never_cache
def inbox_stamp(request):
    return _stamp_response(
        request,
        scope=INBOX,
        stamp_of=lambda viewer: selectors.inbox_stamp(viewer=viewer),
        session_check=_require_supplier,
    )


@never_cache
def home_stamp(request):
    return _stamp_response(
        request, scope=HOME, stamp_of=lambda viewer: selectors.home_stamp(viewer=viewer)
    )


@never_cache
def supplier_search_stamp(request, pk: int):
    def session_check(viewer) -> None:
        # As the search's page: 404 for another business's, 403 for another role there.
        _require_buyer(viewer)
        search = selectors.get_supplier_search(viewer=viewer, pk=pk)
        if search.buyer_id not in viewer.buyer_ids:
            raise PermissionDenied("Only a buyer of this business follows its searches.")

    return _stamp_response(
        request,
        scope=search_scope(pk),
        stamp_of=lambda viewer: selectors.supplier_search_stamp(viewer=viewer, pk=pk),
        session_check=session_check,
    )
