"""What the network's answer does to an action sent from here: apply it, or leave the order be.

An action made here (send, edit, confirm, status change) only begins when
it is made: the order keeps the status the network has acknowledged, with
the action pending (``transitions.begin_action``). Then:

- the network acknowledges it (its response webhook says SUCCESS), or,
  when the counterparty is hosted here too, delivers the request to it:
  the action is applied, once, whichever comes first (``apply_sent_action``);
- the network refuses it (a 4xx answer, or a FAILURE response): the order
  stays as it was and the refusal is recorded (``refuse_sent_action``);
- delivery gives up after its retries: the order stays as it was, the
  action still pending and marked not delivered, until someone retries it
  (``record_undelivered``).

Each step writes its row of the audit trail, with the attempt's message.
"""

from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import EDITABLE_FIELDS
from purchase_orders.enkash import encoding, kinds, payloads
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.services import documents, notifications
from purchase_orders.services.transitions import move_purchase_order, record_outcome

Kind = OutboundMessage.Kind
Stage = StatusChange.Stage

# The e-mail the counterparty gets when the network delivers each action.
DELIVERED_NOTIFICATIONS = {
    lifecycle.SEND: notifications.SENT,
    lifecycle.EDIT: notifications.EDITED,
    lifecycle.ACCEPT: notifications.ACCEPTED,
    lifecycle.REJECT: notifications.REJECTED,
    **{action: notifications.STATUS_CHANGED for action in lifecycle.BUYER_STATUS_ACTIONS},
}


def attempt_of(message: OutboundMessage) -> StatusChange:
    """Return the audit row of the action a message carries, as it was attempted.

    A message written before attempts were recorded gets one made up from
    its body, unsaved, so that its answer is still applied.
    """
    attempt = (
        StatusChange.objects.select_related("actor_business")
        .filter(message=message, stage=Stage.ATTEMPTED)
        .first()
    )
    if attempt is not None:
        return attempt
    kind = kinds.KINDS[message.kind]
    announced = encoding.loads(message.body)[kind.object_key]
    from_status, to_status = payloads.parse_transition(announced)
    _, to_version = payloads.parse_version(announced)
    action = next(
        action
        for action in kind.actions
        if lifecycle.TRANSITIONS_BY_ACTION[action].to_status == to_status
    )
    purchase_order = message.purchase_order
    return StatusChange(
        purchase_order=purchase_order,
        from_status=lifecycle.DRAFT if message.kind == Kind.SEND else from_status,
        to_status=to_status,
        version=to_version,
        action=action,
        stage=Stage.ATTEMPTED,
        actor_business=purchase_order.business_of(kind.sender),
        message=message,
        remarks=announced.get(kind.remarks_key, "") if kind.remarks_key else "",
    )


def apply_sent_action(
    *, purchase_order: PurchaseOrder, message: OutboundMessage
) -> StatusChange | None:
    """Apply the action a message carries, now that the network has taken it; once.

    ``purchase_order`` is locked. Return the row that moved the order, or
    the one saying why it did not (it had moved on meanwhile: a change from
    the other side arrived first), or None if the action was applied
    already.
    """
    if StatusChange.objects.filter(
        message=message, stage__in=(Stage.APPLIED, Stage.OVERTAKEN)
    ).exists():
        return None
    attempt = attempt_of(message)
    _clear_pending(purchase_order, message)
    base_version = lifecycle.previous_version(attempt.version, attempt.action)
    if purchase_order.version != base_version or not lifecycle.find_transition(
        attempt.action, purchase_order.status
    ):
        _drop_unsent_version(purchase_order, message)
        return record_outcome(
            purchase_order=purchase_order,
            attempt=attempt,
            stage=Stage.OVERTAKEN,
            remarks=(
                f"The network took the {_noun(attempt)}, but the purchase order had changed "
                f"meanwhile (now “{purchase_order.get_status_display()}”, version "
                f"{purchase_order.version}), so it was left as it is."
            ),
        )
    now = timezone.now()
    if message.kind in (Kind.SEND, Kind.EDIT):
        _take_version(purchase_order, message)
        purchase_order.sent_at = message.created_at
        purchase_order.delivered_at = now
    change = move_purchase_order(
        purchase_order=purchase_order,
        action=attempt.action,
        actor=attempt.actor,
        business=attempt.actor_business,
        remarks=attempt.remarks,
        message=message,
    )
    notifications.notify_on_commit(
        purchase_order=purchase_order,
        event=DELIVERED_NOTIFICATIONS[attempt.action],
        action=attempt.action,
        remarks=attempt.remarks,
    )
    return change


