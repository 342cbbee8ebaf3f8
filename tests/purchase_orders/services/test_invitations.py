"""Invitations: sent, resent, revoked and accepted once, each step audited.

The link is signed, names its e-mail's nonce and expires; whatever cannot
be used changes nothing. Sending is limited per person and per business.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.db import connection
from django.utils import timezone

from purchase_orders.exceptions import (
    BusinessError,
    BusinessNotAllowed,
    InvitationExpired,
    InvitationForSomeoneElse,
    InvitationNotFound,
    InvitationRevoked,
    InvitationSuperseded,
    InvitationUsed,
    TooManyInvitations,
)
from purchase_orders.models import (
    BusinessChange,
    Invitation,
    InvitationSendCount,
    Membership,
    SupplierLink,
)
from purchase_orders.services import invitations
from purchase_orders.services.invitations import (
    accept_invitation,
    check_invitation,
    invitation_token,
    invite_colleague,
    invite_supplier_person,
    resend_invitation,
    revoke_invitation,
)
from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.plugins.network import at_once

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "kaveri-looms-2026"


@pytest.fixture
def invite(people, django_capture_on_commit_callbacks):
    """Return ``invite(email, roles)``: the buyer's business admin invites a colleague."""

    def send(email: str = "ravi@example.in", roles=("buyer",)) -> Invitation:
        with django_capture_on_commit_callbacks(execute=True):
            return invite_colleague(
                business=people.buyer, email=email, roles=list(roles), invited_by=people.admin_user
            )

    return send


def state(invitation: Invitation) -> dict:
    """Return everything an accept could change: the invitation, the users and the members."""
    return {
        "invitation": Invitation.objects.filter(pk=invitation.pk).values().get(),
        "users": sorted(User.objects.values_list("username", flat=True)),
        "members": sorted(Membership.objects.values_list("user__username", "business", "role")),
        "business": type(invitation.business)
        .objects.filter(pk=invitation.business_id)
        .values("is_hosted")[0],
        "changes": BusinessChange.objects.count(),
    }


def link_in(email) -> str:
    token = email.body.split("/invitations/", 1)[1].split("/", 1)[0]
    return token


def test_an_invitation_is_saved_audited_and_mailed_with_its_link(
    people, invite, send_queued_mail, settings
):
    settings.PORTAL_BASE_URL = "https://procurement.example.in"

    invitation = invite("Ravi@Example.in ", roles=["approver", "buyer"])

    assert (invitation.email, invitation.roles) == ("ravi@example.in", ["buyer", "approver"])
    assert invitation.expires_at - invitation.last_sent_at == datetime.timedelta(days=7)
    change = BusinessChange.objects.get()
    assert (change.action, change.actor, change.actor_name) == (
        "invited",
        people.admin_user,
        "Bina Shetty",
    )
    assert change.summary == "ravi@example.in invited as buyer and approver"
    assert send_queued_mail() == 1
    [email] = mail.outbox
    assert email.to == ["ravi@example.in"]
    assert email.subject == "Bina Shetty invites you to Kaveri Textiles on the procurement portal"
    assert "as buyer and approver" in email.body
    assert "https://procurement.example.in/invitations/" in email.body
    assert check_invitation(token=link_in(email)) == invitation


def test_only_a_business_admin_invites_colleagues_and_bad_input_changes_nothing(people, invite):
    with pytest.raises(BusinessNotAllowed):
        invite_colleague(
            business=people.buyer,
            email="ravi@example.in",
            roles=["buyer"],
            invited_by=people.buyer_user,
        )
    with pytest.raises(BusinessError) as no_address:
        invite("not an address")
    with pytest.raises(BusinessError) as no_role:
        invite(roles=[])
    with pytest.raises(BusinessError) as odd_role:
        invite(roles=["owner"])
    with pytest.raises(BusinessError) as member:
        invite(people.buyer_user.email)

    assert (no_address.value.field, no_role.value.field, odd_role.value.field) == (
        "email",
        "roles",
        "roles",
    )
    assert no_role.value.message == "Choose at least one role."
    assert member.value.message == (
        "asha@example.in is already one of the people of Kaveri Textiles (Asha); change "
        "their roles on the People page instead."
    )
    assert not Invitation.objects.exists()
    assert not BusinessChange.objects.exists()
    assert not InvitationSendCount.objects.exists()


