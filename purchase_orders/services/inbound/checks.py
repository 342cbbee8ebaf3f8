"""Checks shared by the request handlers: the order named, its parties, version and status."""

import dataclasses

from django.db.models import QuerySet

from purchase_orders import lifecycle
from purchase_orders.contents import Contents
from purchase_orders.enkash import conventions, messages, paths, payloads
from purchase_orders.exceptions import (
    InvalidPurchaseOrder,
    PurchaseOrderError,
    StaleVersion,
    TransitionNotAllowed,
)
from purchase_orders.models import InboundEvent, PurchaseOrder
from purchase_orders.received import ReceivedMessage
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.totals import find_total_mismatches


class NotYetApplicable(PurchaseOrderError):
    """A message that may fit once an earlier one has arrived: refused for now.

    Answered with HTTP 409; the delivery is not recorded as answered, so a
    repeat of it is checked again.
    """


def unique_or_none(queryset: QuerySet):
    """Return the one row a lookup by a unique column finds, or None.

    Unlike ``first()``, without ordering by the primary key: there is at
    most one row, and Django's composing that ORDER BY over every column
    of a ``select_related`` costs more than the rest of the statement.
    """
    return next(iter(queryset.order_by()[:1]), None)


def lock_purchase_order(event: InboundEvent, message: ReceivedMessage) -> PurchaseOrder:
    """Lock and return the purchase order a message names, or refuse it for now."""
    purchase_order = unique_or_none(
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("buyer", "supplier")
        .filter(object_id=message.object_id)
    )
    if purchase_order is None:
        # Perhaps its req-send is still on the way.
        raise NotYetApplicable(
            f"No purchase order {message.object_id} is known here (yet); deliver this message "
            "again after the purchase order itself.",
            path=("object_id",),
            code=conventions.ERROR_PO_NOT_FOUND,
        )
    event.purchase_order = purchase_order
    return purchase_order


def ensure_parties(purchase_order: PurchaseOrder, message: ReceivedMessage) -> None:
    for role in lifecycle.ROLES:
        b2b_id = message.b2b_id(role)
        if b2b_id != purchase_order.business_of(role).b2b_id:
            raise PurchaseOrderError(
                f"The {role} of purchase order {purchase_order.object_id} is not {b2b_id}.",
                path=("b2b_ids", role),
                code=conventions.ERROR_PARTY_MISMATCH,
            )


def ensure_po_number(purchase_order: PurchaseOrder, message: ReceivedMessage) -> None:
    if message.buyer_po_number != purchase_order.buyer_po_number:
        raise PurchaseOrderError(
            f"Purchase order {purchase_order.object_id} has the number "
            f"{purchase_order.buyer_po_number}, not {message.buyer_po_number}.",
            path=("buyer_po_number",),
            code=conventions.ERROR_PO_NUMBER_MISMATCH,
        )


def ensure_current_version(purchase_order: PurchaseOrder, message: ReceivedMessage) -> None:
    current = message.previous_version
    if current == purchase_order.version:
        return
    text = (
        f"The message is based on version {current}, but the purchase order here is at "
        f"version {purchase_order.version}"
    )
    if current > purchase_order.version:
        raise NotYetApplicable(
            text + "; an earlier version has not arrived yet. Deliver it again later.",
            path=("previous_version",),
            code=conventions.ERROR_OUT_OF_ORDER,
        )
    raise StaleVersion(text + ".", path=("previous_version",), code=conventions.ERROR_STALE_VERSION)


