"""edit_purchase_order: a sent purchase order gets a new version the supplier confirms again."""

import copy
from decimal import Decimal

import pytest
from django.core import mail

from purchase_orders.contents import MilestoneContents
from purchase_orders.enkash import encoding, payloads
from purchase_orders.exceptions import (
    InvalidPurchaseOrder,
    NotAllowed,
    StaleVersion,
    TransitionNotAllowed,
)
from purchase_orders.forms.editor import field_name
from purchase_orders.models import (
    Membership,
    OutboundMessage,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    edit_purchase_order,
)
from purchase_orders.totals import apply_computed_totals
from tests.factories import BusinessFactory, MembershipFactory
from tests.plugins.network import acknowledged, contents_of

pytestmark = pytest.mark.django_db


def more_paper(purchase_order) -> dict:
    """Return the contents with line 1 at 25 boxes and one milestone for the new total."""
    contents = contents_of(purchase_order)
    contents.header.subject = "Office supplies, revised"
    contents.lines[0].quantity = Decimal("25.000")
    total = apply_computed_totals(copy.deepcopy(contents)).header.total_po_value
    contents.milestones = [MilestoneContents(due_on=None, due_amount=total)]
    return contents


def test_edit_makes_version_2_with_recomputed_totals_and_a_message(
    trading_pair, sent_purchase_order, django_capture_on_commit_callbacks, send_queued_mail
):
    before = contents_of(sent_purchase_order)

    with django_capture_on_commit_callbacks(execute=True):
        edited = edit_purchase_order(
            purchase_order=sent_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=more_paper(sent_purchase_order),
            reason="Need more paper.",
            expected_version=1,
        )

    # Sent, not yet acknowledged: the order keeps version 1 and its contents; version 2
    # exists as its snapshot and its message only.
    message = OutboundMessage.objects.get(kind="req-edit")
    pending = get_purchase_order_with_contents(pk=edited.pk)
    assert (pending.status, pending.version, pending.subject) == ("CREATED", 1, "Office supplies")
    assert contents_of(pending) == before
    assert (pending.pending_action, pending.pending_message) == ("EDIT", message)
    assert message.object_version == 2
    assert encoding.loads(message.body)["purchaseOrder"]["objectVersion"] == {
        "currentVersion": 1,
        "newVersion": 2,
    }
    version = PurchaseOrderVersion.objects.get(version=2)
    assert (version.reason, version.created_by) == ("Need more paper.", trading_pair.buyer_user)
    attempt = StatusChange.objects.get(action="EDIT")
    assert (attempt.stage, attempt.from_status, attempt.to_status, attempt.version) == (
        "attempted",
        "CREATED",
        "CREATED",
        2,
    )
    assert attempt.remarks == "Need more paper."
    # Nothing is mailed, nor queued to be, before the network acknowledges.
    assert send_queued_mail() == 0
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        acknowledged(edited)
    assert send_queued_mail() == 1

    fresh = get_purchase_order_with_contents(pk=edited.pk)
    assert (fresh.status, fresh.previous_status, fresh.version, fresh.previous_version) == (
        "CREATED",
        "CREATED",
        2,
        1,
    )
    assert fresh.subject == "Office supplies, revised"
    line = fresh.lines.all()[0]
    # 25 × 125.50 = 3137.50, IGST 18 % (Karnataka buyer, Maharashtra supplier) = 564.75.
    assert (line.quantity, line.total_amount, line.total_item_value) == (
        Decimal("25.000"),
        Decimal("3137.50"),
        Decimal("3702.25"),
    )
    second_line = fresh.lines.all()[1]
    assert fresh.total_po_value == Decimal("3702.25") + second_line.total_item_value
    assert (fresh.object_id, fresh.buyer_po_number) == (
        sent_purchase_order.object_id,
        sent_purchase_order.buyer_po_number,
    )
    assert message.body == encoding.dumps(payloads.build_edit_request(fresh))
    applied = StatusChange.objects.get(action="EDIT", stage="applied")
    assert (applied.from_status, applied.to_status, applied.remarks) == (
        "CREATED",
        "CREATED",
        "Need more paper.",
    )
    assert [email.to for email in mail.outbox] == [[trading_pair.supplier_user.email]]
    assert mail.outbox[-1].subject == (
        f"Purchase order {fresh.buyer_po_number} changed to version 2"
    )


def test_editing_an_accepted_purchase_order_sends_it_back_for_confirmation(
    trading_pair, accepted_purchase_order
):
    edited = edit_purchase_order(
        purchase_order=accepted_purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=more_paper(accepted_purchase_order),
        reason="Need more paper.",
        expected_version=1,
    )

    edited.refresh_from_db()
    assert (edited.status, edited.version, edited.pending_action) == ("ACCEPTED", 1, "EDIT")
    transition = encoding.loads(OutboundMessage.objects.get(kind="req-edit").body)[
        "purchaseOrder"
    ]["poStatusTransition"]
    assert transition == {"currentStatus": "ACCEPTED", "newStatus": "CREATED"}
    edited = acknowledged(edited)
    assert (edited.status, edited.previous_status, edited.version) == ("CREATED", "ACCEPTED", 2)


