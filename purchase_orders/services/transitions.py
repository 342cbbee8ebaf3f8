"""The one step that moves a purchase order: check the table, move, save, audit.

Every writer of a status goes through ``move_purchase_order``: the network's
acknowledgement of an action made here, and the requests the network
delivers. An action made here only *begins* (``begin_action``): the order
keeps the status the network has acknowledged, with the action pending,
until the network answers (``services.acknowledgements``). So the lifecycle
table is checked, the version rule applied and every audit row written in
one place. The local steps of an approval, which the network never hears
of, are the one exception: ``take_local_step`` applies them at once, and
neither of the network's two steps takes a local move.
"""

import copy
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from purchase_orders import lifecycle
from purchase_orders.enkash import conventions
from purchase_orders.exceptions import TransitionNotAllowed
from purchase_orders.models import Business, OutboundMessage, PurchaseOrder, StatusChange
from purchase_orders.models.history import recorded_names


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


def ensure_nothing_pending(purchase_order: PurchaseOrder) -> None:
    """Refuse a second action while one sent from here waits for the network.

    One action at a time: the next is made once the network has answered
    the first, so that it starts from a status the network has acknowledged.
    """
    if not purchase_order.pending_action:
        return
    transition = lifecycle.TRANSITIONS_BY_ACTION[purchase_order.pending_action]
    if transition.action == lifecycle.SEND:
        what = "This purchase order has been sent"
    else:
        what = f"A {transition.noun.lower()} has been sent for this purchase order"
    message = purchase_order.pending_message
    if message is not None and message.state == message.State.FAILED:
        advice = "but it was not delivered: retry it first."
    else:
        advice = (
            "and is waiting for the network's answer. Try again once it has come (the page "
            "shows it)."
        )
    raise TransitionNotAllowed(f"{what}, {advice}", code=conventions.ERROR_TRANSITION_NOT_ALLOWED)


def ensure_no_approval_waiting(purchase_order: PurchaseOrder) -> None:
    """Refuse a buyer's change while a send or an edit of the order waits for approval.

    The approver decides on the order as it was submitted: nothing else
    starts on the buying side until they approve or return it. The
    supplier's side is not held up (it knows nothing of it).
    """
    request = purchase_order.waiting_approval
    if request is None:
        return
    what = f"version {request.version}" if request.action == lifecycle.EDIT else "it"
    raise TransitionNotAllowed(
        f"This purchase order cannot be changed while {what} waits for approval (submitted "
        f"by {request.submitted_by_name}): an approver approves or returns it first.",
        code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
    )


def proposed(purchase_order: PurchaseOrder, action: str) -> PurchaseOrder:
    """Return an unsaved copy of the order as the action would leave it, to build its message.

    The order itself stays as the network has acknowledged it until the
    network accepts the action.
    """
    transition = ensure_transition(purchase_order, action)
    result = _copy(purchase_order)
    _set_marks(result, _next_marks(purchase_order, transition))
    return result


def begin_action(
    *,
    purchase_order: PurchaseOrder,
    action: str,
    actor: AbstractBaseUser | None,
    business: Business,
    message: OutboundMessage,
    remarks: str = "",
) -> StatusChange:
    """Record an action sent to the network and mark the order as waiting for its answer.

    The order's status and version stay as they are: the audit row says
    what was attempted, by whom and when, and the pending marks say which
    message carries it.
    """
    ensure_nothing_pending(purchase_order)
    transition = ensure_transition(purchase_order, action)
    _ensure_network_move(transition)
    purchase_order.pending_action = action
    purchase_order.pending_message = message
    purchase_order.pending_since = message.created_at
    purchase_order.save(
        update_fields=["pending_action", "pending_message", "pending_since", "updated_at"]
    )
    return _audit(
        purchase_order,
        from_status=purchase_order.status,
        to_status=transition.to_status,
        version=lifecycle.next_version(purchase_order.version, action),
        action=action,
        stage=StatusChange.Stage.ATTEMPTED,
        remarks=remarks,
        actor=actor,
        business=business,
        message=message,
    )


