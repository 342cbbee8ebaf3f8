"""Who may act for whom: a business hosted here acts only through this portal.

The network is trusted to carry messages, not to speak for the businesses
hosted here. So a request whose acting party (the buyer of a send, edit or
status change, the supplier of a confirmation) is hosted here is accepted
only as the network's delivery of a message this portal sent for it: the
same ``reqMsgId``, else the same order, kind and version (and action). A
request that is no such echo is refused, and flagged for an admin to look
at (``InboundEvent.flagged``): someone holding the webhook credentials is
acting for a business that did not act.

The details of a hosted party inside a purchase order received from the
other side (GSTIN, legal name, state) must be those it registered here, or
those the order already holds for it: a counterparty cannot rename or
re-register a business hosted here on its orders. Nor can a party from
elsewhere carry a hosted business's GSTIN under a B2B ID of its own.
"""

from purchase_orders import lifecycle
from purchase_orders.enkash import conventions, encoding, messages, payloads
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import Business, InboundEvent, OutboundMessage, PurchaseOrder
from purchase_orders.received import ReceivedMessage
from purchase_orders.services.acknowledgements import attempt_of
from purchase_orders.services.inbound.checks import without_status
from purchase_orders.validators import comparable_name

# The details of a hosted party that a message must not change, and their words.
HOSTED_DETAILS = {"gstin": "GSTIN", "legal_name": "legal name", "state_code": "state code"}


class FlaggedRefusal(PurchaseOrderError):
    """A refusal an admin should see: the message acts or speaks for a business hosted here."""


class NotSentFromHere(FlaggedRefusal):
    """A request acting for a hosted business that this portal never sent for it."""

    code = conventions.ERROR_NOT_SENT_FROM_HERE


class HostedDetailsMismatch(FlaggedRefusal):
    """A purchase order that names a hosted business with details other than its own."""

    code = conventions.ERROR_HOSTED_DETAILS_MISMATCH


def sent_from_here(
    *,
    event: InboundEvent,
    message: ReceivedMessage,
    purchase_order: PurchaseOrder | None,
    acting: Business | None = None,
) -> OutboundMessage | None:
    """Return the message this portal sent that a request acting for a hosted party echoes.

    Return None when the acting party is not hosted here (the request is the
    other side's own). Raise ``NotSentFromHere`` when it is hosted and this
    portal sent no such message. ``purchase_order`` is the order named, if
    it is known here (a send for a hosted buyer that names an unknown order
    was never sent from here); ``acting`` is the acting business when there
    is no order, if it is known here.
    """
    role = KINDS[message.kind].sender
    if purchase_order is not None:
        acting = purchase_order.business_of(role)
    if acting is None or not acting.is_hosted:
        return None
    echoed = None if purchase_order is None else _echoed(event, message, purchase_order)
    if echoed is None:
        raise NotSentFromHere(
            f"{acting} is hosted on this portal and acts only through it, but it sent no "
            f"{message.kind} of purchase order {message.object_id} at version "
            f"{message.version} from here.",
            path=("b2b_ids", role),
        )
    return echoed


def _echoed(
    event: InboundEvent, message: ReceivedMessage, purchase_order: PurchaseOrder
) -> OutboundMessage | None:
    """Find the message sent from here by the request's reqMsgId, else by kind and version."""
    sent = OutboundMessage.objects.filter(purchase_order=purchase_order, kind=message.kind)
    if event.req_msg_id:
        named = sent.filter(req_msg_id=event.req_msg_id).first()
        if named is not None:
            return named if _carries(named, message) else None
    for candidate in sent.filter(object_version=message.version).order_by("-pk"):
        if _carries(candidate, message):
            return candidate
    return None


def _carries(sent: OutboundMessage, message: ReceivedMessage) -> bool:
    """Return whether a message sent from here is the one a request delivers.

    Its version and action must be the same, and a purchase order's
    contents too (its lifecycle marks aside: the order may have moved on).
    """
    if sent.object_version != message.version:
        return False
    if message.action:
        return attempt_of(sent).action == message.action
    if message.contents is None:
        return False
    announced = encoding.loads(sent.body)
    own = payloads.parse_purchase_order(
        announced[KINDS[sent.kind].object_key], announced.get("additionalInfos")
    )
    return without_status(own) == without_status(message.contents)


def ensure_delivered_to_hosted(purchase_order: PurchaseOrder, message: ReceivedMessage) -> None:
    """Refuse a request whose receiver, the other side of its sender, is not hosted here."""
    role = lifecycle.other_side(KINDS[message.kind].sender)
    receiver = purchase_order.business_of(role)
    if not receiver.is_hosted:
        raise PurchaseOrderError(
            f"{receiver} is not hosted here, so this portal does not receive requests "
            "addressed to it.",
            path=("b2b_ids", role),
            code=conventions.ERROR_PARTY_NOT_FOUND,
        )


def ensure_hosted_details(
    message: ReceivedMessage,
    *,
    businesses: dict[str, Business | None],
    purchase_order: PurchaseOrder | None = None,
    hosted_by_gstin: dict[str, Business] | None = None,
) -> None:
    """Refuse a purchase order naming a hosted business with details not its own.

    ``businesses`` maps each role to its business here, where there is one.
    The details of a hosted party may be those registered here, or those
    ``purchase_order`` already holds for it (an order keeps the details it
    was sent with). A party that is not hosted here may not carry the GSTIN
    of one that is: under a B2B ID of its own, it would pass for that
    business. ``hosted_by_gstin`` holds the hosted businesses of the GSTINs
    the message names, if the caller has read them already.
    """
    if message.contents is None:
        return
    held = {}
    if purchase_order is not None:
        held = {party.role: party for party in purchase_order.parties.all()}
    for role in lifecycle.ROLES:
        business = businesses.get(role)
        stated = message.contents.parties[role]
        if business is None or not business.is_hosted:
            _ensure_not_hosted_gstin(message, role, hosted_by_gstin)
            continue
        for name, words in HOSTED_DETAILS.items():
            given = getattr(stated, name)
            if _same(given, getattr(business, name)) or (
                role in held and _same(given, getattr(held[role], name))
            ):
                continue
            path = ("parties", role, name)
            raise HostedDetailsMismatch(
                f"{messages.message_error_field(message.kind, path)} is {given!r}, but "
                f"{business} is hosted here with the {words} {getattr(business, name)!r}.",
                path=path,
            )


def stated_gstins(message: ReceivedMessage) -> set[str]:
    """Return the GSTINs a message's purchase order names for its parties, as stored."""
    if message.contents is None:
        return set()
    parties = message.contents.parties.values()
    return {party.gstin.strip().upper() for party in parties if party.gstin.strip()}


def _ensure_not_hosted_gstin(
    message: ReceivedMessage, role: str, hosted_by_gstin: dict[str, Business] | None
) -> None:
    gstin = message.contents.parties[role].gstin.strip().upper()
    if not gstin:
        return
    if hosted_by_gstin is None:
        hosted = Business.objects.filter(is_hosted=True, gstin=gstin).first()
    else:
        hosted = hosted_by_gstin.get(gstin)
    if hosted is None:
        return
    path = ("parties", role, "gstin")
    raise HostedDetailsMismatch(
        f"{messages.message_error_field(message.kind, path)} is {gstin}, the GSTIN of {hosted}, "
        f"which is hosted here under the B2B ID {hosted.b2b_id}, not {message.b2b_id(role)}; "
        "it acts only through this portal.",
        path=path,
    )


def _same(given: str, registered: str) -> bool:
    return comparable_name(given) == comparable_name(registered)
