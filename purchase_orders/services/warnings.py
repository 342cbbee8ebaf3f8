"""Warnings about a purchase order that do not stop it: the buyer decides.

The network takes all of these, and some are lawful (goods delivered to a
site in one state for a buyer registered in another), so the form saves
and the page shows them to the buying side only. One function,
``find_warnings``, says them for the form and for the page alike.

- The place of supply decides the GST: within one state CGST + SGST,
  between states IGST. A delivery address in another state than the place
  of supply is usually a mistake in one of them.
- A draft's payment milestone dated before today (a duplicated order keeps
  the dates it copied).
- A payment to a supplier with an Udyam (MSME) number later than 45 days
  after acceptance: under section 43B(h) of the Income-tax Act the buyer
  deducts it only in the year it is paid (MSMED Act, section 15).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import (
    AddressContents,
    Contents,
    FieldPath,
    MilestoneContents,
    read_header,
    read_parties,
)
from purchase_orders.labels import day_words, state_words
from purchase_orders.models import Business, PurchaseOrder, StatusChange
from purchase_orders.validators import GST_STATE_CODES, state_code_for

# The address purposes that say where the goods go.
DELIVERY_PURPOSES = ("DELIVERY", "SITE", "WAREHOUSE")
# MSMED Act, section 15: at most 45 days from the day of acceptance.
MSME_PAYMENT_DAYS = 45
# Orders whose payments are no longer to be made: nothing to warn about.
FINISHED_STATUSES = (lifecycle.REJECTED, lifecycle.CANCELLED, lifecycle.CLOSED)

PLACE_OF_SUPPLY = "place_of_supply"
PAST_MILESTONE = "past_milestone"
MSME_PAYMENT = "msme_payment"


@dataclass(frozen=True)
class OrderWarning:
    """One warning: its kind, its words, and the part of the order it is about."""

    kind: str
    message: str
    path: FieldPath


def gst_kind(*, supplier_state: str, place_of_supply: str) -> str:
    return "CGST + SGST" if supplier_state == place_of_supply else "IGST"


def find_warnings(
    *,
    contents: Contents,
    supplier: Business | None,
    today: datetime.date,
    accepted_on: datetime.date | None = None,
    drafting: bool = False,
) -> list[OrderWarning]:
    """Return the warnings of a purchase order's contents, in the order of the form.

    ``supplier`` is the supplier's business (its Udyam number, and its state
    when the contents carry none); ``accepted_on`` the day the supplier
    accepted the order, if it stands accepted; ``drafting`` whether its
    dates may still be chosen (a draft, or one waiting for approval), when a
    milestone already past is worth a word.
    """
    warnings = _place_of_supply(contents, supplier)
    for index, milestone in enumerate(contents.milestones):
        if milestone.due_on is None:
            continue
        number = index + 1
        if drafting and milestone.due_on < today:
            warnings.append(
                OrderWarning(
                    PAST_MILESTONE,
                    f"Milestone {number} is due on {day_words(milestone.due_on)}, before "
                    "today: change its date.",
                    ("milestones", index, "due_on"),
                )
            )
        msme = _msme_payment(
            contents, supplier, number, milestone.due_on, today=today, accepted_on=accepted_on
        )
        if msme:
            warnings.append(OrderWarning(MSME_PAYMENT, msme, ("milestones", index, "due_on")))
    return warnings


def _place_of_supply(contents: Contents, supplier: Business | None) -> list[OrderWarning]:
    place = contents.buyer.place_of_supply
    if place not in GST_STATE_CODES:
        return []
    supplier_state = contents.supplier.state_code or (supplier.state_code if supplier else "")
    delivery = [
        (index, address)
        for index, address in enumerate(contents.addresses)
        if (address.purpose or "").strip().upper() in DELIVERY_PURPOSES
    ]
    warnings = []
    for index, address in delivery:
        state = state_code_for(address.state)
        if not state or state == place:
            continue
        which = f"delivery address {index + 1}" if len(delivery) > 1 else "delivery address"
        if supplier_state in GST_STATE_CODES:
            now = gst_kind(supplier_state=supplier_state, place_of_supply=place)
            then = gst_kind(supplier_state=supplier_state, place_of_supply=state)
            if now == then:
                effect = (
                    f"GST is {now} either way, but the state that receives it is the place "
                    "of supply's"
                )
            else:
                effect = (
                    f"GST will be {now}, as the supplier is in {state_words(supplier_state)}; "
                    f"with the place of supply {state_words(state)} it would be {then}"
                )
        else:
            effect = "the place of supply decides whether GST is CGST + SGST or IGST"
        warnings.append(
            OrderWarning(
                PLACE_OF_SUPPLY,
                f"Place of supply is {state_words(place)} but the {which} is in "
                f"{state_words(state)}: {effect}. Within one state GST is CGST + SGST, "
                "between states IGST, and the place of supply decides which: check it.",
                ("parties", lifecycle.BUYER, "place_of_supply"),
            )
        )
    return warnings


def _msme_payment(
    contents: Contents,
    supplier: Business | None,
    number: int,
    due_on: datetime.date,
    *,
    today: datetime.date,
    accepted_on: datetime.date | None,
) -> str:
    """Return the 43B(h) warning of one milestone, or "" if it needs none."""
    if supplier is None or not supplier.udyam_number:
        return ""
    if accepted_on is not None:
        start, since = accepted_on, f"the acceptance on {day_words(accepted_on)}"
    else:
        # Not accepted yet: the earliest it can be is the order date, or today.
        order_date = contents.header.order_date
        if order_date and order_date >= today:
            start, since = order_date, "the order date"
        else:
            start, since = today, "today"
    days = (due_on - start).days
    if days <= MSME_PAYMENT_DAYS:
        return ""
    return (
        f"Milestone {number} falls {days} days after {since}; {supplier} is registered as an "
        f"MSME (Udyam {supplier.udyam_number}): if it is a micro or small enterprise, under "
        "section 43B(h) of the Income-tax Act a payment later than "
        f"{MSME_PAYMENT_DAYS} days after acceptance is deductible only when paid."
    )


def accepted_on(purchase_order: PurchaseOrder) -> datetime.date | None:
    """Return the day the supplier accepted the order as it stands, or None if not accepted.

    Read from its status history (the latest applied acceptance); the
    page's prefetched history is used when there is one.
    """
    if purchase_order.status not in (lifecycle.ACCEPTED, lifecycle.FULFILLED, lifecycle.CLOSED):
        return None
    acceptances = [
        change
        for change in purchase_order.status_changes.all()
        if change.to_status == lifecycle.ACCEPTED and change.stage == StatusChange.Stage.APPLIED
    ]
    if not acceptances:
        return None
    return timezone.localdate(acceptances[-1].created_at)


def purchase_order_warnings(
    *, purchase_order: PurchaseOrder, today: datetime.date | None = None
) -> list[OrderWarning]:
    """Return the warnings of a saved purchase order, for its page and its form.

    None for an order whose payments are no longer to be made (rejected,
    cancelled, closed). The caller loads the order's parties, addresses,
    milestones and status history, as its page does; the lines are not read.
    """
    if purchase_order.status in FINISHED_STATUSES:
        return []
    contents = Contents(
        header=read_header(purchase_order),
        parties=read_parties(purchase_order),
        addresses=[
            AddressContents(purpose=address.purpose, state=address.state)
            for address in purchase_order.addresses.all()
        ],
        milestones=[
            MilestoneContents(due_on=row.due_on, due_amount=row.due_amount)
            for row in purchase_order.milestones.all()
        ],
    )
    return find_warnings(
        contents=contents,
        supplier=purchase_order.supplier,
        today=today or timezone.localdate(),
        accepted_on=accepted_on(purchase_order),
        drafting=purchase_order.is_local,
    )
