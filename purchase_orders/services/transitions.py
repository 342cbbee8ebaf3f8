"""The one step that moves a purchase order: check the table, move, save, audit.

Every writer of a status goes through ``move_purchase_order``: the buyer's
and supplier's actions, the requests the network delivers, and the undoing
of a move the network refused. So the lifecycle table is checked, the
version rule applied and the audit row written in one place.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from purchase_orders import lifecycle
from purchase_orders.enkash import conventions
from purchase_orders.exceptions import TransitionNotAllowed
from purchase_orders.models import Business, PurchaseOrder, StatusChange


@dataclass(frozen=True)
class Marks:
    """Where an undo puts a purchase order back: its status and version, and their origin."""

    status: str
    version: int
    previous_status: str
    previous_version: int


def ensure_transition(purchase_order: PurchaseOrder, action: str) -> lifecycle.Transition:
    """Return the table's move for an action from the order's status, or refuse it."""
    transition = lifecycle.find_transition(action, purchase_order.status)
    if transition is None:
        raise TransitionNotAllowed(
            f"This purchase order cannot be {lifecycle.TRANSITIONS_BY_ACTION[action].participle}: "
            f"its status is “{purchase_order.get_status_display()}”.",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    return transition


def move_purchase_order(
    *,
    purchase_order: PurchaseOrder,
    action: str,
    actor: AbstractBaseUser | None = None,
    business: Business | None = None,
    remarks: str = "",
    via_network: bool = False,
    stated: Marks | None = None,
    undo: str = "",
    restore: Marks | None = None,
    error_code: str = "",
    error_field: str = "",
) -> StatusChange:
    """Move a locked purchase order by one action, save it and write the audit row.

    ``action`` is one of the table's; the order moves to its status and
    version, and its previous marks are those it leaves (the network has no
    DRAFT: a send travels as CREATED -> CREATED). An order not saved yet is
    one arriving from the network: it is inserted, its history starts here,
    and its version is the one the network ``stated``.

    ``lifecycle.UNDO`` puts an order back where a refused ``undo`` action
    took it from (``restore``, which ``lifecycle.may_undo`` allows); with no
    ``restore`` the order has moved on since and stays as it is, and only
    the refusal is recorded.
    """
    from_status = purchase_order.status if purchase_order.pk else ""
    if action == lifecycle.UNDO:
        if restore is not None:
            _restore(purchase_order, undo=undo, marks=restore)
            purchase_order.save()
    else:
        transition = ensure_transition(purchase_order, action)
        marks = stated or _next_marks(purchase_order, transition)
        if marks.status != transition.to_status:
            raise TransitionNotAllowed(
                f"{action} makes a purchase order {transition.to_status}, not {marks.status}.",
                code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
            )
        _set_marks(purchase_order, marks)
        purchase_order.save()
    return StatusChange.objects.create(
        purchase_order=purchase_order,
        from_status=from_status,
        to_status=purchase_order.status,
        version=purchase_order.version,
        action=action,
        remarks=remarks,
        actor=actor,
        actor_business=business,
        via_network=via_network,
        error_code=error_code,
        error_field=error_field,
    )


def _next_marks(purchase_order: PurchaseOrder, transition: lifecycle.Transition) -> Marks:
    return Marks(
        status=transition.to_status,
        version=lifecycle.next_version(purchase_order.version, transition.action),
        previous_status=conventions.network_status(purchase_order.status),
        previous_version=purchase_order.version,
    )


def _restore(purchase_order: PurchaseOrder, *, undo: str, marks: Marks) -> None:
    """Put the order back to a status the undone action may start from, or refuse."""
    if not lifecycle.may_undo(undo, marks.status):
        raise TransitionNotAllowed(
            f"Undoing “{undo}” cannot make a purchase order “{marks.status}”.",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    _set_marks(purchase_order, marks)


def _set_marks(purchase_order: PurchaseOrder, marks: Marks) -> None:
    purchase_order.status = marks.status
    purchase_order.version = marks.version
    purchase_order.previous_status = marks.previous_status
    purchase_order.previous_version = marks.previous_version