def move_purchase_order(
    *,
    purchase_order: PurchaseOrder,
    action: str,
    actor: AbstractBaseUser | None = None,
    business: Business | None = None,
    remarks: str = "",
    via_network: bool = False,
    stated: Marks | None = None,
    message: OutboundMessage | None = None,
) -> StatusChange:
    """Move a locked purchase order by one action, save it and write the audit row.

    ``action`` is one of the table's; the order moves to its status and
    version, and its previous marks are those it leaves (the network has no
    DRAFT: a send travels as CREATED -> CREATED). An order not saved yet is
    one arriving from the network: it is inserted, its history starts here,
    and its version is the one the network ``stated``. ``message`` is the
    outbound message of an action made here that the network acknowledged.
    """
    from_status = purchase_order.status if purchase_order.pk else ""
    transition = ensure_transition(purchase_order, action)
    _ensure_network_move(transition)
    marks = stated or _next_marks(purchase_order, transition)
    if marks.status != transition.to_status:
        raise TransitionNotAllowed(
            f"{action} makes a purchase order {transition.to_status}, not {marks.status}.",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    _set_marks(purchase_order, marks)
    purchase_order.save()
    return _audit(
        purchase_order,
        from_status=from_status,
        to_status=purchase_order.status,
        version=purchase_order.version,
        action=action,
        stage=StatusChange.Stage.APPLIED,
        remarks=remarks,
        actor=actor,
        business=business,
        via_network=via_network,
        message=message,
    )


def take_local_step(
    *,
    purchase_order: PurchaseOrder,
    action: str,
    actor: AbstractBaseUser,
    business: Business,
    version: int,
    moves: bool,
    remarks: str = "",
) -> StatusChange:
    """Apply a local step of an approval (submit, approve, return) at once; save and audit it.

    Nothing is sent and nothing waits: the network never hears of it. A
    draft moves by the table (``moves``: DRAFT -> AWAITING_APPROVAL ->
    DRAFT); an edit waiting for approval leaves the order at the status and
    version the network acknowledged, and the row records the step from and
    to that status. The order's version marks are left alone either way.
    ``version`` is the one waiting for approval, which the row names.
    """
    transition = lifecycle.TRANSITIONS_BY_ACTION[action]
    if not transition.local:
        raise ValueError(f"{action} travels on the network; it is not a local step.")
    from_status = purchase_order.status
    if moves:
        ensure_transition(purchase_order, action)
        purchase_order.status = transition.to_status
    purchase_order.save()
    return _audit(
        purchase_order,
        from_status=from_status,
        to_status=purchase_order.status,
        version=version,
        action=action,
        stage=StatusChange.Stage.APPLIED,
        remarks=remarks,
        actor=actor,
        business=business,
    )


def record_outcome(
    *,
    purchase_order: PurchaseOrder,
    attempt: StatusChange,
    stage: str,
    remarks: str,
    error_code: str = "",
    error_field: str = "",
) -> StatusChange:
    """Record what became of an attempt that did not move the order: refused, undelivered…"""
    return _audit(
        purchase_order,
        from_status=purchase_order.status,
        to_status=purchase_order.status,
        version=purchase_order.version,
        action=attempt.action,
        stage=stage,
        remarks=remarks,
        actor=None,
        business=attempt.actor_business,
        via_network=True,
        message=attempt.message,
        error_code=error_code,
        error_field=error_field,
    )


def _ensure_network_move(transition: lifecycle.Transition) -> None:
    """Refuse a local move where the network's moves are made: it is never sent nor received."""
    if transition.local:
        raise TransitionNotAllowed(
            f"“{transition.label}” is a step of the portal's own; the network neither "
            "carries nor makes it.",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )


def _audit(purchase_order: PurchaseOrder, **fields) -> StatusChange:
    # The person's name is copied as it is now, so that the row keeps
    # saying who acted whatever later becomes of the user.
    business = fields.pop("business")
    actor_name, actor_username = recorded_names(fields["actor"])
    return StatusChange.objects.create(
        purchase_order=purchase_order,
        actor_business=business,
        actor_name=actor_name,
        actor_username=actor_username,
        **fields,
    )


def _copy(purchase_order: PurchaseOrder) -> PurchaseOrder:
    result = copy.copy(purchase_order)
    result._state = copy.copy(purchase_order._state)
    return result


def _next_marks(purchase_order: PurchaseOrder, transition: lifecycle.Transition) -> Marks:
    return Marks(
        status=transition.to_status,
        version=lifecycle.next_version(purchase_order.version, transition.action),
        previous_status=conventions.network_status(purchase_order.status),
        previous_version=purchase_order.version,
    )


def _set_marks(purchase_order: PurchaseOrder, marks: Marks) -> None:
    purchase_order.status = marks.status
    purchase_order.version = marks.version
    purchase_order.previous_status = marks.previous_status
    purchase_order.previous_version = marks.previous_version
