"""Payment milestones due soon, for the home page: the viewer's orders that are still to pay."""

import datetime

import pytest

from purchase_orders.lifecycle import BUYER, SUPPLIER
from purchase_orders.models import PaymentMilestone
from purchase_orders.selectors import get_viewer, milestones_due

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def due(purchase_order, day: datetime.date) -> PaymentMilestone:
    milestone = purchase_order.milestones.get()
    milestone.due_on = day
    milestone.save()
    return milestone


def test_the_buyer_gets_the_milestones_due_from_today_to_a_week_ahead_soonest_first(people):
    order = people.purchase_order(sent=True, lines=1, buyer_po_number="PO/DUE/1")
    other = people.purchase_order(accepted=True, lines=1, buyer_po_number="PO/DUE/2")
    last = people.purchase_order(status="FULFILLED", version=1, lines=1)
    week = due(order, TODAY + datetime.timedelta(days=7))
    today = due(other, TODAY)
    due(last, TODAY + datetime.timedelta(days=8))
    yesterday = people.purchase_order(sent=True, lines=1)
    due(yesterday, TODAY - datetime.timedelta(days=1))

    found = list(milestones_due(viewer=get_viewer(people.buyer_user), role=BUYER, today=TODAY))

    assert found == [today, week]


@pytest.mark.parametrize(
    "status", ["DRAFT", "AWAITING_APPROVAL", "REJECTED", "CANCELLED", "CLOSED"]
)
def test_orders_not_sent_or_whose_payments_are_over_are_left_out(people, status):
    due(people.purchase_order(status=status, version=1, lines=1), TODAY)

    assert not milestones_due(viewer=get_viewer(people.buyer_user), role=BUYER, today=TODAY)


def test_each_side_sees_its_own_orders_only(people):
    ours = due(people.purchase_order(sent=True, lines=1, buyer_po_number="PO/A/1"), TODAY)
    theirs = due(
        people.purchase_order(
            sent=True,
            lines=1,
            buyer=people.outsider,
            supplier=people.supplier,
            buyer_po_number="PO/B/1",
        ),
        TODAY,
    )
    buyer, supplier = get_viewer(people.buyer_user), get_viewer(people.supplier_user)

    assert list(milestones_due(viewer=buyer, role=BUYER, today=TODAY)) == [ours]
    assert list(milestones_due(viewer=supplier, role=SUPPLIER, today=TODAY)) == [ours, theirs]
    assert not milestones_due(viewer=supplier, role=BUYER, today=TODAY)
    assert not milestones_due(viewer=get_viewer(people.outsider_user), role=SUPPLIER, today=TODAY)
