"""The purchase order's lifecycle: statuses, roles, actions and the one table of moves.

Everything here is the portal's own rule (DESIGN.md, "Lifecycle" and
"Versions"); how the network spells a status or an action is the network
layer's business (``enkash/conventions.py``). Model choices, forms, pages,
services and webhook checks all read this module, which imports nothing of
the app.

Some statuses and moves are the portal's alone and never travel: a draft,
and the approval of an order over its buyer's approval limit (submitted by
a buyer, then approved or returned by an approver of the buying business;
``services/approvals.py``). Their moves are marked ``local`` in the table:
they are applied at once, with no message, and the network's tables
(``NETWORK_TRANSITIONS``, the kinds of ``enkash/kinds.py``, the sandbox's
own moves) never hold them.
"""

from dataclasses import dataclass

# -- Statuses ------------------------------------------------------------------

DRAFT = "DRAFT"  # local only, never on the network
AWAITING_APPROVAL = "AWAITING_APPROVAL"  # local only: a draft over the limit, submitted
CREATED = "CREATED"
ACCEPTED = "ACCEPTED"
REJECTED = "REJECTED"
CANCELLED = "CANCELLED"
FULFILLED = "FULFILLED"
CLOSED = "CLOSED"

# In the order a purchase order lives through them, with the words people see.
STATUS_LABELS = {
    DRAFT: "Draft",
    AWAITING_APPROVAL: "Waiting for approval",
    CREATED: "Sent, awaiting confirmation",
    ACCEPTED: "Accepted",
    REJECTED: "Rejected",
    CANCELLED: "Cancelled",
    FULFILLED: "Fulfilled",
    CLOSED: "Closed",
}
STATUSES = tuple(STATUS_LABELS)
# The statuses the network never hears of: a purchase order in one is the
# buyer's alone (its supplier does not see it).
LOCAL_STATUSES = (DRAFT, AWAITING_APPROVAL)

# -- Roles -------------------------------------------------------------------------

BUYER = "buyer"
SUPPLIER = "supplier"
ROLE_LABELS = {BUYER: "Buyer", SUPPLIER: "Supplier"}
ROLES = tuple(ROLE_LABELS)
# Who approves the buying side's orders over its approval limit: an actor
# of the table, not a side of the order (an approver acts for the buyer).
APPROVER = "approver"


def other_side(role: str) -> str:
    """Return the buyer for the supplier, and the supplier for the buyer."""
    return SUPPLIER if role == BUYER else BUYER


# -- Actions -----------------------------------------------------------------------
# The supplier's answers and the buyer's status changes carry the same words
# on the network (poConfirmation.supplierResponse, poStatus.buyerAction).

SEND = "SEND"
EDIT = "EDIT"
ACCEPT = "ACCEPT"
REJECT = "REJECT"
CANCEL = "CANCEL"
FULFILL = "FULFILL"
CLOSE = "CLOSE"
SUPPLIER_RESPONSES = (ACCEPT, REJECT)
BUYER_STATUS_ACTIONS = (CANCEL, FULFILL, CLOSE)
# The local steps of an approval. A draft over the limit moves through them
# (DRAFT -> AWAITING_APPROVAL -> DRAFT, sent at once on approval); an edit
# over the limit takes the same steps without moving the order, which keeps
# the status the network acknowledged while its new version waits.
SUBMIT = "SUBMIT"
APPROVE = "APPROVE"
RETURN = "RETURN"
APPROVAL_ACTIONS = (SUBMIT, APPROVE, RETURN)
# The actions whose new version may need an approver first.
APPROVABLE_ACTIONS = (SEND, EDIT)

# -- Stages ------------------------------------------------------------------------
# A status means what the network has acknowledged. An action made here is
# first *attempted* (sent, the order as it was); the network's answer then
# *applies* it, or it is *refused*, or delivery gives up (*undelivered*,
# until retried). An acknowledgement that comes after the order has moved
# on (another change arrived first) is *overtaken*: the order stays.

ATTEMPTED = "attempted"
APPLIED = "applied"
REFUSED = "refused"
UNDELIVERED = "undelivered"
OVERTAKEN = "overtaken"
STAGE_LABELS = {
    ATTEMPTED: "Sent, waiting for the network",
    APPLIED: "Done",
    REFUSED: "Refused by the network",
    UNDELIVERED: "Not delivered",
    OVERTAKEN: "Overtaken by a later change",
}

# The audit action of a refusal recorded before stages existed, when the
# portal moved an order at once and undid the move on a refusal.
LEGACY_UNDO = "REFUSED"


