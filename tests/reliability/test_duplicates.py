"""Duplicates: every webhook kind delivered again and again changes the order once.

The network delivers at least once: the same delivery may come many times
(the same ``webhook-id``), and the same message may come again as a new
delivery (a new ``webhook-id``). Either way the first is applied, every
repeat gets the first answer, and nothing changes a second time.
"""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from purchase_orders.enkash import conventions, encoding, kinds, signing
from purchase_orders.models import (
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
    StatusChange,
)
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from tests.plugins.network import acknowledged, at_once, contents_of, purchase_order_state
from tests.plugins.webhooks import (
    answer,
    as_bytes,
    confirm_body,
    edited_body,
    response_body,
    row_counts,
    sent_elsewhere_body,
    status_change_body,
    webhook_url,
)

COPIES = 50
# Copies of one message as new deliveries (a webhook-id each): each is
# stored, so fewer keep the run short.
NEW_DELIVERIES = 3


# -- one message of each kind that changes a purchase order held here -----------------


def sent_purchase_order(pair) -> PurchaseOrder:
    """A purchase order sent from here and acknowledged by the network."""
    return acknowledged(
        send_purchase_order(purchase_order=pair.purchase_order(), sent_by=pair.buyer_user)
    )


def accepted_purchase_order(pair) -> PurchaseOrder:
    return acknowledged(confirm(sent_purchase_order(pair), pair))


def confirm(purchase_order: PurchaseOrder, pair) -> PurchaseOrder:
    """Confirm it as the supplier, here: pending until the network answers."""
    return confirm_purchase_order(
        purchase_order=purchase_order,
        confirmed_by=pair.supplier_user,
        accept=True,
        remarks="Will ship on time.",
    )


def answer_to(message_kind: str) -> dict:
    """Return the SUCCESS response webhook of the one message of a kind sent from here."""
    message = OutboundMessage.objects.get(kind=message_kind)
    return response_body(encoding.loads(message.body), req_msg_id=message.req_msg_id)


def req_send(pair) -> dict:
    return sent_elsewhere_body(pair, lines=2)


def req_confirm(pair) -> dict:
    purchase_order = pair.purchase_order(sent=True)
    return confirm_body(purchase_order, "ACCEPT", remarks="Will ship by Friday.")


def req_edit(pair) -> dict:
    return edited_body(pair, pair.purchase_order(sent=True), lines=2)


def req_status_change(pair) -> dict:
    purchase_order = pair.purchase_order(accepted=True)
    return status_change_body(purchase_order, "CANCEL", remarks="No longer needed.")


# Each response answers an action made here and still pending.


def resp_send(pair) -> dict:
    send_purchase_order(purchase_order=pair.purchase_order(), sent_by=pair.buyer_user)
    return answer_to("req-send")


def resp_confirm(pair) -> dict:
    confirm(sent_purchase_order(pair), pair)
    return answer_to("req-confirm")


def resp_edit(pair) -> dict:
    purchase_order = sent_purchase_order(pair)
    contents = contents_of(purchase_order)
    contents.header.subject = "Revised subject"
    edit_purchase_order(
        purchase_order=purchase_order,
        edited_by=pair.buyer_user,
        contents=contents,
        reason="Subject.",
        expected_version=purchase_order.version,
    )
    return answer_to("req-edit")


def resp_status_change(pair) -> dict:
    change_purchase_order_status(
        purchase_order=accepted_purchase_order(pair),
        changed_by=pair.buyer_user,
        action="CANCEL",
        remarks="No longer needed.",
    )
    return answer_to("req-status-change")


MESSAGES = {
    "req-send": req_send,
    "req-confirm": req_confirm,
    "req-edit": req_edit,
    "req-status-change": req_status_change,
    "resp-send": resp_send,
    "resp-confirm": resp_confirm,
    "resp-edit": resp_edit,
    "resp-status-change": resp_status_change,
}


# -- what a delivery may change ------------------------------------------------------


def changes() -> tuple[int, int]:
    """Return (status changes applied, outbound messages settled): what applying counts."""
    return (
        StatusChange.objects.filter(stage=StatusChange.Stage.APPLIED).count(),
        OutboundMessage.objects.filter(settled_at__isnull=False).count(),
    )


def expected_change(kind: str) -> tuple[int, int]:
    # An applied request writes one audit row; an applied response settles one
    # message and applies the action it carries (its own audit row).
    return (1, 0) if kind in kinds.REQUEST_KINDS else (1, 1)


def world() -> dict:
    """Return every row a delivery could change, but the events' repeat counts."""
    counts = row_counts()
    return {
        "counts": counts,
        "orders": [purchase_order_state(order) for order in PurchaseOrder.objects.order_by("pk")],
        "messages": list(OutboundMessage.objects.order_by("pk").values()),
        "events": list(InboundEvent.objects.order_by("pk").values("pk", "state", "response_body")),
    }


