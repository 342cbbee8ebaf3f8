"""What the authorization tests share: who may use each URL, and in which statuses."""

from decimal import Decimal

from django.urls import reverse

from purchase_orders import lifecycle
from purchase_orders import urls as portal_urls
from purchase_orders.services.approvals import submit_for_approval
from purchase_orders.services.documents import record_version

BUYER, SUPPLIER, BOTH, APPROVER = "buyer", "supplier", "both", "approver"
# Who may use each page or action of a purchase order sent from the buyer to
# the supplier: a side of the order, or an approver of the buyer's.
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
    "submit": BUYER,
    "approve": APPROVER,
    "return": APPROVER,
}
# What an approver of the buyer (and nothing else there) opens besides their
# own actions: the order's pages, as any member of the buying business does,
# and the retry of a message the business sent (an approval sends the order).
# Every other page and action of a side is refused to them.
APPROVER_OPENS = ("home-stamp", "detail", "stamp", "print", "compare", "retry")
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
    "create",
    "detail",
    "stamp",
    "print",
    "compare",
    "edit",
)
ACTIONS = (
    "send",
    "change-status",
    "confirm",
    "reject",
    "duplicate",
    "retry",
    "submit",
    "approve",
    "return",
)


def takes_order(name: str) -> bool:
    pattern = next(p for p in portal_urls.urlpatterns if p.name == name)
    return "<str:object_id>" in str(pattern.pattern)


def url_of(name: str, people, purchase_order, message=None) -> str:
    kwargs = {}
    if takes_order(name):
        kwargs["object_id"] = purchase_order.object_id
    if name == "retry":
        kwargs["message_id"] = (message or people.message(purchase_order)).pk
    return reverse(f"purchase_orders:{name}", kwargs=kwargs or None)


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


def rightful_client(people, name: str):
    """Return the client of the side that may use a URL (the buyer's for both sides)."""
    return {SUPPLIER: people.supplier_client, APPROVER: people.approver_client}.get(
        ALLOWED[name], people.buyer_client
    )


def wrong_clients(people, name: str) -> list:
    """Return the clients of the people a URL refuses, in the order's two businesses.

    The other side; for a side's page or action, the buyer's approver too
    (unless it is one of ``APPROVER_OPENS``); for an approver's action, both
    sides.
    """
    allowed = ALLOWED[name]
    wrong = {
        BUYER: [people.supplier_client],
        SUPPLIER: [people.buyer_client],
        APPROVER: [people.buyer_client, people.supplier_client],
        BOTH: [],
    }[allowed]
    if allowed in (BUYER, SUPPLIER) and name not in APPROVER_OPENS:
        wrong.append(people.approver_client)
    return wrong


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
    for wrong in wrong_clients(people, name):
        expected = 404 if hidden and wrong is people.supplier_client else 403
        assert getattr(wrong, method)(url, data or {}).status_code == expected
    if takes_order(name):
        assert getattr(people.outsider_client, method)(url, data or {}).status_code == 404


def text(response) -> str:
    return response.content.decode()
