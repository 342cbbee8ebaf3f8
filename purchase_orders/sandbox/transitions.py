"""How each request may move a purchase order: its version and its status.

The sandbox's own reading of DESIGN.md ("Lifecycle", "Versions") and SPEC
§4, written apart from the portal's ``lifecycle`` module so that the two
readings can be compared (a test holds them to agree, move by move). The
network has no draft: a send travels as ``CREATED`` -> ``CREATED``.

- The buyer sends (version 0 -> 1) and edits (n -> n+1); an edit puts the
  order back to ``CREATED`` from ``CREATED``, ``ACCEPTED`` or ``REJECTED``,
  for the supplier to confirm again.
- The supplier answers an order awaiting confirmation: ``ACCEPT`` ->
  ``ACCEPTED``, ``REJECT`` -> ``REJECTED``; the version stays.
- The buyer changes the status with ``CANCEL`` (of an order not yet
  fulfilled: awaiting confirmation, accepted, or rejected and abandoned
  rather than edited), ``FULFILL`` (an accepted order) and ``CLOSE`` (an
  accepted or fulfilled one); the version stays.
- ``CANCELLED`` and ``CLOSED`` are final; ``REJECTED`` allows no answer of
  the supplier's and no fulfilment, only an edit or a cancellation.

The status names are the conventions' (``NETWORK_STATUSES``); the moves are
this module's.
"""

from dataclasses import dataclass

from purchase_orders.enkash import conventions

from .invalid import Invalid

CREATED = "CREATED"
ACCEPTED = "ACCEPTED"
REJECTED = "REJECTED"
CANCELLED = "CANCELLED"
FULFILLED = "FULFILLED"
CLOSED = "CLOSED"

# The purchase order's two moves that carry its contents, named as the
# table names them; the others are the words of the request itself.
SEND = "SEND"
EDIT = "EDIT"


@dataclass(frozen=True)
class Move:
    from_statuses: frozenset[str]
    to_status: str
    new_version: bool  # whether the request starts a version (n -> n+1)


MOVES: dict[str, Move] = {
    SEND: Move(frozenset({CREATED}), CREATED, new_version=True),
    EDIT: Move(frozenset({CREATED, ACCEPTED, REJECTED}), CREATED, new_version=True),
    "ACCEPT": Move(frozenset({CREATED}), ACCEPTED, new_version=False),
    "REJECT": Move(frozenset({CREATED}), REJECTED, new_version=False),
    "CANCEL": Move(frozenset({CREATED, ACCEPTED, REJECTED}), CANCELLED, new_version=False),
    "FULFILL": Move(frozenset({ACCEPTED}), FULFILLED, new_version=False),
    "CLOSE": Move(frozenset({ACCEPTED, FULFILLED}), CLOSED, new_version=False),
}


def action_of(kind: str, data: dict) -> str:
    """Return the move a request asks for: its kind's, or the words it carries."""
    if kind == "req-confirm":
        return data["supplierResponse"]
    if kind == "req-status-change":
        return data["buyerAction"]
    return SEND if kind == "req-send" else EDIT


def check_versions(kind: str, data: dict, *, path: str) -> None:
    """Apply the version rule: send 0 -> 1, edit n -> n+1, confirm and status change n -> n."""
    current = data["objectVersion"]["currentVersion"]
    new = data["objectVersion"]["newVersion"]
    current_path = f"{path}.objectVersion.currentVersion"
    new_path = f"{path}.objectVersion.newVersion"
    if kind == "req-send":
        if current != 0:
            raise Invalid(current_path, f"A send starts from version 0, not {current}.")
    elif current < 1:
        raise Invalid(
            current_path, f"{kind} needs a purchase order already sent (version 1 or more)."
        )
    move = MOVES[action_of(kind, data)]
    expected = current + 1 if move.new_version else current
    if new != expected:
        raise Invalid(new_path, f"{kind} from version {current} goes to {expected}, not {new}.")


def check_transition(kind: str, data: dict, *, path: str) -> None:
    """Refuse a status move that is not in the table."""
    action = action_of(kind, data)
    move = MOVES[action]
    current = data["poStatusTransition"]["currentStatus"]
    new = data["poStatusTransition"]["newStatus"]
    if current not in move.from_statuses:
        raise Invalid(
            f"{path}.poStatusTransition.currentStatus",
            f"{action} is not allowed from {current}.",
            error_code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
            response_code=conventions.RESPONSE_CODE_REFUSED,
        )
    if new != move.to_status:
        raise Invalid(
            f"{path}.poStatusTransition.newStatus",
            f"{action} from {current} leads to {move.to_status}, not {new}.",
            error_code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
            response_code=conventions.RESPONSE_CODE_REFUSED,
        )
