"""Apply webhook deliveries from the network: store each once, then apply or refuse it.

A delivery is stored raw in an ``InboundEvent`` before anything else, once
(the insert race ends in IntegrityError). It is then processed under a lock
on that row: a delivery already answered gets the same answer again and is
not applied twice; one whose processing crashed is processed again. Each
kind has one handler in ``INBOUND_HANDLERS``; it locks the purchase order,
checks the message against it and applies it, or raises a
``PurchaseOrderError`` whose ``code`` and ``field`` become the refusal.

The network may deliver out of order. A message already applied (made here,
or by an earlier delivery) is acknowledged again even when the purchase
order has moved on since. A message based on a version or status the order
has not reached yet, or naming an order not received yet, is refused for
now with HTTP 409 (``NotYetApplicable``): its event stays unanswered, so that
the network's next delivery of it is processed afresh.
"""

import hashlib
import ipaddress
import logging
import traceback
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from purchase_orders.enkash import conventions, encoding, payloads
from purchase_orders.exceptions import (
    InvalidPurchaseOrder,
    PurchaseOrderError,
    StaleVersion,
    TransitionNotAllowed,
)
from purchase_orders.models import (
    Business,
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services import documents, notifications
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import EDITABLE_FIELDS
from purchase_orders.totals import find_total_mismatches

logger = logging.getLogger(__name__)

State = InboundEvent.State

# The key of the business object in each kind's body.
OBJECT_KEYS = {
    "req-send": "purchaseOrder",
    "req-edit": "purchaseOrder",
    "req-confirm": "poConfirmation",
    "req-status-change": "poStatus",
    "resp-send": "purchaseOrder",
    "resp-edit": "purchaseOrder",
    "resp-confirm": "poConfirmation",
    "resp-status-change": "poStatus",
}

# A delivery in one of these states has been answered; a repeat gets the same answer.
ANSWERED_STATES = (State.APPLIED, State.REFUSED, State.INVALID)

# Headers never stored with an event: they may carry a secret (and so may
# ENKASH_WEBHOOK_AUTH_HEADER).
UNSTORED_HEADERS = {"authorization", "cookie", "proxy-authorization"}

RECEIVED_REASON = "Received from the network."
INTERNAL_ERROR_DETAIL = "The portal could not process this message; deliver it again later."


@dataclass(frozen=True)
class Answer:
    """What the portal answers a delivery: HTTP status and the exact JSON text."""

    status: int
    body: str


class NotYetApplicable(PurchaseOrderError):
    """A message that may fit once an earlier one has arrived: refused for now.

    Answered with HTTP 409; the delivery is not recorded as answered, so a
    repeat of it is checked again.
    """


class InvalidMessage(InvalidPurchaseOrder):
    """A body that is not JSON, not an object, or not the shape of its kind.

    ``field`` is the dotted path of the first problem, as in
    ``purchaseOrder.itemLists[2].quantity``.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        status: int = 400,
        code: str = conventions.ERROR_INVALID_FIELD,
    ):
        super().__init__(message, field=field, code=code)
        self.status = status


# -- storing -------------------------------------------------------------------


def dedupe_key(*, kind: str, body: bytes, webhook_id: str = "") -> str:
    """Return what makes a delivery the same as another: its webhook-id, else its content."""
    max_length = InboundEvent._meta.get_field("dedupe_key").max_length
    if webhook_id and len(webhook_id) <= max_length:
        return webhook_id
    if webhook_id:
        return "webhook-id-sha256:" + hashlib.sha256(webhook_id.encode()).hexdigest()
    return "sha256:" + hashlib.sha256(kind.encode() + b"\n" + body).hexdigest()


def message_identifiers(*, kind: str, data) -> tuple[str, str]:
    """Return (objectId, resp.reqMsgId) of a parsed body, blanks where it has none."""
    if not isinstance(data, dict):
        return "", ""
    business_object = data.get(OBJECT_KEYS[kind])
    resp = data.get("resp")
    object_id = business_object.get("objectId") if isinstance(business_object, dict) else ""
    req_msg_id = resp.get("reqMsgId") if isinstance(resp, dict) else ""
    return _clip(object_id, "object_id"), _clip(req_msg_id, "req_msg_id")


def _ip_or_none(remote_addr: str | None) -> str | None:
    # Behind a Unix socket REMOTE_ADDR may be empty or no address at all.
    try:
        return str(ipaddress.ip_address(remote_addr or ""))
    except ValueError:
        return None


def _clip(value, field_name: str) -> str:
    # Noted for finding the event again; a bad value is the serializer's to refuse.
    if not isinstance(value, str):
        return ""
    return value[: InboundEvent._meta.get_field(field_name).max_length]


def record_event(
    *,
    kind: str,
    body: bytes,
    headers: dict,
    remote_addr: str | None,
    webhook_id: str = "",
    data=None,
) -> tuple[InboundEvent, bool]:
    """Store a delivery once and return (event, whether it is new).

    A repeat of a stored delivery only counts in ``repeats``. ``data`` is
    the parsed body, if it could be parsed, to note its identifiers.
    """
    key = dedupe_key(kind=kind, body=body, webhook_id=webhook_id)
    object_id, req_msg_id = message_identifiers(kind=kind, data=data)
    if not req_msg_id:
        req_msg_id = _clip(headers.get(conventions.REQ_MSG_ID_HEADER) or "", "req_msg_id")
    unstored = UNSTORED_HEADERS | {settings.ENKASH_WEBHOOK_AUTH_HEADER.lower()}
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                kind=kind,
                dedupe_key=key,
                req_msg_id=req_msg_id,
                object_id=object_id,
                headers={
                    name: value for name, value in headers.items() if name.lower() not in unstored
                },
                # PostgreSQL text cannot hold NUL; no valid JSON body has one.
                body=body.decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
                remote_addr=_ip_or_none(remote_addr),
            )
        return event, True
    except IntegrityError:
        InboundEvent.objects.filter(dedupe_key=key).update(repeats=F("repeats") + 1)
        return InboundEvent.objects.get(dedupe_key=key), False


# -- processing ------------------------------------------------------------------


def first_answer(event: InboundEvent) -> Answer | None:
    """Return the answer a delivery got for good, or None if it is still to be (re)processed."""
    if event.state in ANSWERED_STATES:
        return Answer(status=event.response_status, body=event.response_body)
    return None


def process_event(
    *, event: InboundEvent, message: dict | None, invalid: InvalidMessage | None = None
) -> Answer:
    """Apply a stored delivery, or refuse it, and return the answer; repeats get the first answer.

    ``message`` is the validated body; ``invalid`` says why there is none.
    A fault of the portal's own answers 500, so that the network delivers
    again, and keeps the traceback on the event.
    """
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update().get(pk=event.pk)
        answered = first_answer(event)
        if answered is not None:
            return answered
        if invalid is not None:
            logger.info(
                "Webhook %s %s is invalid: %s (%s)", event.kind, event.pk, invalid, invalid.field
            )
            envelope = conventions.refusal_envelope(
                req_msg_id=_answer_req_msg_id(event),
                error_code=invalid.code,
                error_detail=invalid.message,
                error_field=invalid.field,
                response_code=conventions.RESPONSE_CODE_INVALID,
            )
            return _answer(event, State.INVALID, invalid.status, envelope, error=invalid)
        try:
            # A savepoint: a refusal or a crash undoes what the handler wrote,
            # but not the event's record of it.
            with transaction.atomic():
                INBOUND_HANDLERS[event.kind](event=event, message=message)
        except NotYetApplicable as early:
            _forget_unsaved_links(event)
            logger.info(
                "Webhook %s %s arrived early: %s %s",
                event.kind,
                event.pk,
                early.code,
                early.message,
            )
            envelope = conventions.refusal_envelope(
                req_msg_id=_answer_req_msg_id(event),
                error_code=early.code,
                error_detail=early.message,
                error_field=early.field,
                response_code=conventions.RESPONSE_CODE_NOT_YET,
                payload=_echo(event.kind, message),
            )
            # Still RECEIVED: the next delivery of this message is applied if it fits then.
            return _answer(
                event, State.RECEIVED, conventions.RESPONSE_CODE_NOT_YET, envelope, error=early
            )
        except PurchaseOrderError as refusal:
            _forget_unsaved_links(event)
            logger.info(
                "Webhook %s %s refused: %s %s (%s)",
                event.kind,
                event.pk,
                refusal.code,
                refusal.message,
                refusal.field,
            )
            envelope = conventions.refusal_envelope(
                req_msg_id=_answer_req_msg_id(event),
                error_code=refusal.code,
                error_detail=refusal.message,
                error_field=refusal.field,
                payload=_echo(event.kind, message),
            )
            return _answer(event, State.REFUSED, 200, envelope, error=refusal)
        except Exception:
            logger.exception("Webhook %s %s could not be processed", event.kind, event.pk)
            _forget_unsaved_links(event)
            envelope = conventions.refusal_envelope(
                req_msg_id=_answer_req_msg_id(event),
                error_code=conventions.ERROR_INTERNAL,
                error_detail=INTERNAL_ERROR_DETAIL,
                response_code=conventions.RESPONSE_CODE_ERROR,
            )
            return _answer(event, State.ERROR, 500, envelope, trace=traceback.format_exc())
        if event.kind in conventions.REQUEST_KINDS:
            envelope = conventions.request_webhook_envelope(
                req_msg_id=_answer_req_msg_id(event), payload=_echo(event.kind, message)
            )
        else:
            envelope = conventions.success_envelope()
        return _answer(event, State.APPLIED, 200, envelope)


def _answer(
    event: InboundEvent,
    state: str,
    status: int,
    envelope: dict,
    *,
    error: PurchaseOrderError | None = None,
    trace: str = "",
) -> Answer:
    body = encoding.dumps(envelope)
    event.state = state
    event.response_status = status
    event.response_body = body
    event.error_code = error.code if error else (conventions.ERROR_INTERNAL if trace else "")
    event.error_detail = error.message if error else (INTERNAL_ERROR_DETAIL if trace else "")
    event.error_field = error.field if error else ""
    event.traceback = trace
    event.processed_at = timezone.now()
    event.save(
        update_fields=[
            "state",
            "response_status",
            "response_body",
            "error_code",
            "error_detail",
            "error_field",
            "traceback",
            "processed_at",
            "purchase_order",
            "outbound_message",
        ]
    )
    return Answer(status=status, body=body)


def _answer_req_msg_id(event: InboundEvent) -> str:
    """Return the reqMsgId an answer names: the request's own, else the delivery's id."""
    headers = {name.lower(): value for name, value in event.headers.items()}
    return event.req_msg_id or headers.get(conventions.WEBHOOK_ID_HEADER, "")


def _echo(kind: str, message: dict | None) -> dict | None:
    """Return what a request webhook's answer carries back: b2bIds, the object, additionalInfos."""
    if message is None or kind not in conventions.REQUEST_KINDS:
        return None
    key = OBJECT_KEYS[kind]
    return {
        "b2bIds": message["b2bIds"],
        key: message[key],
        "additionalInfos": message["additionalInfos"],
    }


def _forget_unsaved_links(event: InboundEvent) -> None:
    """Unlink rows that a rolled-back handler created, so that the event can be saved."""
    if (
        event.purchase_order_id
        and not PurchaseOrder.objects.filter(pk=event.purchase_order_id).exists()
    ):
        event.purchase_order = None
    if (
        event.outbound_message_id
        and not OutboundMessage.objects.filter(pk=event.outbound_message_id).exists()
    ):
        event.outbound_message = None


# -- checks shared by the request handlers -----------------------------------------


def _lock_purchase_order(event: InboundEvent, *, object_id: str, path: str) -> PurchaseOrder:
    purchase_order = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("buyer", "supplier")
        .filter(object_id=object_id)
        .first()
    )
    if purchase_order is None:
        # Perhaps its req-send is still on the way.
        raise NotYetApplicable(
            f"No purchase order {object_id} is known here (yet); deliver this message "
            "again after the purchase order itself.",
            field=f"{path}.objectId",
            code=conventions.ERROR_PO_NOT_FOUND,
        )
    event.purchase_order = purchase_order
    return purchase_order


