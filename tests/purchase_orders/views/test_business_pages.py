"""A business's own pages: the profile, its people and the invitations, as people use them."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from purchase_orders.models import Business, BusinessChange, Invitation, Membership, SupplierLink
from purchase_orders.services.invitations import invite_colleague
from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.plugins.pages import profile_form_data

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "kaveri-looms-2026"


def text(response) -> str:
    return html.unescape(response.content.decode())


def said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def profile_url(business) -> str:
    return reverse("purchase_orders:business-profile", kwargs={"business_id": business.pk})


def people_url(business) -> str:
    return reverse("purchase_orders:business-people", kwargs={"business_id": business.pk})


def row(business) -> dict:
    return Business.objects.filter(pk=business.pk).values().get()


@pytest.fixture
def mailed(people, django_capture_on_commit_callbacks, send_queued_mail):
    """Return ``post(client, url, data)``: post, then send the e-mails it queued."""

    def post(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data, follow=True)
        send_queued_mail()
        return response

    return post


def invite_ravi(people) -> Invitation:
    return invite_colleague(
        business=people.buyer,
        email="ravi@example.in",
        roles=["buyer"],
        invited_by=people.admin_user,
    )


def link_in(email) -> str:
    return re.search(r"(/invitations/[^/\s]+/)", email.body).group(1)


# -- the profile -------------------------------------------------------------------


def test_a_wrong_gstin_and_pan_are_named_in_words_and_nothing_is_saved(people):
    before = row(people.buyer)
    data = profile_form_data(people.buyer, gstin="29aabcn1234f1zt", pan="ABCDE1234F", city="Mysuru")

    response = people.admin_client.post(profile_url(people.buyer), data)

    assert response.status_code == 200
    content = text(response)
    assert "Nothing was saved. Please correct:" in content
    assert (
        "GSTIN: This GSTIN's last character does not match its check digit; please check it "
        "for typing mistakes." in content
    )
    assert row(people.buyer) == before
    assert not BusinessChange.objects.exists()


def test_a_pan_not_in_the_gstin_and_a_state_not_its_own_are_named(people):
    data = profile_form_data(people.buyer, pan="ABCDE1234F", state_code="27")

    response = people.admin_client.post(profile_url(people.buyer), data)

    content = text(response)
    assert "State code: The state code 27 does not match the GSTIN" in content
    people.buyer.refresh_from_db()
    assert (people.buyer.pan, people.buyer.state_code) == ("", "29")


def test_the_pan_inside_the_gstin_is_accepted_and_the_drafts_are_said_to_follow(people):
    people.purchase_order()
    data = profile_form_data(
        people.buyer, pan=people.buyer.gstin[2:12].lower(), city="Mysuru", approval_limit="50000"
    )

    response = people.admin_client.post(profile_url(people.buyer), data, follow=True)

    assert said(response) == [
        "The profile of Kaveri Textiles is saved. 1 draft not yet sent now carries the new "
        "details; orders already sent keep the details they were sent with."
    ]
    people.buyer.refresh_from_db()
    assert (people.buyer.pan, people.buyer.city) == (people.buyer.gstin[2:12], "Mysuru")
    assert str(people.buyer.approval_limit) == "50000.00"


def test_the_b2b_id_and_being_hosted_are_not_the_business_admins_to_change(people):
    data = profile_form_data(people.buyer, b2b_id="B2B-TAKEN", is_hosted="")

    people.admin_client.post(profile_url(people.buyer), data)

    people.buyer.refresh_from_db()
    assert people.buyer.b2b_id != "B2B-TAKEN"
    assert people.buyer.is_hosted is True
    page = text(people.admin_client.get(profile_url(people.buyer)))
    assert people.buyer.b2b_id in page
    assert 'name="b2b_id"' not in page


def test_a_member_reads_the_profile_and_its_purchase_order_settings(people):
    people.buyer.approval_limit = 75000
    people.buyer.default_terms = "Payment within 30 days."
    people.buyer.save()

    content = text(people.buyer_client.get(profile_url(people.buyer)))

    assert "<dt>Approval limit (₹)</dt><dd>₹75,000.00</dd>" in content
    assert "<dt>Default terms and conditions</dt><dd>Payment within 30 days.</dd>" in content
    assert "<dt>Approvers may approve their own orders</dt><dd>No</dd>" in content
    assert '<form method="post" class="stack"' not in content


def test_the_navigation_leads_business_admins_to_their_business(people):
    admin_page = text(people.admin_client.get(reverse("home")))
    buyer_page = text(people.buyer_client.get(reverse("home")))

    assert f'href="{profile_url(people.buyer)}">Your business</a>' in admin_page
    assert "Your business" not in buyer_page


# -- people and roles ----------------------------------------------------------------


def test_the_people_page_lists_each_person_once_with_all_their_roles(people):
    Membership.objects.create(user=people.admin_user, business=people.buyer, role="approver")
    invite_colleague(
        business=people.buyer,
        email="ravi@example.in",
        roles=["buyer"],
        invited_by=people.admin_user,
    )

    content = text(people.admin_client.get(people_url(people.buyer)))

    assert content.count('<tr id="person-') == 2
    assert re.search(
        rf'id="person-{people.admin_user.pk}-roles_0"[^>]*checked', content
    )  # business admin
    assert "ravi@example.in" in content
    assert "Waiting; the link works until" in content
    assert "Invited</strong> by Bina Shetty: ravi@example.in invited as buyer" in content


def test_the_last_business_admin_is_told_why_they_keep_the_role(people):
    url = reverse(
        "purchase_orders:business-person-roles",
        kwargs={"business_id": people.buyer.pk, "user_id": people.admin_user.pk},
    )

    response = people.admin_client.post(url, {"roles": ["buyer"]}, follow=True)

    assert said(response) == [
        "Roles of Bina Shetty: You are the only business admin of Kaveri Textiles. Make someone "
        "else a business admin first."
    ]
    assert set(
        Membership.objects.filter(user=people.admin_user).values_list("role", flat=True)
    ) == {"admin"}


def test_no_role_at_all_is_refused_in_words(people):
    url = reverse(
        "purchase_orders:business-person-roles",
        kwargs={"business_id": people.buyer.pk, "user_id": people.buyer_user.pk},
    )

    response = people.admin_client.post(url, {}, follow=True)

    assert said(response) == [
        "Roles of Asha: Choose at least one role. To take every role away, remove the person "
        "instead."
    ]
    assert Membership.objects.filter(user=people.buyer_user, business=people.buyer).exists()


def test_an_admin_who_steps_down_is_sent_home(people):
    Membership.objects.create(user=people.buyer_user, business=people.buyer, role="admin")
    url = reverse(
        "purchase_orders:business-person-remove",
        kwargs={"business_id": people.buyer.pk, "user_id": people.admin_user.pk},
    )

    response = people.admin_client.post(url)

    assert response["Location"] == reverse("home")
    assert not Membership.objects.filter(user=people.admin_user).exists()
    assert people.admin_client.get(people_url(people.buyer)).status_code == 404


def test_an_admin_who_drops_their_own_admin_role_is_sent_home(people):
    Membership.objects.create(user=people.buyer_user, business=people.buyer, role="admin")
    url = reverse(
        "purchase_orders:business-person-roles",
        kwargs={"business_id": people.buyer.pk, "user_id": people.admin_user.pk},
    )

    response = people.admin_client.post(url, {"roles": ["approver"]})

    assert response["Location"] == reverse("home")
    assert set(
        Membership.objects.filter(user=people.admin_user).values_list("role", flat=True)
    ) == {"approver"}
    assert people.admin_client.get(people_url(people.buyer)).status_code == 403


def test_an_admin_of_two_businesses_switches_between_them(people):
    Membership.objects.create(user=people.admin_user, business=people.supplier, role="admin")

    content = text(people.admin_client.get(people_url(people.buyer)))

    assert f'<strong aria-current="page">{people.buyer}</strong>' in content
    assert f'<a href="{people_url(people.supplier)}">{people.supplier}</a>' in content


def test_a_person_of_another_business_cannot_be_named(people):
    url = reverse(
        "purchase_orders:business-person-roles",
        kwargs={"business_id": people.buyer.pk, "user_id": people.supplier_user.pk},
    )

    assert people.admin_client.post(url, {"roles": ["buyer"]}).status_code == 404
    assert not Membership.objects.filter(user=people.supplier_user, business=people.buyer).exists()


# -- invitations ---------------------------------------------------------------------


def test_the_invite_form_names_what_is_missing(people):
    url = reverse("purchase_orders:business-invite", kwargs={"business_id": people.buyer.pk})

    response = people.admin_client.post(url, {"email": "not an address"})

    content = text(response)
    assert "Enter an e-mail address such as name@example.in." in content
    assert "Choose at least one role." in content
    assert not Invitation.objects.exists()


def test_the_limit_is_said_when_it_is_reached(people, settings):
    settings.INVITATION_SEND_LIMIT = 1
    url = reverse("purchase_orders:business-invite", kwargs={"business_id": people.buyer.pk})
    people.admin_client.post(url, {"email": "one@example.in", "roles": ["buyer"]})

    response = people.admin_client.post(url, {"email": "two@example.in", "roles": ["buyer"]})

    assert response.status_code == 200
    assert "You have sent 1 invitations within an hour, as many as are allowed." in text(response)
    assert list(Invitation.objects.values_list("email", flat=True)) == ["one@example.in"]


def test_a_colleague_joins_from_the_e_mail_and_lands_at_home(people, mailed):
    url = reverse("purchase_orders:business-invite", kwargs={"business_id": people.buyer.pk})
    sent = mailed(people.admin_client, url, {"email": "ravi@example.in", "roles": ["buyer"]})
    [email] = mail.outbox
    visitor = Client()

    form = visitor.get(link_in(email))
    weak = visitor.post(
        link_in(email), {"username": "ravi", "password1": "password", "password2": "password"}
    )
    made_by_the_weak_password = User.objects.filter(username="ravi").exists()
    joined = visitor.post(
        link_in(email),
        {
            "username": "ravi",
            "first_name": "Ravi",
            "last_name": "Kumar",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )

    assert said(sent)[0].startswith(
        "An invitation to join Kaveri Textiles as buyer is on its way to ravi@example.in."
    )
    assert form.status_code == 200
    assert "Choose the username and the password you will sign in with." in text(form)
    assert weak.status_code == 200
    assert "Password: This password is too common." in text(weak)
    assert made_by_the_weak_password is False
    assert joined.redirect_chain == [(reverse("home"), 302)]
    assert "Welcome, Ravi Kumar: you have joined Kaveri Textiles as buyer." in text(joined)
    assert ">Purchase orders</a>" in text(joined)
    assert joined.context["user"].username == "ravi"
    again = Client().get(link_in(email))
    assert again.status_code == 410
    assert "This invitation has been used" in text(again)


@pytest.mark.parametrize(
    ("change", "status", "title"),
    [
        ({"revoked_at": timezone.now()}, 410, "This invitation was withdrawn"),
        ({"expires_at": timezone.now() - datetime.timedelta(days=1)}, 410, "has expired"),
        ({"nonce": "a-newer-one"}, 410, "A newer invitation was sent"),
    ],
)
def test_a_link_that_no_longer_works_says_why_and_changes_nothing(
    people, mailed, change, status, title
):
    url = reverse("purchase_orders:business-invite", kwargs={"business_id": people.buyer.pk})
    mailed(people.admin_client, url, {"email": "ravi@example.in", "roles": ["buyer"]})
    [email] = mail.outbox
    Invitation.objects.update(**change)
    users = User.objects.count()

    page = Client().get(link_in(email))
    post = Client().post(
        link_in(email), {"username": "ravi", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert (page.status_code, post.status_code) == (status, status)
    assert title in text(page)
    assert "Nothing has been changed." in text(page)
    assert User.objects.count() == users


def test_someone_else_signed_in_is_told_and_changes_nothing(people, mailed):
    url = reverse("purchase_orders:business-invite", kwargs={"business_id": people.buyer.pk})
    mailed(people.admin_client, url, {"email": "ravi@example.in", "roles": ["buyer"]})
    [email] = mail.outbox

    page = people.supplier_client.get(link_in(email))
    post = people.supplier_client.post(link_in(email))

    assert (page.status_code, post.status_code) == (403, 403)
    assert "This invitation is for ravi@example.in, but you are signed in as sunil." in text(page)
    assert not Membership.objects.filter(user=people.supplier_user, business=people.buyer).exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_person_with_an_account_logs_in_then_joins(people, mailed):
    colleague = UserFactory(username="ravi", email="ravi@example.in", first_name="Ravi")
    MembershipFactory(user=colleague, business=people.outsider, role="buyer")
    url = reverse("purchase_orders:business-invite", kwargs={"business_id": people.buyer.pk})
    mailed(people.admin_client, url, {"email": "ravi@example.in", "roles": ["approver"]})
    [email] = mail.outbox

    anonymous = Client().get(link_in(email))
    refused = Client().post(
        link_in(email), {"username": "ravi2", "password1": PASSWORD, "password2": PASSWORD}
    )
    signed_in = Client()
    signed_in.force_login(colleague)
    page = signed_in.get(link_in(email))
    joined = signed_in.post(link_in(email), follow=True)

    assert "There is an account here for ravi@example.in already." in text(anonymous)
    assert f"{reverse('login')}?next=" in text(anonymous)
    assert refused.status_code == 200
    assert not User.objects.filter(username="ravi2").exists()
    assert "joining adds these roles to your account" in text(page)
    assert "Welcome, Ravi: you have joined Kaveri Textiles as approver." in text(joined)
    assert set(Membership.objects.filter(user=colleague).values_list("business", "role")) == {
        (people.outsider.pk, "buyer"),
        (people.buyer.pk, "approver"),
    }


def test_a_person_of_a_remote_supplier_signs_up_and_sees_what_it_received(people, mailed):
    remote = BusinessFactory(legal_name="Deccan Forge Private Limited", trade_name="Deccan Forge")
    Business.objects.filter(pk=remote.pk).update(is_hosted=False)
    link = SupplierLink.objects.create(buyer=people.buyer, supplier=remote)
    sent = people.purchase_order(supplier=remote, sent=True)
    url = reverse("purchase_orders:supplier-invite", kwargs={"link_id": link.pk})

    page = people.buyer_client.get(url)
    invited = mailed(people.buyer_client, url, {"email": "deepa@deccan.example.in"})
    [email] = mail.outbox
    visitor = Client()
    joined = visitor.post(
        link_in(email),
        {"username": "deepa", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    inbox = visitor.get(reverse("purchase_orders:inbox"))

    assert "Deccan Forge is on the network, not on this portal" in text(page)
    assert "business admin and supplier user, so that someone runs it here" in text(page)
    assert said(invited)[0].startswith(
        "An invitation to join Deccan Forge as business admin and supplier user is on its way "
        "to deepa@deccan.example.in."
    )
    assert "deepa@deccan.example.in" in text(invited)  # listed among the invitations sent
    assert (
        email.subject
        == "Asha of Kaveri Textiles invites you to Deccan Forge on the procurement portal"
    )
    assert "as a supplier user you will see them there and confirm or reject them" in email.body
    assert ">Received</a>" in text(joined)
    assert inbox.status_code == 200
    assert sent.buyer_po_number in text(inbox)
    remote.refresh_from_db()
    assert remote.is_hosted is True


def test_resend_and_revoke_come_back_to_the_page_they_were_asked_from(people):
    invitation = invite_colleague(
        business=people.buyer,
        email="ravi@example.in",
        roles=["buyer"],
        invited_by=people.admin_user,
    )
    resend = reverse("purchase_orders:invitation-resend", kwargs={"pk": invitation.pk})
    revoke = reverse("purchase_orders:invitation-revoke", kwargs={"pk": invitation.pk})

    resent = people.admin_client.post(resend, {"next": people_url(people.buyer)}, follow=True)
    elsewhere = people.admin_client.post(revoke, {"next": "https://elsewhere.example/"})
    twice = people.admin_client.post(revoke, follow=True)

    assert resent.redirect_chain == [(people_url(people.buyer), 302)]
    assert "The links of the earlier e-mails no longer work." in said(resent)[0]
    assert elsewhere["Location"] == people_url(people.buyer)
    assert said(twice)[-1].startswith("This invitation to ravi@example.in was revoked on")


@pytest.mark.parametrize("token", ["x" * 5000, "%C3%A9:%C3%BC", "%00", "e30:abc:def", ":::"])
def test_a_link_of_any_shape_finds_nothing_and_never_fails(db, token):
    response = Client().post(f"/invitations/{token}/", {"username": "mallory"})

    assert response.status_code == 404
    assert "This invitation link is not valid" in text(response)
    assert not User.objects.exists()
