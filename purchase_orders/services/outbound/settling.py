"""Settling a message: the network's verdict, and undoing a change it refused."""

from django.db import transaction
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import field_values
from purchase_orders.enkash import conventions, encoding, kinds, payloads
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.services import documents
from purchase_orders.services.outbound.queueing import enqueue_successor
from purchase_orders.services.transitions import Marks, move_purchase_order

State = OutboundMessage.State
Kind = OutboundMessage.Kind

SETTLED_STATES = (State.ACKNOWLEDGED, State.REJECTED)

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
    """Undo the change a refused message announced, and record the refusal."""
    kind = kinds.KINDS[message.kind]
    announced = encoding.loads(message.body)[kind.object_key]
    from_status, to_status = payloads.parse_transition(announced)
    from_version, to_version = payloads.parse_version(announced)
    # The action refused: the one of its kind that leads where the message said.
    undone = next(
        (
            action
            for action in kind.actions
            if lifecycle.TRANSITIONS_BY_ACTION[action].to_status == to_status
        ),
        "",
    )
    back_to = lifecycle.DRAFT if message.kind == Kind.SEND else from_status
    restore = None
    if (
        purchase_order.version == to_version
        and purchase_order.status == to_status
        and lifecycle.may_undo(undone, back_to)
    ):
        if message.kind == Kind.SEND:
            restore = _undo_send(purchase_order, message)
        elif message.kind == Kind.EDIT:
            restore = _undo_edit(purchase_order, message, version=from_version, status=from_status)
        else:
            restore = _marks_before(purchase_order, status=from_status, version=from_version)
    outcome = (
        f"The purchase order is back to “{PurchaseOrder.Status(restore.status).label}”, "
        f"version {restore.version}."
        if restore
        else "The purchase order has changed since, so it was left as it is."
    )
    move_purchase_order(
        purchase_order=purchase_order,
        action=lifecycle.UNDO,
        undo=undone,
        restore=restore,
        remarks=f"{refusal_summary(message)}\n{outcome}",
        via_network=True,
        error_code=message.error_code,
        error_field=message.error_field,
    )


def refusal_summary(message: OutboundMessage) -> str:
    """Return one sentence saying what the network refused and why."""
    detail = message.error_detail.strip().rstrip(".")
    reason = f": {detail}" if detail else ""
    return f"The network refused the {message.get_kind_display().lower()}{reason}."


def _undo_send(purchase_order: PurchaseOrder, message: OutboundMessage) -> Marks:
    """Put a refused send back to a draft, so the buyer can fix it and send again."""
    purchase_order.sent_at = purchase_order.delivered_at = None
    PurchaseOrderVersion.objects.filter(
        purchase_order=purchase_order, version=message.object_version
    ).delete()
    return Marks(status=lifecycle.DRAFT, version=0, previous_status="", previous_version=0)


def _undo_edit(
    purchase_order: PurchaseOrder, message: OutboundMessage, *, version: int, status: str
) -> Marks:
    """Restore the version before a refused edit, contents included, from its snapshot."""
    contents = payloads.parse_snapshot(
        PurchaseOrderVersion.objects.get(purchase_order=purchase_order, version=version).snapshot
    )
    for name, value in field_values(contents.header, exclude=NOT_RESTORED_FIELDS).items():
        setattr(purchase_order, name, value)
    documents.replace_contents(purchase_order=purchase_order, contents=contents)
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
    return _marks_before(purchase_order, status=status, version=version)


def _marks_before(purchase_order: PurchaseOrder, *, status: str, version: int) -> Marks:
    """Return a status and version with the marks of the change that had led to them.

    The audit trail holds that change: its from-status is the previous
    status, and the previous version is its version less its bump.
    """
    origin = (
        StatusChange.objects.filter(
            purchase_order=purchase_order,
            to_status=status,
            version=version,
            action__in=lifecycle.TRANSITIONS_BY_ACTION,
        )
        .order_by("-pk")
        .first()
    )
    if origin is None:
        return Marks(
            status=status, version=version, previous_status=status, previous_version=version
        )
    return Marks(
        status=status,
        version=version,
        previous_status=conventions.network_status(origin.from_status),
        previous_version=lifecycle.previous_version(version, origin.action),
    )
