"""Who may open what: every named page and action, by every kind of visitor.

Each URL of ``purchase_orders/urls.py`` is listed in ``ALLOWED`` with the side
that may use it; a URL added without a line there fails the first test.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from purchase_orders import urls as portal_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BUYER, SUPPLIER, BOTH = "buyer", "supplier", "both"
# Who may use each page or action of a purchase order sent from the buyer to the supplier.
ALLOWED = {
    "list": BUYER,
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
}
NAMES = [pattern.name for pattern in portal_urls.urlpatterns]


def takes_order(name: str) -> bool:
    pattern = next(p for p in portal_urls.urlpatterns if p.name == name)
    return "<str:object_id>" in str(pattern.pattern)


def url_of(name: str, people, purchase_order) -> str:
    kwargs = {}
    if takes_order(name):
        kwargs["object_id"] = purchase_order.object_id
    if name == "retry":
        kwargs["message_id"] = people.message(purchase_order).pk
    return reverse(f"purchase_orders:{name}", kwargs=kwargs or None)


def test_every_named_url_has_its_rule():
    assert sorted(NAMES) == sorted(ALLOWED)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", NAMES)
def test_anonymous_visitors_are_sent_to_log_in(people, name, method):
    url = url_of(name, people, people.purchase_order(sent=True))

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", NAMES)
def test_the_wrong_side_is_forbidden_and_another_business_finds_nothing(people, name, method):
    purchase_order = people.purchase_order(sent=True)
    url = url_of(name, people, purchase_order)
    rightful = people.supplier_client if ALLOWED[name] == SUPPLIER else people.buyer_client
    wrong = people.buyer_client if ALLOWED[name] == SUPPLIER else people.supplier_client
    # A page that takes no POST (or an action that takes no GET) refuses the method to all.
    if getattr(rightful, method)(url).status_code == 405:
        forbidden = not_found = 405
    else:
        forbidden, not_found = 403, 404

    if ALLOWED[name] != BOTH:
        assert getattr(wrong, method)(url).status_code == forbidden
    if takes_order(name):
        assert getattr(people.outsider_client, method)(url).status_code == not_found


def test_admin_is_only_for_staff(people):
    admin_index = reverse("admin:index")
    non_staff = people.client(people.buyer_user)
    staff_user = UserFactory(username="stella", is_staff=True)
    staff_user.user_permissions.add(Permission.objects.get(codename="view_purchaseorder"))
    staff = Client()
    staff.force_login(staff_user)

    anonymous_response = Client().get(admin_index)
    non_staff_response = non_staff.get(admin_index)
    staff_response = staff.get(admin_index)

    assert anonymous_response.status_code == 302
    assert anonymous_response["Location"].startswith(reverse("admin:login"))
    assert non_staff_response.status_code == 302
    assert non_staff_response["Location"].startswith(reverse("admin:login"))
    changelist = reverse("admin:purchase_orders_purchaseorder_changelist")
    assert non_staff.get(changelist).status_code == 302
    assert staff_response.status_code == 200
