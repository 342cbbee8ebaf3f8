"""sweep_outbox: no committed message is left behind by a lost task or a dead worker."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from purchase_orders.models import OutboundMessage
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


def test_a_message_whose_task_was_lost_is_queued_once(sent_purchase_order):
    # The send's on-commit enqueue never ran here: its task is lost.
    message = OutboundMessage.objects.get()
    assert queued_deliveries() == []

    assert sweep_outbox() == 1
    assert sweep_outbox() == 0

    assert queued_deliveries() == [message.pk]


def test_the_sweep_keeps_exactly_one_sweep_waiting(sent_purchase_order):
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
def test_what_the_sweep_finds_due(sent_purchase_order, state, next_attempt_in, is_due):
    OutboundMessage.objects.update(state=state, next_attempt_at=timezone.now() + next_attempt_in)

    assert sweep_outbox() == int(is_due)


def test_the_sweep_can_look_ahead(sent_purchase_order):
    OutboundMessage.objects.update(state="retrying", next_attempt_at=timezone.now() + MINUTE)

    assert sweep_outbox(now=timezone.now() + 2 * MINUTE) == 1


def test_only_the_first_pending_message_of_a_purchase_order_is_queued(
    trading_pair, sent_purchase_order
):
    change_purchase_order_status(
        purchase_order=sent_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="CANCEL",
        remarks="",
    )
    send = OutboundMessage.objects.get(kind="req-send")

    assert sweep_outbox() == 1
    assert queued_deliveries() == [send.pk]


def test_the_command_sweeps_once(sent_purchase_order):
    out = io.StringIO()

    call_command("sweep_outbox", stdout=out)

    assert out.getvalue() == "Queued 1 outbound message(s) for delivery.\n"
    assert len(queued_deliveries()) == 1


@pytest.mark.sandbox
def test_the_worker_runs_the_sweep_which_delivers_and_schedules_the_next(
    sandbox, sent_purchase_order, run_tasks
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
