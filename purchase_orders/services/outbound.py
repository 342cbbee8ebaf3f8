"""The outbox: deliver each outbound network message, retry it, settle it.

An ``OutboundMessage`` row is written in the same transaction as the change
it announces; from then on it is the truth. A worker claims a due row with
one conditional UPDATE (so two workers never post the same message at once),
posts it with no transaction or lock held, and records the outcome. One
purchase order's messages go out strictly in the order they were written.
The network's verdict arrives later in a response webhook (or at once, as a
refusal) and is applied by ``settle_outbound_message``; a refused change is
undone on the purchase order when nothing has happened to it since.
"""

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from purchase_orders.enkash import conventions, encoding, payloads
from purchase_orders.enkash.client import get_enkash_client
from purchase_orders.enkash.exceptions import (
    EnKashAuthenticationError,
    EnKashError,
    EnKashRejected,
)
from purchase_orders.exceptions import NotAllowed, TransitionNotAllowed
from purchase_orders.models import (
    Membership,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.services import documents

logger = logging.getLogger(__name__)

State = OutboundMessage.State
Kind = OutboundMessage.Kind

# A message in one of these states still has to reach the network; it holds
# back the later messages of its purchase order.
PENDING_STATES = (State.QUEUED, State.SENDING, State.RETRYING)
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


# -- queueing ------------------------------------------------------------------


def enqueue_delivery(*, message_id: int, run_after: datetime | None = None) -> bool:
    """Queue a background delivery of one message; return whether a task was queued.

    A backend that cannot defer tasks gets nothing for a later time: the
    outbox sweep picks the message up when it is due.
    """
    from purchase_orders import tasks

    task = tasks.deliver_outbound_message_task
    if run_after is not None and run_after > timezone.now():
        if not task.get_backend().supports_defer:
            return False
        task = task.using(run_after=run_after)
    task.enqueue(message_id=message_id)
    schedule_outbox_sweep()
    return True


def schedule_outbox_sweep() -> bool:
    """Make sure one sweep of the outbox is waiting in the database task queue.

    The sweep re-schedules itself, so ``manage.py db_worker`` alone keeps it
    running; at most one is kept waiting. Return whether one was added. With
    another task backend, run ``manage.py sweep_outbox --loop`` instead.
    """
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from purchase_orders import tasks

    task = tasks.sweep_outbox_task
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    interval = timedelta(seconds=settings.ENKASH_SWEEP_INTERVAL_SECONDS)
    task.using(run_after=timezone.now() + interval).enqueue()
    return True


def sweep_outbox(*, now: datetime | None = None) -> int:
    """Queue delivery of every message that is due; return how many were queued.

    Due: queued or retrying with its next attempt time passed, or stuck in
    ``sending`` past its lease (the worker died mid-delivery). Only the
    first pending message of each purchase order is queued, and not when a
    delivery task for it is already waiting to run. So a committed action is
    never lost to a crash, a lost task or a restart.
    """
    # The next sweep is scheduled first, so that a failure below cannot end
    # the chain of sweeps.
    schedule_outbox_sweep()
    now = now or timezone.now()
    due = (
        OutboundMessage.objects.filter(state__in=PENDING_STATES, next_attempt_at__lte=now)
        .filter(~Exists(_earlier_pending()))
        .exclude(pk__in=_messages_with_waiting_tasks())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for message_id in due if enqueue_delivery(message_id=message_id))


def _messages_with_waiting_tasks() -> set[int]:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from purchase_orders import tasks

    task = tasks.deliver_outbound_message_task
    if not isinstance(task.get_backend(), DatabaseBackend):
        return set()
    waiting = DBTaskResult.objects.ready().filter(task_path=task.module_path)
    return {
        args_kwargs["kwargs"].get("message_id")
        for args_kwargs in waiting.values_list("args_kwargs", flat=True)
    }


def _earlier_pending():
    return OutboundMessage.objects.filter(
        object_id=OuterRef("object_id"), pk__lt=OuterRef("pk"), state__in=PENDING_STATES
    )


def _enqueue_successor(message: OutboundMessage) -> None:
    """Queue the next pending message of the same purchase order, if it is due."""
    successor = (
        OutboundMessage.objects.filter(
            object_id=message.object_id, pk__gt=message.pk, state__in=PENDING_STATES
        )
        .order_by("pk")
        .first()
    )
    if successor is not None and successor.next_attempt_at <= timezone.now():
        enqueue_delivery(message_id=successor.pk)


# -- delivering ------------------------------------------------------------------


def deliver_outbound_message(*, message_id: int) -> OutboundMessage | None:
    """Post one outbound message to the network and record what happened.

    Return the message, or None when it was not delivered now: not due,
    already taken by another worker, already settled, or waiting behind an
    earlier message of the same purchase order. No transaction or row lock
    is held during the HTTP call.
    """
    message = _claim(message_id)
    if message is None:
        return None
    if message.attempts > settings.ENKASH_MAX_ATTEMPTS:
        # Reclaimed from ``sending`` after the worker died on every attempt.
        return _give_up(message, "the worker stopped while delivering it")
    try:
        with get_enkash_client() as client:
            envelope = client.request(
                message.kind, encoding.loads(message.body), req_msg_id=message.req_msg_id
            )
    except EnKashAuthenticationError as error:
        # The portal's credentials, not the message, were refused: retry
        # until someone fixes the configuration.
        return _retry_later(message, error)
    except EnKashRejected as error:
        _record_answer(message, error.response)
        return settle_outbound_message(
            message=message,
            succeeded=False,
            error_code=error.error_code,
            error_detail=error.error_detail,
            error_field=error.error_field,
        )
    except EnKashError as error:
        # Unreachable, 5xx, or an answer that made no sense: the request may
        # or may not have arrived, and its reqMsgId makes a repeat harmless.
        logger.warning(
            "Delivering outbound message %s failed: %s",
            message.pk,
            error,
            extra={"req_msg_id": message.req_msg_id},
        )
        return _retry_later(message, error)
    except Exception as error:
        # A fault of the portal's own: retried like the others, so that one
        # bad message ends as failed instead of blocking its purchase order.
        logger.exception(
            "Delivering outbound message %s failed",
            message.pk,
            extra={"req_msg_id": message.req_msg_id},
        )
        return _retry_later(message, error)
    return _mark_sent(message, envelope)


def _claim(message_id: int) -> OutboundMessage | None:
    """Take a due message for this worker with one conditional UPDATE."""
    now = timezone.now()
    lease = timedelta(seconds=settings.ENKASH_SENDING_LEASE_SECONDS)
    # While ``sending``, next_attempt_at is when the lease ends: a row left
    # behind by a dead worker becomes due again then.
    claimed = (
        OutboundMessage.objects.filter(
            pk=message_id, state__in=PENDING_STATES, next_attempt_at__lte=now
        )
        .filter(~Exists(_earlier_pending()))
        .update(state=State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + lease)
    )
    if not claimed:
        return None
    return OutboundMessage.objects.get(pk=message_id)


def _mark_sent(message: OutboundMessage, envelope: dict) -> OutboundMessage:
    now = timezone.now()
    # The client returns the envelope only for a 2xx answer, and EnKash's
    # documented acknowledgement is a 200.
    answer = {"response_status": 200, "response_body": encoding.dumps(envelope)}
    updated = OutboundMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.SENT, sent_at=now, last_error="", **answer
    )
    if not updated:
        # The response webhook overtook this worker and already settled it.
        OutboundMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=now, **answer
        )
    _enqueue_successor(message)
    return OutboundMessage.objects.get(pk=message.pk)


