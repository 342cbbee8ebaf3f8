"""change_purchase_order_status: the buyer cancels, fulfils or closes a purchase order."""

import pytest
from django.core import mail

from purchase_orders.enkash import encoding, payloads
from purchase_orders.exceptions import NotAllowed, StaleVersion, TransitionNotAllowed
from purchase_orders.models import Membership, OutboundMessage, StatusChange
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.purchase_orders import change_purchase_order_status
from tests.factories import BusinessFactory, MembershipFactory
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("action", "status"), [("CANCEL", "CANCELLED"), ("FULFILL", "FULFILLED"), ("CLOSE", "CLOSED")]
)
def test_the_buyer_moves_an_accepted_purchase_order(
    trading_pair,
    accepted_purchase_order,
    django_capture_on_commit_callbacks,
    send_queued_mail,
    action,
    status,
):
    with django_capture_on_commit_callbacks(execute=True):
        changed = change_purchase_order_status(
            purchase_order=accepted_purchase_order,
            changed_by=trading_pair.buyer_user,
            action=action,
            remarks="As agreed on the phone.",
            expected_version=1,
        )

    # Sent, not yet acknowledged: the order keeps its status, the change pending.
    message = OutboundMessage.objects.get(kind="req-status-change")
    changed.refresh_from_db()
    assert (changed.status, changed.version) == ("ACCEPTED", 1)
    assert (changed.pending_action, changed.pending_message) == (action, message)
    attempt = StatusChange.objects.get(action=action)
    assert (attempt.stage, attempt.from_status, attempt.to_status, attempt.actor) == (
        "attempted",
        "ACCEPTED",
        status,
        trading_pair.buyer_user,
    )
    assert message.object_version == 1
    assert encoding.loads(message.body)["poStatus"]["buyerAction"] == action
    # Nothing is mailed, nor queued to be, before the network acknowledges.
    assert send_queued_mail() == 0
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        acknowledged(changed)
    assert send_queued_mail() == 1

    fresh = get_purchase_order_with_contents(pk=changed.pk)
    assert (fresh.status, fresh.previous_status, fresh.version) == (status, "ACCEPTED", 1)
    assert fresh.pending_action == ""
    assert message.body == encoding.dumps(
        payloads.build_status_change_request(
            fresh, buyer_action=action, remarks="As agreed on the phone.", from_status="ACCEPTED"
        )
    )
    applied = StatusChange.objects.get(action=action, stage="applied")
    assert (applied.from_status, applied.to_status, applied.actor, applied.remarks) == (
        "ACCEPTED",
        status,
        trading_pair.buyer_user,
        "As agreed on the phone.",
    )
    assert [email.to for email in mail.outbox] == [[trading_pair.supplier_user.email]]
    assert mail.outbox[-1].subject.endswith(f"is now {fresh.get_status_display().lower()}")


def test_a_sent_purchase_order_cannot_be_fulfilled(trading_pair, sent_purchase_order, unchanged):
    check = unchanged(sent_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        change_purchase_order_status(
            purchase_order=sent_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="FULFILL",
            remarks="",
        )

    assert refused.value.message == (
        "This purchase order cannot be marked fulfilled: its status is "
        "“Sent, awaiting confirmation”."
    )
    check()


def test_a_supplier_word_is_not_a_buyer_action(trading_pair, sent_purchase_order, unchanged):
    check = unchanged(sent_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        change_purchase_order_status(
            purchase_order=sent_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="ACCEPT",
            remarks="",
        )

    assert refused.value.path == ("action",)
    check()


@pytest.mark.parametrize("who", ["buyer of another business", "supplier of this order"])
def test_only_the_buyers_people_may_change_the_status(
    trading_pair, sent_purchase_order, unchanged, who
):
    user = (
        MembershipFactory(business=BusinessFactory(), role=Membership.Role.BUYER).user
        if who == "buyer of another business"
        else trading_pair.supplier_user
    )
    check = unchanged(sent_purchase_order)

    with pytest.raises(NotAllowed):
        change_purchase_order_status(
            purchase_order=sent_purchase_order, changed_by=user, action="CANCEL", remarks=""
        )

    check()


def test_a_status_change_based_on_an_older_version_is_refused(
    trading_pair, sent_purchase_order, unchanged
):
    check = unchanged(sent_purchase_order)

    with pytest.raises(StaleVersion):
        change_purchase_order_status(
            purchase_order=sent_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CANCEL",
            remarks="",
            expected_version=2,
        )

    check()


def test_a_closed_purchase_order_stays_closed(trading_pair, accepted_purchase_order, unchanged):
    acknowledged(
        change_purchase_order_status(
            purchase_order=accepted_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CLOSE",
            remarks="",
        )
    )
    check = unchanged(accepted_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        change_purchase_order_status(
            purchase_order=accepted_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CANCEL",
            remarks="",
        )

    assert refused.value.message == (
        "This purchase order cannot be cancelled: its status is “Closed”."
    )
    check()


def test_a_status_change_while_a_close_is_pending_is_refused(
    trading_pair, accepted_purchase_order, unchanged
):
    change_purchase_order_status(
        purchase_order=accepted_purchase_order,
        changed_by=trading_pair.buyer_user,
        action="CLOSE",
        remarks="",
    )
    check = unchanged(accepted_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        change_purchase_order_status(
            purchase_order=accepted_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CANCEL",
            remarks="",
        )

    assert refused.value.message == (
        "A closing has been sent for this purchase order, and is waiting for the network's "
        "answer. Try again once it has come (the page shows it)."
    )
    check()
