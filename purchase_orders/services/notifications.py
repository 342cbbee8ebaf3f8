"""E-mail the people of a business when something happens to a purchase order.

The other business hears of what the network acknowledged or delivered of
an order (sent, edited, its status changed, accepted, rejected: from
``services.acknowledgements`` and ``services.inbound.requests``); the business
that acted hears when the network refused its action or the delivery of it
gave up. Within the buying business, its approvers hear of what waits for
their approval, and the buyer who submitted it of the approver's decision
(``notify_approval_on_commit``). A supplier that has not answered an order is
reminded, and its buyer told (``notify_reminder_on_commit``, from
``services.reminders``). Each e-mail is written when the event happens, with the words and
figures of that moment, and goes out from the task queue once the event's
transaction commits: one task per recipient, retried with back-off while the
mail server fails, so a mail server that is down neither loses the mail nor
holds up the acknowledgement or the webhook. The supplier's e-mail of a
version sent or edited carries that version's PDF, made by the worker when
it sends the e-mail.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.models import Business, Membership, PurchaseOrder
from purchase_orders.selectors.approvals import approvers_for, own_people
from purchase_orders.selectors.documents import get_purchase_order_document_for_mail
from purchase_orders.services.pdf import render_purchase_order_pdf

logger = logging.getLogger(__name__)

# What the other business hears of.
SENT = "sent"
EDITED = "edited"
STATUS_CHANGED = "status_changed"
ACCEPTED = "accepted"
REJECTED = "rejected"
# What the business that acted hears of its own action.
REFUSED = "refused"
NOT_DELIVERED = "not_delivered"

ACTOR_EVENTS = (REFUSED, NOT_DELIVERED)
# What the buying business's own people hear of its approvals (never on the
# network): its approvers of a request, the buyer who made it of the decision.
APPROVAL_REQUESTED = "approval_requested"
APPROVED = "approved"
RETURNED = "returned"
APPROVAL_EVENTS = (APPROVAL_REQUESTED, APPROVED, RETURNED)
# A reminder of an order not answered (services.reminders): to the supplier's
# people, and to the buyer's that the supplier has not answered.
REMINDER = "reminder"
NO_ANSWER = "no_answer"
REMINDER_EVENTS = (REMINDER, NO_ANSWER)

# Who hears of each event about the other side: the supplier's people of what
# the buyer did, and the buyer's people of the supplier's answer. The actor's
# events go to the side of their action (lifecycle.TRANSITIONS_BY_ACTION).
RECIPIENT_ROLE = {
    SENT: Membership.Role.SUPPLIER,
    EDITED: Membership.Role.SUPPLIER,
    STATUS_CHANGED: Membership.Role.SUPPLIER,
    ACCEPTED: Membership.Role.BUYER,
    REJECTED: Membership.Role.BUYER,
    REMINDER: Membership.Role.SUPPLIER,
    NO_ANSWER: Membership.Role.BUYER,
}
SUBJECTS = {
    SENT: "New purchase order {number} from {buyer}",
    EDITED: "Purchase order {number} changed to version {version}",
    STATUS_CHANGED: "Purchase order {number} is now {status}",
    ACCEPTED: "{supplier} accepted purchase order {number}",
    REJECTED: "{supplier} rejected purchase order {number}",
    REFUSED: "The network refused your {request}",
    NOT_DELIVERED: "Not delivered: your {request}",
    APPROVAL_REQUESTED: "Waiting for your approval: purchase order {number}",
    APPROVED: "{approver} approved purchase order {number}",
    RETURNED: "{approver} returned purchase order {number} to you",
    REMINDER: "Reminder: purchase order {number} from {buyer} waits for your answer",
    NO_ANSWER: "{supplier} has not answered purchase order {number}",
}
# The actor's action in words, as in "The network refused your …".
REQUESTS = {
    lifecycle.SEND: "request to send purchase order {number}",
    lifecycle.EDIT: "changes to purchase order {number}",
    lifecycle.ACCEPT: "confirmation of purchase order {number}",
    lifecycle.REJECT: "rejection of purchase order {number}",
    lifecycle.CANCEL: "cancellation of purchase order {number}",
    lifecycle.FULFILL: "request to mark purchase order {number} fulfilled",
    lifecycle.CLOSE: "request to close purchase order {number}",
}
# What to do after a refusal; the network's reason says what to put right.
FIXES = {
    lifecycle.SEND: "Correct what the network names above, then send the purchase order again.",
    lifecycle.EDIT: "Correct what the network names above, then save your changes again.",
    lifecycle.ACCEPT: "Open the purchase order, check it, then confirm it again.",
    lifecycle.REJECT: "Open the purchase order, check it, then reject it again.",
    lifecycle.CANCEL: "Open the purchase order, check its status, then try again.",
    lifecycle.FULFILL: "Open the purchase order, check its status, then try again.",
    lifecycle.CLOSE: "Open the purchase order, check its status, then try again.",
}

TEMPLATE = "purchase_orders/email/notification.txt"
# The e-mails that carry the order's PDF: the supplier's, of a version to answer.
WITH_DOCUMENT = (SENT, EDITED)
# Said at the end of an e-mail, once its PDF is made (or could not be).
ATTACHED = "\nAttached: {filename}, version {version} of the purchase order as a PDF.\n"
NO_ATTACHMENT = (
    "\n(The PDF of this purchase order could not be attached. Download it from the "
    "purchase order's page in the portal.)\n"
)

# What a failing mail server raises through Django's SMTP backend: refusals
# and protocol errors (smtplib), and a connection refused, reset or timed out
# (OSError, which TimeoutError and ssl.SSLError are).
MAIL_SERVER_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class Email:
    """One e-mail as the event wrote it, before it has an addressee."""

    subject: str
    body: str
    from_email: str
    # The order and version whose PDF goes with the e-mail; rendered in the
    # worker as the e-mail is sent, so that the task queue holds no PDF.
    purchase_order_id: int | None = None
    version: int | None = None


def portal_link(path: str) -> str:
    """Return the address of a page of the portal, as its users reach it."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def recipient_business(purchase_order: PurchaseOrder, event: str, action: str = "") -> Business:
    """Return the business whose people hear of an event."""
    return purchase_order.business_of(_recipient_role(event, action))


