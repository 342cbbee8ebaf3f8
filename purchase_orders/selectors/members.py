"""A business's people, its open invitations and its audit rows, for the viewer who keeps them."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from purchase_orders.models import (
    Business,
    BusinessChange,
    Invitation,
    Membership,
    MembershipRole,
    SupplierLink,
)
from purchase_orders.models.people import role_words

from .viewers import Viewer


@dataclass
class Member:
    """One person of a business, with every role they hold there."""

    user: object
    roles: list[str] = field(default_factory=list)
    joined_at: object = None

    @property
    def role_words(self) -> str:
        return role_words(self.roles)

    @property
    def name(self) -> str:
        return person_name(self.user)


def person_name(user) -> str:
    """Return a person as the pages name them: full name, else username."""
    return user.get_full_name().strip() or user.get_username()


def business_people(*, business: Business) -> list[Member]:
    """Return the business's people, by name, each once with all their roles; one query."""
    members: dict[int, Member] = {}
    memberships = (
        Membership.objects.filter(business=business)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username", "created_at")
    )
    order = {role: index for index, role in enumerate(MembershipRole.values)}
    for membership in memberships:
        member = members.setdefault(
            membership.user_id, Member(user=membership.user, joined_at=membership.created_at)
        )
        member.roles.append(membership.role)
        member.joined_at = min(member.joined_at, membership.created_at)
    for member in members.values():
        member.roles.sort(key=order.__getitem__)
    return list(members.values())


def get_member(*, business: Business, user_id: int):
    """Return a user who is one of the business's people, or raise Http404."""
    membership = (
        Membership.objects.filter(business=business, user_id=user_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such person in this business.")
    return membership.user


def open_invitations(*, business: Business) -> QuerySet[Invitation]:
    """Return the business's invitations not yet accepted or revoked (expired ones too)."""
    return (
        Invitation.objects.filter(
            business=business, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by", "invited_from")
        .order_by("-last_sent_at", "-id")
    )


def supplier_invitations(*, link: SupplierLink) -> QuerySet[Invitation]:
    """Return the invitations the link's buying business sent to the supplier's people."""
    return (
        Invitation.objects.filter(business_id=link.supplier_id, invited_from_id=link.buyer_id)
        .select_related("invited_by", "accepted_by", "invited_from")
        .order_by("-last_sent_at", "-id")
    )


def recent_changes(*, business: Business, limit: int = 20) -> list[BusinessChange]:
    """Return the latest audit rows of a business, newest first."""
    return list(
        BusinessChange.objects.filter(business=business).order_by("-created_at", "-id")[:limit]
    )


def get_managed_invitation(*, viewer: Viewer, pk: int) -> Invitation:
    """Return an invitation the viewer may resend or revoke.

    404 unless the viewer belongs to the invitation's business or to the
    buying business that sent it; 403 unless they are a business admin of
    the invitation's business, or the buyer who sent a supplier invitation.
    """
    invitation = Invitation.objects.select_related("business", "invited_from").filter(pk=pk).first()
    related = invitation is not None and (
        invitation.business_id in viewer.business_ids
        or invitation.invited_from_id in viewer.business_ids
    )
    if not related:
        raise Http404("No such invitation.")
    sender = (
        invitation.invited_from_id in viewer.buyer_ids
        and invitation.invited_by_id == viewer.user.pk
    )
    if invitation.business_id not in viewer.admin_ids and not sender:
        raise PermissionDenied(
            "Only a business admin, or the buyer who sent it, can change this invitation."
        )
    return invitation
