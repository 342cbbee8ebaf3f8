"""Reminders: a supplier that has not answered an order is reminded, its buyer told, once a day."""

import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from purchase_orders import lifecycle, tasks
from purchase_orders.models import Membership, PurchaseOrder, Reminder
from purchase_orders.services import notifications, reminders
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
)
from tests.factories import MembershipFactory
from tests.plugins.network import acknowledged, at_once

pytestmark = pytest.mark.django_db


def reminders_waiting():
    return DBTaskResult.objects.filter(
        task_path=tasks.send_reminders_task.module_path, status="READY"
    )


def mail_queued() -> list[tuple[str, str]]:
    """Return (recipient, subject) of each e-mail task waiting in the queue."""
    return sorted(
        (result.args_kwargs["kwargs"]["to"], result.args_kwargs["kwargs"]["subject"])
        for result in DBTaskResult.objects.filter(
            task_path=tasks.send_notification_task.module_path, status="READY"
        )
    )


def remind(django_capture_on_commit_callbacks, *, now) -> int:
    """Run the reminders at ``now``, committing as the worker does; return how many."""
    with django_capture_on_commit_callbacks(execute=True):
        return reminders.send_reminders(now=now)


@pytest.fixture
def unanswered(sent_purchase_order, trading_pair):
    """An order sent and acknowledged, with its buyer set to remind after 3 days."""
    trading_pair.buyer.reminder_after_days = 3
    trading_pair.buyer.save(update_fields=["reminder_after_days"])
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.status == lifecycle.CREATED
    return sent_purchase_order


def test_an_order_is_not_reminded_before_its_days_have_passed(
    unanswered, django_capture_on_commit_callbacks
):
    now = unanswered.sent_at + timedelta(days=3) - timedelta(minutes=1)

    assert remind(django_capture_on_commit_callbacks, now=now) == 0

    assert not Reminder.objects.exists()
    assert mail_queued() == []


def test_an_unanswered_order_reminds_the_supplier_and_tells_the_buyer(
    unanswered, trading_pair, django_capture_on_commit_callbacks
):
    now = unanswered.sent_at + timedelta(days=5, hours=2)

    assert remind(django_capture_on_commit_callbacks, now=now) == 1

    reminder = Reminder.objects.get()
    assert (
        reminder.purchase_order,
        reminder.version,
        reminder.days_waiting,
        reminder.supplier_hosted,
        reminder.supplier_recipients,
        reminder.buyer_recipients,
        reminder.created_at,
    ) == (unanswered, 1, 5, True, 1, 1, now)
    unanswered.refresh_from_db()
    assert unanswered.last_reminded_at == now
    number = unanswered.buyer_po_number
    assert mail_queued() == [
        (
            trading_pair.buyer_user.email,
            f"{trading_pair.supplier} has not answered purchase order {number}",
        ),
        (
            trading_pair.supplier_user.email,
            f"Reminder: purchase order {number} from {trading_pair.buyer} waits for your answer",
        ),
    ]


def test_an_order_is_reminded_at_most_once_a_day_and_again_the_next(
    unanswered, django_capture_on_commit_callbacks
):
    first = unanswered.sent_at + timedelta(days=3)

    counts = [
        remind(django_capture_on_commit_callbacks, now=first),
        remind(django_capture_on_commit_callbacks, now=first + timedelta(hours=1)),
        remind(django_capture_on_commit_callbacks, now=first + timedelta(hours=23, minutes=59)),
        remind(django_capture_on_commit_callbacks, now=first + timedelta(days=1)),
    ]

    assert counts == [1, 0, 0, 1]
    assert list(Reminder.objects.values_list("days_waiting", flat=True)) == [3, 4]


def test_reminders_stop_after_five_days_of_them(unanswered, django_capture_on_commit_callbacks):
    first = unanswered.sent_at + timedelta(days=3)

    counts = [
        remind(django_capture_on_commit_callbacks, now=first + timedelta(days=day))
        for day in range(7)
    ]

    assert counts == [1, 1, 1, 1, 1, 0, 0]
    assert list(Reminder.objects.values_list("days_waiting", flat=True)) == [3, 4, 5, 6, 7]


def test_an_order_sent_long_before_is_never_reminded(
    unanswered, django_capture_on_commit_callbacks
):
    now = unanswered.sent_at + timedelta(days=400)

    assert remind(django_capture_on_commit_callbacks, now=now) == 0
    assert not Reminder.objects.exists()


