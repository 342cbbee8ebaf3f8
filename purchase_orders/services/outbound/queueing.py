"""Queueing deliveries: one message, the sweep that finds due ones, a retry by hand.

One purchase order's messages go out strictly in the order they were
written, so only the first pending message of each is ever queued.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from purchase_orders import task_queue
from purchase_orders.exceptions import NotAllowed, TransitionNotAllowed
from purchase_orders.models import Membership, OutboundMessage, SupplierSearch

State = OutboundMessage.State
Kind = OutboundMessage.Kind

# A message in one of these states still has to reach the network; it holds
# back the later messages of its purchase order.
PENDING_STATES = (State.QUEUED, State.SENDING, State.RETRYING)


def _tasks():
    """Return the tasks module, which calls these services: imported when first queued."""
    from purchase_orders import tasks

    return tasks


def enqueue_delivery(
    *, message_id: int, run_after: datetime | None = None, schedule_sweep: bool = True
) -> bool:
    """Queue a background delivery of one message; return whether a task was queued.

    A backend that cannot defer tasks gets nothing for a later time: the
    outbox sweep picks the message up when it is due. ``schedule_sweep``
    also makes sure a sweep is waiting (the sweep itself has done so).
    """
    task = _tasks().deliver_outbound_message_task
    if run_after is not None and run_after > timezone.now():
        if not task.get_backend().supports_defer:
            return False
        task = task.using(run_after=run_after)
    task.enqueue(message_id=message_id)
    if schedule_sweep:
        schedule_outbox_sweep()
    return True


def schedule_outbox_sweep() -> bool:
    """Make sure one sweep of the outbox is waiting in the task queue.

    The sweep re-schedules itself, so the worker alone keeps it running; at
    most one is kept waiting. Return whether one was added. With a backend
    whose queue cannot be read, run ``manage.py sweep_outbox --loop`` instead.
    """
    return schedule_once(
        _tasks().sweep_outbox_task,
        after=timedelta(seconds=settings.ENKASH_SWEEP_INTERVAL_SECONDS),
    )


def schedule_once(task, *, after: timedelta) -> bool:
    """Queue one run of a self-scheduling task ``after`` from now, unless one is waiting.

    Return whether one was added. With a tasks backend whose queue cannot
    be read (neither the database's nor RQ's) nothing is queued.
    """
    waiting = task_queue.waiting_kwargs(task)
    if waiting is None or waiting:
        return False
    task.using(run_after=timezone.now() + after).enqueue()
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
        .filter(~Exists(earlier_pending()))
        .exclude(pk__in=_messages_with_waiting_tasks())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(
        1 for message_id in due if enqueue_delivery(message_id=message_id, schedule_sweep=False)
    )


def _messages_with_waiting_tasks() -> set[int]:
    waiting = task_queue.waiting_kwargs(
        _tasks().deliver_outbound_message_task,
        due_only=True,  # due now: a deferred one may wait past the message's time
    )
    return {kwargs.get("message_id") for kwargs in waiting or ()}


def earlier_pending():
    return OutboundMessage.objects.filter(
        object_id=OuterRef("object_id"), pk__lt=OuterRef("pk"), state__in=PENDING_STATES
    )


def enqueue_successor(message: OutboundMessage) -> None:
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
    if message.kind == Kind.SEARCH_ENTITY:
        # Asked again: its search waits for the network's answer anew.
        SupplierSearch.objects.filter(
            outbound_message=message, state=SupplierSearch.State.FAILED
        ).update(state=SupplierSearch.State.ASKED, answered_at=None)
    transaction.on_commit(lambda: enqueue_delivery(message_id=message.pk), robust=True)
    return message


def _ensure_may_retry(message: OutboundMessage, user: AbstractBaseUser) -> None:
    if user is None or not user.is_authenticated:
        raise NotAllowed("Sign in to retry a delivery.")
    if user.is_staff:
        return
    purchase_order = message.purchase_order
    if purchase_order is not None:
        sender = purchase_order.business_of(message.sender_role)
        if Membership.objects.filter(user=user, business=sender).exists():
            return
    raise NotAllowed("Only the business that sent this message can retry its delivery.")
