"""A message the network delivers, typed: what the inbound services work on.

The webhook's body is validated by its kind's serializer and read once, at
the edge (``enkash.messages.parse_message``), into a ``ReceivedMessage``.
Its parts are named as a purchase order's header names them
(``object_id``, ``buyer_po_number``, ``previous_version``…), so that a
refusal names a part with the same ``contents.FieldPath`` that the network's
``errorField`` is made from (``enkash.messages.message_error_field``): the
message's own parts are ``("b2b_ids", role)``, ``("action",)`` and
``("resp", "req_msg_id")``; its purchase order's are those of its contents.
"""

from dataclasses import dataclass

from purchase_orders.contents import Contents
from purchase_orders.lifecycle import BUYER


@dataclass(frozen=True)
class Verdict:
    """The network's ``resp`` on a request sent from here."""

    req_msg_id: str
    succeeded: bool
    error_code: str = ""
    error_detail: str = ""
    error_field: str = ""


@dataclass(frozen=True)
class ReceivedMessage:
    """One delivered message of any of the eight kinds.

    ``action`` is the supplier's answer or the buyer's status change (empty
    for a purchase order, whose action its kind says). A send or an edit
    carries its purchase order's ``contents``, or ``contents_error`` when
    they cannot be read.
    """

    kind: str
    buyer_b2b_id: str
    supplier_b2b_id: str
    object_id: str
    buyer_po_number: str
    previous_version: int
    version: int
    previous_status: str
    status: str
    action: str = ""
    remarks: str = ""
    contents: Contents | None = None
    contents_error: str = ""
    verdict: Verdict | None = None

    def b2b_id(self, role: str) -> str:
        """Return the B2B ID the message names for the buyer or the supplier."""
        return self.buyer_b2b_id if role == BUYER else self.supplier_b2b_id


@dataclass(frozen=True)
class Criterion:
    """One of ``search.criteria``: what a search asked for (GSTIN or B2BID, EXACT, value)."""

    parameter: str
    operator: str
    value: str


@dataclass(frozen=True)
class FoundB2BId:
    """A B2B ID the network lists for a business it found, with its description."""

    value: str
    description: str = ""


@dataclass(frozen=True)
class FoundEntity:
    """A business the network found (``respParams.entityInfo[]``), as it describes it."""

    name: str
    alias: str = ""
    state: str = ""
    pincode: str = ""
    b2b_ids: tuple[FoundB2BId, ...] = ()


@dataclass(frozen=True)
class ReceivedSearchAnswer:
    """The network's answer to a supplier search (``respSearchEntity``).

    Its parts are named, as a refusal names them, ``("object_id",)``,
    ``("resp", "req_msg_id")``, ``("requestor_b2b_id",)`` and
    ``("criteria",)``; ``entities`` is empty when nothing matched.
    """

    kind: str
    object_id: str
    requestor_b2b_id: str
    criteria: tuple[Criterion, ...]
    verdict: Verdict
    entities: tuple[FoundEntity, ...] = ()
