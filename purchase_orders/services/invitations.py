"""Invitations: a business admin invites colleagues, a buyer invites a supplier's people.

The e-mail holds a link to ``invitations/<token>/``. The token is
``signing.dumps`` of the invitation's id and nonce under a salt of its own: a
forged or altered link fails its signature, and a resend gives the
invitation a new nonce, so that an older e-mail's link names a nonce that is
no longer its own. The link expires with the row's ``expires_at``,
``INVITATION_MAX_AGE_DAYS`` after the latest send. Single use is the
database's word: ``accept_invitation`` locks the row and refuses one already
accepted, so two simultaneous accepts make one user, whatever the database.

Who sends: a colleague invitation, a business admin of the business; a
supplier invitation, a buyer of the buying business whose directory holds
the supplier, while that supplier is not hosted here, to someone who is not
one of the buying business's people. It is for the supplier user's and the
business admin's roles, so that someone runs the supplier here; once one
such invitation is accepted the supplier is hosted, and its own business
admins invite its people: another buyer's invitation to it no longer
works. A buyer never gives anyone a role in a business that runs itself
here. Who resends or revokes: the
business admins of the invitation's business, and the buyer who sent a
supplier invitation while they are still a buyer of that business.

Sending is limited per person and per sending business
(``INVITATION_SEND_LIMIT`` in ``INVITATION_SEND_WINDOW_SECONDS``, resends
included). Each send takes a number from one UPDATE of an
``InvitationSendCount`` row inside its own transaction, so that simultaneous
sends each get their own number, as failed logins are counted
(``procurement/login_limits.py``); a refused send rolls its number back.

The e-mail is written by the worker when it sends it, from the invitation as
it is then: one revoked, accepted or sent again meanwhile is not mailed, so
no e-mail carries a link that no longer works. A failing mail server is
retried with the notifications' back-off.

Accepting: a visitor chooses a username and a password (checked by Django's
``AUTH_PASSWORD_VALIDATORS``) and becomes a user with the invited e-mail
address; a person signed in with that address joins as they are; anyone
else signed in is refused, and a visitor whose address already has an
account here is asked to log in first. Accepting an invitation to a
business that is not hosted here makes it hosted, in the same transaction:
its people act for it here from then on, and the network's requests acting
for it are accepted only as echoes of what this portal sent
(``services/inbound/trust.py``).
"""

import datetime
import logging
import math
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.crypto import constant_time_compare

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
    Business,
    BusinessChange,
    Invitation,
    InvitationSendCount,
    Membership,
    MembershipRole,
    SupplierLink,
)
from purchase_orders.models.people import role_words, validate_roles
from purchase_orders.selectors import holds_role
from purchase_orders.services import notifications
from purchase_orders.services.businesses import person_name, record_change

logger = logging.getLogger(__name__)

TOKEN_SALT = "purchase_orders.invitation"
TEMPLATE = "purchase_orders/email/invitation.txt"

NOT_VALID = (
    "This invitation link is not valid. Check that you opened the whole link from the "
    "e-mail, or ask for a new invitation."
)


# -- the link ----------------------------------------------------------------------


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def invitation_token(invitation: Invitation) -> str:
    """Return the signed token of an invitation's current e-mail."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=TOKEN_SALT)


def invitation_link(invitation: Invitation) -> str:
    """Return the address the invitation's e-mail links to."""
    path = reverse(
        "purchase_orders:invitation-accept", kwargs={"token": invitation_token(invitation)}
    )
    return notifications.portal_link(path)


