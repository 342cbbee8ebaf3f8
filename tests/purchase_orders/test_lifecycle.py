"""lifecycle: the one table of moves, the version rule, and the model choices built from it."""

import pytest

from purchase_orders import lifecycle
from purchase_orders.models import Membership, Party, PurchaseOrder, StatusChange


def test_the_model_choices_are_the_lifecycles_statuses_and_roles_in_its_order():
    assert PurchaseOrder.Status.choices == list(lifecycle.STATUS_LABELS.items())
    assert StatusChange._meta.get_field("to_status").choices == list(
        lifecycle.STATUS_LABELS.items()
    )
    assert Party.Role.choices == list(lifecycle.ROLE_LABELS.items())
    # A membership's roles include the two sides, under the same values.
    assert {lifecycle.BUYER, lifecycle.SUPPLIER} < set(Membership.Role.values)
    assert (PurchaseOrder.Status.CREATED, Membership.Role.SUPPLIER) == ("CREATED", "supplier")


@pytest.mark.parametrize(
    ("action", "status", "allowed"),
    [
        ("SEND", "DRAFT", True),
        ("SEND", "CREATED", False),
        ("EDIT", "REJECTED", True),
        ("EDIT", "CANCELLED", False),
        ("ACCEPT", "CREATED", True),
        ("ACCEPT", "ACCEPTED", False),
        ("FULFILL", "ACCEPTED", True),
        ("CLOSE", "FULFILLED", True),
        ("CANCEL", "FULFILLED", False),
        ("UNHEARD_OF", "CREATED", False),
    ],
)
def test_find_transition_answers_from_the_one_table(action, status, allowed):
    assert (lifecycle.find_transition(action, status) is not None) is allowed


def test_each_side_is_offered_only_its_own_moves_in_table_order():
    buyer = lifecycle.allowed_transitions("ACCEPTED", lifecycle.BUYER)
    supplier = lifecycle.allowed_transitions("CREATED", lifecycle.SUPPLIER)

    assert [t.label for t in buyer] == ["Edit", "Cancel", "Mark fulfilled", "Close"]
    assert [t.label for t in supplier] == ["Confirm", "Reject"]
    assert lifecycle.allowed_transitions("CREATED", "outsider") == []


def test_send_and_edit_bump_the_version_and_the_rest_keep_it():
    actions = ("SEND", "EDIT", "ACCEPT", "CLOSE")

    assert [lifecycle.next_version(3, action) for action in actions] == [4, 4, 3, 3]
    assert lifecycle.previous_version(4, "EDIT") == 3
    assert lifecycle.previous_version(4, "REJECT") == 4


def test_statuses_reachable_without_a_new_version_follow_the_moves_that_keep_it():
    assert lifecycle.statuses_reachable_within_version("CREATED") == {
        "ACCEPTED",
        "REJECTED",
        "CANCELLED",
        "FULFILLED",
        "CLOSED",
    }
    assert lifecycle.statuses_reachable_within_version("FULFILLED") == {"CLOSED"}
    assert lifecycle.statuses_reachable_within_version("CLOSED") == set()


def test_the_approval_steps_are_local_moves_between_the_draft_and_waiting_for_approval():
    local = [t for t in lifecycle.TRANSITIONS if t.local]

    assert [(t.action, t.actor, t.from_statuses, t.to_status) for t in local] == [
        ("SUBMIT", "buyer", ("DRAFT",), "AWAITING_APPROVAL"),
        ("APPROVE", "approver", ("AWAITING_APPROVAL",), "DRAFT"),
        ("RETURN", "approver", ("AWAITING_APPROVAL",), "DRAFT"),
    ]
    assert [t.label for t in local] == ["Submit for approval", "Approve", "Return"]
    assert not any(t.bumps_version for t in local)
    assert lifecycle.LOCAL_STATUSES == ("DRAFT", "AWAITING_APPROVAL")
    assert lifecycle.STATUS_LABELS["AWAITING_APPROVAL"] == "Waiting for approval"
    assert lifecycle.NETWORK_ACTIONS == (
        "SEND",
        "EDIT",
        "ACCEPT",
        "REJECT",
        "CANCEL",
        "FULFILL",
        "CLOSE",
    )
    # An order waits for the network's answer only to what the network carries.
    assert [action for action, _ in lifecycle.ACTION_CHOICES] == list(lifecycle.NETWORK_ACTIONS)
    assert lifecycle.is_local("APPROVE") is True
    assert lifecycle.is_local("SEND") is False
    assert lifecycle.is_local("") is False


def test_a_draft_offers_its_buyer_the_send_and_the_submission_and_an_approver_the_decision():
    assert [t.label for t in lifecycle.allowed_transitions("DRAFT", lifecycle.BUYER)] == [
        "Send to supplier",
        "Submit for approval",
    ]
    assert lifecycle.allowed_transitions("AWAITING_APPROVAL", lifecycle.BUYER) == []
    assert [
        t.label for t in lifecycle.allowed_transitions("AWAITING_APPROVAL", lifecycle.APPROVER)
    ] == ["Approve", "Return"]
    assert lifecycle.allowed_transitions("CREATED", lifecycle.APPROVER) == []


def test_no_network_move_leads_into_or_out_of_waiting_for_approval():
    assert lifecycle.statuses_reachable_within_version("AWAITING_APPROVAL") == set()
    for status in lifecycle.STATUSES:
        assert "AWAITING_APPROVAL" not in lifecycle.statuses_reachable_within_version(status)
