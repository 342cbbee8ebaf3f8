"""Remind a supplier that has not answered a purchase order, and tell its buyer.

A business sets on its profile after how many days without an answer its
orders remind the supplier (``Business.reminder_after_days``; blank or 0:
never). An order is due when the network has acknowledged it as sent
("Sent, awaiting confirmation"), nothing of the buyer's is pending or waiting
for approval, and its current version was sent that many days ago or more.
Each due order reminds at most once a day: the reminder claims the order
with one conditional UPDATE of ``last_reminded_at``, so of two workers, or
two runs, only one reminds it. The supplier's people get an e-mail with the
order's link, the buyer's people hear that the supplier was reminded (or,
for a supplier not hosted here, that nobody could be), and a ``Reminder``
row shows it in the order's status timeline.

``send_reminders`` runs from the database task queue and schedules its own
next run first (like the outbox sweep), and ``manage.py db_worker`` runs it
once as it starts, so a restarted worker keeps reminding.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.models import Business, PurchaseOrder, Reminder
from purchase_orders.services import notifications
from purchase_orders.services.outbound.queueing import schedule_once

logger = logging.getLogger(__name__)

# The shortest time between two reminders of one order.
REMINDER_GAP = timedelta(days=1)
# For how many days, from the first, an unanswered version is reminded: at most
# five reminders, then the buyer, told each time, takes it up. An order sent
# long before reminders were turned on is never reminded.
REMINDING_DAYS = 5


def _tasks():
    """Return the tasks module, which calls these services: imported when first queued."""
    from purchase_orders import tasks

    return tasks


def schedule_reminders() -> bool:
    """Make sure one run of ``send_reminders`` is waiting in the database task queue.

    At most one is kept waiting; return whether one was added. With another
    tasks backend nothing is queued (its queue cannot be read).
    """
    return schedule_once(
        _tasks().send_reminders_task,
        after=timedelta(seconds=settings.REMINDER_INTERVAL_SECONDS),
    )


def _due(*, business: Business, now: datetime):
    """Return the orders of a buying business that are due a reminder now."""
    cutoff = now - timedelta(days=business.reminder_after_days)
    return PurchaseOrder.objects.filter(
        buyer=business,
        status=lifecycle.CREATED,
        pending_action="",
        waiting_approval__isnull=True,
        sent_at__lte=cutoff,
        sent_at__gt=cutoff - timedelta(days=REMINDING_DAYS),
    ).filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - REMINDER_GAP))


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind the supplier of every order due a reminder; return how many were reminded.

    The next run is scheduled first, so that a failure below cannot end the
    chain of runs. Each order is reminded in a transaction of its own.
    """
    schedule_reminders()
    now = now or timezone.now()
    reminded = 0
    businesses = Business.objects.filter(reminder_after_days__gt=0, is_hosted=True)
    for business in businesses:
        for purchase_order_id in _due(business=business, now=now).values_list("pk", flat=True):
            if remind_purchase_order(purchase_order_id=purchase_order_id, now=now) is not None:
                reminded += 1
    return reminded


@transaction.atomic
def remind_purchase_order(
    *, purchase_order_id: int, now: datetime | None = None
) -> Reminder | None:
    """Remind the supplier of one order if it is still due; return the reminder, or None.

    The conditional UPDATE both checks that the order is still due (not
    answered, cancelled, edited or reminded meanwhile) and claims it: a
    second run at the same time updates no row and reminds nobody.
    """
    now = now or timezone.now()
    purchase_order = (
        PurchaseOrder.objects.select_related("buyer", "supplier")
        .filter(pk=purchase_order_id)
        .first()
    )
    if purchase_order is None:
        return None
    days = purchase_order.buyer.reminder_after_days
    if not days:
        return None
    claimed = (
        _due(business=purchase_order.buyer, now=now)
        .filter(pk=purchase_order_id)
        .update(last_reminded_at=now, updated_at=now)
    )
    if not claimed:
        return None
    purchase_order.refresh_from_db()
    supplier_to = notifications.recipients(purchase_order, notifications.REMINDER)
    buyer_to = notifications.recipients(purchase_order, notifications.NO_ANSWER)
    reminder = Reminder.objects.create(
        purchase_order=purchase_order,
        version=purchase_order.version,
        sent_at=purchase_order.sent_at,
        days_waiting=(now - purchase_order.sent_at).days,
        supplier_hosted=purchase_order.supplier.is_hosted,
        supplier_recipients=len(supplier_to),
        buyer_recipients=len(buyer_to),
        created_at=now,
    )
    notifications.notify_reminder_on_commit(
        purchase_order=purchase_order, reminder=reminder, supplier_to=supplier_to, buyer_to=buyer_to
    )
    logger.info(
        "Reminded %s of %s (sent %d days ago): %d of its people, %d of the buyer's",
        purchase_order.supplier,
        purchase_order.buyer_po_number,
        reminder.days_waiting,
        reminder.supplier_recipients,
        reminder.buyer_recipients,
    )
    return reminder