def _recipient_role(event: str, action: str) -> str:
    if event in ACTOR_EVENTS:
        return _transition(event, action).actor
    return RECIPIENT_ROLE[event]


def _transition(event: str, action: str) -> lifecycle.Transition:
    try:
        return lifecycle.TRANSITIONS_BY_ACTION[action]
    except KeyError:
        raise ValueError(
            f"The {event!r} e-mail needs the lifecycle action it is about, not {action!r}."
        ) from None


def compose(
    *,
    purchase_order: PurchaseOrder,
    event: str,
    action: str = "",
    remarks: str = "",
    reason: str = "",
) -> Email:
    """Write the e-mail of an event from the purchase order as it is now.

    ``remarks`` are the actor's remarks (the supplier's reasons for a
    rejection, the buyer's for a status change); ``reason`` is, for the
    actor's events, the network's refusal or delivery failure in plain words.
    """
    if event not in SUBJECTS or event in APPROVAL_EVENTS or event in REMINDER_EVENTS:
        raise ValueError(f"Unknown e-mail event {event!r}.")
    names = {
        "number": purchase_order.buyer_po_number,
        "buyer": purchase_order.buyer,
        "supplier": purchase_order.supplier,
        "version": purchase_order.version,
        "status": purchase_order.get_status_display().lower(),
    }
    request = ""
    if event in ACTOR_EVENTS:
        _transition(event, action)
        request = REQUESTS[action].format(**names)
    subject = SUBJECTS[event].format(request=request, **names)
    remarks = (remarks or "").strip()
    acting_business = (
        purchase_order.supplier
        if RECIPIENT_ROLE.get(event) == Membership.Role.BUYER
        else purchase_order.buyer
    )
    body = render_to_string(
        TEMPLATE,
        {
            "purchase_order": purchase_order,
            "event": event,
            "subject": subject,
            "request": request,
            "acting_business": acting_business,
            "remarks": remarks,
            "reason": (reason or "").strip(),
            "fix": FIXES.get(action, ""),
            "link": portal_link(purchase_order.get_absolute_url()),
        },
    )
    with_document = event in WITH_DOCUMENT and purchase_order.version > 0
    return Email(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        purchase_order_id=purchase_order.pk if with_document else None,
        version=purchase_order.version if with_document else None,
    )


