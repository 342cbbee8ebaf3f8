"""Store each delivery once, then apply it with its kind's handler, or refuse it."""

import hashlib
import ipaddress
import logging
import traceback
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from purchase_orders.enkash import answers, conventions, encoding, messages
from purchase_orders.enkash.kinds import INBOUND_KINDS, KINDS
from purchase_orders.exceptions import InvalidPurchaseOrder, PurchaseOrderError
from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder
from purchase_orders.received import ReceivedMessage, ReceivedSearchAnswer
from purchase_orders.services.inbound import trust
from purchase_orders.services.inbound.checks import NotYetApplicable, ensure_network_statuses

# One logger for all of inbound processing, as settings and logs name it.
logger = logging.getLogger(__package__)

State = InboundEvent.State

# A delivery in one of these states has been answered; a repeat gets the same answer.
ANSWERED_STATES = (State.APPLIED, State.REFUSED, State.INVALID)

# Headers never stored with an event: they may carry a secret (and so may
# ENKASH_WEBHOOK_AUTH_HEADER).
UNSTORED_HEADERS = {"authorization", "cookie", "proxy-authorization"}

INTERNAL_ERROR_DETAIL = "The portal could not process this message; deliver it again later."


@dataclass(frozen=True)
class Answer:
    """What the portal answers a delivery: HTTP status and the exact JSON text."""

    status: int
    body: str


class InvalidMessage(InvalidPurchaseOrder):
    """A body that is not JSON, not an object, or not the shape of its kind.

    Found at the edge, before the body is read into a message, so it names
    its field as the network does: ``field`` is the ``errorField`` of the
    first problem, as in ``purchaseOrder.itemLists[2].quantity``. A body
    refused unread (``is_read`` false: not sent as JSON) is not echoed in
    the answer.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        status: int = 400,
        code: str = conventions.ERROR_INVALID_FIELD,
        is_read: bool = True,
    ):
        super().__init__(message, code=code)
        self.field = field
        self.status = status
        self.is_read = is_read


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
    object_id, req_msg_id = messages.message_identifiers(kind=kind, data=data)
    return _clip(object_id, "object_id"), _clip(req_msg_id, "req_msg_id")


def _ip_or_none(remote_addr: str | None) -> str | None:
    # Behind a Unix socket REMOTE_ADDR may be empty or no address at all.
    try:
        return str(ipaddress.ip_address(remote_addr or ""))
    except ValueError:
        return None


def _storable(text: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL, nor UTF-8 a lone surrogate;
    # no valid body or header has either.
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode()


def _clip(value, field_name: str) -> str:
    # Noted for finding the event again; a bad value is the serializer's to refuse.
    if not isinstance(value, str):
        return ""
    return _storable(value)[: InboundEvent._meta.get_field(field_name).max_length]


# What ``find_repeat`` reads of a stored event: enough to answer it again
# (``first_answer``) or to find it to process again.
REPEAT_FIELDS = ("id", "kind", "req_msg_id", "state", "response_status", "response_body")


def find_repeat(*, kind: str, body: bytes, webhook_id: str = "") -> InboundEvent | None:
    """Return the stored event of a delivery already received, counting this repeat; else None.

    One statement, before the body is even parsed: an UPDATE of the unique
    ``dedupe_key`` that counts the repeat and returns what answers it
    (PostgreSQL and SQLite 3.35+ both return the rows an UPDATE changed).
    A new delivery changes no row. The event holds only ``REPEAT_FIELDS``.
    """
    meta = InboundEvent._meta
    quote = connection.ops.quote_name
    # In the model's order of fields, which ``from_db`` fills them in.
    fields = [field for field in meta.concrete_fields if field.name in REPEAT_FIELDS]
    columns = [field.column for field in fields]
    sql = "UPDATE {table} SET {repeats} = {repeats} + 1 WHERE {key} = %s RETURNING {columns}"
    sql = sql.format(
        table=quote(meta.db_table),
        repeats=quote(meta.get_field("repeats").column),
        key=quote(meta.get_field("dedupe_key").column),
        columns=", ".join(quote(column) for column in columns),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [dedupe_key(kind=kind, body=body, webhook_id=webhook_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    return InboundEvent.from_db(connection.alias, [field.attname for field in fields], row)


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
        # One insert is a transaction of its own; inside one already, a
        # savepoint keeps the insert race from breaking it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            event = InboundEvent.objects.create(
                kind=kind,
                dedupe_key=key,
                req_msg_id=req_msg_id,
                object_id=object_id,
                headers={
                    _storable(name): _storable(value)
                    for name, value in headers.items()
                    if name.lower() not in unstored
                },
                body=_storable(body.decode("utf-8", errors="replace")),
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
    *,
    event: InboundEvent,
    message: ReceivedMessage | ReceivedSearchAnswer | None,
    invalid: InvalidMessage | None = None,
) -> Answer:
    """Apply a stored delivery, or refuse it, and return the answer; repeats get the first answer.

    ``message`` is the validated body, typed; ``invalid`` says why there is none.
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
            return _refuse(
                event,
                invalid,
                state=State.INVALID,
                status=invalid.status,
                response_code=conventions.RESPONSE_CODE_INVALID,
            )
        return _apply_and_answer(event, message)