def test_an_answered_order_is_not_reminded(
    unanswered, trading_pair, django_capture_on_commit_callbacks
):
    acknowledged(
        confirm_purchase_order(
            purchase_order=unanswered,
            confirmed_by=trading_pair.supplier_user,
            accept=True,
            remarks="",
        )
    )

    now = unanswered.sent_at + timedelta(days=10)
    assert remind(django_capture_on_commit_callbacks, now=now) == 0
    assert not Reminder.objects.exists()


def test_a_cancellation_on_its_way_and_then_acknowledged_stops_the_reminders(
    unanswered, trading_pair, django_capture_on_commit_callbacks
):
    change_purchase_order_status(
        purchase_order=unanswered,
        changed_by=trading_pair.buyer_user,
        action=lifecycle.CANCEL,
        remarks="Ordered elsewhere.",
    )
    now = unanswered.sent_at + timedelta(days=10)

    pending = remind(django_capture_on_commit_callbacks, now=now)
    acknowledged(unanswered)
    done = remind(django_capture_on_commit_callbacks, now=now + timedelta(days=1))

    assert (pending, done) == (0, 0)
    assert PurchaseOrder.objects.get(pk=unanswered.pk).status == lifecycle.CANCELLED


@pytest.mark.parametrize("days", [None, 0])
def test_a_business_without_reminders_sends_none(
    unanswered, trading_pair, days, django_capture_on_commit_callbacks
):
    trading_pair.buyer.reminder_after_days = days
    trading_pair.buyer.save(update_fields=["reminder_after_days"])

    assert (
        remind(django_capture_on_commit_callbacks, now=unanswered.sent_at + timedelta(days=30)) == 0
    )
    assert not Reminder.objects.exists()


def test_a_supplier_not_hosted_here_is_not_reminded_and_the_buyer_is_told_so(
    unanswered, trading_pair, django_capture_on_commit_callbacks
):
    trading_pair.supplier.is_hosted = False
    trading_pair.supplier.save(update_fields=["is_hosted"])
    now = unanswered.sent_at + timedelta(days=4)

    assert remind(django_capture_on_commit_callbacks, now=now) == 1

    reminder = Reminder.objects.get()
    assert (reminder.supplier_hosted, reminder.supplier_recipients, reminder.buyer_recipients) == (
        False,
        0,
        1,
    )
    [(to, subject)] = mail_queued()
    assert to == trading_pair.buyer_user.email
    body = DBTaskResult.objects.get(task_path=tasks.send_notification_task.module_path).args_kwargs[
        "kwargs"
    ]["body"]
    assert (
        f"{trading_pair.supplier} is on the network, not on this portal, so the portal cannot "
        "remind them: contact them directly."
    ) in body


def test_the_reminder_is_counted_for_the_people_it_reaches(
    unanswered, trading_pair, django_capture_on_commit_callbacks
):
    MembershipFactory(business=trading_pair.supplier, role=Membership.Role.SUPPLIER)
    gone = MembershipFactory(business=trading_pair.supplier, role=Membership.Role.SUPPLIER)
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])

    remind(django_capture_on_commit_callbacks, now=unanswered.sent_at + timedelta(days=3))

    assert Reminder.objects.get().supplier_recipients == 2
    assert gone.user.email not in [to for to, _ in mail_queued()]


def test_an_edit_sent_later_counts_its_days_from_its_own_sending(
    unanswered, django_capture_on_commit_callbacks
):
    # The version the supplier must answer was sent a day ago.
    later = unanswered.sent_at + timedelta(days=5)
    PurchaseOrder.objects.filter(pk=unanswered.pk).update(sent_at=later - timedelta(days=1))

    assert remind(django_capture_on_commit_callbacks, now=later) == 0
    assert remind(django_capture_on_commit_callbacks, now=later + timedelta(days=2)) == 1


def test_each_run_schedules_the_next_once(unanswered, settings):
    settings.REMINDER_INTERVAL_SECONDS = 600
    before = timezone.now()

    reminders.send_reminders()
    reminders.send_reminders()

    [waiting] = reminders_waiting()
    assert (
        before + timedelta(seconds=599)
        <= waiting.run_after
        <= timezone.now() + timedelta(seconds=600)
    )


# -- e-mail through a real SMTP server, and the worker -------------------------------------


