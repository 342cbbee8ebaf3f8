"""purchase_order_actions: what a viewer may do with one purchase order, from the table."""

import pytest

from purchase_orders import selectors
from purchase_orders.models import OutboundMessage

pytestmark = pytest.mark.django_db


def actions_of(user, purchase_order):
    viewer = selectors.get_viewer(user)
    return selectors.purchase_order_actions(viewer=viewer, purchase_order=purchase_order)


@pytest.mark.parametrize(
    ("status", "edit_mode", "moves", "sends"),
    [
        ("DRAFT", "draft", [], True),
        ("CREATED", "edit", ["CANCEL"], False),
        ("ACCEPTED", "edit", ["CANCEL", "FULFILL", "CLOSE"], False),
        ("REJECTED", "edit", ["CANCEL"], False),
        ("FULFILLED", "", ["CLOSE"], False),
        ("CANCELLED", "", [], False),
        ("CLOSED", "", [], False),
    ],
)
def test_the_buyer_is_offered_the_tables_moves_for_each_status(
    people, status, edit_mode, moves, sends
):
    purchase_order = people.purchase_order(status=status, version=0 if status == "DRAFT" else 1)

    actions = actions_of(people.buyer_user, purchase_order)

    assert (actions.is_buyer, actions.is_supplier) == (True, False)
    assert actions.edit_mode == edit_mode
    assert [transition.action for transition in actions.status_moves] == moves
    assert actions.may("SEND") is sends
    assert actions.may("ACCEPT") is False


@pytest.mark.parametrize(("status", "answers"), [("CREATED", True), ("ACCEPTED", False)])
def test_the_supplier_may_answer_only_a_sent_order(people, status, answers):
    purchase_order = people.purchase_order(status=status, version=1)

    actions = actions_of(people.supplier_user, purchase_order)

    assert (actions.may("ACCEPT"), actions.may("REJECT")) == (answers, answers)
    assert (actions.edit_mode, actions.status_moves, actions.may("CANCEL")) == ("", [], False)


def test_an_outsider_may_do_nothing(people):
    purchase_order = people.purchase_order(status="CREATED", version=1)

    actions = actions_of(people.outsider_user, purchase_order)

    assert actions.roles == frozenset() and actions.senders == frozenset()
    assert not any(actions.may(action) for action in ("SEND", "EDIT", "ACCEPT", "CANCEL"))


def test_only_the_sender_of_a_failed_message_may_retry_it(people):
    purchase_order = people.purchase_order(status="CREATED", version=1)
    failed_send = people.message(purchase_order, state=OutboundMessage.State.FAILED)
    failed_confirm = people.message(
        purchase_order, kind=OutboundMessage.Kind.CONFIRM, state=OutboundMessage.State.FAILED
    )
    queued_send = people.message(purchase_order)

    buyer, supplier = (
        actions_of(people.buyer_user, purchase_order),
        actions_of(people.supplier_user, purchase_order),
    )

    assert (buyer.may_retry(failed_send), buyer.may_retry(failed_confirm)) == (True, False)
    assert (supplier.may_retry(failed_send), supplier.may_retry(failed_confirm)) == (False, True)
    assert buyer.may_retry(queued_send) is False
