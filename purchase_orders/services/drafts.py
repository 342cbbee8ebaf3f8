"""Drafts: the buyer writes a purchase order, keeps it, duplicates it, sends it.

A draft over the buyer's approval limit is submitted for approval instead of
sent (``submit_draft``; ``services.approvals``); while it waits, it is frozen.

Contents are ``contents.Contents``. What the buyer types carries only two
party details, in ``contents.parties["buyer"]``: the GSTIN billed (one of the
buyer's own registrations) and the place of supply; the rest of both parties
is copied from the ``Business`` rows, and totals are always computed here,
never taken from the form.
"""

import copy
import dataclasses
import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import (
    EDITABLE_FIELDS,
    Contents,
    PartyContents,
    read_contents,
    read_parties,
    terms_of,
    with_terms,
)
from purchase_orders.enkash import conventions
from purchase_orders.exceptions import InvalidPurchaseOrder, NotAllowed, TransitionNotAllowed
from purchase_orders.models import Business, Membership, PurchaseOrder, SupplierLink
from purchase_orders.selectors import get_purchase_order_with_contents, holds_role
from purchase_orders.services import documents
from purchase_orders.services.approvals import submit_for_approval
from purchase_orders.services.checks import validate_for_network
from purchase_orders.services.purchase_orders import send_purchase_order
from purchase_orders.services.transitions import ensure_no_approval_waiting, ensure_nothing_pending
from purchase_orders.totals import apply_computed_totals

PO_NUMBER_PREFIX = "PO"

# A party's details as a business holds them (a business has no place of supply).
BUSINESS_PARTY_FIELDS = tuple(
    name.name
    for name in dataclasses.fields(PartyContents)
    if name.name not in ("role", "place_of_supply")
)
# The header fields a draft takes from its contents.
DRAFT_FIELDS = ("buyer_po_number", *EDITABLE_FIELDS, "total_po_value")


# -- numbers and parties ---------------------------------------------------------


def financial_year(on: datetime.date) -> str:
    """Return the Indian financial year (April to March) of a date, as 2026-27."""
    start = on.year if on.month >= 4 else on.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def suggest_po_number(*, buyer: Business, on: datetime.date | None = None) -> str:
    """Return the buyer's next free PO number of the financial year: PO/2026-27/00042."""
    on = on or timezone.localdate()
    prefix = f"{PO_NUMBER_PREFIX}/{financial_year(on)}/"
    used = PurchaseOrder.objects.filter(
        buyer=buyer, buyer_po_number__startswith=prefix
    ).values_list("buyer_po_number", flat=True)
    highest = max(
        (int(number[len(prefix) :]) for number in used if number[len(prefix) :].isdigit()),
        default=0,
    )
    return f"{prefix}{highest + 1:05d}"


def snapshot_party(business: Business, *, role: str) -> PartyContents:
    """Return a business's details as a purchase order's party (see ``Party``)."""
    return PartyContents(
        role=role, **{name: getattr(business, name) for name in BUSINESS_PARTY_FIELDS}
    )


def current_parties(purchase_order: PurchaseOrder) -> dict[str, PartyContents]:
    """Return a purchase order's parties as they stand, by role."""
    return read_parties(purchase_order)


def complete_contents(
    *,
    contents: Contents,
    buyer: Business,
    supplier: Business,
    parties: dict[str, PartyContents] | None = None,
) -> Contents:
    """Return a copy of typed contents with both parties filled in and totals computed.

    ``parties`` (by role) is the starting point, as for an edit of a sent
    order, whose parties stay as they were sent; without it they are copied
    from the businesses. The buyer's GSTIN and place of supply come from
    ``contents.parties["buyer"]`` when given there; the place of supply
    defaults to the buyer's state.
    """
    contents = copy.deepcopy(contents)
    typed = contents.parties.get(lifecycle.BUYER) or PartyContents(role=lifecycle.BUYER)
    base = parties or {
        lifecycle.BUYER: snapshot_party(buyer, role=lifecycle.BUYER),
        lifecycle.SUPPLIER: snapshot_party(supplier, role=lifecycle.SUPPLIER),
    }
    buyer_party = dataclasses.replace(base[lifecycle.BUYER])
    gstin = (typed.gstin or "").strip().upper()
    if gstin:
        buyer_party.gstin = gstin
        buyer_party.state_code = gstin[:2]
    buyer_party.place_of_supply = (
        typed.place_of_supply or buyer_party.place_of_supply or buyer_party.state_code
    )
    contents.parties = {
        lifecycle.BUYER: buyer_party,
        lifecycle.SUPPLIER: dataclasses.replace(base[lifecycle.SUPPLIER]),
    }
    return apply_computed_totals(contents)


