"""The demo's console e-mail backend shows an attachment by its name and size."""

import io

from django.core.mail import EmailMessage

from procurement.mail import ConsoleEmailBackend


def test_an_attachment_is_written_by_its_name_and_size_not_its_bytes():
    stream = io.StringIO()
    message = EmailMessage(
        "New purchase order PO/DEMO/0001", "The order is attached.", to=["a@x.in"]
    )
    message.attach("PO-DEMO-0001-v1.pdf", b"%PDF-1.4 " + b"x" * 5000, "application/pdf")

    ConsoleEmailBackend(stream=stream).send_messages([message])

    written = stream.getvalue()
    assert "Subject: New purchase order PO/DEMO/0001" in written
    assert "The order is attached." in written
    assert "Attached: PO-DEMO-0001-v1.pdf (application/pdf, 5,009 bytes)" in written
    assert "JVBERi0" not in written  # the PDF's bytes in base64
    assert message.attachments  # the message sent is left as it was


def test_a_message_without_attachments_is_written_as_django_writes_it():
    stream = io.StringIO()

    ConsoleEmailBackend(stream=stream).send_messages(
        [EmailMessage("Reminder", "Please answer.", to=["a@x.in"])]
    )

    assert "Subject: Reminder" in stream.getvalue()
    assert "Attached:" not in stream.getvalue()