def _apply_and_answer(event: InboundEvent, message: ReceivedMessage) -> Answer:
    """Apply a valid delivery with its kind's handler; answer as it went."""
    try:
        _apply(event, message)
    except NotYetApplicable as early:
        _forget_unsaved_links(event)
        logger.info(
            "Webhook %s %s arrived early: %s %s", event.kind, event.pk, early.code, early.message
        )
        # Still RECEIVED: the next delivery of this message is applied if it fits then.
        return _refuse(
            event,
            early,
            state=State.RECEIVED,
            status=conventions.RESPONSE_CODE_NOT_YET,
            response_code=conventions.RESPONSE_CODE_NOT_YET,
        )
    except PurchaseOrderError as refusal:
        _forget_unsaved_links(event)
        logger.info(
            "Webhook %s %s refused: %s %s (%s)",
            event.kind,
            event.pk,
            refusal.code,
            refusal.message,
            error_field(refusal, kind=event.kind),
        )
        return _refuse(event, refusal, state=State.REFUSED, status=KINDS[event.kind].refusal_status)
    except Exception:
        logger.exception("Webhook %s %s could not be processed", event.kind, event.pk)
        _forget_unsaved_links(event)
        envelope = _envelope(
            event,
            error_code=conventions.ERROR_INTERNAL,
            error_detail=INTERNAL_ERROR_DETAIL,
            response_code=conventions.RESPONSE_CODE_ERROR,
        )
        return _answer(event, State.ERROR, 500, envelope, trace=traceback.format_exc())
    return _answer(event, State.APPLIED, 200, _envelope(event))


def _apply(event: InboundEvent, message: ReceivedMessage) -> None:
    """Run the kind's handler in a savepoint; again once if a concurrent delivery won a race.

    The savepoint lets a refusal or a crash undo what the handler wrote, but
    not the event's record of it. An insert that breaks a unique constraint
    waited for the delivery that made the other row to commit (another copy
    of the same new order, under another webhook-id): run again, the
    handler sees that row and answers as it would to a later repeat.
    """
    ensure_network_statuses(message)
    try:
        with transaction.atomic():
            INBOUND_HANDLERS[event.kind](event=event, message=message)
    except IntegrityError:
        logger.info("Webhook %s %s raced another delivery; applying it again", event.kind, event.pk)
        _forget_unsaved_links(event)
        with transaction.atomic():
            INBOUND_HANDLERS[event.kind](event=event, message=message)


def error_field(error: PurchaseOrderError, *, kind: str) -> str:
    """Return the network's ``errorField`` for an error: the part of the message it names."""
    if isinstance(error, InvalidMessage):
        return error.field
    return "" if error.path is None else messages.message_error_field(kind, error.path)


def _refuse(
    event: InboundEvent,
    error: PurchaseOrderError,
    *,
    state: str,
    status: int,
    response_code: int = conventions.RESPONSE_CODE_REFUSED,
) -> Answer:
    """Answer a delivery with the refusal ``error`` names, and record it on the event."""
    envelope = _envelope(
        event,
        echo=getattr(error, "is_read", True),
        error_code=error.code,
        error_detail=error.message,
        error_field=error_field(error, kind=event.kind),
        response_code=response_code,
    )
    if isinstance(error, trust.FlaggedRefusal):
        logger.warning(
            "Webhook %s %s flagged for review: %s %s", event.kind, event.pk, error.code, error
        )
    return _answer(event, state, status, envelope, error=error)


def _envelope(event: InboundEvent, *, echo: bool = True, **error) -> dict:
    """Return the documented answer to a stored delivery; ``error`` refuses it.

    A request's answer echoes the body (``answers``), unless it was refused unread.
    """
    echo = echo and KINDS[event.kind].is_request
    return answers.webhook_answer(
        event.kind,
        req_msg_id=_answer_req_msg_id(event),
        body=_delivered_body(event) if echo else None,
        **error,
    )


def _delivered_body(event: InboundEvent):
    """Return the stored body parsed, or None when it is not JSON (its answer has blanks)."""
    try:
        return encoding.loads(event.body)
    except (ValueError, RecursionError):
        return None


def _answer(
    event: InboundEvent,
    state: str,
    status: int,
    envelope: dict,
    *,
    error: PurchaseOrderError | None = None,
    trace: str = "",
) -> Answer:
    # A request's answer echoes what arrived, which may hold what no text can.
    body = _storable(encoding.dumps(envelope))
    event.state = state
    event.response_status = status
    event.response_body = body
    event.error_code = error.code if error else (conventions.ERROR_INTERNAL if trace else "")
    # A detail may quote what arrived, such as a Content-Type holding a NUL.
    detail = error.message if error else (INTERNAL_ERROR_DETAIL if trace else "")
    event.error_detail = _storable(detail)
    event.error_field = error_field(error, kind=event.kind) if error else ""
    event.traceback = trace
    event.processed_at = timezone.now()
    event.flagged = isinstance(error, trust.FlaggedRefusal)
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
            "flagged",
            "purchase_order",
            "outbound_message",
        ]
    )
    return Answer(status=status, body=body)


def _answer_req_msg_id(event: InboundEvent) -> str:
    """Return the reqMsgId an answer names: the request's own, else the delivery's id."""
    headers = {name.lower(): value for name, value in event.headers.items()}
    return event.req_msg_id or headers.get(conventions.WEBHOOK_ID_HEADER, "")


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


# Each webhook kind's handler, as the table of kinds names it.
INBOUND_HANDLERS = {name: KINDS[name].handler for name in INBOUND_KINDS}