def recipients(purchase_order: PurchaseOrder, event: str, action: str = "") -> list[str]:
    """Return the addresses of the people who hear of an event, one each.

    Only the active members, in the role the event is for, of a business
    hosted here, and only those with an address.
    """
    role = _recipient_role(event, action)
    business = purchase_order.business_of(role)
    if not business.is_hosted:
        return []
    return list(
        get_user_model()
        .objects.filter(memberships__business=business, memberships__role=role, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )


def notify(
    *,
    purchase_order: PurchaseOrder,
    event: str,
    action: str = "",
    remarks: str = "",
    reason: str = "",
) -> int:
    """E-mail the people who should hear of an event now; return how many.

    Synchronous, for callers outside a request: a mail server error is
    raised. Actions use ``notify_on_commit``.
    """
    to = recipients(purchase_order, event, action)
    if not to:
        return 0
    email = compose(
        purchase_order=purchase_order, event=event, action=action, remarks=remarks, reason=reason
    )
    messages = [(email.subject, email.body, email.from_email, [address]) for address in to]
    return send_mass_mail(messages, fail_silently=False)


def notify_on_commit(
    *,
    purchase_order: PurchaseOrder,
    event: str,
    action: str = "",
    remarks: str = "",
    reason: str = "",
) -> None:
    """Write the e-mail of an event now, and queue it for its people once committed.

    The e-mail says what the event made of the order, whatever the order
    becomes before it goes out. When the transaction commits, one task per
    recipient is queued (``tasks.send_notification_task``), so that a retry
    never mails anyone twice; if it rolls back, nothing is sent. Neither a
    mail server nor the queue can fail what made the event: the sending happens in the
    worker, and a failure to queue is logged.
    """
    if not recipient_business(purchase_order, event, action).is_hosted:
        return
    email = compose(
        purchase_order=purchase_order, event=event, action=action, remarks=remarks, reason=reason
    )
    # The recipients are read once committed, outside the action's
    # transaction: who is a member then is who gets the e-mail.
    transaction.on_commit(
        lambda: _enqueue_all(email, recipients(purchase_order, event, action)),
        robust=True,
    )


def compose_approval(*, purchase_order: PurchaseOrder, event: str, request) -> Email:
    """Write the e-mail of a step of an approval (``request``, an ``ApprovalRequest``)."""
    if event not in APPROVAL_EVENTS:
        raise ValueError(f"Unknown approval e-mail event {event!r}.")
    subject = SUBJECTS[event].format(
        number=purchase_order.buyer_po_number, approver=request.decided_by_name
    )
    body = render_to_string(
        TEMPLATE,
        {
            "purchase_order": purchase_order,
            "event": event,
            "subject": subject,
            "approval": request,
            "remarks": request.remarks if event == RETURNED else "",
            "link": portal_link(purchase_order.get_absolute_url()),
        },
    )
    return Email(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL)


def approval_recipients(purchase_order: PurchaseOrder, event: str, request) -> list[str]:
    """Return who hears of a step of an approval: the approvers, or the buyer who asked.

    The approvers who could decide it (not the buyer who submitted it,
    unless approvers may approve their own), or that buyer; active and with
    an address.
    """
    if event == APPROVAL_REQUESTED:
        people = approvers_for(
            business=purchase_order.buyer,
            own=own_people(purchase_order=purchase_order, submitted_by_id=request.submitted_by_id),
        )
    else:
        people = get_user_model().objects.filter(pk=request.submitted_by_id, is_active=True)
    return list(
        people.exclude(email="").order_by("email").values_list("email", flat=True).distinct()
    )


def notify_approval_on_commit(*, purchase_order: PurchaseOrder, event: str, request) -> None:
    """Write the e-mail of a step of an approval now; queue it for its people once committed."""
    email = compose_approval(purchase_order=purchase_order, event=event, request=request)
    transaction.on_commit(
        lambda: _enqueue_all(email, approval_recipients(purchase_order, event, request)),
        robust=True,
    )


def compose_reminder(*, purchase_order: PurchaseOrder, event: str, reminder) -> Email:
    """Write a reminder's e-mail (``reminder``, a ``Reminder``): to the supplier or the buyer."""
    if event not in REMINDER_EVENTS:
        raise ValueError(f"Unknown reminder e-mail event {event!r}.")
    subject = SUBJECTS[event].format(
        number=purchase_order.buyer_po_number,
        buyer=purchase_order.buyer,
        supplier=purchase_order.supplier,
    )
    body = render_to_string(
        TEMPLATE,
        {
            "purchase_order": purchase_order,
            "event": event,
            "subject": subject,
            "reminder": reminder,
            "link": portal_link(purchase_order.get_absolute_url()),
        },
    )
    return Email(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL)


def notify_reminder_on_commit(
    *, purchase_order: PurchaseOrder, reminder, supplier_to: list[str], buyer_to: list[str]
) -> None:
    """Write a reminder's two e-mails now; queue them for their people once committed.

    The addresses are the ones the reminder counted (``recipients`` read in
    its transaction), so that what its row says is who was e-mailed.
    """
    emails = [
        (compose_reminder(purchase_order=purchase_order, event=event, reminder=reminder), to)
        for event, to in ((REMINDER, supplier_to), (NO_ANSWER, buyer_to))
        if to
    ]
    transaction.on_commit(lambda: [_enqueue_all(email, to) for email, to in emails], robust=True)


def _enqueue_all(email: Email, to: list[str]) -> None:
    document = (
        {"purchase_order_id": email.purchase_order_id, "version": email.version}
        if email.purchase_order_id
        else {}
    )
    for address in to:
        _enqueue(
            subject=email.subject,
            body=email.body,
            from_email=email.from_email,
            to=address,
            attempt=1,
            **document,
        )


def _tasks():
    """Return the tasks module, which calls these services: imported when first queued."""
    from purchase_orders import tasks

    return tasks


def _enqueue(*, run_after=None, **kwargs) -> None:
    task = _tasks().send_notification_task
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(**kwargs)


def retry_delay(attempt: int) -> float:
    """Return the seconds to wait after a failed attempt: doubling, up to a ceiling."""
    return min(
        settings.NOTIFICATION_RETRY_MAX_SECONDS,
        settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0),
    )


