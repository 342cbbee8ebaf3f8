"""confirm_purchase_order: the supplier accepts or rejects the version it was sent."""

import pytest
from django.core import mail

from purchase_orders.enkash import encoding, payloads
from purchase_orders.exceptions import (
    InvalidPurchaseOrder,
    NotAllowed,
    StaleVersion,
    TransitionNotAllowed,
)
from purchase_orders.models import Membership, OutboundMessage, StatusChange
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.purchase_orders import confirm_purchase_order
from tests.factories import BusinessFactory, MembershipFactory
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "remarks", "status", "word", "subject"),
    [
        (True, "", "ACCEPTED", "ACCEPT", "{supplier} accepted purchase order {number}"),
        (
            False,
            "Out of stock.",
            "REJECTED",
            "REJECT",
            "{supplier} rejected purchase order {number}",
        ),
    ],
)
def test_the_supplier_answers_without_a_new_version(
    trading_pair,
    sent_purchase_order,
    django_capture_on_commit_callbacks,
    send_queued_mail,
    accept,
    remarks,
    status,
    word,
    subject,
):
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = confirm_purchase_order(
            purchase_order=sent_purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=accept,
            remarks=remarks,
            expected_version=1,
        )

    # Sent, not yet acknowledged: the order still awaits confirmation, the answer pending.
    message = OutboundMessage.objects.get(kind="req-confirm")
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.version) == ("CREATED", 1)
    assert (confirmed.pending_action, confirmed.pending_message) == (word, message)
    attempt = StatusChange.objects.get(action=word)
    assert (attempt.stage, attempt.from_status, attempt.to_status) == (
        "attempted",
        "CREATED",
        status,
    )
    assert (attempt.actor, attempt.actor_business, attempt.remarks) == (
        trading_pair.supplier_user,
        trading_pair.supplier,
        remarks,
    )
    assert message.object_version == 1
    confirmation = encoding.loads(message.body)["poConfirmation"]
    assert confirmation["supplierResponse"] == word
    assert confirmation["poStatusTransition"] == {"currentStatus": "CREATED", "newStatus": status}
    # Nothing is mailed, nor queued to be, before the network acknowledges.
    assert send_queued_mail() == 0
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        acknowledged(confirmed)
    assert send_queued_mail() == 1

    fresh = get_purchase_order_with_contents(pk=confirmed.pk)
    assert (fresh.status, fresh.previous_status, fresh.version, fresh.previous_version) == (
        status,
        "CREATED",
        1,
        1,
    )
    assert fresh.pending_action == ""
    assert message.body == encoding.dumps(
        payloads.build_confirm_request(
            fresh, supplier_response=word, remarks=remarks, from_status="CREATED"
        )
    )
    applied = StatusChange.objects.get(action=word, stage="applied")
    assert (applied.actor, applied.actor_business, applied.remarks, applied.message) == (
        trading_pair.supplier_user,
        trading_pair.supplier,
        remarks,
        message,
    )
    assert [email.to for email in mail.outbox] == [[trading_pair.buyer_user.email]]
    assert mail.outbox[-1].subject == subject.format(
        supplier=trading_pair.supplier, number=fresh.buyer_po_number
    )


def test_a_rejection_needs_remarks(trading_pair, sent_purchase_order, unchanged):
    check = unchanged(sent_purchase_order)

    with pytest.raises(InvalidPurchaseOrder) as refused:
        confirm_purchase_order(
            purchase_order=sent_purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=False,
            remarks="",
        )

    assert refused.value.path == ("remarks",)
    check()


@pytest.mark.parametrize(
    "who", ["supplier of another business", "buyer of this order", "buyer role in the supplier"]
)
def test_only_the_suppliers_people_may_confirm(trading_pair, sent_purchase_order, unchanged, who):
    user = {
        "supplier of another business": lambda: MembershipFactory(
            business=BusinessFactory(), role=Membership.Role.SUPPLIER
        ).user,
        "buyer of this order": lambda: trading_pair.buyer_user,
        "buyer role in the supplier": lambda: MembershipFactory(
            business=trading_pair.supplier, role=Membership.Role.BUYER
        ).user,
    }[who]()
    check = unchanged(sent_purchase_order)

    with pytest.raises(NotAllowed):
        confirm_purchase_order(
            purchase_order=sent_purchase_order, confirmed_by=user, accept=True, remarks=""
        )

    check()


def test_a_draft_cannot_be_confirmed(trading_pair, draft_purchase_order, unchanged):
    check = unchanged(draft_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        confirm_purchase_order(
            purchase_order=draft_purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=True,
            remarks="",
        )

    assert refused.value.message == "This purchase order cannot be accepted: its status is “Draft”."
    check()


def test_an_accepted_purchase_order_cannot_be_accepted_again(
    trading_pair, accepted_purchase_order, unchanged
):
    check = unchanged(accepted_purchase_order)

    with pytest.raises(TransitionNotAllowed):
        confirm_purchase_order(
            purchase_order=accepted_purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=True,
            remarks="",
        )

    check()


def test_a_confirmation_of_an_older_version_is_refused(
    trading_pair, sent_purchase_order, unchanged
):
    check = unchanged(sent_purchase_order)

    with pytest.raises(StaleVersion) as refused:
        confirm_purchase_order(
            purchase_order=sent_purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=True,
            remarks="",
            expected_version=0,
        )

    assert "now version 1" in refused.value.message
    check()


def test_an_order_whose_send_is_pending_cannot_be_confirmed_yet(
    trading_pair, pending_send, unchanged
):
    check = unchanged(pending_send)

    with pytest.raises(TransitionNotAllowed) as refused:
        confirm_purchase_order(
            purchase_order=pending_send,
            confirmed_by=trading_pair.supplier_user,
            accept=True,
            remarks="",
        )

    assert refused.value.message.startswith("This purchase order has been sent, and is waiting")
    check()