def _retry_later(message: OutboundMessage, error: Exception) -> OutboundMessage:
    reason = _describe(error)
    if message.attempts >= settings.ENKASH_MAX_ATTEMPTS:
        return _give_up(message, reason, response=getattr(error, "response", None))
    next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(message.attempts))
    updated = OutboundMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.RETRYING,
        next_attempt_at=next_attempt_at,
        last_error=reason,
        **_answer_fields(getattr(error, "response", None)),
    )
    if updated:
        enqueue_delivery(message_id=message.pk, run_after=next_attempt_at)
    return OutboundMessage.objects.get(pk=message.pk)


def _give_up(message: OutboundMessage, reason: str, *, response=None) -> OutboundMessage:
    OutboundMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.FAILED,
        last_error=f"Gave up after {message.attempts} attempts: {reason}",
        **_answer_fields(response),
    )
    _enqueue_successor(message)
    return OutboundMessage.objects.get(pk=message.pk)


def _record_answer(message: OutboundMessage, response) -> None:
    fields = _answer_fields(response)
    if fields:
        OutboundMessage.objects.filter(pk=message.pk).update(**fields)
        for name, value in fields.items():
            setattr(message, name, value)


def _answer_fields(response) -> dict:
    if response is None:
        return {}
    return {"response_status": response.status_code, "response_body": response.text}


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def retry_delay(attempts: int) -> float:
    """Return seconds to wait after a failed attempt: exponential back-off, full jitter."""
    ceiling = min(
        settings.ENKASH_RETRY_MAX_SECONDS,
        settings.ENKASH_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return random.uniform(0, ceiling)


# -- settling ----------------------------------------------------------------------


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
    transaction.on_commit(lambda: _enqueue_successor(message), robust=True)
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
    parsed = payloads.parse_purchase_order(
        snapshot["purchaseOrder"], snapshot.get("additionalInfos")
    )
    for name, value in parsed["fields"].items():
        if name not in NOT_RESTORED_FIELDS:
            setattr(purchase_order, name, value)
    documents.replace_contents(purchase_order=purchase_order, parsed=parsed)
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


# -- retrying by hand ------------------------------------------------------------------


@transaction.atomic
def retry_outbound_message(
    *, message: OutboundMessage, retried_by: AbstractBaseUser
) -> OutboundMessage:
    """Queue a failed message for delivery again, with a fresh count of attempts."""
    message = (
        OutboundMessage.objects.select_for_update(of=("self",))
        .select_related("purchase_order__buyer", "purchase_order__supplier")
        .get(pk=message.pk)
    )
    _ensure_may_retry(message, retried_by)
    if message.state != State.FAILED:
        raise TransitionNotAllowed(
            "Only a failed delivery can be tried again; this message is "
            f"“{message.get_state_display()}”."
        )
    message.state = State.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "attempts", "next_attempt_at"])
    transaction.on_commit(lambda: enqueue_delivery(message_id=message.pk), robust=True)
    return message


def _ensure_may_retry(message: OutboundMessage, user: AbstractBaseUser) -> None:
    if user is None or not user.is_authenticated:
        raise NotAllowed("Sign in to retry a delivery.")
    if user.is_staff:
        return
    purchase_order = message.purchase_order
    if purchase_order is not None:
        sender = purchase_order.supplier if message.kind == Kind.CONFIRM else purchase_order.buyer
        if Membership.objects.filter(user=user, business=sender).exists():
            return
    raise NotAllowed("Only the business that sent this message can retry its delivery.")
