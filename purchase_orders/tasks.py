"""Background entry points; each calls one service and nothing else.

``manage.py db_worker`` runs them. The outbox sweep and the reminders
re-schedule themselves, so the worker alone keeps them going (see
``services.outbound`` and ``services.reminders``).
"""

from django_tasks import task

from purchase_orders.services import invitations, notifications, outbound, reminders


@task()
def deliver_outbound_message_task(message_id: int) -> None:
    """Deliver one outbound network message, or leave it for later."""
    outbound.deliver_outbound_message(message_id=message_id)


@task()
def sweep_outbox_task() -> int:
    """Queue every outbound message that is due, and the next sweep."""
    return outbound.sweep_outbox()


@task()
def send_reminders_task() -> int:
    """Remind the suppliers of the orders they have not answered, and queue the next run."""
    return reminders.send_reminders()


@task()
def send_notification_task(
    subject: str,
    body: str,
    from_email: str,
    to: str,
    attempt: int = 1,
    purchase_order_id: int | None = None,
    version: int | None = None,
) -> bool:
    """Send one e-mail to one person (with the PDF of a version, if named), or queue a retry."""
    return notifications.send_notification(
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        attempt=attempt,
        purchase_order_id=purchase_order_id,
        version=version,
    )


@task()
def send_invitation_task(invitation_id: int, nonce: str, attempt: int = 1) -> bool:
    """E-mail an invitation's link, unless it changed since; or queue the next attempt."""
    return invitations.send_invitation_email(
        invitation_id=invitation_id, nonce=nonce, attempt=attempt
    )
