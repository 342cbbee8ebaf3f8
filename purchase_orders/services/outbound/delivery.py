"""Delivering one message: claim it, post it with no lock held, record the outcome."""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F
from django.utils import timezone

from purchase_orders.enkash import encoding
from purchase_orders.enkash.client import get_enkash_client
from purchase_orders.enkash.exceptions import (
    EnKashAuthenticationError,
    EnKashError,
    EnKashRejected,
)
from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.services.acknowledgements import record_undelivered
from purchase_orders.services.outbound.queueing import (
    PENDING_STATES,
    earlier_pending,
    enqueue_delivery,
    enqueue_successor,
)
from purchase_orders.services.outbound.settling import settle_outbound_message
from purchase_orders.services.suppliers import record_search_not_asked

logger = logging.getLogger(__name__)

State = OutboundMessage.State


def deliver_outbound_message(*, message_id: int) -> OutboundMessage | None:
    """Post one outbound message to the network and record what happened.

    Return the message, or None when it was not delivered now: not due,
    already taken by another worker, already settled, or waiting behind an
    earlier message of the same purchase order. No transaction or row lock
    is held during the HTTP call.
    """
    message = _claim(message_id)
    if message is None:
        return None
    if message.attempts > settings.ENKASH_MAX_ATTEMPTS:
        # Reclaimed from ``sending`` after the worker died on every attempt.
        return _give_up(message, "the worker stopped while delivering it")
    try:
        with get_enkash_client() as client:
            envelope = client.request(
                message.kind, encoding.loads(message.body), req_msg_id=message.req_msg_id
            )
    except EnKashAuthenticationError as error:
        # The portal's credentials, not the message, were refused: retry
        # until someone fixes the configuration.
        return _retry_later(message, error)
    except EnKashRejected as error:
        _record_answer(message, error.response)
        return settle_outbound_message(
            message=message,
            succeeded=False,
            error_code=error.error_code,
            error_detail=error.error_detail,
            error_field=error.error_field,
        )
    except EnKashError as error:
        # Unreachable, 5xx, or an answer that made no sense: the request may
        # or may not have arrived, and its reqMsgId makes a repeat harmless.
        logger.warning(
            "Delivering outbound message %s failed: %s",
            message.pk,
            error,
            extra={"req_msg_id": message.req_msg_id},
        )
        return _retry_later(message, error)
    except Exception as error:
        # A fault of the portal's own: retried like the others, so that one
        # bad message ends as failed instead of blocking its purchase order.
        logger.exception(
            "Delivering outbound message %s failed",
            message.pk,
            extra={"req_msg_id": message.req_msg_id},
        )
        return _retry_later(message, error)
    return _mark_sent(message, envelope)


def _claim(message_id: int) -> OutboundMessage | None:
    """Take a due message for this worker with one conditional UPDATE."""
    now = timezone.now()
    lease = timedelta(seconds=settings.ENKASH_SENDING_LEASE_SECONDS)
    # While ``sending``, next_attempt_at is when the lease ends: a row left
    # behind by a dead worker becomes due again then.
    claimed = (
        OutboundMessage.objects.filter(
            pk=message_id, state__in=PENDING_STATES, next_attempt_at__lte=now
        )
        .filter(~Exists(earlier_pending()))
        .update(state=State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + lease)
    )
    if not claimed:
        return None
    return OutboundMessage.objects.get(pk=message_id)


def _mark_sent(message: OutboundMessage, envelope: dict) -> OutboundMessage:
    now = timezone.now()
    # The client returns the envelope only for a 2xx answer, and EnKash's
    # documented acknowledgement is a 200.
    answer = {"response_status": 200, "response_body": encoding.dumps(envelope)}
    updated = OutboundMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.SENT, sent_at=now, last_error="", **answer
    )
    if not updated:
        # The response webhook overtook this worker and already settled it.
        OutboundMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=now, **answer
        )
    enqueue_successor(message)
    return OutboundMessage.objects.get(pk=message.pk)


def _retry_later(message: OutboundMessage, error: Exception) -> OutboundMessage:
    reason = _describe(error)
    if message.attempts >= settings.ENKASH_MAX_ATTEMPTS:
        return _give_up(message, reason, response=getattr(error, "response", None))
    next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(message.attempts))
    updated = OutboundMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.RETRYING,
        next_attempt_at=next_attempt_at,
        last_error=reason,
        **_answer_fields(getattr(error, "response", None)),
    )
    if updated:
        enqueue_delivery(message_id=message.pk, run_after=next_attempt_at)
    return OutboundMessage.objects.get(pk=message.pk)


@transaction.atomic
def _give_up(message: OutboundMessage, reason: str, *, response=None) -> OutboundMessage:
    """Stop retrying; the order stays as it was, its action pending and not delivered."""
    purchase_order = None
    if message.purchase_order_id:
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=message.purchase_order_id)
    updated = OutboundMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.FAILED,
        last_error=f"Gave up after {message.attempts} attempts: {reason}",
        **_answer_fields(response),
    )
    message = OutboundMessage.objects.get(pk=message.pk)
    if updated and purchase_order is not None:
        record_undelivered(purchase_order=purchase_order, message=message)
    elif updated and message.kind == OutboundMessage.Kind.SEARCH_ENTITY:
        record_search_not_asked(message=message)
    transaction.on_commit(lambda: enqueue_successor(message), robust=True)
    return message


def _record_answer(message: OutboundMessage, response) -> None:
    fields = _answer_fields(response)
    if fields:
        OutboundMessage.objects.filter(pk=message.pk).update(**fields)
        for name, value in fields.items():
            setattr(message, name, value)


def _answer_fields(response) -> dict:
    if response is None:
        return {}
    return {"response_status": response.status_code, "response_body": response.text}


def _describe(error: Exception) -> str:
    """Return why an attempt failed as a sentence for the order's page and e-mails.

    The network's errors carry one; a fault of the portal's own is told in
    words, its exception and traceback kept in the log.
    """
    if isinstance(error, EnKashError):
        return f"{error.message.rstrip('.')}."
    return "The portal could not prepare the message; its log has the details."


def retry_delay(attempts: int) -> float:
    """Return seconds to wait after a failed attempt: exponential back-off, full jitter."""
    ceiling = min(
        settings.ENKASH_RETRY_MAX_SECONDS,
        settings.ENKASH_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return random.uniform(0, ceiling)
