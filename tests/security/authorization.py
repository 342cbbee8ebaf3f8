"""What the authorization tests share: who may use each URL, and in which statuses."""

import datetime

from django.urls import reverse
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders import urls as portal_urls
from purchase_orders.models import Invitation, Membership, SupplierLink
from purchase_orders.services.documents import record_version
from purchase_orders.services.invitations import invitation_token, new_nonce

BUYER, SUPPLIER, BOTH = "buyer", "supplier", "both"
# A business's own pages: for its business admins; the profile, read by every
# member and changed by its business admins; the invitation's link, public.
ADMIN, MEMBER, PUBLIC = "business admin", "member", "anyone"
# Who may use each page or action of a purchase order sent from the buyer to
# the supplier, and of the buyer's business (its profile, people, invitations
# and supplier directory).
ALLOWED = {
    "home-stamp": BOTH,
    "list": BUYER,
    "list-stamp": BUYER,
    "inbox": SUPPLIER,
    "inbox-stamp": SUPPLIER,
    "create": BUYER,
    "detail": BOTH,
    "stamp": BOTH,
    "print": BOTH,
    "compare": BOTH,
    "edit": BUYER,
    "send": BUYER,
    "change-status": BUYER,
    "confirm": SUPPLIER,
    "reject": SUPPLIER,
    "duplicate": BUYER,
    "retry": BUYER,  # the buyer sent the message being retried
    "business-profile": MEMBER,
    "business-people": ADMIN,
    "business-invite": ADMIN,
    "business-person-roles": ADMIN,
    "business-person-remove": ADMIN,
    "supplier-invite": BUYER,  # a buyer of the business whose directory holds the supplier
    "invitation-resend": ADMIN,
    "invitation-revoke": ADMIN,
    "invitation-accept": PUBLIC,
}
NAMES = [pattern.name for pattern in portal_urls.urlpatterns]
STATUSES = lifecycle.STATUSES
SENT = tuple(status for status in STATUSES if status != lifecycle.DRAFT)
# The pages and the actions, each tested in its module for the side that may use it.
PAGES = (
    "home-stamp",
    "list",
    "list-stamp",
    "inbox",
    "inbox-stamp",
    "create",
    "detail",
    "stamp",
    "print",
    "compare",
    "edit",
    "business-profile",
    "business-people",
    "business-invite",
    "supplier-invite",
    "invitation-accept",
)
ACTIONS = (
    "send",
    "change-status",
    "confirm",
    "reject",
    "duplicate",
    "retry",
    "business-person-roles",
    "business-person-remove",
    "invitation-resend",
    "invitation-revoke",
)


def route(name: str) -> str:
    return str(next(p for p in portal_urls.urlpatterns if p.name == name).pattern)


def takes_order(name: str) -> bool:
    return "<str:object_id>" in route(name)


def scoped(name: str) -> bool:
    """Return whether a URL names something of one business: another business finds nothing."""
    return any(
        part in route(name)
        for part in ("<str:object_id>", "<int:business_id>", "<int:link_id>", "<int:pk>")
    )


def directory_link(people) -> SupplierLink:
    """Return the supplier in the buyer's directory."""
    return SupplierLink.objects.get_or_create(buyer=people.buyer, supplier=people.supplier)[0]


def colleague_invitation(people) -> Invitation:
    """Return an invitation the buyer's business admin sent a colleague, not yet answered."""
    now = timezone.now()
    return Invitation.objects.get_or_create(
        business=people.buyer,
        email="new.colleague@example.in",
        defaults={
            "roles": [Membership.Role.BUYER.value],
            "invited_by": people.admin_user,
            "expires_at": now + datetime.timedelta(days=7),
            "nonce": new_nonce(),
            "last_sent_at": now,
        },
    )[0]


def url_of(name: str, people, purchase_order, message=None) -> str:
    kwargs = {}
    if takes_order(name):
        kwargs["object_id"] = purchase_order.object_id
    if name == "retry":
        kwargs["message_id"] = (message or people.message(purchase_order)).pk
    if "<int:business_id>" in route(name):
        kwargs["business_id"] = people.buyer.pk
    if "<int:user_id>" in route(name):
        # The admin themselves: the last business admin, whom nothing can remove.
        kwargs["user_id"] = people.admin_user.pk
    if "<int:link_id>" in route(name):
        kwargs["link_id"] = directory_link(people).pk
    if "<int:pk>" in route(name):
        kwargs["pk"] = colleague_invitation(people).pk
    if "<str:token>" in route(name):
        kwargs["token"] = invitation_token(colleague_invitation(people))
    return reverse(f"purchase_orders:{name}", kwargs=kwargs or None)


def rightful_client(people, name: str):
    """Return a client of the side that may use a URL."""
    side = ALLOWED[name]
    if side == SUPPLIER:
        return people.supplier_client
    if side == ADMIN:
        return people.admin_client
    return people.buyer_client


def wrong_client(people, name: str, method: str):
    """Return a client one of whose roles is the wrong one for a URL; None if there is none.

    For a business's page that is one of its people without the role: the
    buyer for its business admins' pages, and its admin (who is not a
    buyer) for the buyers' supplier directory.
    """
    side = ALLOWED[name]
    if side == SUPPLIER:
        return people.buyer_client
    if side == ADMIN:
        return people.buyer_client
    if side == MEMBER:
        return people.buyer_client if method == "post" else None
    if side == BUYER:
        return people.supplier_client if takes_order(name) else people.admin_client
    return None


def order_in(people, status: str, **kwargs):
    """Create a purchase order from the buyer to the supplier in a status (version 1 once sent)."""
    version = 0 if status == lifecycle.DRAFT else 1
    return people.purchase_order(status=status, version=version, lines=1, **kwargs)


def with_two_versions(people, purchase_order):
    """Store versions 1 and 2 of a sent purchase order, the subject changed in between."""
    record_version(purchase_order=purchase_order, first=True)
    purchase_order.version, purchase_order.subject = 2, "Paper and toner"
    purchase_order.save(update_fields=["version", "subject"])
    record_version(purchase_order=purchase_order, first=True, reason="Toner added")
    return purchase_order


def assert_refused(people, name: str, purchase_order, method: str, data=None, url=None):
    """Assert that the wrong side gets 403 (404 for a supplier and a draft), an outsider 404."""
    url = url or url_of(name, people, purchase_order)
    wrong = wrong_client(people, name, method)
    if wrong is not None:
        hidden = purchase_order.is_draft and ALLOWED[name] == BUYER and takes_order(name)
        assert getattr(wrong, method)(url, data or {}).status_code == (404 if hidden else 403)
    if scoped(name):
        assert getattr(people.outsider_client, method)(url, data or {}).status_code == 404


def text(response) -> str:
    return response.content.decode()