def test_the_reminders_reach_a_real_mail_server_with_the_orders_link(
    unanswered,
    trading_pair,
    mail_server,
    send_queued_mail,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.PORTAL_BASE_URL = "http://portal.example.in:8100"
    mail_server.start()

    remind(django_capture_on_commit_callbacks, now=unanswered.sent_at + timedelta(days=5))
    assert send_queued_mail() == 2

    assert mail_server.recipients() == sorted(
        [trading_pair.buyer_user.email, trading_pair.supplier_user.email]
    )
    by_recipient = {
        envelope.rcpt_tos[0]: message_from_bytes(envelope.original_content, policy=policy.default)
        for envelope in mail_server.received
    }
    link = "http://portal.example.in:8100" + unanswered.get_absolute_url()
    to_supplier = by_recipient[trading_pair.supplier_user.email].get_content()
    to_buyer = by_recipient[trading_pair.buyer_user.email].get_content()
    sent_on = timezone.localtime(unanswered.sent_at).strftime("%-d %b %Y")
    assert (
        f"{trading_pair.buyer} sent you version 1 of this purchase order on {sent_on}, "
        "5 days ago, and is still waiting for your answer."
    ) in to_supplier
    assert (
        f"{trading_pair.supplier} has not answered version 1 of this purchase order, sent on "
        f"{sent_on}, 5 days ago. The portal reminded them today by e-mail (1 person)."
    ) in to_buyer
    assert f"Open it in the portal: {link}" in to_supplier
    assert f"Open it in the portal: {link}" in to_buyer


def test_compose_reminder_refuses_an_event_of_another_kind(unanswered):
    with pytest.raises(ValueError, match="Unknown reminder e-mail event 'sent'"):
        notifications.compose_reminder(
            purchase_order=unanswered, event=notifications.SENT, reminder=None
        )


@pytest.mark.django_db(transaction=True)
def test_the_worker_reminds_as_it_starts_and_its_task_runs_again_later(
    trading_pair, draft_purchase_order, run_tasks
):
    from purchase_orders.services.purchase_orders import send_purchase_order

    unanswered = acknowledged(
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    )
    PurchaseOrder.objects.filter(pk=unanswered.pk).update(
        sent_at=timezone.now() - timedelta(days=4)
    )
    DBTaskResult.objects.all().delete()  # a lost queue: only the worker's start remains

    run_tasks()  # db_worker: it reminds as it starts, and schedules the next run

    assert Reminder.objects.count() == 1
    assert reminders_waiting().count() == 1
    # The next run is due: the task runs, finds nothing due today, schedules the next.
    reminders_waiting().update(run_after=timezone.now())
    run_tasks()
    assert DBTaskResult.objects.get(
        task_path=tasks.send_reminders_task.module_path, status="SUCCESSFUL"
    )
    assert (Reminder.objects.count(), reminders_waiting().count()) == (1, 1)


# -- PostgreSQL: two runs at once, and a restarted worker process ---------------------------


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remind_each_order_once(trading_pair):
    postgresql_only()
    from purchase_orders.services.purchase_orders import send_purchase_order

    orders = [
        acknowledged(
            send_purchase_order(
                purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
            )
        )
        for _ in range(3)
    ]
    now = max(order.sent_at for order in orders) + timedelta(days=3)

    outcomes = at_once([lambda: reminders.send_reminders(now=now) for _ in range(4)])

    assert sum(outcomes) == 3, outcomes
    assert sorted(Reminder.objects.values_list("purchase_order_id", flat=True)) == sorted(
        order.pk for order in orders
    )
    # Two e-mails per order (its supplier's person, its buyer's), queued once each.
    assert (
        DBTaskResult.objects.filter(
            task_path=tasks.send_notification_task.module_path,
            args_kwargs__kwargs__subject__startswith="Reminder:",
        ).count()
        == 3
    )


@pytest.mark.django_db(transaction=True)
def test_a_restarted_worker_process_picks_the_reminders_up(trading_pair, worker_process):
    from purchase_orders.services.purchase_orders import send_purchase_order

    with transaction.atomic():
        unanswered = acknowledged(
            send_purchase_order(
                purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
            )
        )
        PurchaseOrder.objects.filter(pk=unanswered.pk).update(
            sent_at=timezone.now() - timedelta(days=6)
        )
    DBTaskResult.objects.all().delete()  # nothing queued: the worker must find it itself

    worker = worker_process()
    deadline = time.monotonic() + 30
    while not Reminder.objects.exists():
        assert time.monotonic() < deadline, worker.output()
        time.sleep(0.2)
    worker.stop()

    assert Reminder.objects.get().days_waiting == 6
    assert reminders_waiting().count() == 1
