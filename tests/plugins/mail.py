"""E-mail in tests: the queued e-mail tasks run as the worker runs them; a real SMTP server."""

import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from purchase_orders import tasks

MAIL_TASKS = (tasks.send_notification_task, tasks.send_invitation_task)


def queued_mail():
    """Return the e-mail tasks (notifications, invitations) in the database queue that are due."""
    return DBTaskResult.objects.ready().filter(
        task_path__in=[task.module_path for task in MAIL_TASKS]
    )


@pytest.fixture
def send_queued_mail(db):
    """Return ``send()``: run the due e-mail tasks; return how many ran.

    Each task is claimed and run by django-tasks-db's own worker code, from
    the arguments stored in the queue, inside the test's transaction (the
    whole ``db_worker`` needs a transactional test: ``run_tasks``). A retry
    that is due at once runs too; one for later stays queued.
    """
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-mail-worker",
        excluded_queue_names=[],
    )

    def send(limit: int = 100) -> int:
        ran = 0
        while (result := queued_mail().order_by("enqueued_at", "id").first()) is not None:
            # E-mail retried without end would keep this loop going.
            assert ran < limit, f"more than {limit} e-mail tasks became due"
            result.claim(worker.worker_id)
            worker.run_task(result)
            ran += 1
        return ran

    return send


@dataclass
class MailServer:
    """A real SMTP server (aiosmtpd) on a free local port, started and stopped at will.

    ``received`` holds each message it accepted (an aiosmtpd ``Envelope``);
    it refuses, with a permanent 550, the recipients in ``refused``.
    """

    port: int
    received: list = field(default_factory=list)
    refused: set = field(default_factory=set)
    controller: Controller | None = None

    # aiosmtpd's hook names.
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        """Return every recipient of every accepted message, sorted."""
        return sorted(address for envelope in self.received for address in envelope.rcpt_tos)

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server(settings):
    """A ``MailServer`` that the SMTP backend points at, not started yet.

    Until ``start()`` nothing listens on its port, so connecting is refused,
    as when the mail server is down.
    """
    server = MailServer(port=free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
