"""sweep_outbox: no committed message is left behind by a lost task or a dead worker."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.services.acknowledgements import apply_sent_action
from purchase_orders.services.outbound import schedule_outbox_sweep, sweep_outbox
from purchase_orders.services.purchase_orders import change_purchase_order_status

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def queued_deliveries() -> list[int]:
    return sorted(
        task.args_kwargs["kwargs"]["message_id"]
        for task in DBTaskResult.objects.filter(task_path__endswith="deliver_outbound_message_task")
    )


def waiting_sweeps() -> int:
    return DBTaskResult.objects.filter(
        task_path__endswith="sweep_outbox_task", status="READY"
    ).count()


def test_a_message_whose_task_was_lost_is_queued_once(pending_send):
    # The send's on-commit enqueue never ran here: its task is lost.
    message = OutboundMessage.objects.get()
    assert queued_deliveries() == []

    assert sweep_outbox() == 1
    assert sweep_outbox() == 0

    assert queued_deliveries() == [message.pk]


def test_the_sweep_keeps_exactly_one_sweep_waiting(pending_send):
    sweep_outbox()
    sweep_outbox()

    assert waiting_sweeps() == 1
    sweep = DBTaskResult.objects.get(task_path__endswith="sweep_outbox_task")
    assert sweep.run_after > timezone.now() + datetime.timedelta(seconds=50)


@pytest.mark.parametrize(
    ("state", "next_attempt_in", "is_due"),
    [
        ("queued", -MINUTE, True),
        ("retrying", -MINUTE, True),
        ("retrying", MINUTE, False),
        # While sending, next_attempt_at is the end of the worker's lease.
        ("sending", -MINUTE, True),
        ("sending", MINUTE, False),
        ("sent", -MINUTE, False),
        ("acknowledged", -MINUTE, False),
        ("rejected", -MINUTE, False),
        ("failed", -MINUTE, False),
    ],
)
def test_what_the_sweep_finds_due(pending_send, state, next_attempt_in, is_due):
    OutboundMessage.objects.update(state=state, next_attempt_at=timezone.now() + next_attempt_in)

    assert sweep_outbox() == int(is_due)


def test_the_sweep_can_look_ahead(pending_send):
    OutboundMessage.objects.update(state="retrying", next_attempt_at=timezone.now() + MINUTE)

    assert sweep_outbox(now=timezone.now() + 2 * MINUTE) == 1


def test_only_the_first_pending_message_of_a_purchase_order_is_queued(
    trading_pair, pending_send
):
    send = OutboundMessage.objects.get(kind="req-send")
    # Applied as the network delivered it to the supplier hosted here; its message is still out.
    apply_sent_action(purchase_order=PurchaseOrder.objects.get(), message=send)
    change_purchase_order_status(
        purchase_order=pending_send,
        changed_by=trading_pair.buyer_user,
        action="CANCEL",
        remarks="",
    )

    assert sweep_outbox() == 1
    assert queued_deliveries() == [send.pk]


def test_the_command_sweeps_once(pending_send):
    out = io.StringIO()

    call_command("sweep_outbox", stdout=out)

    assert out.getvalue() == "Queued 1 outbound message(s) for delivery.\n"
    assert len(queued_deliveries()) == 1


@pytest.mark.sandbox
def test_the_worker_runs_the_sweep_which_delivers_and_schedules_the_next(
    sandbox, pending_send, run_tasks
):
    message = OutboundMessage.objects.get()
    schedule_outbox_sweep()
    DBTaskResult.objects.update(run_after=timezone.now())

    run_tasks()

    message.refresh_from_db()
    assert message.state == "sent"
    assert [entry["req_msg_id"] for entry in sandbox.received] == [message.req_msg_id]
    assert DBTaskResult.objects.get(task_path__endswith="sweep_outbox_task", status="SUCCESSFUL")
    assert waiting_sweeps() == 1