def assert_success(response) -> None:
    assert response.status_code == 200
    assert answer(response)["response_code"] == conventions.RESPONSE_CODE_SUCCESS


@dataclass
class Copies:
    """What the first of many copies of one message did, and how the others were answered."""

    first: object
    repeats: list
    applied: tuple[int, int]  # as changes() counts

    @property
    def answered_alike(self) -> int:
        first = (self.first.status_code, self.first.content)
        return sum((response.status_code, response.content) == first for response in self.repeats)


@pytest.fixture
def deliver_copies(signed_post, mailoutbox, django_capture_on_commit_callbacks, send_queued_mail):
    """Return ``deliver(kind, body, copies, msg_id=None)``: post copies of one message.

    ``msg_id`` gives every copy the same webhook-id; without it each copy
    is a new delivery. Checks that the copies after the first changed nothing
    and sent no e-mail.
    """

    def deliver(kind: str, body: dict, copies: int, *, msg_id: str | None = None) -> Copies:
        before = changes()
        with django_capture_on_commit_callbacks(execute=True):
            first = signed_post(kind, body, msg_id=msg_id)
        send_queued_mail()
        after_first, mails = world(), len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            repeats = [signed_post(kind, body, msg_id=msg_id) for _ in range(copies - 1)]
        send_queued_mail()
        later = world()
        assert (later["orders"], later["messages"]) == (
            after_first["orders"],
            after_first["messages"],
        )
        assert len(mailoutbox) == mails
        applied = tuple(now - then for now, then in zip(changes(), before, strict=True))
        return Copies(first=first, repeats=repeats, applied=applied)

    return deliver


# -- the same delivery, many times -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(MESSAGES))
def test_the_same_delivery_fifty_times_is_applied_once(kind, trading_pair, deliver_copies):
    body = MESSAGES[kind](trading_pair)

    copies = deliver_copies(kind, body, COPIES, msg_id=f"msg_{kind}")

    event = InboundEvent.objects.get()
    print(
        f"\n{kind}: {COPIES} deliveries, webhook-id {event.dedupe_key}: applied "
        f"{copies.applied} (status changes, settled messages), {copies.answered_alike} "
        f"repeats answered as the first, {InboundEvent.objects.count()} event, repeats "
        f"counted {event.repeats}"
    )
    assert_success(copies.first)
    assert copies.answered_alike == COPIES - 1
    assert (event.state, event.repeats) == (InboundEvent.State.APPLIED, COPIES - 1)
    assert copies.applied == expected_change(kind)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(MESSAGES))
def test_the_same_message_as_new_deliveries_is_applied_once(kind, trading_pair, deliver_copies):
    body = MESSAGES[kind](trading_pair)

    copies = deliver_copies(kind, body, NEW_DELIVERIES)

    print(
        f"\n{kind}: {NEW_DELIVERIES} deliveries with new webhook-ids: applied "
        f"{copies.applied}, "
        f"{sum(answer(response)['response_code'] == 0 for response in copies.repeats)} "
        f"repeats acknowledged, {InboundEvent.objects.count()} events stored"
    )
    assert_success(copies.first)
    for response in copies.repeats:
        assert_success(response)
    assert InboundEvent.objects.filter(state=InboundEvent.State.APPLIED).count() == NEW_DELIVERIES
    assert copies.applied == expected_change(kind)


# -- the same delivery, all at once -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer; concurrent deliveries need PostgreSQL",
)
@pytest.mark.parametrize("kind", ["req-send", "req-edit", "resp-edit"])
def test_fifty_concurrent_copies_are_stored_once_and_applied_once(kind, trading_pair, settings):
    body = as_bytes(MESSAGES[kind](trading_pair))
    before = changes()
    headers = signing.signature_headers(
        secret=settings.ENKASH_WEBHOOK_SECRET, msg_id=f"msg_concurrent_{kind}", body=body
    )

    def deliver():
        response = Client().post(
            webhook_url(kind), data=body, content_type="application/json", headers=headers
        )
        return response.status_code, response.content

    answers = at_once([deliver] * COPIES)

    event = InboundEvent.objects.get()
    applied = tuple(now - then for now, then in zip(changes(), before, strict=True))
    print(
        f"\n{kind}: {COPIES} concurrent copies: {len(answers)} answered, "
        f"{len(set(answers))} distinct answer(s), event {event.state} with "
        f"{event.repeats} repeats, applied {applied}"
    )
    assert len(answers) == COPIES
    assert len(set(answers)) == 1
    status, content = answers[0]
    assert (status, encoding.loads(content)["response_code"]) == (200, 0)
    assert (event.state, event.repeats) == (InboundEvent.State.APPLIED, COPIES - 1)
    assert applied == expected_change(kind)