def document_attachment(*, purchase_order_id: int, version: int) -> tuple[str, bytes, str] | None:
    """Return the PDF of the version an e-mail is about, as an attachment, or None.

    A PDF that cannot be made (the order gone, the renderer failing) must
    not cost the e-mail: it is logged, and the e-mail goes without it.
    """
    try:
        document = get_purchase_order_document_for_mail(
            purchase_order_id=purchase_order_id, version=version
        )
        return document.filename, render_purchase_order_pdf(document), "application/pdf"
    except Exception:
        logger.exception(
            "The PDF of version %s of purchase order %s could not be made; "
            "the e-mail goes without it",
            version,
            purchase_order_id,
        )
        return None


def send_notification(
    *,
    subject: str,
    body: str,
    from_email: str,
    to: str,
    attempt: int = 1,
    purchase_order_id: int | None = None,
    version: int | None = None,
) -> bool:
    """Send one written e-mail to one person; return whether it went out.

    With ``purchase_order_id`` and ``version``, the PDF of that version is
    made now and attached (``document_attachment``; without it if it cannot
    be made, which the e-mail then says).
    When the mail server fails, queue the next attempt after a back-off, up
    to ``NOTIFICATION_MAX_ATTEMPTS`` in all, then log an error and give up.
    A tasks backend that cannot run a task later (``supports_defer`` false,
    such as the immediate one) gets no retry: the e-mail is given up at
    once, with the error logged, rather than retried in a tight loop.
    """
    message = EmailMessage(subject, body, from_email, [to])
    if purchase_order_id is not None and version is not None:
        attachment = document_attachment(purchase_order_id=purchase_order_id, version=version)
        if attachment is None:
            message.body = body + NO_ATTACHMENT
        else:
            message.body = body + ATTACHED.format(filename=attachment[0], version=version)
            message.attach(*attachment)
    try:
        message.send(fail_silently=False)
    except MAIL_SERVER_ERRORS as error:
        failure = f"{type(error).__name__}: {error}"
    else:
        logger.info("E-mail sent to %s: %s", to, subject)
        return True

    max_attempts = settings.NOTIFICATION_MAX_ATTEMPTS
    task = _tasks().send_notification_task
    if attempt >= max_attempts or not task.get_backend().supports_defer:
        why = (
            f"after {attempt} attempts"
            if attempt >= max_attempts
            else "and the tasks backend cannot retry later"
        )
        logger.error(
            "E-mail to %s not sent %s, given up (%s): %s",
            to,
            why,
            failure,
            subject,
        )
        return False
    delay = retry_delay(attempt)
    logger.warning(
        "E-mail to %s not sent (attempt %d of %d, %s); retrying in %g s: %s",
        to,
        attempt,
        max_attempts,
        failure,
        delay,
        subject,
    )
    document = (
        {"purchase_order_id": purchase_order_id, "version": version}
        if purchase_order_id is not None
        else {}
    )
    _enqueue(
        run_after=timezone.now() + timedelta(seconds=delay),
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        attempt=attempt + 1,
        **document,
    )
    return False
