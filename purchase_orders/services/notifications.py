"""E-mail the people of the other business when something happens to a purchase order."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string

from purchase_orders import lifecycle
from purchase_orders.models import Membership, PurchaseOrder

SENT = "sent"
EDITED = "edited"
STATUS_CHANGED = "status_changed"
ACCEPTED = "accepted"
REJECTED = "rejected"
# To the business that acted: the network refused its action, or delivery gave up.
REFUSED = "refused"
NOT_DELIVERED = "not_delivered"

# Who hears of each event: the supplier's people of what the buyer did, and
# the buyer's people of the supplier's answer.
RECIPIENT_ROLE = {
    SENT: Membership.Role.SUPPLIER,
    EDITED: Membership.Role.SUPPLIER,
    STATUS_CHANGED: Membership.Role.SUPPLIER,
    ACCEPTED: Membership.Role.BUYER,
    REJECTED: Membership.Role.BUYER,
}
SUBJECTS = {
    SENT: "New purchase order {number} from {buyer}",
    EDITED: "Purchase order {number} changed to version {version}",
    STATUS_CHANGED: "Purchase order {number} is now {status}",
    ACCEPTED: "{supplier} accepted purchase order {number}",
    REJECTED: "{supplier} rejected purchase order {number}",
    REFUSED: "The network refused your change to purchase order {number}",
    NOT_DELIVERED: "Your change to purchase order {number} was not delivered",
}


def portal_link(path: str) -> str:
    """Return the address of a page of the portal, as its users reach it."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def notify(
    *,
    purchase_order: PurchaseOrder,
    event: str,
    action: str = "",
    remarks: str = "",
    reason: str = "",
) -> int:
    """E-mail the users of the business that should hear of an event; return how many.

    ``action`` is the lifecycle action the event is about; of a refusal or
    a failed delivery, the business that made it hears.
    """
    if event in (REFUSED, NOT_DELIVERED):
        role = lifecycle.TRANSITIONS_BY_ACTION[action].actor
    else:
        role = RECIPIENT_ROLE[event]
    business = purchase_order.supplier if role == Membership.Role.SUPPLIER else purchase_order.buyer
    if not business.is_hosted:
        return 0
    recipients = list(
        get_user_model()
        .objects.filter(memberships__business=business, memberships__role=role, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return 0
    subject = SUBJECTS[event].format(
        number=purchase_order.buyer_po_number,
        buyer=purchase_order.buyer,
        supplier=purchase_order.supplier,
        version=purchase_order.version,
        status=purchase_order.get_status_display().lower(),
    )
    body = render_to_string(
        "purchase_orders/email/notification.txt",
        {
            "purchase_order": purchase_order,
            "event": event,
            "subject": subject,
            "link": portal_link(purchase_order.get_absolute_url()),
            "remarks": remarks,
            "reason": reason,
        },
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients]
    return send_mass_mail(messages, fail_silently=False)


def notify_on_commit(
    *,
    purchase_order: PurchaseOrder,
    event: str,
    action: str = "",
    remarks: str = "",
    reason: str = "",
) -> None:
    """E-mail the people who should hear of an event once its transaction commits.

    E-mail is a courtesy: a mail server being down must neither undo the
    action nor fail the delivery that made it.
    """
    transaction.on_commit(
        lambda: notify(
            purchase_order=purchase_order,
            event=event,
            action=action,
            remarks=remarks,
            reason=reason,
        ),
        robust=True,
    )
