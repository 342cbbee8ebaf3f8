"""The supplier's e-mail of a version sent or edited carries that version's PDF.

Sent through a real SMTP server (aiosmtpd), the PDF made by the worker as it
sends the e-mail, and read back.
"""

import logging
from email import message_from_bytes, policy

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from purchase_orders import tasks
from purchase_orders.models import PurchaseOrder
from purchase_orders.services import notifications
from tests.documents import pdf_pages
from tests.plugins.webhooks import answer, edited_body, sent_elsewhere_body

LOGGER = "purchase_orders.services.notifications"


def received(mail_server) -> list:
    return [
        message_from_bytes(envelope.original_content, policy=policy.default)
        for envelope in mail_server.received
    ]


def attachments(message) -> list[tuple[str, str, bytes]]:
    """Return (file name, content type, bytes) of each attachment of an e-mail."""
    return [
        (part.get_filename(), part.get_content_type(), part.get_content())
        for part in message.iter_attachments()
    ]


def mail_task_kwargs() -> list[dict]:
    return [
        task.args_kwargs["kwargs"]
        for task in DBTaskResult.objects.filter(
            task_path=tasks.send_notification_task.module_path
        ).order_by("enqueued_at", "id")
    ]


def queue_event(django_capture_on_commit_callbacks, purchase_order, **kwargs) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications.notify_on_commit(purchase_order=purchase_order, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_an_order_delivered_to_the_supplier_arrives_by_mail_with_its_pdf(
    trading_pair, signed_post, run_tasks, mail_server
):
    mail_server.start()

    response = signed_post("req-send", sent_elsewhere_body(trading_pair))
    assert (response.status_code, answer(response)["response_code"]) == (200, 0)
    # The queue holds which version to print, never the PDF itself.
    (queued,) = mail_task_kwargs()
    purchase_order = PurchaseOrder.objects.get(buyer_po_number="ERP/2026/000123")
    assert (queued["purchase_order_id"], queued["version"]) == (purchase_order.pk, 1)
    assert len(str(queued)) < 5000
    run_tasks()

    (message,) = received(mail_server)
    assert message["To"] == trading_pair.supplier_user.email
    assert message["Subject"] == f"New purchase order ERP/2026/000123 from {trading_pair.buyer}"
    (attachment,) = attachments(message)
    filename, content_type, content = attachment
    assert (filename, content_type) == ("ERP-2026-000123-v1.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    document = " ".join(pdf_pages(content))
    assert "PO number ERP/2026/000123" in document
    assert "Version 1" in document
    assert f"GSTIN {trading_pair.supplier.gstin}" in document
    assert "Status Sent, awaiting confirmation" in document
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Please confirm or reject it in the portal." in body
    assert body.endswith(
        "\nAttached: ERP-2026-000123-v1.pdf, version 1 of the purchase order as a PDF.\n"
    )


@pytest.mark.django_db(transaction=True)
def test_an_edit_is_mailed_with_the_pdf_of_the_new_version(
    trading_pair, signed_post, run_tasks, mail_server
):
    mail_server.start()
    signed_post("req-send", sent_elsewhere_body(trading_pair))
    purchase_order = PurchaseOrder.objects.get(buyer_po_number="ERP/2026/000123")
    run_tasks()

    response = signed_post("req-edit", edited_body(trading_pair, purchase_order))
    assert (response.status_code, answer(response)["response_code"]) == (200, 0)
    run_tasks()

    first, edit = received(mail_server)
    assert edit["Subject"] == "Purchase order ERP/2026/000123 changed to version 2"
    ((filename, content_type, content),) = attachments(edit)
    assert (filename, content_type) == ("ERP-2026-000123-v2.pdf", "application/pdf")
    document = " ".join(pdf_pages(content))
    assert "Version 2" in document
    assert "SUBJECT Office supplies, revised" in document
    assert [name for name, _, _ in attachments(first)] == ["ERP-2026-000123-v1.pdf"]


@pytest.mark.django_db
def test_a_retried_e_mail_still_carries_the_pdf(
    trading_pair, mail_server, settings, send_queued_mail, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    purchase_order = trading_pair.purchase_order(sent=True, lines=2)
    queue_event(django_capture_on_commit_callbacks, purchase_order, event="sent")

    assert send_queued_mail() == 1  # the mail server is down: queued again
    retry = mail_task_kwargs()[-1]
    assert (retry["attempt"], retry["purchase_order_id"], retry["version"]) == (
        2,
        purchase_order.pk,
        1,
    )
    mail_server.start()
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    assert send_queued_mail() == 1

    (message,) = received(mail_server)
    ((filename, _, content),) = attachments(message)
    assert filename == purchase_order.buyer_po_number.replace("/", "-") + "-v1.pdf"
    assert purchase_order.buyer_po_number in " ".join(pdf_pages(content))


@pytest.mark.django_db
def test_a_pdf_that_cannot_be_made_does_not_cost_the_e_mail(
    trading_pair, mail_server, send_queued_mail, django_capture_on_commit_callbacks, caplog
):
    mail_server.start()
    purchase_order = trading_pair.purchase_order(sent=True, lines=1)
    queue_event(django_capture_on_commit_callbacks, purchase_order, event="sent")
    # By the time the worker sends it, the order is gone: there is nothing to print.
    pk = purchase_order.pk
    purchase_order.delete()

    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert send_queued_mail() == 1

    (message,) = received(mail_server)
    assert attachments(message) == []
    body = message.get_body(("plain",)).get_content()
    assert "The PDF of this purchase order could not be attached." in body
    assert "Attached:" not in body
    errors = [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelname == "ERROR"]
    assert errors == [
        f"The PDF of version 1 of purchase order {pk} could not be made; the e-mail goes without it"
    ]


@pytest.mark.django_db
def test_only_the_suppliers_e_mails_of_a_version_carry_a_pdf(trading_pair, draft_purchase_order):
    sent = trading_pair.purchase_order(sent=True, lines=1)

    with_pdf = notifications.compose(purchase_order=sent, event=notifications.SENT)
    accepted = notifications.compose(purchase_order=sent, event=notifications.ACCEPTED)
    draft = notifications.compose(purchase_order=draft_purchase_order, event=notifications.SENT)

    assert (with_pdf.purchase_order_id, with_pdf.version) == (sent.pk, 1)
    assert (accepted.purchase_order_id, accepted.version) == (None, None)
    assert (draft.purchase_order_id, draft.version) == (None, None)