def _ensure_parties(purchase_order: PurchaseOrder, b2b_ids: dict) -> None:
    for key, role, business in (
        ("buyerB2BId", "buyer", purchase_order.buyer),
        ("supplierB2BId", "supplier", purchase_order.supplier),
    ):
        if b2b_ids[key] != business.b2b_id:
            raise PurchaseOrderError(
                f"The {role} of purchase order {purchase_order.object_id} is not {b2b_ids[key]}.",
                field=f"b2bIds.{key}",
                code=conventions.ERROR_PARTY_MISMATCH,
            )


def _ensure_po_number(purchase_order: PurchaseOrder, number: str, path: str) -> None:
    if number != purchase_order.buyer_po_number:
        raise PurchaseOrderError(
            f"Purchase order {purchase_order.object_id} has the number "
            f"{purchase_order.buyer_po_number}, not {number}.",
            field=f"{path}.buyerPONumber",
            code=conventions.ERROR_PO_NUMBER_MISMATCH,
        )


def _ensure_current_version(purchase_order: PurchaseOrder, current: int, path: str) -> None:
    if current == purchase_order.version:
        return
    message = (
        f"The message is based on version {current}, but the purchase order here is at "
        f"version {purchase_order.version}"
    )
    field = f"{path}.objectVersion.currentVersion"
    if current > purchase_order.version:
        raise NotYetApplicable(
            message + "; an earlier version has not arrived yet. Deliver it again later.",
            field=field,
            code=conventions.ERROR_OUT_OF_ORDER,
        )
    raise StaleVersion(message + ".", field=field, code=conventions.ERROR_STALE_VERSION)


