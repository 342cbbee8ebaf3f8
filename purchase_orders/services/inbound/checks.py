"""Checks shared by the request handlers: the order named, its parties, version and status."""

import dataclasses

from purchase_orders import lifecycle
from purchase_orders.contents import Contents
from purchase_orders.enkash import conventions, encoding, paths, payloads
from purchase_orders.exceptions import (
    InvalidPurchaseOrder,
    PurchaseOrderError,
    StaleVersion,
    TransitionNotAllowed,
)
from purchase_orders.models import InboundEvent, PurchaseOrder
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.totals import find_total_mismatches


class NotYetApplicable(PurchaseOrderError):
    """A message that may fit once an earlier one has arrived: refused for now.

    Answered with HTTP 409; the delivery is not recorded as answered, so a
    repeat of it is checked again.
    """


def lock_purchase_order(event: InboundEvent, *, object_id: str, path: str) -> PurchaseOrder:
    purchase_order = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("buyer", "supplier")
        .filter(object_id=object_id)
        .first()
    )
    if purchase_order is None:
        # Perhaps its req-send is still on the way.
        raise NotYetApplicable(
            f"No purchase order {object_id} is known here (yet); deliver this message "
            "again after the purchase order itself.",
            field=f"{path}.objectId",
            code=conventions.ERROR_PO_NOT_FOUND,
        )
    event.purchase_order = purchase_order
    return purchase_order


def ensure_parties(purchase_order: PurchaseOrder, b2b_ids: dict) -> None:
    for key, role, business in (
        ("buyerB2BId", "buyer", purchase_order.buyer),
        ("supplierB2BId", "supplier", purchase_order.supplier),
    ):
        if b2b_ids[key] != business.b2b_id:
            raise PurchaseOrderError(
                f"The {role} of purchase order {purchase_order.object_id} is not {b2b_ids[key]}.",
                field=f"b2bIds.{key}",
                code=conventions.ERROR_PARTY_MISMATCH,
            )


def ensure_po_number(purchase_order: PurchaseOrder, number: str, path: str) -> None:
    if number != purchase_order.buyer_po_number:
        raise PurchaseOrderError(
            f"Purchase order {purchase_order.object_id} has the number "
            f"{purchase_order.buyer_po_number}, not {number}.",
            field=f"{path}.buyerPONumber",
            code=conventions.ERROR_PO_NUMBER_MISMATCH,
        )


def ensure_current_version(purchase_order: PurchaseOrder, current: int, path: str) -> None:
    if current == purchase_order.version:
        return
    message = (
        f"The message is based on version {current}, but the purchase order here is at "
        f"version {purchase_order.version}"
    )
    field = f"{path}.objectVersion.currentVersion"
    if current > purchase_order.version:
        raise NotYetApplicable(
            message + "; an earlier version has not arrived yet. Deliver it again later.",
            field=field,
            code=conventions.ERROR_OUT_OF_ORDER,
        )
    raise StaleVersion(message + ".", field=field, code=conventions.ERROR_STALE_VERSION)


def ensure_current_status(
    purchase_order: PurchaseOrder, action: str, from_status: str, to_status: str, path: str
) -> None:
    """Refuse a move from another status: for now if the order may still reach it."""
    if from_status == purchase_order.status:
        return
    message = f"The purchase order is {purchase_order.status} here, not {from_status}"
    field = f"{path}.poStatusTransition.currentStatus"
    transition = lifecycle.find_transition(action, from_status)
    if (
        transition is not None
        and transition.to_status == to_status
        and from_status in lifecycle.statuses_reachable_within_version(purchase_order.status)
    ):
        raise NotYetApplicable(
            message + " yet; an earlier change has not arrived. Deliver it again later.",
            field=field,
            code=conventions.ERROR_OUT_OF_ORDER,
        )
    raise TransitionNotAllowed(
        message + ".", field=field, code=conventions.ERROR_TRANSITION_NOT_ALLOWED
    )


def ensure_details_match(data: dict, b2b_ids: dict) -> None:
    """Check that the parties inside a purchaseOrder are those of b2bIds."""
    for details, key in (("buyerDetails", "buyerB2BId"), ("supplierDetails", "supplierB2BId")):
        if data[details]["b2bId"] != b2b_ids[key]:
            raise PurchaseOrderError(
                f"purchaseOrder.{details}.b2bId is {data[details]['b2bId']}, but "
                f"b2bIds.{key} is {b2b_ids[key]}.",
                field=f"purchaseOrder.{details}.b2bId",
                code=conventions.ERROR_PARTY_MISMATCH,
            )


def ensure_made_created(data: dict, saying: str) -> None:
    """Refuse a send or edit whose new status is not CREATED; ``saying`` begins the refusal."""
    _, new_status = payloads.parse_transition(data)
    if new_status != lifecycle.CREATED:
        raise TransitionNotAllowed(
            f"{saying} {lifecycle.CREATED}, not {new_status}.",
            field="purchaseOrder.poStatusTransition.newStatus",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )


def parse_contents(message: dict) -> Contents:
    """Return the typed contents of a message's purchase order, its stated totals checked."""
    try:
        contents = payloads.parse_purchase_order(
            message["purchaseOrder"], message["additionalInfos"]
        )
    except ValueError as error:
        raise InvalidPurchaseOrder(
            f"The purchase order cannot be read: {error}.",
            field="purchaseOrder",
            code=conventions.ERROR_INVALID_FIELD,
        ) from None
    mismatches = find_total_mismatches(contents)
    if mismatches:
        path, stated, computed = mismatches[0]
        raise InvalidPurchaseOrder(
            f"{paths.error_field(path)} is {stated}, but its lines, taxes and charges make "
            f"{computed}.",
            path=path,
            code=conventions.ERROR_TOTALS_MISMATCH,
        )
    return contents


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
        snapshot = encoding.loads(encoding.dumps(kept.snapshot))
        own = payloads.parse_purchase_order(
            snapshot["purchaseOrder"], snapshot["additionalInfos"]
        )
    return _without_status(own) == _without_status(contents)


def _without_status(contents: Contents) -> Contents:
    # The status may have moved on since the edit (the supplier, hosted
    # here too, confirmed it; a status change marks the version it left):
    # only the contents are compared, not their lifecycle marks.
    header = dataclasses.replace(
        contents.header, status="", previous_status="", previous_version=0
    )
    return dataclasses.replace(contents, header=header)