def refuse_sent_action(*, purchase_order: PurchaseOrder, message: OutboundMessage) -> StatusChange:
    """Record the network's refusal of a message's action; the order stays as it was.

    ``purchase_order`` is locked and ``message`` carries the refusal's
    codes. The version an unapplied edit or send would have made is
    dropped; the people who acted are told. A refusal of an action already
    applied here (its request was delivered to the other side, hosted here)
    is only recorded.
    """
    attempt = attempt_of(message)
    applied = StatusChange.objects.filter(message=message, stage=Stage.APPLIED).exists()
    if applied:
        outcome = (
            "It had already been delivered here and applied, so the purchase order stays "
            f"“{purchase_order.get_status_display()}”."
        )
    else:
        _clear_pending(purchase_order, message)
        _drop_unsent_version(purchase_order, message)
        outcome = "The purchase order is as it was."
    change = record_outcome(
        purchase_order=purchase_order,
        attempt=attempt,
        stage=Stage.REFUSED,
        remarks=f"{refusal_summary(message)}\n{outcome}",
        error_code=message.error_code,
        error_field=message.error_field,
    )
    if not applied:
        # An action already applied here stands: no e-mail says otherwise.
        notifications.notify_on_commit(
            purchase_order=purchase_order,
            event=notifications.REFUSED,
            action=attempt.action,
            remarks=attempt.remarks,
            reason=refusal_summary(message),
        )
    return change


def record_undelivered(*, purchase_order: PurchaseOrder, message: OutboundMessage) -> StatusChange:
    """Record that delivery gave up; the action stays pending, not delivered, until retried."""
    attempt = attempt_of(message)
    change = record_outcome(
        purchase_order=purchase_order,
        attempt=attempt,
        stage=Stage.UNDELIVERED,
        remarks=(
            f"The {_noun(attempt)} could not be delivered to the network: "
            f"{message.last_error or 'no answer'}. The purchase order is as it was; retry it "
            "from its page."
        ),
    )
    notifications.notify_on_commit(
        purchase_order=purchase_order,
        event=notifications.NOT_DELIVERED,
        action=attempt.action,
        remarks=attempt.remarks,
        reason=message.last_error,
    )
    return change


def refusal_summary(message: OutboundMessage) -> str:
    """Return one sentence saying what the network refused and why."""
    detail = message.error_detail.strip().rstrip(".")
    reason = f": {detail}" if detail else ""
    return f"The network refused the {message.get_kind_display().lower()}{reason}."


def _noun(attempt: StatusChange) -> str:
    return lifecycle.TRANSITIONS_BY_ACTION[attempt.action].noun.lower()


def _clear_pending(purchase_order: PurchaseOrder, message: OutboundMessage) -> None:
    if purchase_order.pending_message_id == message.pk:
        purchase_order.pending_action = ""
        purchase_order.pending_message = None
        purchase_order.pending_since = None
        purchase_order.save(
            update_fields=["pending_action", "pending_message", "pending_since", "updated_at"]
        )


def _take_version(purchase_order: PurchaseOrder, message: OutboundMessage) -> None:
    """Make the version a send or edit announced the order's own: its header and contents."""
    kept = PurchaseOrderVersion.objects.get(
        purchase_order=purchase_order, version=message.object_version
    )
    contents = payloads.parse_snapshot(kept.snapshot)
    header = contents.header
    for name in EDITABLE_FIELDS:
        setattr(purchase_order, name, getattr(header, name))
    purchase_order.total_po_value = header.total_po_value
    purchase_order.ts = header.ts
    if message.kind == Kind.EDIT:
        documents.replace_contents(purchase_order=purchase_order, contents=contents)


def _drop_unsent_version(purchase_order: PurchaseOrder, message: OutboundMessage) -> None:
    """Forget the snapshot of a version a send or edit would have made, never applied."""
    if message.kind in (Kind.SEND, Kind.EDIT) and message.object_version > purchase_order.version:
        PurchaseOrderVersion.objects.filter(
            purchase_order=purchase_order, version=message.object_version
        ).delete()