def _ensure_current_status(
    purchase_order: PurchaseOrder, action: str, from_status: str, to_status: str, path: str
) -> None:
    """Refuse a move from another status: for now if the order may still reach it."""
    if from_status == purchase_order.status:
        return
    message = f"The purchase order is {purchase_order.status} here, not {from_status}"
    field = f"{path}.poStatusTransition.currentStatus"
    transition = conventions.find_transition(action, from_status)
    if (
        transition is not None
        and transition.to_status == to_status
        and from_status in _statuses_reachable_within_version(purchase_order.status)
    ):
        raise NotYetApplicable(
            message + " yet; an earlier change has not arrived. Deliver it again later.",
            field=field,
            code=conventions.ERROR_OUT_OF_ORDER,
        )
    raise TransitionNotAllowed(
        message + ".", field=field, code=conventions.ERROR_TRANSITION_NOT_ALLOWED
    )


def _statuses_reachable_within_version(status: str) -> set[str]:
    """Return the statuses the lifecycle table leads to from one, without a new version."""
    reached, frontier = set(), [status]
    while frontier:
        current = frontier.pop()
        for transition in conventions.TRANSITIONS:
            if (
                not transition.bumps_version
                and current in transition.from_statuses
                and transition.to_status not in reached
            ):
                reached.add(transition.to_status)
                frontier.append(transition.to_status)
    return reached


