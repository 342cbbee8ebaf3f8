"""An action made here waits, pending, for the network's answer: applied, refused, undelivered."""

from decimal import Decimal

import pytest
from django.core import mail

from purchase_orders import lifecycle
from purchase_orders.enkash import payloads
from purchase_orders.exceptions import TransitionNotAllowed
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.services.outbound import (
    deliver_outbound_message,
    retry_outbound_message,
    settle_outbound_message,
)
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from purchase_orders.services.transitions import move_purchase_order
from tests.plugins.network import acknowledged, purchase_order_state, revised_contents

pytestmark = pytest.mark.django_db

PENDING_FIELDS = ("pending_action", "pending_message", "pending_since")


def acknowledged_part(purchase_order) -> dict:
    """Return what the network has acknowledged of an order: all but its pending marks."""
    state = purchase_order_state(purchase_order)
    row = {name: value for name, value in state["row"].items() if name not in PENDING_FIELDS}
    return {"row": row, "contents": state["contents"]}


def stages(purchase_order) -> list[tuple[str, str]]:
    return list(
        StatusChange.objects.filter(purchase_order=purchase_order).values_list("action", "stage")
    )


def send(pair, purchase_order):
    return send_purchase_order(purchase_order=purchase_order, sent_by=pair.buyer_user)


def edit(pair, purchase_order):
    return edit_purchase_order(
        purchase_order=purchase_order,
        edited_by=pair.buyer_user,
        contents=revised_contents(purchase_order, Decimal("1000")),
        reason="More paper.",
        expected_version=purchase_order.version,
    )


def accept(pair, purchase_order):
    return confirm_purchase_order(
        purchase_order=purchase_order,
        confirmed_by=pair.supplier_user,
        accept=True,
        remarks="Will ship.",
    )


def cancel(pair, purchase_order):
    return change_purchase_order_status(
        purchase_order=purchase_order,
        changed_by=pair.buyer_user,
        action="CANCEL",
        remarks="Budget withdrawn.",
    )


ACTIONS = {
    # action: (make it, the order it starts from, its message's kind)
    "SEND": (send, "draft_purchase_order", "req-send"),
    "EDIT": (edit, "sent_purchase_order", "req-edit"),
    "ACCEPT": (accept, "sent_purchase_order", "req-confirm"),
    "CANCEL": (cancel, "sent_purchase_order", "req-status-change"),
}
# Who hears of each action once the network delivers it: the other side.
COUNTERPARTY = {
    "SEND": "supplier_user",
    "EDIT": "supplier_user",
    "ACCEPT": "buyer_user",
    "CANCEL": "supplier_user",
}
ACTOR = {
    "SEND": "buyer_user",
    "EDIT": "buyer_user",
    "ACCEPT": "supplier_user",
    "CANCEL": "buyer_user",
}
APPLIED_STATUS = {"SEND": "CREATED", "EDIT": "CREATED", "ACCEPT": "ACCEPTED", "CANCEL": "CANCELLED"}


@pytest.fixture(params=list(ACTIONS))
def action(request, trading_pair):
    """Return (action, the order, a callable making the action on it, its message's kind)."""
    make, fixture, kind = ACTIONS[request.param]
    purchase_order = request.getfixturevalue(fixture)
    return request.param, purchase_order, lambda: make(trading_pair, purchase_order), kind


# -- made: pending ------------------------------------------------------------------