def test_a_second_invitation_to_one_address_is_a_resend(people, invite):
    invite()

    with pytest.raises(BusinessError) as again:
        invite("RAVI@example.in")

    assert again.value.field == "email"
    assert "send that invitation again from the list instead" in again.value.message
    assert Invitation.objects.count() == 1


def test_a_resend_gives_a_new_link_and_the_older_ones_stop_working(
    people, invite, send_queued_mail, django_capture_on_commit_callbacks
):
    invitation = invite()
    old_token = invitation_token(invitation)
    invitation.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    invitation.save()

    with django_capture_on_commit_callbacks(execute=True):
        resent = resend_invitation(invitation=invitation, resent_by=people.admin_user)

    assert resent.send_count == 2
    assert resent.expires_at > timezone.now() + datetime.timedelta(days=6)
    with pytest.raises(InvitationSuperseded) as superseded:
        check_invitation(token=old_token)
    assert superseded.value.status == 410
    assert "Open the link in that latest e-mail." in superseded.value.message
    assert check_invitation(token=invitation_token(resent)) == resent
    # The first e-mail was queued with the nonce it no longer has: only the latest goes out.
    assert send_queued_mail() == 2
    [email] = mail.outbox
    assert check_invitation(token=link_in(email)) == resent
    assert list(BusinessChange.objects.order_by("pk").values_list("action", flat=True)) == [
        "invited",
        "resent",
    ]


def test_a_revoked_invitation_is_neither_mailed_nor_accepted(people, invite, send_queued_mail):
    invitation = invite()
    token = invitation_token(invitation)

    revoke_invitation(invitation=invitation, revoked_by=people.admin_user)
    before = state(invitation)

    with pytest.raises(InvitationRevoked):
        accept_invitation(token=token, username="ravi", password=PASSWORD)
    with pytest.raises(BusinessError) as again:
        resend_invitation(invitation=invitation, resent_by=people.admin_user)

    assert state(invitation) == before
    assert "was revoked on" in again.value.message
    assert send_queued_mail() == 1
    assert mail.outbox == []
    assert BusinessChange.objects.filter(action="revoked", actor=people.admin_user).count() == 1


def test_an_expired_link_is_refused_and_changes_nothing(people, invite):
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    before = state(invitation)

    with pytest.raises(InvitationExpired) as expired:
        accept_invitation(token=invitation_token(invitation), username="ravi", password=PASSWORD)

    assert expired.value.status == 410
    assert "Ask whoever invited you to send it again." in expired.value.message
    assert state(invitation) == before


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        signing.dumps({"i": 1, "n": "x"}, salt="another.salt"),
        signing.dumps({"i": "1", "n": "x"}, salt=invitations.TOKEN_SALT),
        signing.dumps([1, "x"], salt=invitations.TOKEN_SALT),
    ],
)
def test_a_forged_or_altered_link_finds_nothing(people, invite, token):
    invitation = invite()
    before = state(invitation)

    with pytest.raises(InvitationNotFound) as forged:
        accept_invitation(token=token, username="mallory", password=PASSWORD)

    assert forged.value.status == 404
    assert state(invitation) == before


def test_a_link_with_another_invitations_id_but_its_own_nonce_finds_nothing(people, invite):
    invitation = invite()
    other = invite("meera@example.in")
    # Signed here, but the nonce is the other invitation's.
    token = signing.dumps({"i": invitation.pk, "n": other.nonce}, salt=invitations.TOKEN_SALT)

    with pytest.raises(InvitationSuperseded):
        check_invitation(token=token)


def test_accepting_makes_the_user_joins_with_the_roles_and_uses_the_link_up(people, invite):
    invitation = invite(roles=["buyer", "approver"])
    token = invitation_token(invitation)

    person = accept_invitation(
        token=token, username="ravi", password=PASSWORD, first_name="Ravi", last_name="Kumar"
    )

    assert (person.username, person.email, person.get_full_name()) == (
        "ravi",
        "ravi@example.in",
        "Ravi Kumar",
    )
    assert person.check_password(PASSWORD) is True
    assert set(
        Membership.objects.filter(user=person, business=people.buyer).values_list("role", flat=True)
    ) == {"buyer", "approver"}
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.state) == (person, "accepted")
    change = BusinessChange.objects.get(action="accepted")
    assert (change.actor, change.person, change.invitation) == (person, person, invitation)
    assert change.summary == "Ravi Kumar (ravi@example.in) joined as buyer and approver"
    before = state(invitation)
    with pytest.raises(InvitationUsed) as used:
        accept_invitation(token=token, username="ravi2", password=PASSWORD)
    assert used.value.status == 410
    assert state(invitation) == before