def _ensure_details_match(data: dict, b2b_ids: dict) -> None:
    """Check that the parties inside a purchaseOrder are those of b2bIds."""
    for details, key in (("buyerDetails", "buyerB2BId"), ("supplierDetails", "supplierB2BId")):
        if data[details]["b2bId"] != b2b_ids[key]:
            raise PurchaseOrderError(
                f"purchaseOrder.{details}.b2bId is {data[details]['b2bId']}, but "
                f"b2bIds.{key} is {b2b_ids[key]}.",
                field=f"purchaseOrder.{details}.b2bId",
                code=conventions.ERROR_PARTY_MISMATCH,
            )


def _parse_contents(message: dict) -> dict:
    """Return the parsed purchase order of a message, its stated totals checked."""
    try:
        parsed = payloads.parse_purchase_order(message["purchaseOrder"], message["additionalInfos"])
    except ValueError as error:
        raise InvalidPurchaseOrder(
            f"The purchase order cannot be read: {error}.",
            field="purchaseOrder",
            code=conventions.ERROR_INVALID_FIELD,
        ) from None
    mismatches = find_total_mismatches(parsed)
    if mismatches:
        path, stated, computed = mismatches[0]
        raise InvalidPurchaseOrder(
            f"{path} is {stated}, but its lines, taxes and charges make {computed}.",
            field=path,
            code=conventions.ERROR_TOTALS_MISMATCH,
        )
    return parsed