def test_an_edit_based_on_an_older_version_is_refused(
    trading_pair, sent_purchase_order, unchanged
):
    check = unchanged(sent_purchase_order)

    with pytest.raises(StaleVersion) as refused:
        edit_purchase_order(
            purchase_order=sent_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=more_paper(sent_purchase_order),
            reason="Need more paper.",
            expected_version=0,
        )

    assert refused.value.message == (
        "This purchase order was changed by someone else (now version 1). "
        "Reload it and try again."
    )
    check()


@pytest.mark.parametrize(
    "who",
    ["buyer of another business", "supplier of this order", "supplier role in the buyer"],
)
def test_only_the_buyers_people_may_edit(trading_pair, sent_purchase_order, unchanged, who):
    user = {
        "buyer of another business": lambda: MembershipFactory(
            business=BusinessFactory(), role=Membership.Role.BUYER
        ).user,
        "supplier of this order": lambda: trading_pair.supplier_user,
        "supplier role in the buyer": lambda: MembershipFactory(
            business=trading_pair.buyer, role=Membership.Role.SUPPLIER
        ).user,
    }[who]()
    contents = more_paper(sent_purchase_order)
    check = unchanged(sent_purchase_order)

    with pytest.raises(NotAllowed):
        edit_purchase_order(
            purchase_order=sent_purchase_order,
            edited_by=user,
            contents=contents,
            reason="Need more paper.",
            expected_version=1,
        )

    check()


def test_a_draft_is_not_edited_through_the_network(trading_pair, draft_purchase_order, unchanged):
    contents = contents_of(draft_purchase_order)
    check = unchanged(draft_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        edit_purchase_order(
            purchase_order=draft_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=contents,
            reason="Typo.",
            expected_version=0,
        )

    assert refused.value.message == "This purchase order cannot be edited: its status is “Draft”."
    check()


def test_a_cancelled_purchase_order_cannot_be_edited(trading_pair, sent_purchase_order, unchanged):
    acknowledged(
        change_purchase_order_status(
            purchase_order=sent_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CANCEL",
            remarks="No longer needed.",
        )
    )
    contents = more_paper(sent_purchase_order)
    check = unchanged(sent_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        edit_purchase_order(
            purchase_order=sent_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=contents,
            reason="Need more paper.",
            expected_version=1,
        )

    assert refused.value.message == (
        "This purchase order cannot be edited: its status is “Cancelled”."
    )
    check()


def test_an_edit_while_another_is_pending_is_refused(trading_pair, sent_purchase_order, unchanged):
    edit_purchase_order(
        purchase_order=sent_purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=more_paper(sent_purchase_order),
        reason="Need more paper.",
        expected_version=1,
    )
    contents = more_paper(sent_purchase_order)
    check = unchanged(sent_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        edit_purchase_order(
            purchase_order=sent_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=contents,
            reason="And pens.",
            expected_version=1,
        )

    assert refused.value.message == (
        "A new version has been sent for this purchase order, and is waiting for the "
        "network's answer. Try again once it has come (the page shows it)."
    )
    check()
    assert list(PurchaseOrderVersion.objects.values_list("version", flat=True)) == [1, 2]


def test_an_edit_needs_a_reason(trading_pair, sent_purchase_order, unchanged):
    contents = more_paper(sent_purchase_order)
    check = unchanged(sent_purchase_order)

    with pytest.raises(InvalidPurchaseOrder) as refused:
        edit_purchase_order(
            purchase_order=sent_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=contents,
            reason="  ",
            expected_version=1,
        )

    assert refused.value.path == ("reason",)
    check()


def bad_hsn(contents):
    contents.lines[0].hsn_code = "12345"


def milestones_short(contents):
    contents.milestones[0].due_amount = Decimal("10.00")


def other_supplier(contents):
    contents.parties["supplier"].b2b_id = "B2B-SOMEONE-ELSE"


def no_lines(contents):
    contents.lines = []
    contents.milestones = []


@pytest.mark.parametrize(
    ("breakage", "field"),
    [
        (bad_hsn, "lines-0-hsn_code"),
        (milestones_short, "milestones"),
        (other_supplier, "supplier"),
        (no_lines, "lines"),
    ],
)
def test_invalid_edited_contents_change_nothing(
    trading_pair, sent_purchase_order, unchanged, breakage, field
):
    contents = more_paper(sent_purchase_order)
    breakage(contents)
    check = unchanged(sent_purchase_order)

    with pytest.raises(InvalidPurchaseOrder) as refused:
        edit_purchase_order(
            purchase_order=sent_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=contents,
            reason="Need more paper.",
            expected_version=1,
        )

    assert field_name(refused.value.path) == field
    check()


def test_the_callers_contents_are_not_modified(trading_pair, sent_purchase_order):
    contents = more_paper(sent_purchase_order)
    contents.lines[0].total_amount = Decimal("0.00")
    given = copy.deepcopy(contents)

    edit_purchase_order(
        purchase_order=sent_purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=contents,
        reason="Need more paper.",
        expected_version=1,
    )

    assert contents == given
