"""The business's own pages: its profile, and its people for its business admins.

Every member of a business may read its profile; only its business admins
change it, see its people and invite colleagues. Anyone else gets 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from purchase_orders import selectors
from purchase_orders.exceptions import BusinessError, BusinessNotAllowed
from purchase_orders.forms.businesses import BusinessProfileForm, InviteForm, RolesForm
from purchase_orders.models import Business, MembershipRole
from purchase_orders.models.people import role_words
from purchase_orders.services import invitations
from purchase_orders.services.businesses import (
    PROFILE_FIELDS,
    person_name,
    remove_person,
    set_roles,
    update_business_profile,
)
from purchase_orders.templatetags.portal import format_inr
from purchase_orders.views.common import require_business_role

ADMIN = MembershipRole.ADMIN


def _business(viewer, business_id: int, *roles: str) -> Business:
    require_business_role(viewer, business_id, *roles)
    return get_object_or_404(Business, pk=business_id)


def _admin_businesses(viewer):
    """Return the businesses the viewer keeps, for the pages' switch between them."""
    return Business.objects.filter(pk__in=viewer.admin_ids).order_by("legal_name")


def _context(request, business: Business, tab: str, **extra) -> dict:
    viewer = request.viewer
    return {
        "nav": "business",
        "tab": tab,
        "business": business,
        "is_admin": business.pk in viewer.admin_ids,
        "admin_businesses": _admin_businesses(viewer) if len(viewer.admin_ids) > 1 else [],
        **extra,
    }


def _facts(form: BusinessProfileForm) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the profile as the page shows it to a member who does not keep it."""
    business = form.instance
    shown = {
        "state_code": business.get_state_code_display(),
        "approval_limit": (
            "No order needs approval"
            if business.approval_limit is None
            else format_inr(business.approval_limit)
        ),
        "approvers_may_approve_own": "Yes" if business.approvers_may_approve_own else "No",
        "reminder_after_days": (
            f"{business.reminder_after_days} day{'s' if business.reminder_after_days != 1 else ''}"
            if business.reminder_after_days
            else "No reminders"
        ),
    }
    return [
        (title, [(field.label, shown.get(field.name, field.value())) for field in fields])
        for title, fields in form.sections()
    ]


def _saved_message(business: Business, refreshed: int) -> str:
    drafts = (
        f" {refreshed} draft{'s' if refreshed != 1 else ''} not yet sent now "
        f"carr{'y' if refreshed != 1 else 'ies'} the new details;"
        if refreshed
        else ""
    )
    return (
        f"The profile of {business} is saved.{drafts} orders already sent keep the details "
        "they were sent with."
    )


@login_required
def business_profile(request, business_id: int):
    viewer = request.viewer
    business = _business(viewer, business_id, *MembershipRole.values)
    may_edit = business.pk in viewer.admin_ids
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only a business admin can change the business's profile.")
        form = BusinessProfileForm(request.POST, instance=Business.objects.get(pk=business.pk))
        if form.is_valid():
            try:
                business, refreshed = update_business_profile(
                    business=business,
                    changed_by=request.user,
                    values={name: form.cleaned_data[name] for name in PROFILE_FIELDS},
                )
            except BusinessNotAllowed as error:
                raise PermissionDenied(error.message) from None
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _saved_message(business, refreshed))
                return redirect("purchase_orders:business-profile", business_id=business.pk)
    else:
        form = BusinessProfileForm(instance=business)
    context = _context(
        request,
        business,
        "profile",
        form=form,
        wide_fields=("legal_name", "address_line1", "address_line2", "default_terms"),
        may_edit=may_edit,
        facts=None if may_edit else _facts(form),
        error_summary=form.error_summary() if form.is_bound else [],
    )
    return render(request, "purchase_orders/businesses/profile.html", context)


def _people_context(request, business: Business, **extra) -> dict:
    members = selectors.business_people(business=business)
    for member in members:
        member.form = RolesForm(
            initial={"roles": member.roles}, auto_id=f"person-{member.user.pk}-%s"
        )
    return _context(
        request,
        business,
        "people",
        members=members,
        invitations=list(selectors.open_invitations(business=business)),
        changes=selectors.recent_changes(business=business),
        **extra,
    )


@login_required
def business_people(request, business_id: int):
    business = _business(request.viewer, business_id, ADMIN)
    return render(
        request, "purchase_orders/businesses/people.html", _people_context(request, business)
    )


@login_required
@require_POST
def business_person_roles(request, business_id: int, user_id: int):
    business = _business(request.viewer, business_id, ADMIN)
    person = selectors.get_member(business=business, user_id=user_id)
    form = RolesForm(request.POST)
    if not form.is_valid():
        for message in form.errors["roles"]:
            messages.error(
                request,
                f"Roles of {person_name(person)}: {message} To take every role away, remove "
                "the person instead.",
            )
        return redirect("purchase_orders:business-people", business_id=business.pk)
    try:
        roles = set_roles(
            business=business,
            person=person,
            roles=form.cleaned_data["roles"],
            changed_by=request.user,
        )
    except BusinessNotAllowed as error:
        raise PermissionDenied(error.message) from None
    except BusinessError as error:
        messages.error(request, f"Roles of {person_name(person)}: {error.message}")
        return redirect("purchase_orders:business-people", business_id=business.pk)
    messages.success(
        request, f"{person_name(person)} is now {role_words(roles).lower()} of {business}."
    )
    if person.pk == request.user.pk and ADMIN not in roles:
        # No longer a business admin here: the people page is not theirs any more.
        return redirect("home")
    return redirect("purchase_orders:business-people", business_id=business.pk)


@login_required
@require_POST
def business_person_remove(request, business_id: int, user_id: int):
    business = _business(request.viewer, business_id, ADMIN)
    person = selectors.get_member(business=business, user_id=user_id)
    try:
        remove_person(business=business, person=person, removed_by=request.user)
    except BusinessNotAllowed as error:
        raise PermissionDenied(error.message) from None
    except BusinessError as error:
        messages.error(request, error.message)
        return redirect("purchase_orders:business-people", business_id=business.pk)
    messages.success(
        request,
        f"{person_name(person)} is no longer one of the people of {business}. Their account "
        "and their name on past orders stay.",
    )
    if person.pk == request.user.pk:
        return redirect("home")
    return redirect("purchase_orders:business-people", business_id=business.pk)


@login_required
def business_invite(request, business_id: int):
    business = _business(request.viewer, business_id, ADMIN)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invite_colleague(
                business=business,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                invited_by=request.user,
            )
        except BusinessNotAllowed as error:
            raise PermissionDenied(error.message) from None
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, error.messages)
        else:
            messages.success(request, invited_message(invitation))
            return redirect("purchase_orders:business-people", business_id=business.pk)
    return render(
        request,
        "purchase_orders/businesses/invite.html",
        _context(
            request,
            business,
            "people",
            form=form,
            max_age_days=settings.INVITATION_MAX_AGE_DAYS,
        ),
    )


def invited_message(invitation) -> str:
    """Return what to tell the person who sent or resent an invitation."""
    return (
        f"An invitation to join {invitation.business} as {invitation.role_words.lower()} is on "
        f"its way to {invitation.email}. Its link works until "
        f"{invitations.when_words(invitation.expires_at)}."
    )