def _notify_on_commit(purchase_order: PurchaseOrder, event: str) -> None:
    # E-mail is a courtesy: a mail server being down must not fail the delivery.
    transaction.on_commit(
        lambda: notifications.notify(purchase_order=purchase_order, event=event), robust=True
    )


# -- request handlers ----------------------------------------------------------------


def apply_send_request(*, event: InboundEvent, message: dict) -> PurchaseOrder:
    """Create a purchase order sent to a business hosted here (``req-send``).

    When the buyer is hosted here too, the purchase order already exists:
    it is the same one, now delivered, and no copy is made.
    """
    b2b_ids, data = message["b2bIds"], message["purchaseOrder"]
    # Locking the supplier serialises two deliveries of one new order.
    supplier = (
        Business.objects.select_for_update()
        .filter(b2b_id=b2b_ids["supplierB2BId"], is_hosted=True)
        .first()
    )
    if supplier is None:
        raise PurchaseOrderError(
            f"No business with the B2B ID {b2b_ids['supplierB2BId']} is hosted here.",
            field="b2bIds.supplierB2BId",
            code=conventions.ERROR_PARTY_NOT_FOUND,
        )
    _ensure_details_match(data, b2b_ids)
    _, new_version = payloads.parse_version(data)

    existing = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("buyer", "supplier")
        .filter(object_id=data["objectId"])
        .first()
    )
    if existing is not None:
        event.purchase_order = existing
        _ensure_parties(existing, b2b_ids)
        _ensure_po_number(existing, data["buyerPONumber"], "purchaseOrder")
        if existing.version > new_version and _holds_contents(
            existing, _parse_contents(message), version=new_version
        ):
            # Sent from here, and edited since: the network delivers the
            # superseded version late.
            return existing
        if existing.version != new_version:
            raise StaleVersion(
                f"Purchase order {existing.object_id} is at version {existing.version} here, "
                f"not {new_version}.",
                field="purchaseOrder.objectVersion.newVersion",
                code=conventions.ERROR_STALE_VERSION,
            )
        if existing.delivered_at is None:
            existing.delivered_at = timezone.now()
            existing.save(update_fields=["delivered_at", "updated_at"])
        return existing

    _, new_status = payloads.parse_transition(data)
    if new_status != conventions.CREATED:
        raise TransitionNotAllowed(
            f"A purchase order is sent as {conventions.CREATED}, not {new_status}.",
            field="purchaseOrder.poStatusTransition.newStatus",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    parsed = _parse_contents(message)
    buyer = Business.objects.filter(b2b_id=b2b_ids["buyerB2BId"]).first()
    if buyer is None:
        buyer = _create_counterparty(parsed["parties"]["buyer"])
    elif PurchaseOrder.objects.filter(buyer=buyer, buyer_po_number=data["buyerPONumber"]).exists():
        raise PurchaseOrderError(
            f"{buyer} already has another purchase order numbered {data['buyerPONumber']}.",
            field="purchaseOrder.buyerPONumber",
            code=conventions.ERROR_DUPLICATE_PO_NUMBER,
        )

    fields = parsed["fields"]
    purchase_order = PurchaseOrder.objects.create(
        **{
            name: value
            for name, value in fields.items()
            if name not in ("status", "previous_status")
        },
        buyer=buyer,
        supplier=supplier,
        status=PurchaseOrder.Status.CREATED,
        previous_status=conventions.CREATED,
        sent_at=fields["ts"],
        delivered_at=timezone.now(),
    )
    event.purchase_order = purchase_order
    documents.replace_contents(purchase_order=purchase_order, parsed=parsed)
    documents.record_version(
        purchase_order=purchase_order, reason=RECEIVED_REASON, created_by_business=buyer
    )
    StatusChange.objects.create(
        purchase_order=purchase_order,
        from_status="",
        to_status=purchase_order.status,
        version=purchase_order.version,
        action=conventions.SEND,
        actor_business=buyer,
        via_network=True,
    )
    _notify_on_commit(purchase_order, notifications.SENT)
    return purchase_order


def _create_counterparty(party: dict) -> Business:
    """Create the business of a buyer not known here, from the order's buyer details."""
    fields = {
        name: value for name, value in party.items() if name not in ("role", "place_of_supply")
    }
    return Business.objects.create(**fields, is_hosted=False)


def apply_edit_request(*, event: InboundEvent, message: dict) -> PurchaseOrder:
    """Replace a purchase order's contents with the next version (``req-edit``, n -> n+1)."""
    b2b_ids, data = message["b2bIds"], message["purchaseOrder"]
    purchase_order = _lock_purchase_order(event, object_id=data["objectId"], path="purchaseOrder")
    _ensure_parties(purchase_order, b2b_ids)
    _ensure_details_match(data, b2b_ids)
    _ensure_po_number(purchase_order, data["buyerPONumber"], "purchaseOrder")
    current_version, new_version = payloads.parse_version(data)
    parsed = _parse_contents(message)

    if new_version <= purchase_order.version and _holds_contents(
        purchase_order, parsed, version=new_version
    ):
        # The edit was made here and the network now delivers it to the
        # supplier, who is hosted here too (perhaps after later changes), or
        # an earlier delivery applied it.
        if new_version == purchase_order.version and purchase_order.delivered_at is None:
            purchase_order.delivered_at = timezone.now()
            purchase_order.save(update_fields=["delivered_at", "updated_at"])
        return purchase_order
    _ensure_current_version(purchase_order, current_version, "purchaseOrder")
    if new_version != current_version + 1:
        raise StaleVersion(
            f"An edit moves version {current_version} to {current_version + 1}, not {new_version}.",
            field="purchaseOrder.objectVersion.newVersion",
            code=conventions.ERROR_STALE_VERSION,
        )
    if conventions.find_transition(conventions.EDIT, purchase_order.status) is None:
        raise TransitionNotAllowed(
            f"A purchase order that is {purchase_order.status} cannot be edited.",
            field="purchaseOrder.poStatusTransition.currentStatus",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    _, new_status = payloads.parse_transition(data)
    if new_status != conventions.CREATED:
        raise TransitionNotAllowed(
            f"An edit puts a purchase order back to {conventions.CREATED}, not {new_status}.",
            field="purchaseOrder.poStatusTransition.newStatus",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )

    fields = parsed["fields"]
    from_status = purchase_order.status
    for name in EDITABLE_FIELDS:
        setattr(purchase_order, name, fields[name])
    purchase_order.total_po_value = fields["total_po_value"]
    purchase_order.ts = purchase_order.sent_at = fields["ts"]
    purchase_order.previous_version = current_version
    purchase_order.version = new_version
    purchase_order.previous_status = from_status
    purchase_order.status = PurchaseOrder.Status.CREATED
    purchase_order.delivered_at = timezone.now()
    purchase_order.save()
    documents.replace_contents(purchase_order=purchase_order, parsed=parsed)
    documents.record_version(
        purchase_order=purchase_order,
        reason=RECEIVED_REASON,
        created_by_business=purchase_order.buyer,
    )
    StatusChange.objects.create(
        purchase_order=purchase_order,
        from_status=from_status,
        to_status=purchase_order.status,
        version=purchase_order.version,
        action=conventions.EDIT,
        actor_business=purchase_order.buyer,
        via_network=True,
    )
    _notify_on_commit(purchase_order, notifications.EDITED)
    return purchase_order


def _holds_contents(purchase_order: PurchaseOrder, parsed: dict, *, version: int) -> bool:
    """Return whether a version of a purchase order held exactly these contents.

    The current version is read from the order itself, an earlier one from
    its snapshot.
    """
    if version == purchase_order.version:
        fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
        own = payloads.parse_purchase_order(
            payloads.build_purchase_order(fresh), fresh.additional_infos
        )
    else:
        kept = purchase_order.versions.filter(version=version).first()
        if kept is None:
            return False
        snapshot = encoding.loads(encoding.dumps(kept.snapshot))
        own = payloads.parse_purchase_order(
            snapshot["purchaseOrder"], snapshot["additionalInfos"]
        )
    return _without_status(own) == _without_status(parsed)


# The lifecycle marks of a parsed purchase order, as opposed to its contents.
LIFECYCLE_FIELDS = ("status", "previous_status", "previous_version")


def _without_status(contents: dict) -> dict:
    # The status may have moved on since the edit (the supplier, hosted
    # here too, confirmed it; a status change marks the version it left):
    # only the contents are compared.
    fields = {
        name: value for name, value in contents["fields"].items() if name not in LIFECYCLE_FIELDS
    }
    return {**contents, "fields": fields}


@dataclass(frozen=True)
class StatusMessage:
    """Where a confirmation or status change keeps its parts, and whom it concerns."""

    object_key: str
    action_key: str
    remarks_key: str
    actions: tuple[str, ...]
    actor: str  # conventions.BUYER or SUPPLIER
    notifications: dict


CONFIRMATION = StatusMessage(
    object_key="poConfirmation",
    action_key="supplierResponse",
    remarks_key="supplierRemarks",
    actions=conventions.SUPPLIER_RESPONSES,
    actor=conventions.SUPPLIER,
    notifications={
        conventions.SUPPLIER_ACCEPT: notifications.ACCEPTED,
        conventions.SUPPLIER_REJECT: notifications.REJECTED,
    },
)
STATUS_CHANGE = StatusMessage(
    object_key="poStatus",
    action_key="buyerAction",
    remarks_key="buyerRemarks",
    actions=conventions.BUYER_ACTIONS,
    actor=conventions.BUYER,
    notifications={action: notifications.STATUS_CHANGED for action in conventions.BUYER_ACTIONS},
)


def apply_confirm_request(*, event: InboundEvent, message: dict) -> PurchaseOrder:
    """Accept or reject a purchase order for its supplier (``req-confirm``, n -> n)."""
    return _apply_status_message(event=event, message=message, kind=CONFIRMATION)


def apply_status_change_request(*, event: InboundEvent, message: dict) -> PurchaseOrder:
    """Cancel, fulfil or close a purchase order for its buyer (``req-status-change``, n -> n)."""
    return _apply_status_message(event=event, message=message, kind=STATUS_CHANGE)


def _apply_status_message(
    *, event: InboundEvent, message: dict, kind: StatusMessage
) -> PurchaseOrder:
    data, path = message[kind.object_key], kind.object_key
    purchase_order = _lock_purchase_order(event, object_id=data["objectId"], path=path)
    _ensure_parties(purchase_order, message["b2bIds"])
    _ensure_po_number(purchase_order, data["buyerPONumber"], path)
    action = data[kind.action_key]
    if action not in kind.actions:
        raise TransitionNotAllowed(
            f"{action} is not a known {kind.action_key}; expected one of "
            f"{', '.join(kind.actions)}.",
            field=f"{path}.{kind.action_key}",
            code=conventions.ERROR_UNKNOWN_ACTION,
        )
    transition = conventions.TRANSITIONS_BY_ACTION[action]
    current_version, new_version = payloads.parse_version(data)
    if new_version != current_version:
        raise StaleVersion(
            f"A {kind.action_key} keeps the version, but this message moves "
            f"{current_version} to {new_version}.",
            field=f"{path}.objectVersion.newVersion",
            code=conventions.ERROR_STALE_VERSION,
        )
    from_status, to_status = payloads.parse_transition(data)
    already_applied = StatusChange.objects.filter(
        purchase_order=purchase_order,
        version=current_version,
        action=action,
        from_status=from_status,
        to_status=to_status,
    ).exists()
    if already_applied:
        # Made here (both parties are hosted here) or by an earlier delivery,
        # perhaps before later changes that the network delivered first.
        return purchase_order
    _ensure_current_version(purchase_order, current_version, path)
    _ensure_current_status(purchase_order, action, from_status, to_status, path)
    if conventions.find_transition(action, purchase_order.status) is None:
        raise TransitionNotAllowed(
            f"{action} is not allowed for a purchase order that is {purchase_order.status}.",
            field=f"{path}.{kind.action_key}",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )
    if to_status != transition.to_status:
        raise TransitionNotAllowed(
            f"{action} makes a purchase order {transition.to_status}, not {to_status}.",
            field=f"{path}.poStatusTransition.newStatus",
            code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
        )

    purchase_order.previous_status = purchase_order.status
    purchase_order.previous_version = purchase_order.version
    purchase_order.status = transition.to_status
    purchase_order.save()
    StatusChange.objects.create(
        purchase_order=purchase_order,
        from_status=from_status,
        to_status=purchase_order.status,
        version=purchase_order.version,
        action=action,
        remarks=data[kind.remarks_key],
        actor_business=purchase_order.buyer
        if kind.actor == conventions.BUYER
        else purchase_order.supplier,
        via_network=True,
    )
    _notify_on_commit(purchase_order, kind.notifications[action])
    return purchase_order


# -- response handlers -------------------------------------------------------------


def apply_send_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the ``req-send`` sent from here with the network's verdict (``resp-send``)."""
    return _settle(event=event, message=message, request_kind=OutboundMessage.Kind.SEND)


def apply_confirm_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the ``req-confirm`` sent from here (``resp-confirm``)."""
    return _settle(event=event, message=message, request_kind=OutboundMessage.Kind.CONFIRM)


def apply_edit_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the ``req-edit`` sent from here (``resp-edit``)."""
    return _settle(event=event, message=message, request_kind=OutboundMessage.Kind.EDIT)


def apply_status_change_response(*, event: InboundEvent, message: dict) -> OutboundMessage:
    """Settle the ``req-status-change`` sent from here (``resp-status-change``)."""
    return _settle(event=event, message=message, request_kind=OutboundMessage.Kind.STATUS_CHANGE)


def _settle(*, event: InboundEvent, message: dict, request_kind: str) -> OutboundMessage:
    resp, data = message["resp"], message[OBJECT_KEYS[event.kind]]
    outbound = find_request(
        request_kind=request_kind,
        req_msg_id=resp["reqMsgId"],
        object_id=data["objectId"],
        version=data["objectVersion"]["newVersion"],
    )
    if outbound is None:
        raise PurchaseOrderError(
            f"No {request_kind} request {resp['reqMsgId'] or ''} for purchase order "
            f"{data['objectId']} version {data['objectVersion']['newVersion']} was sent from here.",
            field="resp.reqMsgId",
            code=conventions.ERROR_MESSAGE_NOT_FOUND,
        )
    event.outbound_message = outbound
    event.purchase_order_id = outbound.purchase_order_id
    return settle_outbound_message(
        message=outbound,
        succeeded=resp["result"] == conventions.RESULT_SUCCESS,
        error_code=resp["errorCd"] or "",
        error_detail=resp["errorDtl"] or "",
        error_field=resp["errorField"] or "",
    )


def find_request(
    *, request_kind: str, req_msg_id: str, object_id: str, version: int
) -> OutboundMessage | None:
    """Return the request a response webhook answers: by reqMsgId, else by object and version."""
    if req_msg_id:
        outbound = OutboundMessage.objects.filter(req_msg_id=req_msg_id, kind=request_kind).first()
        if outbound is not None:
            return outbound
    return (
        OutboundMessage.objects.filter(
            object_id=object_id, kind=request_kind, object_version=version
        )
        .order_by("-pk")
        .first()
    )


INBOUND_HANDLERS = {
    "req-send": apply_send_request,
    "req-confirm": apply_confirm_request,
    "req-edit": apply_edit_request,
    "req-status-change": apply_status_change_request,
    "resp-send": apply_send_response,
    "resp-confirm": apply_confirm_response,
    "resp-edit": apply_edit_response,
    "resp-status-change": apply_status_change_response,
}