def test_every_password_rule_is_said_and_nothing_is_made(people, invite):
    invitation = invite()
    before = state(invitation)

    with pytest.raises(BusinessError) as weak:
        accept_invitation(token=invitation_token(invitation), username="ravi", password="1234")

    assert weak.value.field == "password1"
    assert weak.value.messages == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert state(invitation) == before


def test_a_password_like_the_address_is_refused(people, invite):
    invitation = invite("ravikumar@example.in")

    with pytest.raises(BusinessError) as similar:
        accept_invitation(
            token=invitation_token(invitation), username="ravi", password="ravikumar@example"
        )

    assert similar.value.messages == ["The password is too similar to the email address."]


def test_a_username_taken_in_any_case_is_refused(people, invite):
    invitation = invite()
    before = state(invitation)

    with pytest.raises(BusinessError) as taken:
        accept_invitation(token=invitation_token(invitation), username="ASHA", password=PASSWORD)

    assert (taken.value.field, taken.value.message) == (
        "username",
        "That username is taken; choose another.",
    )
    assert state(invitation) == before


def test_a_person_signed_in_with_the_invited_address_joins_as_they_are(people, invite):
    colleague = UserFactory(username="ravi", email="Ravi@example.in")
    invitation = invite()

    person = accept_invitation(token=invitation_token(invitation), user=colleague)

    assert person == colleague
    assert Membership.objects.filter(user=colleague, business=people.buyer).count() == 1
    assert User.objects.filter(email__iexact="ravi@example.in").count() == 1


def test_someone_else_signed_in_cannot_accept(people, invite):
    invitation = invite()
    before = state(invitation)

    with pytest.raises(InvitationForSomeoneElse) as someone_else:
        accept_invitation(token=invitation_token(invitation), user=people.supplier_user)

    assert someone_else.value.status == 403
    assert state(invitation) == before


def test_an_address_with_an_account_here_must_log_in_first(people, invite):
    UserFactory(username="ravi", email="ravi@example.in")
    invitation = invite()
    before = state(invitation)

    with pytest.raises(BusinessError) as exists:
        accept_invitation(token=invitation_token(invitation), username="ravi2", password=PASSWORD)

    assert "log in, then open the invitation's link again" in exists.value.message
    assert state(invitation) == before


def test_a_supplier_invitation_makes_a_remote_supplier_hosted_when_accepted(
    people, django_capture_on_commit_callbacks
):
    remote = BusinessFactory(legal_name="Deccan Forge Private Limited", is_hosted=False)
    link = SupplierLink.objects.create(buyer=people.buyer, supplier=remote)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_supplier_person(
            link=link, email="sales@deccan.example.in", invited_by=people.buyer_user
        )

    person = accept_invitation(
        token=invitation_token(invitation), username="deepa", password=PASSWORD
    )

    assert invitation.roles == ["admin", "supplier"]
    remote.refresh_from_db()
    assert remote.is_hosted is True
    assert set(Membership.objects.filter(user=person).values_list("business", "role")) == {
        (remote.pk, "admin"),
        (remote.pk, "supplier"),
    }
    change = BusinessChange.objects.get(action="accepted")
    assert change.summary.endswith("; the business is hosted on this portal from now on")


def test_a_buyer_gives_no_role_in_a_supplier_that_runs_itself_here(people):
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)

    with pytest.raises(BusinessError) as refused:
        invite_supplier_person(
            link=link, email="sales@sahyadri.example.in", invited_by=people.buyer_user
        )
    with pytest.raises(BusinessNotAllowed):
        invite_supplier_person(
            link=link, email="other@sahyadri.example.in", invited_by=people.admin_user
        )

    assert "its own business admins invite its people" in refused.value.message
    assert not Invitation.objects.exists()


def test_a_buyer_cannot_invite_its_own_people_into_a_supplier(people):
    remote = BusinessFactory(is_hosted=False)
    link = SupplierLink.objects.create(buyer=people.buyer, supplier=remote)

    with pytest.raises(BusinessError) as refused:
        invite_supplier_person(
            link=link, email=people.buyer_user.email.upper(), invited_by=people.buyer_user
        )

    assert refused.value.field == "email"
    assert not Invitation.objects.exists()


