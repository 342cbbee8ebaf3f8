"""A business kept by its business admins: its profile, its people's roles, leaving.

Each action is one transaction that locks the business's row, checks that
the person acting is one of its business admins, and writes a
``BusinessChange`` row saying who changed what. The business's row lock also
makes the last-admin rule hold when two admins act at once: each waits for
the other, then counts the admins that remain.

A profile change reaches the business's drafts at once: a draft has not
been sent, so its parties are copied afresh from the businesses, as saving
it would. Orders already sent (an action pending included) keep the details
they were sent with (``Party``), as do their versions' snapshots.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import capfirst

from purchase_orders import lifecycle
from purchase_orders.exceptions import BusinessError, BusinessNotAllowed, LastAdmin
from purchase_orders.models import (
    Business,
    BusinessChange,
    Invitation,
    Membership,
    MembershipRole,
    Party,
    PurchaseOrder,
)
from purchase_orders.models.history import recorded_names
from purchase_orders.models.people import role_words, validate_roles
from purchase_orders.selectors import holds_role
from purchase_orders.selectors.approvals import approvers_for, own_people
from purchase_orders.selectors.members import person_name
from purchase_orders.services import documents
from purchase_orders.services.drafts import snapshot_party

# What a business admin may change; the B2B ID is the business's identity on
# the network and whether it is hosted here is the portal's admins' call.
PROFILE_FIELDS = (
    "legal_name",
    "trade_name",
    "gstin",
    "state_code",
    "pan",
    "cin",
    "udyam_number",
    "address_type",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "country",
    "pincode",
    "contact_type",
    "country_code",
    "phone_number",
    "email",
    "default_terms",
    "approval_limit",
    "approvers_may_approve_own",
    "reminder_after_days",
)
# Registrations are kept in capitals, as they are issued.
UPPER_CASE_FIELDS = ("gstin", "pan", "cin", "udyam_number")
# The profile's fields the lists' search reads (purchase_orders/search.py).
SEARCHED_FIELDS = {"legal_name", "trade_name", "gstin"}


def reindex_orders_of(business: Business) -> int:
    """Write again the search words of every order of a business, by its names as they are now."""
    return documents.reindex_for_search(
        PurchaseOrder.objects.filter(Q(buyer=business) | Q(supplier=business))
    )


def record_change(
    *,
    business: Business,
    action: str,
    actor: AbstractBaseUser | None,
    summary: str,
    person: AbstractBaseUser | None = None,
    invitation: Invitation | None = None,
    changes: dict | None = None,
) -> BusinessChange:
    """Write the audit row of a change to a business, its people or its invitations."""
    actor = actor if actor is not None and actor.is_authenticated else None
    actor_name, actor_username = recorded_names(actor)
    return BusinessChange.objects.create(
        business=business,
        action=action,
        actor=actor,
        actor_name=actor_name,
        actor_username=actor_username,
        person=person,
        invitation=invitation,
        changes=changes or {},
        summary=summary,
    )


def ensure_admin(user: AbstractBaseUser | None, business: Business) -> None:
    """Refuse unless the user is a business admin of the business."""
    if not holds_role(user, business, MembershipRole.ADMIN):
        raise BusinessNotAllowed(f"Only a business admin of {business} can do this.")


def _lock(business: Business) -> Business:
    return Business.objects.select_for_update().get(pk=business.pk)


# -- the profile -------------------------------------------------------------------


def field_label(name: str) -> str:
    return capfirst(Business._meta.get_field(name).verbose_name)


def _shown(value) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@transaction.atomic
def update_business_profile(
    *, business: Business, changed_by: AbstractBaseUser, values: dict
) -> tuple[Business, int]:
    """Change a business's profile; return it and how many drafts took the new details.

    ``values`` holds some of ``PROFILE_FIELDS``. Everything is checked as the
    model checks it (the GSTIN's check digit and state, the state code and
    the PAN against the GSTIN, the other registrations' formats); an error
    raises ``ValidationError`` by field and saves nothing.
    """
    business = _lock(business)
    ensure_admin(changed_by, business)
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}.")
    before = {name: getattr(business, name) for name in PROFILE_FIELDS}
    for name, value in values.items():
        if name in UPPER_CASE_FIELDS and isinstance(value, str):
            value = value.strip().upper()
        setattr(business, name, value)
    business.full_clean()
    _ensure_gstin_is_its_own(business)
    changed = {
        name: (before[name], getattr(business, name))
        for name in PROFILE_FIELDS
        if getattr(business, name) != before[name]
    }
    if not changed:
        return business, 0
    business.save(update_fields=[*changed, "updated_at"])
    refreshed = _refresh_drafts(business, old_gstin=before["gstin"])
    if changed.keys() & SEARCHED_FIELDS:
        reindex_orders_of(business)
    record_change(
        business=business,
        action=BusinessChange.Action.PROFILE,
        actor=changed_by,
        summary="; ".join(
            f"{field_label(name)}: {_shown(old)} → {_shown(new)}"
            if name != "default_terms"
            else f"{field_label(name)} rewritten"
            for name, (old, new) in changed.items()
        ),
        changes={field_label(name): [old, new] for name, (old, new) in changed.items()},
    )
    return business, refreshed


def _ensure_gstin_is_its_own(business: Business) -> None:
    """Refuse a GSTIN another business here has: two parties would pass for each other."""
    other = Business.objects.filter(gstin=business.gstin).exclude(pk=business.pk).first()
    if other is not None:
        raise ValidationError(
            {"gstin": f"Another business on this portal, {other}, has the GSTIN {other.gstin}."}
        )


def _refresh_drafts(business: Business, *, old_gstin: str) -> int:
    """Copy the business's new details onto its unsent drafts' parties; return how many.

    A draft waiting for approval is unsent too: approved, it goes out with
    the details the business has then.

    A draft that bills from another of the buyer's registrations (a GSTIN
    other than the business's own) keeps that GSTIN; every draft keeps its
    place of supply.
    """
    drafts = PurchaseOrder.objects.filter(status__in=lifecycle.LOCAL_STATUSES, pending_action="")
    as_buyer = drafts.filter(buyer=business)
    as_supplier = drafts.filter(supplier=business)
    buyer = _party_columns(snapshot_party(business, role=lifecycle.BUYER))
    supplier = _party_columns(snapshot_party(business, role=lifecycle.SUPPLIER))
    registration = {name: buyer.pop(name) for name in ("gstin", "state_code")}
    buyer_parties = Party.objects.filter(purchase_order__in=as_buyer, role=lifecycle.BUYER)
    buyer_parties.filter(gstin=old_gstin).update(**registration)
    buyer_parties.update(**buyer)
    Party.objects.filter(purchase_order__in=as_supplier, role=lifecycle.SUPPLIER).update(**supplier)
    return as_buyer.count() + as_supplier.count()


def _party_columns(party) -> dict:
    """Return a party's details as ``Party`` columns (its role left out)."""
    values = dict(vars(party))
    values.pop("role")
    values.pop("place_of_supply")
    return values


# -- people ------------------------------------------------------------------------


def _held_roles(business: Business, person: AbstractBaseUser) -> set[str]:
    return set(
        Membership.objects.filter(business=business, user=person).values_list("role", flat=True)
    )


def _ensure_waiting_orders_keep_an_approver(business: Business, person: AbstractBaseUser) -> None:
    """Refuse to take the approver's role from the last person who could decide a waiting order.

    Without them, what waits for approval could be neither approved nor
    returned.
    """
    waiting = PurchaseOrder.objects.filter(
        buyer=business, waiting_approval__isnull=False
    ).select_related("waiting_approval")
    for purchase_order in waiting:
        own = own_people(
            purchase_order=purchase_order,
            submitted_by_id=purchase_order.waiting_approval.submitted_by_id,
        )
        others = approvers_for(business=business, own=own).exclude(pk=person.pk)
        if not others.exists():
            raise BusinessError(
                f"{purchase_order.buyer_po_number} waits for approval, and "
                f"{person_name(person)} is the only approver who could decide it. Make someone "
                "else an approver first, or have it approved or returned.",
                field="roles",
            )


def _ensure_another_admin(
    business: Business, person: AbstractBaseUser, *, acting: AbstractBaseUser
) -> None:
    others = (
        Membership.objects.filter(business=business, role=MembershipRole.ADMIN)
        .exclude(user=person)
        .filter(user__is_active=True)
    )
    if others.exists():
        return
    if person.pk == acting.pk:
        raise LastAdmin(
            f"You are the only business admin of {business}. Make someone else a business "
            "admin first.",
            field="roles",
        )
    raise LastAdmin(
        f"{person_name(person)} is the only business admin of {business}. Make someone else "
        "a business admin first.",
        field="roles",
    )


@transaction.atomic
def set_roles(
    *,
    business: Business,
    person: AbstractBaseUser,
    roles: list[str],
    changed_by: AbstractBaseUser,
) -> list[str]:
    """Give a member of the business exactly these roles; return them, in order.

    To take every role away, remove the person (``remove_person``).
    """
    business = _lock(business)
    ensure_admin(changed_by, business)
    try:
        validate_roles(list(roles))
    except ValidationError as error:
        raise BusinessError(*error.messages, field="roles") from None
    held = _held_roles(business, person)
    if not held:
        raise BusinessError(f"{person_name(person)} is not one of the people of {business}.")
    wanted = set(roles)
    if MembershipRole.ADMIN in held - wanted:
        _ensure_another_admin(business, person, acting=changed_by)
    if MembershipRole.APPROVER in held - wanted:
        _ensure_waiting_orders_keep_an_approver(business, person)
    ordered = [role for role in MembershipRole.values if role in wanted]
    if wanted == held:
        return ordered
    Membership.objects.filter(business=business, user=person, role__in=held - wanted).delete()
    Membership.objects.bulk_create(
        Membership(business=business, user=person, role=role) for role in wanted - held
    )
    record_change(
        business=business,
        action=BusinessChange.Action.ROLES,
        actor=changed_by,
        person=person,
        summary=f"{person_name(person)}: {role_words(held)} → {role_words(wanted)}",
        changes={"Roles": [sorted(held), ordered]},
    )
    return ordered


@transaction.atomic
def remove_person(
    *, business: Business, person: AbstractBaseUser, removed_by: AbstractBaseUser
) -> None:
    """Take a person out of the business: every role there goes, the user stays."""
    business = _lock(business)
    ensure_admin(removed_by, business)
    held = _held_roles(business, person)
    if not held:
        raise BusinessError(f"{person_name(person)} is not one of the people of {business}.")
    if MembershipRole.ADMIN in held:
        _ensure_another_admin(business, person, acting=removed_by)
    if MembershipRole.APPROVER in held:
        _ensure_waiting_orders_keep_an_approver(business, person)
    Membership.objects.filter(business=business, user=person).delete()
    record_change(
        business=business,
        action=BusinessChange.Action.REMOVED,
        actor=removed_by,
        person=person,
        summary=f"{person_name(person)} ({role_words(held).lower()}) removed",
        changes={"Roles": [sorted(held), []]},
    )