# -- checks ----------------------------------------------------------------------


def _ensure_buyer(user: AbstractBaseUser, buyer: Business) -> None:
    if not holds_role(user, buyer, Membership.Role.BUYER):
        raise NotAllowed(f"Only a buyer of {buyer} can write its purchase orders.")


def _ensure_in_directory(buyer: Business, supplier: Business) -> None:
    """Refuse a supplier that is not in the buyer's directory ("Suppliers")."""
    if supplier.pk == buyer.pk:
        return  # _check_parties_and_number says why
    if not SupplierLink.objects.filter(buyer=buyer, supplier=supplier).exists():
        raise InvalidPurchaseOrder(
            f"{supplier} is not among {buyer}'s suppliers; add it under Suppliers first, "
            "or choose another supplier.",
            path=("parties", lifecycle.SUPPLIER),
        )


def _check_parties_and_number(
    contents: Contents, *, buyer: Business, supplier: Business, exclude_pk: int | None = None
) -> None:
    if supplier.pk == buyer.pk:
        raise InvalidPurchaseOrder(
            f"{buyer} cannot be its own supplier; choose another business.",
            path=("parties", lifecycle.SUPPLIER),
        )
    gstin = contents.parties[lifecycle.BUYER].gstin
    # Characters 3 to 12 of a GSTIN are the holder's PAN: a business may bill
    # from any of its registrations, but only from its own.
    if buyer.gstin and gstin and gstin[2:12] != buyer.gstin[2:12]:
        raise InvalidPurchaseOrder(
            f"The GSTIN {gstin} is not one of {buyer}'s registrations (its PAN is "
            f"{buyer.gstin[2:12]}); enter a GSTIN of {buyer}.",
            path=("parties", lifecycle.BUYER, "gstin"),
        )
    number = contents.header.buyer_po_number
    taken = PurchaseOrder.objects.filter(buyer=buyer, buyer_po_number=number)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _number_taken(number)


def _number_taken(number: str) -> InvalidPurchaseOrder:
    return InvalidPurchaseOrder(
        f"The PO number {number} is already used on another of your purchase orders; "
        "choose another number.",
        path=("buyer_po_number",),
        code=conventions.ERROR_DUPLICATE_PO_NUMBER,
    )


def _prepare(
    contents: Contents,
    *,
    buyer: Business,
    supplier: Business,
    exclude_pk: int | None = None,
) -> Contents:
    contents = complete_contents(contents=contents, buyer=buyer, supplier=supplier)
    header = contents.header
    header.buyer_po_number = (header.buyer_po_number or "").strip() or suggest_po_number(
        buyer=buyer
    )
    _check_parties_and_number(contents, buyer=buyer, supplier=supplier, exclude_pk=exclude_pk)
    validate_for_network(contents)
    return contents


def _write(purchase_order: PurchaseOrder, contents: Contents) -> PurchaseOrder:
    for name in DRAFT_FIELDS:
        setattr(purchase_order, name, getattr(contents.header, name))
    # Saved with the words of the lists' search, so that writing the contents
    # has none left to write.
    purchase_order.search_text = documents.search_text_of(purchase_order, contents)
    adding = purchase_order._state.adding
    try:
        # A savepoint, so that a number taken at the same moment by another
        # request becomes a form error instead of a broken transaction.
        with transaction.atomic():
            purchase_order.save()
    except IntegrityError:
        raise _number_taken(purchase_order.buyer_po_number) from None
    # A new draft has no contents to replace.
    write_contents = documents.add_contents if adding else documents.replace_contents
    write_contents(purchase_order=purchase_order, contents=contents)
    return purchase_order


# -- the actions -----------------------------------------------------------------


@transaction.atomic
def create_draft(
    *,
    buyer: Business,
    supplier: Business,
    created_by: AbstractBaseUser,
    contents: Contents,
    add_default_terms: bool = True,
) -> PurchaseOrder:
    """Save a new draft purchase order; nothing is saved if anything is invalid.

    The supplier must be in the buyer's directory. A blank PO number gets
    the next one of the financial year. Contents without terms and
    conditions get the buyer's default terms, unless ``add_default_terms``
    is false: the new-order form starts with them, so what it sends is what
    the buyer kept of them.
    """
    _ensure_buyer(created_by, buyer)
    _ensure_in_directory(buyer, supplier)
    contents = _prepare(contents, buyer=buyer, supplier=supplier)
    header = contents.header
    if add_default_terms and not terms_of(header.po_infos):
        header.po_infos = with_terms(header.po_infos, buyer.default_terms)
    purchase_order = PurchaseOrder(
        object_id=conventions.new_object_id(),
        buyer=buyer,
        supplier=supplier,
        status=PurchaseOrder.Status.DRAFT,
        version=0,
        previous_version=0,
        created_by=created_by,
    )
    return _write(purchase_order, contents)