def test_once_a_supplier_joins_another_buyers_invitation_to_it_no_longer_works(people):
    remote = BusinessFactory(legal_name="Deccan Forge Private Limited", is_hosted=False)
    other_buyer = MembershipFactory(role=Membership.Role.BUYER)
    first = invite_supplier_person(
        link=SupplierLink.objects.create(buyer=people.buyer, supplier=remote),
        email="deepa@deccan.example.in",
        invited_by=people.buyer_user,
    )
    second = invite_supplier_person(
        link=SupplierLink.objects.create(buyer=other_buyer.business, supplier=remote),
        email="gopal@deccan.example.in",
        invited_by=other_buyer.user,
    )
    accept_invitation(token=invitation_token(first), username="deepa", password=PASSWORD)

    with pytest.raises(InvitationSuperseded) as refused:
        accept_invitation(token=invitation_token(second), username="gopal", password=PASSWORD)

    assert "has joined this portal since" in refused.value.message
    assert not Membership.objects.filter(user__username="gopal").exists()
    assert Membership.objects.filter(business=remote, role="admin").count() == 1


def test_sending_is_limited_per_person_and_per_business(people, invite, settings, people_admin2):
    settings.INVITATION_SEND_LIMIT = 2
    first = invite("one@example.in")
    invite("two@example.in")

    with pytest.raises(TooManyInvitations) as by_person:
        invite("three@example.in")
    with pytest.raises(TooManyInvitations):
        resend_invitation(invitation=first, resent_by=people.admin_user)
    # Another admin of the same business meets the business's limit.
    with pytest.raises(TooManyInvitations) as by_business:
        invite_colleague(
            business=people.buyer,
            email="four@example.in",
            roles=["buyer"],
            invited_by=people_admin2,
        )

    assert by_person.value.message == (
        "You have sent 2 invitations within an hour, as many as are allowed. Try again in an hour."
    )
    assert by_business.value.message.startswith(
        "Kaveri Textiles has sent 2 invitations within an hour, as many as are allowed."
    )
    assert Invitation.objects.count() == 2
    assert Invitation.objects.get(pk=first.pk).send_count == 1
    # The window passes: the count starts again.
    InvitationSendCount.objects.update(
        window_started_at=timezone.now() - datetime.timedelta(hours=1, seconds=1)
    )
    invite("three@example.in")
    assert set(InvitationSendCount.objects.values_list("key", "sends")) == {
        (f"user:{people.admin_user.pk}", 1),
        (f"business:{people.buyer.pk}", 1),
    }


@pytest.fixture
def people_admin2(people):
    return Membership.objects.create(
        user=UserFactory(username="chitra"), business=people.buyer, role="admin"
    ).user


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer; simultaneous accepts need PostgreSQL",
)
def test_two_simultaneous_accepts_make_one_user(people):
    invitation = invite_colleague(
        business=people.buyer,
        email="ravi@example.in",
        roles=["buyer"],
        invited_by=people.admin_user,
    )
    token = invitation_token(invitation)

    outcomes = at_once(
        [
            lambda number=number: accept_invitation(
                token=token, username=f"ravi{number}", password=PASSWORD
            )
            for number in range(4)
        ]
    )

    joined = [outcome for outcome in outcomes if isinstance(outcome, User)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, InvitationUsed)]
    assert (len(joined), len(refused)) == (1, 3), outcomes
    assert User.objects.filter(email="ravi@example.in").count() == 1
    assert Membership.objects.filter(business=people.buyer, user=joined[0]).count() == 1
    assert BusinessChange.objects.filter(action="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer; simultaneous sends need PostgreSQL",
)
def test_simultaneous_sends_stay_within_the_limit(people, settings):
    settings.INVITATION_SEND_LIMIT = 3

    outcomes = at_once(
        [
            lambda number=number: invite_colleague(
                business=people.buyer,
                email=f"person{number}@example.in",
                roles=["buyer"],
                invited_by=people.admin_user,
            )
            for number in range(8)
        ]
    )

    sent = [outcome for outcome in outcomes if isinstance(outcome, Invitation)]
    limited = [outcome for outcome in outcomes if isinstance(outcome, TooManyInvitations)]
    assert (len(sent), len(limited)) == (3, 5), outcomes
    assert Invitation.objects.count() == 3
