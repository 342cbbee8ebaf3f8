"""E-mail goes out from the task queue: sent by the worker, retried while the server is down."""

import logging
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from purchase_orders import lifecycle, tasks
from purchase_orders.models import Membership
from purchase_orders.services import notifications
from tests.factories import MembershipFactory
from tests.plugins.network import acknowledged
from tests.plugins.webhooks import answer, sent_elsewhere_body

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGER = "purchase_orders.services.notifications"


def mail_tasks():
    return DBTaskResult.objects.filter(task_path=tasks.send_notification_task.module_path)


def waiting_mail():
    """Return the e-mail tasks not run yet, due now or later."""
    return mail_tasks().filter(status="READY")


def attempts_waiting() -> list[tuple[str, int]]:
    """Return (recipient, attempt) of each e-mail task not run yet."""
    return sorted(
        (task.args_kwargs["kwargs"]["to"], task.args_kwargs["kwargs"]["attempt"])
        for task in waiting_mail()
    )


def subject_of(envelope) -> str:
    return message_from_bytes(envelope.original_content, policy=policy.default)["Subject"]


def queue_event(django_capture_on_commit_callbacks, purchase_order, **kwargs) -> None:
    """Commit a transaction in which an event's e-mail was queued."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications.notify_on_commit(purchase_order=purchase_order, **kwargs)


def test_retry_delay_doubles_from_the_base_up_to_the_ceiling(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 200

    delays = [notifications.retry_delay(attempt) for attempt in range(1, 6)]

    assert delays == [30, 60, 120, 200, 200]


# -- the whole way: a committed action, the worker, a real SMTP server --------------------


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_gets_the_e_mail_later_once_per_recipient(
    trading_pair, signed_post, run_tasks, mail_server, settings
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0.5
    colleague = MembershipFactory(business=trading_pair.supplier, role=Membership.Role.SUPPLIER)
    addresses = sorted([trading_pair.supplier_user.email, colleague.user.email])

    # The network delivers a purchase order for the hosted supplier while the
    # mail server is down: the webhook is applied and answered all the same.
    response = signed_post("req-send", sent_elsewhere_body(trading_pair))

    assert (response.status_code, answer(response)["response_code"]) == (200, 0)
    assert attempts_waiting() == [(address, 1) for address in addresses]

    failed_from = timezone.now()
    run_tasks()  # db_worker: connecting is refused, so each e-mail is queued again

    assert mail_server.received == []
    assert attempts_waiting() == [(address, 2) for address in addresses]
    retry_at = [task.run_after for task in waiting_mail()]
    assert all(
        failed_from + timedelta(seconds=0.5) <= at <= timezone.now() + timedelta(seconds=0.5)
        for at in retry_at
    )

    mail_server.start()
    time.sleep(max(0.0, (max(retry_at) - timezone.now()).total_seconds()) + 0.05)
    run_tasks()

    assert mail_server.recipients() == addresses
    assert len(mail_server.received) == 2
    subject = f"New purchase order ERP/2026/000123 from {trading_pair.buyer}"
    assert [subject_of(envelope) for envelope in mail_server.received] == [subject, subject]
    assert waiting_mail().count() == 0
    # Each task's result says what it did: two refused, then two sent.
    assert sorted(mail_tasks().values_list("status", "return_value")) == [
        ("SUCCESSFUL", False),
        ("SUCCESSFUL", False),
        ("SUCCESSFUL", True),
        ("SUCCESSFUL", True),
    ]

    run_tasks()
    assert len(mail_server.received) == 2


@pytest.mark.django_db(transaction=True)
def test_an_action_on_a_page_is_mailed_by_the_worker_once_acknowledged(
    people, sandbox, run_tasks, mailoutbox
):
    sent = people.purchase_order(sent=True, lines=1)

    response = people.supplier_client.post(
        reverse("purchase_orders:reject", args=[sent.object_id]),
        {"remarks": "Rates are last year's", "expected_version": "1"},
    )

    assert response.status_code == 302
    # Pending until the network answers: nobody is told yet.
    assert mailoutbox == []
    assert attempts_waiting() == []
    run_tasks()  # db_worker: the sandbox takes the req-confirm
    assert mailoutbox == []
    assert attempts_waiting() == []

    # The network's acknowledgement queues the e-mail; it does not send it.
    acknowledged(sent)
    assert mailoutbox == []
    assert attempts_waiting() == [(people.buyer_user.email, 1)]

    run_tasks()

    (email,) = mailoutbox
    assert email.to == [people.buyer_user.email]
    assert email.subject == f"{people.supplier} rejected purchase order {sent.buyer_po_number}"
    assert f"Remarks from {people.supplier}:\nRates are last year's\n" in email.body
    assert waiting_mail().count() == 0


# -- retries, in the test's transaction ------------------------------------------------------


@pytest.mark.django_db
def test_each_retry_waits_twice_as_long_as_the_one_before(
    trading_pair,
    draft_purchase_order,
    mail_server,
    settings,
    send_queued_mail,
    django_capture_on_commit_callbacks,
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    queue_event(django_capture_on_commit_callbacks, draft_purchase_order, event="sent")

    for attempt, wait in [(1, 60), (2, 120), (3, 240)]:
        before = timezone.now()
        assert send_queued_mail() == 1
        (retry,) = waiting_mail()
        assert retry.args_kwargs["kwargs"]["attempt"] == attempt + 1
        assert before + timedelta(seconds=wait) <= retry.run_after
        assert retry.run_after <= timezone.now() + timedelta(seconds=wait)
        # Not due yet: the worker leaves it.
        assert send_queued_mail() == 0
        waiting_mail().update(run_after=timezone.now())

    assert mail_server.received == []


@pytest.mark.django_db
def test_after_the_last_attempt_the_e_mail_is_given_up_with_an_error_logged(
    trading_pair,
    draft_purchase_order,
    mail_server,
    settings,
    send_queued_mail,
    django_capture_on_commit_callbacks,
    caplog,
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0
    queue_event(django_capture_on_commit_callbacks, draft_purchase_order, event="sent")

    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert send_queued_mail() == 3

    assert waiting_mail().count() == 0
    records = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOGGER]
    to = trading_pair.supplier_user.email
    subject = f"New purchase order {draft_purchase_order.buyer_po_number} from {trading_pair.buyer}"
    assert [level for level, _ in records] == ["WARNING", "WARNING", "ERROR"]
    assert records[0][1].startswith(
        f"E-mail to {to} not sent (attempt 1 of 3, ConnectionRefusedError: "
    )
    assert records[1][1].startswith(f"E-mail to {to} not sent (attempt 2 of 3, ")
    assert records[2][1].startswith(
        f"E-mail to {to} not sent after 3 attempts, given up (ConnectionRefusedError: "
    )
    assert records[2][1].endswith(f"): {subject}")


@pytest.mark.django_db
def test_a_retry_mails_only_the_recipient_it_failed_for(
    trading_pair,
    draft_purchase_order,
    mail_server,
    settings,
    send_queued_mail,
    django_capture_on_commit_callbacks,
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    colleague = MembershipFactory(business=trading_pair.supplier, role=Membership.Role.SUPPLIER)
    mail_server.refused = {colleague.user.email}
    mail_server.start()
    queue_event(django_capture_on_commit_callbacks, draft_purchase_order, event="sent")

    assert send_queued_mail() == 2

    assert mail_server.recipients() == [trading_pair.supplier_user.email]
    assert attempts_waiting() == [(colleague.user.email, 2)]

    mail_server.refused = set()
    waiting_mail().update(run_after=timezone.now())
    assert send_queued_mail() == 1

    assert mail_server.recipients() == sorted(
        [trading_pair.supplier_user.email, colleague.user.email]
    )
    assert waiting_mail().count() == 0


@pytest.mark.django_db
def test_notify_sends_at_once_and_raises_when_the_mail_server_is_down(
    trading_pair, draft_purchase_order, mail_server
):
    with pytest.raises(ConnectionRefusedError):
        notifications.notify(purchase_order=draft_purchase_order, event="sent")

    mail_server.start()
    sent = notifications.notify(
        purchase_order=draft_purchase_order, event="refused", action=lifecycle.SEND
    )

    assert sent == 1
    assert mail_server.recipients() == [trading_pair.buyer_user.email]
    assert waiting_mail().count() == 0


# -- a tasks backend that cannot run a task later ---------------------------------------------


@pytest.mark.django_db
def test_with_a_backend_that_cannot_defer_the_e_mail_goes_out_on_commit(
    trading_pair, draft_purchase_order, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications.notify_on_commit(purchase_order=draft_purchase_order, event="sent")
        assert mailoutbox == []

    assert [email.to for email in mailoutbox] == [[trading_pair.supplier_user.email]]
    assert mail_tasks().count() == 0


@pytest.mark.django_db
def test_with_a_backend_that_cannot_defer_a_failure_is_logged_not_retried_nor_raised(
    trading_pair,
    draft_purchase_order,
    settings,
    mail_server,
    caplog,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = IMMEDIATE

    with caplog.at_level(logging.INFO, logger=LOGGER):
        queue_event(django_capture_on_commit_callbacks, draft_purchase_order, event="sent")

    records = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOGGER]
    assert len(records) == 1
    level, text = records[0]
    assert level == "ERROR"
    assert text.startswith(
        f"E-mail to {trading_pair.supplier_user.email} not sent and the tasks backend cannot "
        "retry later, given up (ConnectionRefusedError: "
    )
    assert mail_tasks().count() == 0
    assert mail_server.received == []