@transaction.atomic
def update_draft(
    *,
    purchase_order: PurchaseOrder,
    updated_by: AbstractBaseUser,
    contents: Contents,
    supplier: Business | None = None,
) -> PurchaseOrder:
    """Replace a draft's contents (and, if given, its supplier); only drafts change so.

    A new supplier must be in the buyer's directory; the draft's own may
    stay, even if it has been removed from there since.
    """
    purchase_order = (
        PurchaseOrder.objects.select_for_update()
        .select_related("buyer", "supplier")
        .get(pk=purchase_order.pk)
    )
    _ensure_buyer(updated_by, purchase_order.buyer)
    ensure_nothing_pending(purchase_order)
    ensure_no_approval_waiting(purchase_order)
    if purchase_order.status != PurchaseOrder.Status.DRAFT:
        raise TransitionNotAllowed(
            "This purchase order has been sent, so it is no longer a draft; use Edit to "
            "send the supplier a new version."
        )
    supplier = supplier or purchase_order.supplier
    if supplier.pk != purchase_order.supplier_id:
        _ensure_in_directory(purchase_order.buyer, supplier)
    contents = _prepare(
        contents, buyer=purchase_order.buyer, supplier=supplier, exclude_pk=purchase_order.pk
    )
    purchase_order.supplier = supplier
    return _write(purchase_order, contents)


@transaction.atomic
def send_draft(
    *,
    buyer: Business,
    supplier: Business,
    sent_by: AbstractBaseUser,
    contents: Contents,
    purchase_order: PurchaseOrder | None = None,
    add_default_terms: bool = True,
) -> PurchaseOrder:
    """Save a draft (new, or ``purchase_order``) and send it, all or nothing.

    ``add_default_terms`` is ``create_draft``'s, for a new draft.
    """
    if purchase_order is None:
        purchase_order = create_draft(
            buyer=buyer,
            supplier=supplier,
            created_by=sent_by,
            contents=contents,
            add_default_terms=add_default_terms,
        )
    else:
        purchase_order = update_draft(
            purchase_order=purchase_order, updated_by=sent_by, contents=contents, supplier=supplier
        )
    return send_purchase_order(purchase_order=purchase_order, sent_by=sent_by)


@transaction.atomic
def submit_draft(
    *,
    buyer: Business,
    supplier: Business,
    submitted_by: AbstractBaseUser,
    contents: Contents,
    purchase_order: PurchaseOrder | None = None,
    add_default_terms: bool = True,
) -> PurchaseOrder:
    """Save a draft (new, or ``purchase_order``) and submit it for approval, all or nothing.

    ``add_default_terms`` as for ``create_draft``.
    """
    if purchase_order is None:
        purchase_order = create_draft(
            buyer=buyer,
            supplier=supplier,
            created_by=submitted_by,
            contents=contents,
            add_default_terms=add_default_terms,
        )
    else:
        purchase_order = update_draft(
            purchase_order=purchase_order,
            updated_by=submitted_by,
            contents=contents,
            supplier=supplier,
        )
    return submit_for_approval(purchase_order=purchase_order, submitted_by=submitted_by)


@transaction.atomic
def duplicate_purchase_order(
    *, purchase_order: PurchaseOrder, created_by: AbstractBaseUser
) -> PurchaseOrder:
    """Copy a purchase order into a new draft with today's date and the next PO number.

    Lines, addresses, charges, milestones, terms and references are copied
    (an order without terms and conditions gets the buyer's default ones);
    the parties are copied afresh from the businesses, and a delivery date
    already past is left out.
    """
    source = get_purchase_order_with_contents(pk=purchase_order.pk)
    _ensure_buyer(created_by, source.buyer)
    contents = read_contents(source)
    today = timezone.localdate()
    header = contents.header
    header.buyer_po_number = suggest_po_number(buyer=source.buyer, on=today)
    header.order_date = today
    if header.delivery_date and header.delivery_date < today:
        header.delivery_date = None
    source_buyer = contents.parties[lifecycle.BUYER]
    contents.parties = {
        lifecycle.BUYER: PartyContents(
            role=lifecycle.BUYER,
            gstin=source_buyer.gstin,
            place_of_supply=source_buyer.place_of_supply,
        ),
        lifecycle.SUPPLIER: PartyContents(role=lifecycle.SUPPLIER),
    }
    return create_draft(
        buyer=source.buyer, supplier=source.supplier, created_by=created_by, contents=contents
    )
