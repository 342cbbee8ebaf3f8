"""Settling a message: the network's verdict, and undoing a change it refused."""

from django.db import transaction
from django.utils import timezone

from purchase_orders.contents import field_values
from purchase_orders.enkash import conventions, encoding, payloads
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.services import documents
from purchase_orders.services.outbound.queueing import enqueue_successor

State = OutboundMessage.State
Kind = OutboundMessage.Kind

SETTLED_STATES = (State.ACKNOWLEDGED, State.REJECTED)

# The object inside each request body that carries its version and transition.
BODY_OBJECT = {
    Kind.SEND: "purchaseOrder",
    Kind.EDIT: "purchaseOrder",
    Kind.CONFIRM: "poConfirmation",
    Kind.STATUS_CHANGE: "poStatus",
}

# The audit action of a change the network refused and the portal undid.
REFUSED_ACTION = "REFUSED"

# What a version snapshot restores when a refused edit is undone: everything
# but the order's identity and its lifecycle marks, which are set apart.
NOT_RESTORED_FIELDS = {
    "object_id",
    "buyer_po_number",
    "version",
    "previous_version",
    "status",
    "previous_status",
}


@transaction.atomic
def settle_outbound_message(
    *,
    message: OutboundMessage,
    succeeded: bool,
    error_code: str = "",
    error_detail: str = "",
    error_field: str = "",
) -> OutboundMessage:
    """Apply the network's verdict on a message: acknowledged, or refused and undone.

    A refusal undoes the change the message announced if the purchase order
    is still at that message's version and status: a refused send goes back
    to a draft, a refused edit to the previous version, a refused confirm
    or status change to the previous status. Settling a settled message
    changes nothing.
    """
    purchase_order = None
    if message.purchase_order_id:
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=message.purchase_order_id)
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.state in SETTLED_STATES:
        return message

    now = timezone.now()
    message.settled_at = now
    if succeeded:
        message.state = State.ACKNOWLEDGED
        message.error_code = message.error_detail = message.error_field = ""
        if (
            purchase_order is not None
            and message.kind in (Kind.SEND, Kind.EDIT)
            and purchase_order.version == message.object_version
            and purchase_order.delivered_at is None
        ):
            purchase_order.delivered_at = now
            purchase_order.save(update_fields=["delivered_at", "updated_at"])
    else:
        message.state = State.REJECTED
        message.error_code = error_code or ""
        message.error_detail = error_detail or ""
        message.error_field = error_field or ""
        message.last_error = error_detail or error_code or "Refused by the network."
        if purchase_order is not None:
            _undo(purchase_order, message)
    message.save(
        update_fields=[
            "state",
            "settled_at",
            "error_code",
            "error_detail",
            "error_field",
            "last_error",
        ]
    )
    transaction.on_commit(lambda: enqueue_successor(message), robust=True)
    return message


def _undo(purchase_order: PurchaseOrder, message: OutboundMessage) -> None:
    """Undo the change a refused message announced, and write the audit row."""
    announced = encoding.loads(message.body)[BODY_OBJECT[message.kind]]
    from_status, to_status = payloads.parse_transition(announced)
    from_version, to_version = payloads.parse_version(announced)
    status_before_undo = purchase_order.status
    is_current = purchase_order.version == to_version and purchase_order.status == to_status
    if is_current and message.kind == Kind.SEND:
        _undo_send(purchase_order, message)
    elif is_current and message.kind == Kind.EDIT:
        _undo_edit(purchase_order, message, version=from_version, status=from_status)
    elif is_current:
        _restore_marks(purchase_order, status=from_status, version=from_version)
    if is_current:
        purchase_order.save()

    outcome = (
        f"The purchase order is back to “{purchase_order.get_status_display()}”, "
        f"version {purchase_order.version}."
        if is_current
        else "The purchase order has changed since, so it was left as it is."
    )
    StatusChange.objects.create(
        purchase_order=purchase_order,
        from_status=status_before_undo,
        to_status=purchase_order.status,
        version=purchase_order.version,
        action=REFUSED_ACTION,
        remarks=f"{refusal_summary(message)} {outcome}",
        via_network=True,
    )


def refusal_summary(message: OutboundMessage) -> str:
    """Return one sentence saying what the network refused and why."""
    details = [f"field {message.error_field}"] if message.error_field else []
    if message.error_code:
        details.append(f"code {message.error_code}")
    detail = message.error_detail.strip().rstrip(".")
    reason = f": {detail}" if detail else ""
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"The network refused the {message.get_kind_display().lower()}{reason}{suffix}."


def _undo_send(purchase_order: PurchaseOrder, message: OutboundMessage) -> None:
    """Put a refused send back to a draft, so the buyer can fix it and send again."""
    purchase_order.status = PurchaseOrder.Status.DRAFT
    purchase_order.previous_status = ""
    purchase_order.version = purchase_order.previous_version = 0
    purchase_order.sent_at = purchase_order.delivered_at = None
    PurchaseOrderVersion.objects.filter(
        purchase_order=purchase_order, version=message.object_version
    ).delete()


def _undo_edit(
    purchase_order: PurchaseOrder, message: OutboundMessage, *, version: int, status: str
) -> None:
    """Restore the version before a refused edit, contents included, from its snapshot."""
    snapshot = PurchaseOrderVersion.objects.get(
        purchase_order=purchase_order, version=version
    ).snapshot
    contents = payloads.parse_purchase_order(
        snapshot["purchaseOrder"], snapshot.get("additionalInfos")
    )
    for name, value in field_values(contents.header, exclude=NOT_RESTORED_FIELDS).items():
        setattr(purchase_order, name, value)
    documents.replace_contents(purchase_order=purchase_order, contents=contents)
    _restore_marks(purchase_order, status=status, version=version)
    delivered = (
        OutboundMessage.objects.filter(
            object_id=message.object_id,
            kind__in=(Kind.SEND, Kind.EDIT),
            object_version=version,
            state=State.ACKNOWLEDGED,
        )
        .order_by("-pk")
        .first()
    )
    purchase_order.sent_at = purchase_order.ts
    purchase_order.delivered_at = delivered.settled_at if delivered else None
    PurchaseOrderVersion.objects.filter(
        purchase_order=purchase_order, version=message.object_version
    ).delete()


def _restore_marks(purchase_order: PurchaseOrder, *, status: str, version: int) -> None:
    """Set status and version, and the marks of the change that had led to them.

    The audit trail holds that change: its from-status is the previous
    status, and the previous version is its version less its bump.
    """
    purchase_order.status = status
    purchase_order.version = version
    origin = (
        StatusChange.objects.filter(
            purchase_order=purchase_order,
            to_status=status,
            version=version,
            action__in=conventions.TRANSITIONS_BY_ACTION,
        )
        .order_by("-pk")
        .first()
    )
    if origin is None:
        purchase_order.previous_status, purchase_order.previous_version = status, version
        return
    bumped = conventions.TRANSITIONS_BY_ACTION[origin.action].bumps_version
    purchase_order.previous_status = conventions.network_status(origin.from_status)
    purchase_order.previous_version = version - 1 if bumped else version