def test_an_action_is_pending_and_leaves_the_order_as_the_network_acknowledged_it(
    trading_pair, action, django_capture_on_commit_callbacks, send_queued_mail
):
    name, purchase_order, make, kind = action
    before = acknowledged_part(purchase_order)
    versions = list(PurchaseOrderVersion.objects.values_list("version", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        make()

    assert acknowledged_part(purchase_order) == before
    purchase_order.refresh_from_db()
    message = OutboundMessage.objects.get(kind=kind)
    assert (message.state, message.object_version) == (
        "queued",
        lifecycle.next_version(purchase_order.version, name),
    )
    assert (purchase_order.pending_action, purchase_order.pending_message) == (name, message)
    assert purchase_order.pending_since == message.created_at
    assert purchase_order.is_pending is True
    attempt = StatusChange.objects.get(message=message)
    assert (attempt.action, attempt.stage, attempt.moved) == (name, "attempted", False)
    assert (attempt.from_status, attempt.to_status) == (
        purchase_order.status,
        APPLIED_STATUS[name],
    )
    assert attempt.actor == getattr(trading_pair, ACTOR[name])
    # A send or an edit keeps its new version only as a snapshot, until it is applied.
    new_versions = list(PurchaseOrderVersion.objects.values_list("version", flat=True))
    if name in ("SEND", "EDIT"):
        assert new_versions == [*versions, purchase_order.version + 1]
    else:
        assert new_versions == versions
    # The other side hears of it only once the network has delivered it.
    assert send_queued_mail() == 0
    assert mail.outbox == []


# -- acknowledged: applied, once ---------------------------------------------------------


def test_an_acknowledged_action_is_applied_once_and_the_other_side_is_mailed_once(
    trading_pair, action, django_capture_on_commit_callbacks, send_queued_mail
):
    name, purchase_order, make, kind = action
    make()
    message = OutboundMessage.objects.get(kind=kind)

    with django_capture_on_commit_callbacks(execute=True):
        settle_outbound_message(message=message, succeeded=True)
    with django_capture_on_commit_callbacks(execute=True):
        settle_outbound_message(message=message, succeeded=True)

    purchase_order.refresh_from_db()
    assert purchase_order.status == APPLIED_STATUS[name]
    assert purchase_order.pending_action == ""
    assert purchase_order.pending_message is None
    assert list(StatusChange.objects.filter(message=message).values_list("stage", flat=True)) == [
        "attempted",
        "applied",
    ]
    assert send_queued_mail() == 1
    assert [email.to for email in mail.outbox] == [
        [getattr(trading_pair, COUNTERPARTY[name]).email]
    ]


def test_an_acknowledged_edit_takes_the_new_contents_from_its_snapshot(
    trading_pair, sent_purchase_order
):
    edit(trading_pair, sent_purchase_order)
    pending_version = PurchaseOrderVersion.objects.get(version=2)

    purchase_order = acknowledged(sent_purchase_order)

    assert (purchase_order.status, purchase_order.version) == ("CREATED", 2)
    assert purchase_order.lines.get(position=0).quantity == Decimal("1000")
    kept = payloads.parse_snapshot(pending_version.snapshot)
    assert purchase_order.total_po_value == kept.header.total_po_value
    assert purchase_order.subject == kept.header.subject
    assert payloads.parse_purchase_order(purchase_order_state(purchase_order)["contents"]) == (
        payloads.parse_purchase_order(pending_version.snapshot["purchaseOrder"])
    )


# -- refused ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "subject_to", "words"),
    [
        ("SEND", "buyer_user", "request to send purchase order"),
        ("ACCEPT", "supplier_user", "confirmation of purchase order"),
    ],
)
def test_a_refused_action_leaves_the_order_as_it_was_and_mails_only_the_side_that_acted(
    trading_pair,
    request,
    django_capture_on_commit_callbacks,
    send_queued_mail,
    name,
    subject_to,
    words,
):
    make, fixture, kind = ACTIONS[name]
    purchase_order = request.getfixturevalue(fixture)
    before = acknowledged_part(purchase_order)
    make(trading_pair, purchase_order)

    with django_capture_on_commit_callbacks(execute=True):
        settle_outbound_message(
            message=OutboundMessage.objects.get(kind=kind),
            succeeded=False,
            error_code="INVALID_FIELD",
            error_detail="Supplier is not registered.",
            error_field="b2bIds.supplierB2BId",
        )

    after = acknowledged_part(purchase_order)
    assert after["contents"] == before["contents"]
    after["row"].pop("updated_at", None)
    before["row"].pop("updated_at", None)
    assert after["row"] == before["row"]
    purchase_order.refresh_from_db()
    assert (purchase_order.pending_action, purchase_order.pending_message) == ("", None)
    refusal = StatusChange.objects.get(stage="refused")
    assert (refusal.action, refusal.error_code, refusal.error_field) == (
        name,
        "INVALID_FIELD",
        "b2bIds.supplierB2BId",
    )
    assert (
        refusal.refusal_reason
        == "The network refused the "
        + {"SEND": "send", "ACCEPT": "confirm"}[name]
        + ": Supplier is not registered."
    )
    assert send_queued_mail() == 1
    (email,) = mail.outbox
    assert email.to == [getattr(trading_pair, subject_to).email]
    assert email.subject == (f"The network refused your {words} {purchase_order.buyer_po_number}")
    assert f"\n\nWhy: {refusal.refusal_reason}\n\n" in email.body
    assert purchase_order.get_absolute_url() in email.body


def test_a_refused_edit_drops_the_snapshot_of_its_version(trading_pair, sent_purchase_order):
    edit(trading_pair, sent_purchase_order)
    assert PurchaseOrderVersion.objects.filter(version=2).exists()

    settle_outbound_message(
        message=OutboundMessage.objects.get(kind="req-edit"),
        succeeded=False,
        error_code="INVALID_FIELD",
        error_detail="Bad line.",
    )

    assert list(PurchaseOrderVersion.objects.values_list("version", flat=True)) == [1]
    sent_purchase_order.refresh_from_db()
    assert (sent_purchase_order.version, sent_purchase_order.pending_action) == (1, "")


# -- not delivered -----------------------------------------------------------------------


@pytest.mark.sandbox
def test_an_action_not_delivered_stays_pending_until_retried(
    sandbox,
    trading_pair,
    pending_send,
    settings,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    settings.ENKASH_MAX_ATTEMPTS = 1
    sandbox.add_fault(mode="http_500", kind="req-send", times=1)
    message = OutboundMessage.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        failed = deliver_outbound_message(message_id=message.pk)

    assert failed.state == "failed"
    pending_send.refresh_from_db()
    assert (pending_send.status, pending_send.version) == ("DRAFT", 0)
    assert (pending_send.pending_action, pending_send.pending_message) == ("SEND", message)
    undelivered = StatusChange.objects.get(stage="undelivered")
    assert (undelivered.action, undelivered.message, undelivered.via_network) == (
        "SEND",
        message,
        True,
    )
    assert undelivered.remarks.startswith(
        "The purchase order could not be delivered to the network: Gave up after 1 attempts"
    )
    assert undelivered.remarks.endswith("The purchase order is as it was; retry it from its page.")
    assert send_queued_mail() == 1
    (email,) = mail.outbox
    assert email.to == [trading_pair.buyer_user.email]
    assert email.subject == (
        f"Not delivered: your request to send purchase order {pending_send.buyer_po_number}"
    )

    retried = retry_outbound_message(message=message, retried_by=trading_pair.buyer_user)
    assert (retried.state, retried.attempts) == ("queued", 0)
    pending_send.refresh_from_db()
    assert pending_send.pending_message == message
    delivered = deliver_outbound_message(message_id=message.pk)
    assert delivered.state == "sent"
    purchase_order = acknowledged(pending_send)
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)
    assert stages(purchase_order) == [
        ("SEND", "attempted"),
        ("SEND", "undelivered"),
        ("SEND", "applied"),
    ]


# -- overtaken ---------------------------------------------------------------------------


def test_an_acknowledgement_after_the_order_moved_on_leaves_it_as_it_is(
    trading_pair, sent_purchase_order, django_capture_on_commit_callbacks, send_queued_mail
):
    accept(trading_pair, sent_purchase_order)
    message = OutboundMessage.objects.get(kind="req-confirm")
    # Meanwhile the buyer's new version arrives from the network.
    move_purchase_order(
        purchase_order=PurchaseOrder.objects.get(pk=sent_purchase_order.pk),
        action=lifecycle.EDIT,
        business=trading_pair.buyer,
        via_network=True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        settle_outbound_message(message=message, succeeded=True)

    sent_purchase_order.refresh_from_db()
    assert (sent_purchase_order.status, sent_purchase_order.version) == ("CREATED", 2)
    assert sent_purchase_order.pending_action == ""
    overtaken = StatusChange.objects.get(stage="overtaken")
    assert (overtaken.action, overtaken.message, overtaken.moved) == ("ACCEPT", message, False)
    assert overtaken.remarks == (
        "The network took the confirmation, but the purchase order had changed meanwhile "
        "(now “Sent, awaiting confirmation”, version 2), so it was left as it is."
    )
    assert send_queued_mail() == 0
    assert mail.outbox == []


# -- one action at a time ----------------------------------------------------------------


def test_a_second_action_while_one_is_pending_is_refused_and_changes_nothing(
    trading_pair, sent_purchase_order, unchanged
):
    accept(trading_pair, sent_purchase_order)
    check = unchanged(sent_purchase_order)

    for second in (cancel, edit, accept):
        with pytest.raises(TransitionNotAllowed) as refused:
            second(trading_pair, sent_purchase_order)
        assert refused.value.message == (
            "A confirmation has been sent for this purchase order, and is waiting for the "
            "network's answer. Try again once it has come (the page shows it)."
        )
        assert refused.value.code == "TRANSITION_NOT_ALLOWED"

    check()


def test_a_second_send_while_the_first_is_pending_is_refused(trading_pair, pending_send, unchanged):
    check = unchanged(pending_send)

    with pytest.raises(TransitionNotAllowed) as refused:
        send(trading_pair, pending_send)

    assert refused.value.message == (
        "This purchase order has been sent, and is waiting for the network's answer. "
        "Try again once it has come (the page shows it)."
    )
    check()


def test_an_action_not_delivered_must_be_retried_before_the_next(
    trading_pair, sent_purchase_order, unchanged
):
    cancel(trading_pair, sent_purchase_order)
    OutboundMessage.objects.filter(kind="req-status-change").update(state="failed")
    check = unchanged(sent_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        edit(trading_pair, sent_purchase_order)

    assert refused.value.message == (
        "A cancellation has been sent for this purchase order, but it was not delivered: "
        "retry it first."
    )
    check()


def test_once_the_network_has_answered_the_next_action_can_be_made(
    trading_pair, sent_purchase_order
):
    accept(trading_pair, sent_purchase_order)
    acknowledged(sent_purchase_order)

    cancel(trading_pair, sent_purchase_order)

    purchase_order = acknowledged(sent_purchase_order)
    assert purchase_order.status == "CANCELLED"
    assert [stage for _, stage in stages(purchase_order)] == [
        "attempted",
        "applied",
        "attempted",
        "applied",
        "attempted",
        "applied",
    ]
