"""The rightful side opens each of a business's own pages and uses each of its actions.

Its business admins keep the business: its people, roles and invitations;
every member reads its profile; its buyers invite its suppliers' people;
the invitation's link is public. Each test also sends the wrong role (403)
and an outsider (404), as ``test_authorization.py`` does, and checks that
they changed nothing.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from purchase_orders.models import Invitation, Membership
from tests.factories import MembershipFactory, UserFactory
from tests.plugins.pages import profile_form_data
from tests.security.authorization import (
    assert_refused,
    colleague_invitation,
    directory_link,
    text,
    url_of,
)

pytestmark = pytest.mark.django_db


def roles_of(user, business) -> set[str]:
    return set(
        Membership.objects.filter(user=user, business=business).values_list("role", flat=True)
    )


def test_every_member_reads_the_profile_and_only_its_business_admin_saves_it(people):
    purchase_order = people.purchase_order()
    url = url_of("business-profile", people, purchase_order)

    read = people.buyer_client.get(url)
    kept = people.admin_client.get(url)
    saved = people.admin_client.post(
        url, profile_form_data(people.buyer, trade_name="Kaveri Mills")
    )

    assert (read.status_code, kept.status_code) == (200, 200)
    assert f"<h1>Profile of {people.buyer}</h1>" in text(read)
    assert "Save the profile" not in text(read)
    assert "Only a business admin of Kaveri Textiles can change its profile." in text(read)
    assert "Save the profile" in text(kept)
    assert saved.status_code == 302
    people.buyer.refresh_from_db()
    assert people.buyer.trade_name == "Kaveri Mills"
    refused = profile_form_data(people.buyer, trade_name="Taken Over")
    assert_refused(people, "business-profile", purchase_order, "post", data=refused)
    assert_refused(people, "business-profile", purchase_order, "get")
    people.buyer.refresh_from_db()
    assert people.buyer.trade_name == "Kaveri Mills"


def test_the_people_page_is_for_the_business_admin(people):
    purchase_order = people.purchase_order()
    url = url_of("business-people", people, purchase_order)

    response = people.admin_client.get(url)

    assert response.status_code == 200
    assert f"<h1>People of {people.buyer}</h1>" in text(response)
    for name in ("Asha", "Bina Shetty"):
        assert name in text(response)
    assert_refused(people, "business-people", purchase_order, "get")


def test_the_business_admin_invites_a_colleague(people):
    purchase_order = people.purchase_order()
    url = url_of("business-invite", people, purchase_order)
    data = {"email": "Ravi@Example.in", "roles": ["buyer", "approver"]}

    page = people.admin_client.get(url)
    assert_refused(people, "business-invite", purchase_order, "get")
    assert_refused(people, "business-invite", purchase_order, "post", data=data)
    assert not Invitation.objects.exists()
    response = people.admin_client.post(url, data)

    assert page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "purchase_orders:business-people", kwargs={"business_id": people.buyer.pk}
    )
    invitation = Invitation.objects.get()
    assert (invitation.business, invitation.email) == (people.buyer, "ravi@example.in")
    assert (invitation.roles, invitation.invited_by) == (["buyer", "approver"], people.admin_user)


def test_the_business_admin_changes_a_persons_roles(people):
    purchase_order = people.purchase_order()
    url = reverse(
        "purchase_orders:business-person-roles",
        kwargs={"business_id": people.buyer.pk, "user_id": people.buyer_user.pk},
    )
    data = {"roles": ["buyer", "approver"]}

    assert_refused(people, "business-person-roles", purchase_order, "post", data=data, url=url)
    assert roles_of(people.buyer_user, people.buyer) == {"buyer"}
    response = people.admin_client.post(url, data)

    assert response.status_code == 302
    assert roles_of(people.buyer_user, people.buyer) == {"buyer", "approver"}
    assert people.admin_client.get(url).status_code == 405


def test_the_business_admin_removes_a_person(people):
    purchase_order = people.purchase_order()
    url = reverse(
        "purchase_orders:business-person-remove",
        kwargs={"business_id": people.buyer.pk, "user_id": people.buyer_user.pk},
    )

    assert_refused(people, "business-person-remove", purchase_order, "post", url=url)
    assert roles_of(people.buyer_user, people.buyer) == {"buyer"}
    response = people.admin_client.post(url)

    assert response.status_code == 302
    assert roles_of(people.buyer_user, people.buyer) == set()
    people.buyer_user.refresh_from_db()
    assert people.buyer_user.is_active is True


def test_a_buyer_invites_a_person_of_a_supplier_in_the_directory(people):
    purchase_order = people.purchase_order()
    url = url_of("supplier-invite", people, purchase_order)
    data = {"email": "sales@sahyadri.example.in"}

    page = people.buyer_client.get(url)
    assert_refused(people, "supplier-invite", purchase_order, "get")
    assert_refused(people, "supplier-invite", purchase_order, "post", data=data)
    # The supplier's own people are outsiders to the buyer's directory.
    assert people.supplier_client.get(url).status_code == 404
    assert not Invitation.objects.exists()
    response = people.buyer_client.post(url, data)

    assert page.status_code == 200
    remote = directory_link(people).supplier
    assert f"<h1>Invite the people of {remote}</h1>" in text(page)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.business, invitation.invited_from) == (remote, people.buyer)
    # Nobody runs the supplier here yet: the invited person is to.
    assert invitation.roles == ["admin", "supplier"]


@pytest.mark.parametrize("name", ["invitation-resend", "invitation-revoke"])
def test_the_business_admin_resends_and_revokes_an_invitation(people, name):
    purchase_order = people.purchase_order()
    invitation = colleague_invitation(people)
    url = url_of(name, people, purchase_order)

    assert_refused(people, name, purchase_order, "post")
    refreshed = Invitation.objects.get(pk=invitation.pk)
    assert (refreshed.send_count, refreshed.revoked_at) == (1, None)
    response = people.admin_client.post(url)

    assert response.status_code == 302
    refreshed = Invitation.objects.get(pk=invitation.pk)
    if name == "invitation-resend":
        assert (refreshed.send_count, refreshed.revoked_at) == (2, None)
    else:
        assert (refreshed.send_count, refreshed.revoked_by) == (1, people.admin_user)
    assert people.admin_client.get(url).status_code == 405


def test_the_buyer_who_invited_a_suppliers_person_resends_it_and_others_cannot(people):
    purchase_order = people.purchase_order()
    people.buyer_client.post(
        url_of("supplier-invite", people, purchase_order), {"email": "sales@sahyadri.example.in"}
    )
    invitation = Invitation.objects.get()
    url = reverse("purchase_orders:invitation-resend", kwargs={"pk": invitation.pk})
    other_buyer = people.client(
        MembershipFactory(
            user=UserFactory(username="bala"), business=people.buyer, role=Membership.Role.BUYER
        ).user
    )

    assert other_buyer.post(url).status_code == 403
    assert people.outsider_client.post(url).status_code == 404
    assert Invitation.objects.get().send_count == 1
    assert people.buyer_client.post(url).status_code == 302
    assert Invitation.objects.get().send_count == 2


def test_the_invitations_link_is_public_and_a_forged_one_finds_nothing(people):
    purchase_order = people.purchase_order()
    url = url_of("invitation-accept", people, purchase_order)
    forged = reverse("purchase_orders:invitation-accept", kwargs={"token": "forged:token"})

    response = Client().get(url)
    nothing = Client().get(forged)

    assert response.status_code == 200
    assert f"<h1>Join {people.buyer}</h1>" in text(response)
    assert nothing.status_code == 404
    assert "This invitation link is not valid" in text(nothing)
    assert Client().post(forged, {"username": "mallory"}).status_code == 404
    assert not get_user_model().objects.filter(username="mallory").exists()
