"""selectors.approvals: who must ask for approval, and what waits for whose."""

from decimal import Decimal

import pytest

from purchase_orders.models import Membership
from purchase_orders.selectors import approval_needed, get_viewer, waiting_for_approval
from purchase_orders.services.approvals import submit_for_approval
from tests.factories import BusinessFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("limit", "total", "approver", "own", "needed"),
    [
        (None, "1000000.00", False, False, False),
        ("50000.00", "50000.00", False, False, False),
        ("50000.00", "50000.01", False, False, True),
        ("0.00", "0.01", False, False, True),
        ("50000.00", "120000.00", True, False, True),
        ("50000.00", "120000.00", True, True, False),
        ("50000.00", "120000.00", False, True, True),
    ],
)
def test_approval_is_needed_over_the_limit_unless_an_approver_may_approve_their_own(
    limit, total, approver, own, needed
):
    business = BusinessFactory.build(
        trade_name="Nandi Precision",
        approval_limit=limit and Decimal(limit),
        approvers_may_approve_own=own,
    )

    need = approval_needed(business=business, total=Decimal(total), approver_of_own=approver)

    assert (need is not None) is needed
    if need is not None:
        assert need.limit == Decimal(limit)


def test_the_reason_names_the_total_the_business_and_its_limit():
    business = BusinessFactory.build(
        trade_name="Nandi Precision", approval_limit=Decimal("50000.00")
    )

    need = approval_needed(business=business, total=Decimal("120000.00"), approver_of_own=False)

    assert need.reason == (
        "Total ₹1,20,000.00 is over Nandi Precision's approval limit of ₹50,000.00."
    )


def test_an_approver_is_waited_for_by_their_businesss_orders_but_not_by_their_own(people):
    people.buyer.approval_limit = Decimal("0.00")
    people.buyer.save(update_fields=["approval_limit"])
    approver = people.approver_user
    MembershipFactory(user=people.buyer_user, business=people.buyer, role=Membership.Role.APPROVER)
    theirs = people.purchase_order(lines=1)
    own = people.purchase_order(lines=1, created_by=approver)
    elsewhere = MembershipFactory(business=BusinessFactory(), role=Membership.Role.APPROVER).user
    submit_for_approval(purchase_order=theirs, submitted_by=people.buyer_user)
    MembershipFactory(user=approver, business=people.buyer, role=Membership.Role.BUYER)
    submit_for_approval(purchase_order=own, submitted_by=approver)

    assert list(waiting_for_approval(viewer=get_viewer(approver))) == [theirs]
    # Each of the two wrote and submitted one: the other's waits for them, their own does not.
    assert list(waiting_for_approval(viewer=get_viewer(people.buyer_user))) == [own]
    assert list(waiting_for_approval(viewer=get_viewer(elsewhere))) == []
    people.buyer.approvers_may_approve_own = True
    people.buyer.save(update_fields=["approvers_may_approve_own"])
    assert list(waiting_for_approval(viewer=get_viewer(approver))) == [theirs, own]