def ensure_current_status(purchase_order: PurchaseOrder, message: ReceivedMessage) -> None:
    """Refuse a move from another status: for now if the order may still reach it."""
    from_status, to_status = message.previous_status, message.status
    if from_status == purchase_order.status:
        return
    text = f"The purchase order is {purchase_order.status} here, not {from_status}"
    transition = lifecycle.find_transition(message.action, from_status)
    if (
        transition is not None
        and transition.to_status == to_status
        and from_status in lifecycle.statuses_reachable_within_version(purchase_order.status)
    ):
        raise NotYetApplicable(
            text + " yet; an earlier change has not arrived. Deliver it again later.",
            path=("previous_status",),
            code=conventions.ERROR_OUT_OF_ORDER,
        )
    raise TransitionNotAllowed(
        text + ".", path=("previous_status",), code=conventions.ERROR_TRANSITION_NOT_ALLOWED
    )


def ensure_network_statuses(message: ReceivedMessage) -> None:
    """Refuse a message that names one of the portal's own statuses.

    A draft, or an order waiting for its buyer's approval, is the buyer's
    alone: the network never carries such a status, so nothing it delivers
    may move an order into or out of one. A message about no order (a
    supplier search's answer) names no status.
    """
    for path, status in (
        (("previous_status",), getattr(message, "previous_status", "")),
        (("status",), getattr(message, "status", "")),
    ):
        if status in lifecycle.LOCAL_STATUSES:
            raise TransitionNotAllowed(
                f"{status} is not a status on the network; a purchase order there is one of "
                f"{', '.join(conventions.NETWORK_STATUSES)}.",
                path=path,
                code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
            )


def ensure_details_match(message: ReceivedMessage) -> None:
    """Check that the parties inside a purchase order are those the message names."""
    for role in lifecycle.ROLES:
        named = message.b2b_id(role)
        detailed = message.contents.parties[role].b2b_id if message.contents else named
        if detailed != named:
            field, key = ("parties", role, "b2b_id"), ("b2b_ids", role)
            raise PurchaseOrderError(
                f"{messages.message_error_field(message.kind, field)} is {detailed}, but "
                f"{messages.message_error_field(message.kind, key)} is {named}.",
                path=field,
                code=conventions.ERROR_PARTY_MISMATCH,
            )


def ensure_made_created(message: ReceivedMessage, saying: str) -> None:
    """Refuse a send or edit whose new status is not CREATED; ``saying`` begins the refusal."""
    if message.status != lifecycle.CREATED:
        raise TransitionNotAllowed(
            f"{saying} {lifecycle.CREATED}, not {message.status}.",
            path=("status",),
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )


def parse_contents(message: ReceivedMessage) -> Contents:
    """Return the typed contents of a message's purchase order, its stated totals checked."""
    if message.contents is None:
        raise InvalidPurchaseOrder(
            f"The purchase order cannot be read: {message.contents_error}.",
            path=(),
            code=conventions.ERROR_INVALID_FIELD,
        )
    mismatches = find_total_mismatches(message.contents)
    if mismatches:
        path, stated, computed = mismatches[0]
        raise InvalidPurchaseOrder(
            f"{paths.error_field(path)} is {stated}, but its lines, taxes and charges make "
            f"{computed}.",
            path=path,
            code=conventions.ERROR_TOTALS_MISMATCH,
        )
    return message.contents


def holds_contents(purchase_order: PurchaseOrder, contents: Contents, *, version: int) -> bool:
    """Return whether a version of a purchase order held exactly these contents.

    The current version is read from the order itself, an earlier one from
    its snapshot. Both are compared as the network carries them: built into
    a message and read back, as the contents received were.
    """
    if version == purchase_order.version:
        fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
        own = payloads.parse_purchase_order(
            payloads.build_purchase_order(fresh), fresh.additional_infos
        )
    else:
        kept = purchase_order.versions.filter(version=version).first()
        if kept is None:
            return False
        own = payloads.parse_snapshot(kept.snapshot)
    return without_status(own) == without_status(contents)


def without_status(contents: Contents) -> Contents:
    # The status may have moved on since the edit (the supplier, hosted
    # here too, confirmed it; a status change marks the version it left):
    # only the contents are compared, not their lifecycle marks.
    header = dataclasses.replace(contents.header, status="", previous_status="", previous_version=0)
    return dataclasses.replace(contents, header=header)