@dataclass(frozen=True)
class Transition:
    action: str
    actor: str  # BUYER, SUPPLIER or APPROVER
    from_statuses: tuple[str, ...]
    to_status: str
    bumps_version: bool
    label: str  # the button a person sees
    participle: str  # "This purchase order cannot be …", "Sahyadri has … it"
    noun: str  # "… sent — waiting for the network"
    local: bool = False  # applied here at once, never sent to the network


# The one table of who may move a purchase order from which status to which.
# CANCELLED and CLOSED are final; REJECTED is final unless the buyer edits.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(SEND, BUYER, (DRAFT,), CREATED, True, "Send to supplier", "sent", "Purchase order"),
    Transition(
        EDIT, BUYER, (CREATED, ACCEPTED, REJECTED), CREATED, True, "Edit", "edited", "New version"
    ),
    Transition(
        ACCEPT, SUPPLIER, (CREATED,), ACCEPTED, False, "Confirm", "accepted", "Confirmation"
    ),
    Transition(REJECT, SUPPLIER, (CREATED,), REJECTED, False, "Reject", "rejected", "Rejection"),
    Transition(
        CANCEL,
        BUYER,
        (CREATED, ACCEPTED, REJECTED),
        CANCELLED,
        False,
        "Cancel",
        "cancelled",
        "Cancellation",
    ),
    Transition(
        FULFILL,
        BUYER,
        (ACCEPTED,),
        FULFILLED,
        False,
        "Mark fulfilled",
        "marked fulfilled",
        "Fulfilment",
    ),
    Transition(CLOSE, BUYER, (ACCEPTED, FULFILLED), CLOSED, False, "Close", "closed", "Closing"),
    # Approval, before the send: an approval sends the order at once (as the
    # approver), so it leaves it a draft with the send pending, exactly as a
    # buyer's send does; a return leaves it a draft to change and submit again.
    Transition(
        SUBMIT,
        BUYER,
        (DRAFT,),
        AWAITING_APPROVAL,
        False,
        "Submit for approval",
        "submitted for approval",
        "Request for approval",
        local=True,
    ),
    Transition(
        APPROVE,
        APPROVER,
        (AWAITING_APPROVAL,),
        DRAFT,
        False,
        "Approve",
        "approved",
        "Approval",
        local=True,
    ),
    Transition(
        RETURN,
        APPROVER,
        (AWAITING_APPROVAL,),
        DRAFT,
        False,
        "Return",
        "returned",
        "Return",
        local=True,
    ),
)
TRANSITIONS_BY_ACTION = {transition.action: transition for transition in TRANSITIONS}
# What the network carries: every move but the local ones.
NETWORK_TRANSITIONS = tuple(transition for transition in TRANSITIONS if not transition.local)
NETWORK_ACTIONS = tuple(transition.action for transition in NETWORK_TRANSITIONS)
# The actions an order can wait for the network's answer to.
ACTION_CHOICES = [(transition.action, transition.label) for transition in NETWORK_TRANSITIONS]


def find_transition(action: str, from_status: str) -> Transition | None:
    """Return the transition for an action from a status, or None if not allowed."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition and from_status in transition.from_statuses:
        return transition
    return None


def allowed_transitions(status: str, actor: str) -> list[Transition]:
    """Return the transitions an actor may make from a status, in table order."""
    return [t for t in TRANSITIONS if t.actor == actor and status in t.from_statuses]


def is_local(action: str) -> bool:
    """Return whether an action is the portal's alone (applied here, never sent)."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    return transition is not None and transition.local


def statuses_reachable_within_version(status: str) -> set[str]:
    """Return the statuses the network's moves lead to from one, without a new version."""
    reached, frontier = set(), [status]
    while frontier:
        current = frontier.pop()
        for transition in NETWORK_TRANSITIONS:
            if (
                not transition.bumps_version
                and current in transition.from_statuses
                and transition.to_status not in reached
            ):
                reached.add(transition.to_status)
                frontier.append(transition.to_status)
    return reached


# -- Versions ------------------------------------------------------------------------
# Send: 0 -> 1. Edit: n -> n+1. Confirm and status change: n -> n.


def next_version(current: int, action: str) -> int:
    """Return the version a purchase order reaches when an action moves it."""
    return current + 1 if TRANSITIONS_BY_ACTION[action].bumps_version else current


def previous_version(version: int, action: str) -> int:
    """Return the version a purchase order was at before an action brought it to ``version``."""
    return version - 1 if TRANSITIONS_BY_ACTION[action].bumps_version else version
