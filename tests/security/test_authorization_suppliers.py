"""Who may open the supplier directory's pages and actions, and what each visitor gets.

A buyer of the business opens them; a person of another business finds no
such supplier or search (404); a person of the buyer's business in another
role, and anyone who buys for no business, is refused (403); a visitor who
is not signed in is sent to log in. Removing is POST only, with CSRF.
"""

import pytest
from django.test import Client
from django.urls import reverse

from purchase_orders.models import Membership, SupplierLink, SupplierSearch
from purchase_orders.views import live
from tests.factories import MembershipFactory, UserFactory, link_supplier, make_search
from tests.security.authorization import DIRECTORY, NAMES

pytestmark = pytest.mark.django_db

# The pages of one supplier or one search; the others are the buyer's own lists.
SCOPED = ("supplier-search", "supplier-search-stamp", "supplier-detail", "supplier-remove")
POST_ONLY = ("supplier-remove",)


def test_every_directory_url_is_in_the_matrix():
    # The invitation of a supplier's people is tested with the other invitations
    # (test_authorization_business.py).
    directory = [
        name for name in NAMES if name.startswith("supplier-") and name != "supplier-invite"
    ]
    assert sorted(directory) == sorted(DIRECTORY)


def url_for(name: str, *, link: SupplierLink, search: SupplierSearch) -> str:
    if name.startswith("supplier-search"):
        return reverse(f"purchase_orders:{name}", args=[search.pk])
    if name in ("supplier-detail", "supplier-remove"):
        return reverse(f"purchase_orders:{name}", args=[link.pk])
    return reverse(f"purchase_orders:{name}")


@pytest.fixture
def directory(people):
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)
    search = make_search(people.buyer)
    return link, search


def methods(name: str) -> list[str]:
    return ["post"] if name in POST_ONLY else ["get"]


@pytest.mark.parametrize("name", DIRECTORY)
def test_the_buyer_opens_each_page(people, directory, name):
    link, search = directory

    for method in methods(name):
        response = getattr(people.buyer_client, method)(url_for(name, link=link, search=search))
        assert response.status_code in (200, 302), (name, method, response.status_code)
    if name == "supplier-remove":
        assert not SupplierLink.objects.filter(pk=link.pk).exists()


@pytest.mark.parametrize("name", DIRECTORY)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(people, directory, name, method):
    url = url_for(name, link=directory[0], search=directory[1])

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", SCOPED)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_buyer_of_another_business_finds_nothing(people, directory, name, method):
    url = url_for(name, link=directory[0], search=directory[1])

    response = getattr(people.outsider_client, method)(url)

    allowed = method in methods(name) or name in ("supplier-search",)
    assert response.status_code == (404 if allowed else 405)
    assert SupplierLink.objects.filter(pk=directory[0].pk).exists()


def test_the_other_business_has_its_own_directory_that_the_buyer_cannot_reach(people):
    theirs = link_supplier(people.outsider, people.supplier)
    their_search = make_search(people.outsider)

    for url in (
        reverse("purchase_orders:supplier-detail", args=[theirs.pk]),
        reverse("purchase_orders:supplier-search", args=[their_search.pk]),
        reverse("purchase_orders:supplier-search-stamp", args=[their_search.pk]),
    ):
        assert people.buyer_client.get(url).status_code == 404
    assert (
        people.buyer_client.post(
            reverse("purchase_orders:supplier-remove", args=[theirs.pk])
        ).status_code
        == 404
    )
    assert SupplierLink.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("name", DIRECTORY)
def test_someone_who_buys_for_no_business_is_refused(people, directory, name):
    url = url_for(name, link=directory[0], search=directory[1])

    for method in methods(name):
        assert getattr(people.supplier_client, method)(url).status_code == 403


@pytest.mark.parametrize("role", [Membership.Role.ADMIN, Membership.Role.APPROVER])
@pytest.mark.parametrize("name", SCOPED)
def test_another_role_in_the_buyers_business_is_refused(people, directory, name, role):
    """A business admin who buys for another business sees this one's directory refused."""
    person = UserFactory()
    MembershipFactory(user=person, business=people.buyer, role=role)
    MembershipFactory(user=person, business=people.outsider, role=Membership.Role.BUYER)
    client = Client()
    client.force_login(person)

    for method in methods(name):
        response = getattr(client, method)(url_for(name, link=directory[0], search=directory[1]))
        assert response.status_code == 403
    assert SupplierLink.objects.filter(pk=directory[0].pk).exists()


def test_the_list_shows_only_the_viewers_own_directories(people):
    link_supplier(people.outsider, people.supplier)

    content = people.outsider_client.get(reverse("purchase_orders:supplier-list")).content.decode()

    assert people.buyer.legal_name not in content
    assert content.count('<tr id="supplier-') == 1


def test_removing_needs_the_csrf_token(people, directory):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.buyer_user)

    response = client.post(reverse("purchase_orders:supplier-remove", args=[directory[0].pk]))

    assert response.status_code == 403
    assert SupplierLink.objects.filter(pk=directory[0].pk).exists()


def test_asking_the_network_needs_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.buyer_user)

    response = client.post(
        reverse("purchase_orders:supplier-add"),
        {"buyer": people.buyer.pk, "parameter": "B2BID", "value": "ANYONE"},
    )

    assert response.status_code == 403
    assert SupplierSearch.objects.count() == 0


def test_a_search_pages_token_follows_only_that_search(people, directory):
    search = directory[1]
    page = people.buyer_client.get(reverse("purchase_orders:supplier-search", args=[search.pk]))
    token = page.context["live"]["token"]
    other = make_search(people.outsider)

    def poll(pk):
        return Client().get(
            reverse("purchase_orders:supplier-search-stamp", args=[pk]),
            headers={live.TOKEN_HEADER: token},
        )

    assert poll(search.pk).status_code == 200
    # Another search's stamp: the token is for another page.
    assert poll(other.pk).status_code == 403
    forged = Client().get(
        reverse("purchase_orders:supplier-search-stamp", args=[search.pk]),
        headers={live.TOKEN_HEADER: token[:-2] + "xx"},
    )
    assert forged.status_code == 403