def _read_token(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise InvitationNotFound(NOT_VALID) from None
    if (
        not isinstance(data, dict)
        or type(data.get("i")) is not int
        or not isinstance(data.get("n"), str)
    ):
        raise InvitationNotFound(NOT_VALID)
    return data["i"], data["n"]


def when_words(moment: datetime.datetime) -> str:
    """Return a moment as the pages and e-mails say it: 1 December 2026, 16:05 IST."""
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i T")


def _joined_since(business: Business) -> InvitationSuperseded:
    """Return the refusal of a buyer's invitation to a supplier that has joined since."""
    return InvitationSuperseded(
        f"{business} has joined this portal since this invitation was sent: its own business "
        "admins invite its people now. Ask them to invite you."
    )


def _ensure_usable(invitation: Invitation, nonce: str) -> None:
    """Refuse a link whose invitation was accepted, revoked, sent again or has expired."""
    if invitation.accepted_at is not None:
        raise InvitationUsed(
            f"This invitation to {invitation.business} was accepted on "
            f"{when_words(invitation.accepted_at)}, and a link works only once. Log in to carry on."
        )
    if invitation.revoked_at is not None:
        raise InvitationRevoked(
            f"This invitation to {invitation.business} was withdrawn on "
            f"{when_words(invitation.revoked_at)}. Ask whoever invited you for a new one if you "
            "still need it."
        )
    if not constant_time_compare(invitation.nonce, nonce):
        raise InvitationSuperseded(
            f"A newer invitation to {invitation.business} was e-mailed to {invitation.email} "
            f"on {when_words(invitation.last_sent_at)}. Open the link in that latest e-mail."
        )
    if invitation.invited_from_id and invitation.business.is_hosted:
        raise _joined_since(invitation.business)
    if invitation.expires_at <= timezone.now():
        raise InvitationExpired(
            f"This invitation to {invitation.business} expired on "
            f"{when_words(invitation.expires_at)}. Ask whoever invited you to send it again."
        )


def check_invitation(*, token: str) -> Invitation:
    """Return the invitation a link names, if the link can still be used; else raise.

    ``InvitationNotFound`` for a forged or altered link, ``InvitationUsed``,
    ``InvitationRevoked``, ``InvitationSuperseded`` or ``InvitationExpired``
    for one that no longer works. Nothing is changed.
    """
    pk, nonce = _read_token(token)
    invitation = (
        Invitation.objects.select_related("business", "invited_by", "invited_from")
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        raise InvitationNotFound(NOT_VALID)
    _ensure_usable(invitation, nonce)
    return invitation


def existing_account(email: str):
    """Return the active user with this e-mail address, if there is one."""
    return (
        get_user_model()
        .objects.filter(email__iexact=email.strip(), is_active=True)
        .order_by("pk")
        .first()
    )


# -- the sending limit ---------------------------------------------------------------


def _take_send_number(key: str) -> tuple[int, datetime.datetime]:
    """Count one more send under ``key``; return its number and when its window began.

    A count whose window has passed starts again at 1, now.
    """
    now = timezone.now()
    stale = Q(
        window_started_at__lt=now
        - datetime.timedelta(seconds=settings.INVITATION_SEND_WINDOW_SECONDS)
    )
    counts = InvitationSendCount.objects.filter(key=key)
    increment = {
        "sends": Case(When(stale, then=Value(1)), default=F("sends") + 1),
        "window_started_at": Case(
            When(stale, then=Value(now)),
            default=F("window_started_at"),
            output_field=models.DateTimeField(),
        ),
    }
    for _ in range(3):
        if counts.update(**increment):
            break
        try:
            # A savepoint: a simultaneous first send may insert the row first.
            with transaction.atomic():
                InvitationSendCount.objects.create(key=key, sends=1, window_started_at=now)
            break
        except IntegrityError:
            continue
    return counts.values_list("sends", "window_started_at").get()


def _duration(seconds: float) -> str:
    """Return a span in words, up to the next minute: "an hour", "2 hours", "12 minutes"."""
    minutes = max(math.ceil(seconds / 60), 1)
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return "an hour" if hours == 1 else f"{hours} hours"


def _ensure_under_limit(*, sender: AbstractBaseUser, business: Business) -> None:
    """Count a send for the person and the business sending it; refuse one past the limit."""
    limit, window = settings.INVITATION_SEND_LIMIT, settings.INVITATION_SEND_WINDOW_SECONDS
    for key, who in (
        (f"user:{sender.pk}", "You have"),
        (f"business:{business.pk}", f"{business} has"),
    ):
        sends, started = _take_send_number(key)
        if sends > limit:
            left = started + datetime.timedelta(seconds=window) - timezone.now()
            raise TooManyInvitations(
                f"{who} sent {limit} invitations within {_duration(window)}, as many as are "
                f"allowed. Try again in {_duration(left.total_seconds())}."
            )


# -- sending -------------------------------------------------------------------------


def _normalised_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise BusinessError(
            "Enter the person's e-mail address, such as name@example.in.", field="email"
        ) from None
    return email


def _max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def _new_invitation(
    *,
    business: Business,
    email: str,
    roles: list[str],
    invited_by: AbstractBaseUser,
    invited_from: Business | None = None,
) -> Invitation:
    email = _normalised_email(email)
    try:
        validate_roles(list(roles))
    except ValidationError as error:
        raise BusinessError(*error.messages, field="roles") from None
    member = (
        get_user_model().objects.filter(email__iexact=email, memberships__business=business).first()
    )
    if member is not None:
        raise BusinessError(
            f"{email} is already one of the people of {business} ({person_name(member)}); "
            "change their roles on the People page instead.",
            field="email",
        )
    open_invitation = Invitation.objects.filter(
        business=business, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()
    if open_invitation is not None:
        raise BusinessError(
            f"{email} was invited to {business} on {when_words(open_invitation.created_at)}; send "
            "that invitation again from the list instead.",
            field="email",
        )
    _ensure_under_limit(sender=invited_by, business=invited_from or business)
    now = timezone.now()
    invitation = Invitation(
        business=business,
        email=email,
        roles=[role for role in MembershipRole.values if role in set(roles)],
        invited_by=invited_by,
        invited_from=invited_from,
        expires_at=now + _max_age(),
        nonce=new_nonce(),
        last_sent_at=now,
        send_count=1,
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise BusinessError(
            f"{email} has just been invited to {business} by someone else.", field="email"
        ) from None
    by = f" by a buyer of {invited_from}" if invited_from else ""
    record_change(
        business=business,
        action=BusinessChange.Action.INVITED,
        actor=invited_by,
        invitation=invitation,
        summary=f"{email} invited as {invitation.role_words.lower()}{by}",
        changes={"Roles": [[], invitation.roles]},
    )
    _mail_on_commit(invitation)
    return invitation


@transaction.atomic
def invite_colleague(
    *, business: Business, email: str, roles: list[str], invited_by: AbstractBaseUser
) -> Invitation:
    """Invite a person to join the business with some roles, by e-mail."""
    if not holds_role(invited_by, business, MembershipRole.ADMIN):
        raise BusinessNotAllowed(f"Only a business admin of {business} can invite people to it.")
    return _new_invitation(business=business, email=email, roles=roles, invited_by=invited_by)


SUPPLIER_ROLES = [MembershipRole.ADMIN.value, MembershipRole.SUPPLIER.value]


def runs_itself_here(supplier: Business) -> str:
    """Return why a buyer may not invite a supplier's people, or "" if it may."""
    if supplier.is_hosted:
        return f"{supplier} is on this portal already: its own business admins invite its people."
    return ""


@transaction.atomic
def invite_supplier_person(
    *, link: SupplierLink, email: str, invited_by: AbstractBaseUser
) -> Invitation:
    """Invite a person of a supplier in the buyer's directory to its side of the portal."""
    link = SupplierLink.objects.select_related("buyer", "supplier").get(pk=link.pk)
    if not holds_role(invited_by, link.buyer, MembershipRole.BUYER):
        raise BusinessNotAllowed(
            f"Only a buyer of {link.buyer} can invite the people of its suppliers."
        )
    refusal = runs_itself_here(link.supplier)
    if refusal:
        raise BusinessError(refusal)
    if Membership.objects.filter(
        business=link.buyer, user__is_active=True, user__email__iexact=(email or "").strip()
    ).exists():
        raise BusinessError(
            f"{email.strip()} is one of the people of {link.buyer}. Invite someone of "
            f"{link.supplier}.",
            field="email",
        )
    return _new_invitation(
        business=link.supplier,
        email=email,
        roles=SUPPLIER_ROLES,
        invited_by=invited_by,
        invited_from=link.buyer,
    )


def may_manage(user: AbstractBaseUser, invitation: Invitation) -> bool:
    """Return whether a user may resend or revoke an invitation."""
    if holds_role(user, invitation.business, MembershipRole.ADMIN):
        return True
    return bool(
        invitation.invited_from_id
        and invitation.invited_by_id == user.pk
        and holds_role(user, invitation.invited_from, MembershipRole.BUYER)
    )


def _locked_for(
    invitation: Invitation, user: AbstractBaseUser, *, by_staff: bool = False
) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("business", "invited_from")
        .get(pk=invitation.pk)
    )
    if not (by_staff and user.is_staff) and not may_manage(user, invitation):
        raise BusinessNotAllowed(
            f"Only a business admin of {invitation.business}, or the buyer who sent it, can "
            "change this invitation."
        )
    if invitation.accepted_at is not None:
        raise BusinessError(
            f"{invitation.email} accepted this invitation on {when_words(invitation.accepted_at)}."
        )
    if invitation.revoked_at is not None:
        raise BusinessError(
            f"This invitation to {invitation.email} was revoked on "
            f"{when_words(invitation.revoked_at)}."
        )
    return invitation


@transaction.atomic
def resend_invitation(*, invitation: Invitation, resent_by: AbstractBaseUser) -> Invitation:
    """E-mail the invitation again with a new link; the older links stop working.

    It works again for ``INVITATION_MAX_AGE_DAYS`` from now, expired or not.
    """
    invitation = _locked_for(invitation, resent_by)
    _ensure_under_limit(sender=resent_by, business=invitation.invited_from or invitation.business)
    now = timezone.now()
    invitation.nonce = new_nonce()
    invitation.expires_at = now + _max_age()
    invitation.last_sent_at = now
    invitation.send_count += 1
    invitation.save(update_fields=["nonce", "expires_at", "last_sent_at", "send_count"])
    record_change(
        business=invitation.business,
        action=BusinessChange.Action.RESENT,
        actor=resent_by,
        invitation=invitation,
        summary=f"Invitation to {invitation.email} sent again ({invitation.send_count} in all)",
    )
    _mail_on_commit(invitation)
    return invitation


@transaction.atomic
def revoke_invitation(
    *, invitation: Invitation, revoked_by: AbstractBaseUser, by_staff: bool = False
) -> Invitation:
    """Withdraw an invitation: its links stop working, and nothing more is e-mailed.

    ``by_staff``: revoked by one of the portal's staff from Django admin.
    """
    invitation = _locked_for(invitation, revoked_by, by_staff=by_staff)
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = revoked_by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    record_change(
        business=invitation.business,
        action=BusinessChange.Action.REVOKED,
        actor=revoked_by,
        invitation=invitation,
        summary=f"Invitation to {invitation.email} revoked",
    )
    return invitation


# -- accepting -----------------------------------------------------------------------


def _create_user(
    invitation: Invitation, *, username: str, password: str, first_name: str, last_name: str
) -> AbstractBaseUser:
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise BusinessError("Choose a username.", field="username")
    try:
        User._meta.get_field(User.USERNAME_FIELD).run_validators(username)
    except ValidationError as error:
        raise BusinessError(*error.messages, field="username") from None
    taken = BusinessError("That username is taken; choose another.", field="username")
    if User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        raise taken
    if existing_account(invitation.email) is not None:
        raise BusinessError(
            f"There is an account here for {invitation.email} already: log in, then open the "
            "invitation's link again."
        )
    person = User(
        username=username,
        email=invitation.email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
    )
    try:
        password_validation.validate_password(password, user=person)
    except ValidationError as error:
        raise BusinessError(*error.messages, field="password1") from None
    person.set_password(password)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise taken from None
    return person


@transaction.atomic
def accept_invitation(
    *,
    token: str,
    user: AbstractBaseUser | None = None,
    username: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> AbstractBaseUser:
    """Join the invitation's business with its roles; return the person who joined.

    ``user`` signed in with the invited address joins as they are; without
    one, a user is created from ``username``, ``password`` and the names.
    The link must still work (``check_invitation``'s errors), and only one
    accept of an invitation ever succeeds.
    """
    pk, nonce = _read_token(token)
    invitation = Invitation.objects.select_for_update().filter(pk=pk).first()
    if invitation is None:
        raise InvitationNotFound(NOT_VALID)
    _ensure_usable(invitation, nonce)
    if user is not None and user.is_authenticated:
        if (user.email or "").strip().lower() != invitation.email:
            raise InvitationForSomeoneElse(
                f"This invitation is for {invitation.email}, but you are signed in as "
                f"{user.get_username()}. Log out, then open the link again."
            )
        person = user
    else:
        person = _create_user(
            invitation,
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
    business = Business.objects.select_for_update().get(pk=invitation.business_id)
    if invitation.invited_from_id and business.is_hosted:
        raise _joined_since(business)
    held = set(
        Membership.objects.filter(business=business, user=person).values_list("role", flat=True)
    )
    Membership.objects.bulk_create(
        Membership(business=business, user=person, role=role)
        for role in invitation.roles
        if role not in held
    )
    became_hosted = not business.is_hosted
    if became_hosted:
        business.is_hosted = True
        business.save(update_fields=["is_hosted", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    hosted = "; the business is hosted on this portal from now on" if became_hosted else ""
    record_change(
        business=business,
        action=BusinessChange.Action.ACCEPTED,
        actor=person,
        person=person,
        invitation=invitation,
        summary=f"{person_name(person)} ({invitation.email}) joined as "
        f"{role_words(invitation.roles).lower()}{hosted}",
        changes={"Roles": [sorted(held), invitation.roles]},
    )
    return person


# -- the e-mail ----------------------------------------------------------------------


def _tasks():
    """Return the tasks module, which calls these services: imported when first queued."""
    from purchase_orders import tasks

    return tasks


def _mail_on_commit(invitation: Invitation) -> None:
    pk, nonce = invitation.pk, invitation.nonce
    transaction.on_commit(
        lambda: _tasks().send_invitation_task.enqueue(invitation_id=pk, nonce=nonce),
        robust=True,
    )


def compose_invitation(invitation: Invitation) -> notifications.Email:
    """Write an invitation's e-mail as it stands now, its link included."""
    inviter = person_name(invitation.invited_by) if invitation.invited_by else "Someone"
    if invitation.invited_from:
        inviter = f"{inviter} of {invitation.invited_from}"
    subject = f"{inviter} invites you to {invitation.business} on the procurement portal"
    body = render_to_string(
        TEMPLATE,
        {
            "invitation": invitation,
            "subject": subject,
            "inviter": inviter,
            "roles": invitation.role_words.lower(),
            "is_supplier": MembershipRole.SUPPLIER in invitation.roles,
            "link": invitation_link(invitation),
            "expires": when_words(invitation.expires_at),
        },
    )
    return notifications.Email(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL)


def send_invitation_email(*, invitation_id: int, nonce: str, attempt: int = 1) -> bool:
    """E-mail an invitation's current link; return whether it went out.

    Nothing is sent for an invitation accepted, revoked, expired or sent
    again since (``nonce`` is no longer its own). While the mail server
    fails, the next attempt is queued after the notifications' back-off,
    up to ``NOTIFICATION_MAX_ATTEMPTS`` in all.
    """
    invitation = (
        Invitation.objects.select_related("business", "invited_by", "invited_from")
        .filter(pk=invitation_id)
        .first()
    )
    if (
        invitation is None
        or invitation.nonce != nonce
        or invitation.state != Invitation.State.PENDING
    ):
        logger.info("Invitation %s not e-mailed: it changed since it was queued", invitation_id)
        return False
    email = compose_invitation(invitation)
    try:
        send_mail(email.subject, email.body, email.from_email, [invitation.email])
    except notifications.MAIL_SERVER_ERRORS as error:
        failure = f"{type(error).__name__}: {error}"
    else:
        logger.info("Invitation %s e-mailed to %s", invitation_id, invitation.email)
        return True
    task = _tasks().send_invitation_task
    if attempt >= settings.NOTIFICATION_MAX_ATTEMPTS or not task.get_backend().supports_defer:
        logger.error(
            "Invitation %s not e-mailed to %s after %d attempts, given up (%s)",
            invitation_id,
            invitation.email,
            attempt,
            failure,
        )
        return False
    delay = notifications.retry_delay(attempt)
    logger.warning(
        "Invitation %s not e-mailed (attempt %d, %s); retrying in %g s",
        invitation_id,
        attempt,
        failure,
        delay,
    )
    task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
        invitation_id=invitation_id, nonce=nonce, attempt=attempt + 1
    )
    return False
