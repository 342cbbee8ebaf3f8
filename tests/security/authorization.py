"""What the authorization tests share: who may use each URL, and in which statuses."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders import urls as portal_urls
from purchase_orders.models import Business, Invitation, Membership, SupplierLink
from purchase_orders.services.approvals import submit_for_approval
from purchase_orders.services.documents import record_version
from purchase_orders.services.invitations import invitation_token, new_nonce
from tests.factories import BusinessFactory, make_search

REMOTE_B2B_ID = "B2B-DECCAN-FORGE"

BUYER, SUPPLIER, BOTH, APPROVER = "buyer", "supplier", "both", "approver"
# A business's own pages: for its business admins; the profile, read by every
# member and changed by its business admins; the invitation's link, public.
ADMIN, MEMBER, PUBLIC = "business admin", "member", "anyone"
# Who may use each page or action of a purchase order sent from the buyer to
# the supplier (a side of the order, or an approver of the buyer's), and of the
# buyer's business (its profile, people, invitations and supplier directory).
ALLOWED = {
    "home-stamp": BOTH,
    "list": BUYER,
    "list-stamp": BUYER,
    "inbox": SUPPLIER,
    "inbox-stamp": SUPPLIER,
    # The lists' downloads are the lists'; an order's lines are its page's.
    "list-csv": BUYER,
    "list-xlsx": BUYER,
    "inbox-csv": SUPPLIER,
    "inbox-xlsx": SUPPLIER,
    "lines-csv": BOTH,
    "lines-xlsx": BOTH,
    "create": BUYER,
    "detail": BOTH,
    "stamp": BOTH,
    "print": BOTH,
    "pdf": BOTH,
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
    "submit": BUYER,
    "approve": APPROVER,
    "return": APPROVER,
    # The buyer's supplier directory (test_authorization_suppliers.py: 404 for
    # another business's supplier or search, 403 for another role of the buyer's).
    "supplier-list": BUYER,
    "supplier-add": BUYER,
    "supplier-search": BUYER,
    "supplier-search-stamp": BUYER,
    "supplier-detail": BUYER,
    "supplier-remove": BUYER,
}
# What an approver of the buyer (and nothing else there) opens besides their
# own actions: the order's pages, as any member of the buying business does,
# and the retry of a message the business sent (an approval sends the order).
# Every other page and action of a side is refused to them.
APPROVER_OPENS = (
    "home-stamp",
    "detail",
    "stamp",
    "print",
    "pdf",
    "compare",
    "lines-csv",
    "lines-xlsx",
    "retry",
)
NAMES = [pattern.name for pattern in portal_urls.urlpatterns]
STATUSES = lifecycle.STATUSES
# The statuses only the buyer's side sees: a draft, and one waiting for approval.
LOCAL = lifecycle.LOCAL_STATUSES
SENT = tuple(status for status in STATUSES if status not in LOCAL)
# The pages and the actions, each tested in its module for the side that may use it.
PAGES = (
    "home-stamp",
    "list",
    "list-stamp",
    "inbox",
    "inbox-stamp",
    "list-csv",
    "list-xlsx",
    "inbox-csv",
    "inbox-xlsx",
    "lines-csv",
    "lines-xlsx",
    "create",
    "detail",
    "stamp",
    "print",
    "pdf",
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
    "submit",
    "approve",
    "return",
)
# The supplier directory's pages and actions, tested in test_authorization_suppliers.py.
DIRECTORY = (
    "supplier-list",
    "supplier-add",
    "supplier-search",
    "supplier-search-stamp",
    "supplier-detail",
    "supplier-remove",
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
    """Return a supplier in the buyer's directory that is on the network, not hosted here.

    The one whose people a buyer may invite: a hosted supplier's business
    admins invite its people themselves.
    """
    remote = Business.objects.filter(b2b_id=REMOTE_B2B_ID).first() or BusinessFactory(
        b2b_id=REMOTE_B2B_ID, legal_name="Deccan Forge Private Limited", is_hosted=False
    )
    return SupplierLink.objects.get_or_create(buyer=people.buyer, supplier=remote)[0]


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


def takes(name: str, converter: str) -> bool:
    pattern = next(p for p in portal_urls.urlpatterns if p.name == name)
    return converter in str(pattern.pattern)


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
    if name.startswith("supplier-search"):
        kwargs["pk"] = make_search(people.buyer).pk
    elif "<int:pk>" in route(name):
        kwargs["pk"] = colleague_invitation(people).pk
    if "<str:token>" in route(name):
        kwargs["token"] = invitation_token(colleague_invitation(people))
    return reverse(f"purchase_orders:{name}", kwargs=kwargs or None)


def rightful_client(people, name: str):
    """Return a client of the side that may use a URL (the buyer's for both sides)."""
    return {
        SUPPLIER: people.supplier_client,
        ADMIN: people.admin_client,
        APPROVER: people.approver_client,
    }.get(ALLOWED[name], people.buyer_client)


def wrong_clients(people, name: str, method: str) -> list:
    """Return the clients of the people a URL refuses (403), in the order's two businesses.

    The other side of an order; for a business's page, one of its people
    without the role (the buyer, and the approver, for its business admins'
    pages; its admin, who is not a buyer, for the buyers' supplier
    directory); for a side's page or action, the buyer's approver too
    (unless it is one of ``APPROVER_OPENS``); for an approver's action, both
    sides.
    """
    allowed = ALLOWED[name]
    if allowed == MEMBER:
        return [people.buyer_client, people.approver_client] if method == "post" else []
    wrong = {
        BUYER: [people.supplier_client if takes_order(name) else people.admin_client],
        SUPPLIER: [people.buyer_client],
        ADMIN: [people.buyer_client],
        APPROVER: [people.buyer_client, people.supplier_client],
    }.get(allowed, [])
    if allowed in (BUYER, SUPPLIER, ADMIN) and name not in APPROVER_OPENS:
        wrong.append(people.approver_client)
    return wrong


def order_in(people, status: str, **kwargs):
    """Create a purchase order from the buyer to the supplier in a status (version 1 once sent).

    One waiting for approval is a draft submitted, through the service, at a
    buyer whose every order needs an approver.
    """
    if status == lifecycle.AWAITING_APPROVAL:
        return submitted(people, order_in(people, lifecycle.DRAFT, **kwargs))
    version = 0 if status == lifecycle.DRAFT else 1
    return people.purchase_order(status=status, version=version, lines=1, **kwargs)


def every_order_needs_approval(people) -> None:
    """Give the buyer an approval limit of nothing, and an approver."""
    people.buyer.approval_limit = Decimal("0.00")
    people.buyer.save(update_fields=["approval_limit"])
    assert people.approver_user is not None


def submitted(people, purchase_order):
    """Submit a draft for approval, as the buyer; return it fresh."""
    every_order_needs_approval(people)
    submit_for_approval(purchase_order=purchase_order, submitted_by=people.buyer_user)
    purchase_order.refresh_from_db()
    assert purchase_order.status == lifecycle.AWAITING_APPROVAL
    return purchase_order


def with_two_versions(people, purchase_order):
    """Store versions 1 and 2 of a sent purchase order, the subject changed in between."""
    record_version(purchase_order=purchase_order, first=True)
    purchase_order.version, purchase_order.subject = 2, "Paper and toner"
    purchase_order.save(update_fields=["version", "subject"])
    record_version(purchase_order=purchase_order, first=True, reason="Toner added")
    return purchase_order


def assert_refused(people, name: str, purchase_order, method: str, data=None, url=None):
    """Assert that the wrong sides get 403, an outsider 404.

    A supplier gets 404 for an order it does not see (a draft, or one
    waiting for approval).
    """
    url = url or url_of(name, people, purchase_order)
    hidden = purchase_order.status in LOCAL and takes_order(name)
    for wrong in wrong_clients(people, name, method):
        expected = 404 if hidden and wrong is people.supplier_client else 403
        assert getattr(wrong, method)(url, data or {}).status_code == expected
    if scoped(name):
        assert getattr(people.outsider_client, method)(url, data or {}).status_code == 404


def text(response) -> str:
    return response.content.decode()
