"""Invitations: a buyer invites a supplier's people, resend and revoke, and joining by a link.

The link's page (``invitation_accept``) is public: the signed token is the
visitor's only credential. A link that no longer works gets a page saying
why (404 for one not made here, 410 for one used, revoked, replaced by a
newer e-mail or expired, 403 for a person signed in as someone else), and
nothing changes.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from purchase_orders import selectors
from purchase_orders.exceptions import (
    BusinessError,
    BusinessNotAllowed,
    InvitationError,
    InvitationForSomeoneElse,
)
from purchase_orders.forms.businesses import AcceptInvitationForm, SupplierInviteForm
from purchase_orders.models import MembershipRole, SupplierLink
from purchase_orders.services import invitations
from purchase_orders.views.businesses import invited_message
from purchase_orders.views.common import require_business_role


def supplier_page(link: SupplierLink) -> str:
    """Return the supplier's page in the buyer's directory."""
    return reverse("purchase_orders:supplier-detail", kwargs={"link_id": link.pk})


@login_required
def supplier_invite(request, link_id: int):
    link = selectors.get_supplier_link(viewer=request.viewer, link_id=link_id)
    require_business_role(request.viewer, link.buyer_id, MembershipRole.BUYER)
    form = SupplierInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invite_supplier_person(
                link=link, email=form.cleaned_data["email"], invited_by=request.user
            )
        except BusinessNotAllowed as error:
            raise PermissionDenied(error.message) from None
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, error.messages)
        else:
            messages.success(request, invited_message(invitation))
            return redirect("purchase_orders:supplier-invite", link_id=link.pk)
    context = {
        "nav": "suppliers",
        "link": link,
        "supplier": link.supplier,
        "form": form,
        "roles": invitations.SUPPLIER_ROLES,
        "refusal": invitations.runs_itself_here(link.supplier),
        "sent": list(selectors.supplier_invitations(link=link)),
        "supplier_page": supplier_page(link),
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    return render(request, "purchase_orders/invitations/supplier_invite.html", context)


def _back(request, invitation) -> str:
    """Return where to go after a resend or revoke: the page it was asked from, if ours."""
    wanted = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    if invitation.business_id in request.viewer.admin_ids:
        return reverse(
            "purchase_orders:business-people", kwargs={"business_id": invitation.business_id}
        )
    link = SupplierLink.objects.filter(
        buyer_id=invitation.invited_from_id, supplier_id=invitation.business_id
    ).first()
    return supplier_page(link) if link else reverse("home")


@login_required
@require_POST
def invitation_resend(request, pk: int):
    invitation = selectors.get_managed_invitation(viewer=request.viewer, pk=pk)
    try:
        invitation = invitations.resend_invitation(invitation=invitation, resent_by=request.user)
    except BusinessNotAllowed as error:
        raise PermissionDenied(error.message) from None
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{invited_message(invitation)} The links of the earlier e-mails no longer work.",
        )
    return redirect(_back(request, invitation))


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = selectors.get_managed_invitation(viewer=request.viewer, pk=pk)
    try:
        invitation = invitations.revoke_invitation(invitation=invitation, revoked_by=request.user)
    except BusinessNotAllowed as error:
        raise PermissionDenied(error.message) from None
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"The invitation to {invitation.email} is revoked: its link no longer works."
        )
    return redirect(_back(request, invitation))


UNUSABLE_TITLES = {
    "InvitationNotFound": "This invitation link is not valid",
    "InvitationUsed": "This invitation has been used",
    "InvitationRevoked": "This invitation was withdrawn",
    "InvitationSuperseded": "A newer invitation was sent",
    "InvitationExpired": "This invitation has expired",
    "InvitationForSomeoneElse": "This invitation is for someone else",
}


def _unusable(request, error: InvitationError):
    context = {"title": UNUSABLE_TITLES[type(error).__name__], "error": error}
    return render(
        request, "purchase_orders/invitations/unusable.html", context, status=error.status
    )


def invitation_accept(request, token: str):
    try:
        invitation = invitations.check_invitation(token=token)
    except InvitationError as error:
        return _unusable(request, error)
    user = request.user
    if user.is_authenticated and (user.email or "").strip().lower() != invitation.email:
        return _unusable(
            request,
            InvitationForSomeoneElse(
                f"This invitation is for {invitation.email}, but you are signed in as "
                f"{user.get_username()}. Log out, then open the link again."
            ),
        )
    account = None if user.is_authenticated else invitations.existing_account(invitation.email)
    form = None
    if not user.is_authenticated and account is None:
        data = request.POST if request.method == "POST" else None
        form = AcceptInvitationForm(data, email=invitation.email)
    if request.method == "POST" and account is None and (form is None or form.is_valid()):
        try:
            person = _accept(request, token, form)
        except InvitationError as error:
            return _unusable(request, error)
        except BusinessError as error:
            if form is None:
                messages.error(request, error.message)
                return redirect(request.path)
            form.add_error(error.field if error.field in form.fields else None, error.messages)
        else:
            messages.success(
                request,
                f"Welcome, {person.get_full_name().strip() or person.get_username()}: you "
                f"have joined {invitation.business} as {invitation.role_words.lower()}.",
            )
            return redirect("home")
    context = {"invitation": invitation, "form": form, "account": account}
    return render(request, "purchase_orders/invitations/accept.html", context)


def _accept(request, token: str, form: AcceptInvitationForm | None):
    """Join as the person signed in, or as the user the form describes, signed in at once."""
    if form is None:
        return invitations.accept_invitation(token=token, user=request.user)
    data = form.cleaned_data
    person = invitations.accept_invitation(
        token=token,
        username=data["username"],
        password=data["password1"],
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
    )
    login(request, person)
    return person
