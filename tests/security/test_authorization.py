"""Who may open what: every named page and action, by every kind of visitor.

Each URL of ``purchase_orders/urls.py`` is listed in ``ALLOWED``
(``tests/security/authorization.py``) with the side that may use it; a URL
added without a line there fails the first test. What the rightful side gets
is in ``test_authorization_pages.py``, ``test_authorization_actions.py`` and,
for a business's own pages, ``test_authorization_business.py``; the
invitation's link, public, is tested there too.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.security.authorization import (
    ALLOWED,
    APPROVER_OPENS,
    NAMES,
    PUBLIC,
    rightful_client,
    scoped,
    url_of,
    wrong_clients,
)

pytestmark = pytest.mark.django_db


def test_every_named_url_has_its_rule():
    assert sorted(NAMES) == sorted(ALLOWED)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", [name for name in NAMES if ALLOWED[name] != PUBLIC])
def test_anonymous_visitors_are_sent_to_log_in(people, name, method):
    url = url_of(name, people, people.purchase_order(sent=True))

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", [name for name in NAMES if ALLOWED[name] != PUBLIC])
def test_the_wrong_side_is_forbidden_and_another_business_finds_nothing(people, name, method):
    purchase_order = people.purchase_order(sent=True)
    url = url_of(name, people, purchase_order)
    rightful = rightful_client(people, name)
    # A page that takes no POST (or an action that takes no GET) refuses the method to all.
    if getattr(rightful, method)(url).status_code == 405:
        forbidden = not_found = 405
    else:
        forbidden, not_found = 403, 404

    for wrong in wrong_clients(people, name, method):
        assert getattr(wrong, method)(url).status_code == forbidden
    if scoped(name):
        assert getattr(people.outsider_client, method)(url).status_code == not_found


def test_the_matrix_names_every_side_and_the_approvers_pages():
    assert set(ALLOWED.values()) == {
        "buyer",
        "supplier",
        "both",
        "approver",
        "business admin",
        "member",
        "anyone",
    }
    assert {name for name, side in ALLOWED.items() if side == "approver"} == {
        "approve",
        "return",
    }
    assert set(APPROVER_OPENS) <= set(NAMES)


@pytest.mark.parametrize("name", [name for name in NAMES if name in APPROVER_OPENS])
def test_an_approver_of_the_buyer_opens_the_orders_pages(people, name):
    purchase_order = people.purchase_order(sent=True)
    url = url_of(name, people, purchase_order)
    method = "post" if name == "retry" else "get"

    response = getattr(people.approver_client, method)(url)

    # The retry of a message that did not fail is refused on the page, not forbidden.
    assert response.status_code == (302 if name in ("retry", "compare") else 200)


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
