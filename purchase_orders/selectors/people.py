"""People with history: users whose name is on an order, a version, a status change
or a change to a business (its profile, people or invitations).

Django's admin log counts too: its link to the user cascades, so deleting
a person would erase what they did in admin.
"""

from django.contrib.admin.models import LogEntry
from django.db.models import Exists, OuterRef, QuerySet

from purchase_orders.models import (
    BusinessChange,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)


def with_history_marked(users: QuerySet) -> QuerySet:
    """Return the users annotated with ``has_history``, one query for them all.

    Every link the portal keeps from its records to a user is protected
    (``on_delete=PROTECT``); this names them, so that the admin can say why
    a person cannot be deleted before the database refuses.
    """
    return users.annotate(
        has_history=Exists(StatusChange.objects.filter(actor=OuterRef("pk")))
        | Exists(PurchaseOrderVersion.objects.filter(created_by=OuterRef("pk")))
        | Exists(PurchaseOrder.objects.filter(created_by=OuterRef("pk")))
        | Exists(LogEntry.objects.filter(user=OuterRef("pk")))
        | Exists(BusinessChange.objects.filter(actor=OuterRef("pk")))
    )


def user_has_history(*, user) -> bool:
    """Return whether the user's name is on an order, its history or a business's, or in admin."""
    return (
        StatusChange.objects.filter(actor=user).exists()
        or PurchaseOrderVersion.objects.filter(created_by=user).exists()
        or PurchaseOrder.objects.filter(created_by=user).exists()
        or LogEntry.objects.filter(user=user).exists()
        or BusinessChange.objects.filter(actor=user).exists()
    )
