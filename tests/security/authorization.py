"""What the authorization tests share: who may use each URL, and in which statuses."""

from django.urls import reverse

from purchase_orders import lifecycle
from purchase_orders import urls as portal_urls
from purchase_orders.services.documents import record_version
from tests.factories import link_supplier, make_search

BUYER, SUPPLIER, BOTH = "buyer", "supplier", "both"
# Who may use each page or action of a purchase order sent from the buyer to the supplier.
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
    # The buyer's supplier directory (test_authorization_suppliers.py: 404 for
    # another business's supplier or search, 403 for another role of the buyer's).
    "supplier-list": BUYER,
    "supplier-add": BUYER,
    "supplier-search": BUYER,
    "supplier-search-stamp": BUYER,
    "supplier-detail": BUYER,
    "supplier-remove": BUYER,
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
)
ACTIONS = ("send", "change-status", "confirm", "reject", "duplicate", "retry")
# The supplier directory's pages and actions, tested in test_authorization_suppliers.py.
DIRECTORY = (
    "supplier-list",
    "supplier-add",
    "supplier-search",
    "supplier-search-stamp",
    "supplier-detail",
    "supplier-remove",
)


def takes_order(name: str) -> bool:
    pattern = next(p for p in portal_urls.urlpatterns if p.name == name)
    return "<str:object_id>" in str(pattern.pattern)


def takes(name: str, converter: str) -> bool:
    pattern = next(p for p in portal_urls.urlpatterns if p.name == name)
    return converter in str(pattern.pattern)


def url_of(name: str, people, purchase_order, message=None) -> str:
    kwargs = {}
    if takes_order(name):
        kwargs["object_id"] = purchase_order.object_id
    if name == "retry":
        kwargs["message_id"] = (message or people.message(purchase_order)).pk
    if takes(name, "<int:link_id>"):
        kwargs["link_id"] = link_supplier(people.buyer, people.supplier).pk
    if name.startswith("supplier-search"):
        kwargs["pk"] = make_search(people.buyer).pk
    return reverse(f"purchase_orders:{name}", kwargs=kwargs or None)


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
    if ALLOWED[name] != BOTH:
        wrong = people.buyer_client if ALLOWED[name] == SUPPLIER else people.supplier_client
        hidden = purchase_order.is_draft and ALLOWED[name] == BUYER and takes_order(name)
        assert getattr(wrong, method)(url, data or {}).status_code == (404 if hidden else 403)
    if takes_order(name):
        assert getattr(people.outsider_client, method)(url, data or {}).status_code == 404


def text(response) -> str:
    return response.content.decode()
