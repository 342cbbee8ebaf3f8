"""Approvals: a version over the buyer's approval limit waits for an approver, then goes out."""

import dataclasses
import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection

from purchase_orders import lifecycle, selectors
from purchase_orders.contents import read_contents
from purchase_orders.enkash import conventions, encoding, payloads
from purchase_orders.exceptions import (
    InvalidPurchaseOrder,
    NotAllowed,
    StaleVersion,
    TransitionNotAllowed,
)
from purchase_orders.models import (
    ApprovalRequest,
    Business,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services import approvals
from purchase_orders.services.drafts import update_draft
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from purchase_orders.services.transitions import (
    begin_action,
    move_purchase_order,
    take_local_step,
)
from purchase_orders.templatetags.portal import format_inr
from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.plugins.network import acknowledged, contents_of, revised_contents

pytestmark = pytest.mark.django_db

LIMIT = Decimal("1000.00")


@dataclass
class Approvals:
    """A buyer with an approval limit of ₹1,000.00, its buyer and approver, and a supplier."""

    buyer: Business
    supplier: Business
    buyer_user: object
    approver_user: object
    supplier_user: object

    def set(self, limit=LIMIT, *, own: bool = False) -> None:
        self.buyer.approval_limit = limit
        self.buyer.approvers_may_approve_own = own
        self.buyer.save(update_fields=["approval_limit", "approvers_may_approve_own"])


@pytest.fixture
def setup(trading_pair) -> Approvals:
    approver = MembershipFactory(
        user=UserFactory(first_name="Meera", last_name="Iyer"),
        business=trading_pair.buyer,
        role=Membership.Role.APPROVER,
    ).user
    trading_pair.buyer.approval_limit = LIMIT
    trading_pair.buyer.trade_name = "Nandi Precision"
    trading_pair.buyer.save(update_fields=["approval_limit", "trade_name"])
    trading_pair.supplier.trade_name = "Sahyadri Industrial"
    trading_pair.supplier.save(update_fields=["trade_name"])
    return Approvals(
        buyer=trading_pair.buyer,
        supplier=trading_pair.supplier,
        buyer_user=trading_pair.buyer_user,
        approver_user=approver,
        supplier_user=trading_pair.supplier_user,
    )


@pytest.fixture
def draft(trading_pair, setup) -> PurchaseOrder:
    purchase_order = trading_pair.purchase_order(created_by=setup.buyer_user)
    assert purchase_order.total_po_value > LIMIT
    return purchase_order


@pytest.fixture
def submitted(setup, draft) -> PurchaseOrder:
    approvals.submit_for_approval(purchase_order=draft, submitted_by=setup.buyer_user)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def sent(setup, trading_pair) -> PurchaseOrder:
    """An order sent before the limit was set, acknowledged: CREATED, version 1."""
    setup.set(None)
    purchase_order = trading_pair.purchase_order(created_by=setup.buyer_user)
    send_purchase_order(purchase_order=purchase_order, sent_by=setup.buyer_user)
    purchase_order = acknowledged(purchase_order)
    setup.set(LIMIT)
    return purchase_order


def over_the_limit(purchase_order) -> str:
    return (
        f"Total {format_inr(purchase_order.total_po_value)} is over {purchase_order.buyer}'s "
        "approval limit of ₹1,000.00."
    )


def steps(purchase_order) -> list[tuple]:
    return list(
        StatusChange.objects.filter(purchase_order=purchase_order).values_list(
            "action", "stage", "from_status", "to_status", "version", "actor__username", "remarks"
        )
    )


def mails_to(user) -> list:
    return [email for email in mail.outbox if email.to == [user.email]]


def submit_edit(setup, purchase_order, quantity="40.000", reason="Forty boxes for the year."):
    contents = revised_contents(purchase_order, Decimal(quantity))
    return approvals.submit_edit_for_approval(
        purchase_order=purchase_order,
        edited_by=setup.buyer_user,
        contents=contents,
        reason=reason,
        expected_version=purchase_order.version,
    )


# -- the rule --------------------------------------------------------------------------


def test_a_send_over_the_limit_is_refused_without_approval_and_changes_nothing(
    setup, draft, unchanged
):
    check = unchanged(draft)

    with pytest.raises(NotAllowed) as refused:
        send_purchase_order(purchase_order=draft, sent_by=setup.buyer_user)

    assert refused.value.message == (
        f"{over_the_limit(draft)} Submit it for approval: an approver sends it from there."
    )
    check()


@pytest.mark.parametrize("limit", ["total", None])
def test_a_send_at_the_limit_or_without_one_needs_no_approval(setup, draft, limit):
    setup.set(draft.total_po_value if limit == "total" else None)

    send_purchase_order(purchase_order=draft, sent_by=setup.buyer_user)

    draft.refresh_from_db()
    assert draft.pending_action == lifecycle.SEND
    version = PurchaseOrderVersion.objects.get()
    assert (version.approved_by, version.approved_by_name, version.approved_at) == (None, "", None)
    assert not ApprovalRequest.objects.exists()


@pytest.mark.parametrize(
    ("limit", "why"),
    [
        (None, "Nandi Precision sets no approval limit"),
        (
            "1000000.00",
            "Its total of {total} is within Nandi Precision's approval limit of ₹10,00,000.00",
        ),
    ],
)
def test_submitting_what_needs_no_approval_is_refused(setup, draft, unchanged, limit, why):
    setup.set(limit and Decimal(limit))
    check = unchanged(draft)

    with pytest.raises(NotAllowed) as refused:
        approvals.submit_for_approval(purchase_order=draft, submitted_by=setup.buyer_user)

    assert refused.value.message == (
        "This purchase order needs no approval. "
        f"{why.format(total=format_inr(draft.total_po_value))}: send it to the supplier."
    )
    check()


def test_an_approver_who_may_approve_their_own_sends_directly_and_the_version_says_so(
    setup, draft, unchanged
):
    setup.set(LIMIT, own=True)
    MembershipFactory(user=setup.buyer_user, business=setup.buyer, role=Membership.Role.APPROVER)
    check = unchanged(draft)

    with pytest.raises(NotAllowed) as refused:
        approvals.submit_for_approval(purchase_order=draft, submitted_by=setup.buyer_user)
    check()
    send_purchase_order(purchase_order=draft, sent_by=setup.buyer_user)

    assert refused.value.message == (
        "This purchase order needs no approval. As an approver of Nandi Precision, you may approve "
        "your own orders: send it to the supplier."
    )
    version = PurchaseOrderVersion.objects.get()
    assert (version.approved_by, version.created_by) == (setup.buyer_user, setup.buyer_user)


def test_an_approver_who_may_not_approve_their_own_must_submit_for_another(setup, draft, unchanged):
    MembershipFactory(user=setup.buyer_user, business=setup.buyer, role=Membership.Role.APPROVER)

    with pytest.raises(NotAllowed):
        send_purchase_order(purchase_order=draft, sent_by=setup.buyer_user)
    approvals.submit_for_approval(purchase_order=draft, submitted_by=setup.buyer_user)
    draft.refresh_from_db()
    check = unchanged(draft)
    with pytest.raises(NotAllowed) as refused:
        approvals.approve_purchase_order(purchase_order=draft, approved_by=setup.buyer_user)
    check()
    approvals.approve_purchase_order(purchase_order=draft, approved_by=setup.approver_user)

    assert refused.value.message == (
        "You wrote or submitted this purchase order, and at Nandi Precision approvers do not "
        "approve their own: another approver decides on it."
    )
    assert PurchaseOrder.objects.get().pending_action == lifecycle.SEND


def test_the_approver_who_wrote_an_order_a_colleague_submitted_does_not_approve_it(
    setup, draft, unchanged
):
    # The approver is a buyer too, and wrote the draft; a colleague submits it.
    MembershipFactory(user=setup.approver_user, business=setup.buyer, role=Membership.Role.BUYER)
    PurchaseOrder.objects.filter(pk=draft.pk).update(created_by=setup.approver_user)
    second = MembershipFactory(business=setup.buyer, role=Membership.Role.APPROVER).user
    approvals.submit_for_approval(purchase_order=draft, submitted_by=setup.buyer_user)
    draft.refresh_from_db()
    check = unchanged(draft)

    with pytest.raises(NotAllowed) as refused:
        approvals.approve_purchase_order(purchase_order=draft, approved_by=setup.approver_user)
    check()
    waiting = selectors.waiting_for_approval(viewer=selectors.get_viewer(setup.approver_user))
    approvals.approve_purchase_order(purchase_order=draft, approved_by=second)

    assert "You wrote or submitted this purchase order" in refused.value.message
    assert list(waiting) == []
    assert PurchaseOrder.objects.get().pending_action == lifecycle.SEND


def test_with_self_approval_on_the_submitter_may_approve_their_own(setup, draft):
    setup.set(LIMIT, own=True)
    # A buyer who is no approver still submits; an approver who submitted decides.
    approvals.submit_for_approval(purchase_order=draft, submitted_by=setup.buyer_user)
    MembershipFactory(user=setup.buyer_user, business=setup.buyer, role=Membership.Role.APPROVER)

    approvals.approve_purchase_order(purchase_order=draft, approved_by=setup.buyer_user)

    version = PurchaseOrderVersion.objects.get()
    assert version.approved_by == setup.buyer_user


def test_submitting_is_refused_when_no_approver_could_decide(setup, draft, unchanged):
    setup.approver_user.is_active = False
    setup.approver_user.save(update_fields=["is_active"])
    check = unchanged(draft)

    with pytest.raises(NotAllowed) as refused:
        approvals.submit_for_approval(purchase_order=draft, submitted_by=setup.buyer_user)

    assert refused.value.message == (
        f"{over_the_limit(draft)} Nandi Precision has no approver who could approve it: ask a "
        "business admin of Nandi Precision to make someone an approver."
    )
    check()


# -- a draft ------------------------------------------------------------------------------


def test_submitting_a_draft_makes_it_wait_sends_nothing_and_tells_the_approvers(
    setup, draft, django_capture_on_commit_callbacks, send_queued_mail, settings
):
    settings.PORTAL_BASE_URL = "https://procurement.example.in"
    other = MembershipFactory(business=setup.buyer, role=Membership.Role.APPROVER).user

    with django_capture_on_commit_callbacks(execute=True):
        approvals.submit_for_approval(purchase_order=draft, submitted_by=setup.buyer_user)
    send_queued_mail()

    draft.refresh_from_db()
    request = draft.waiting_approval
    assert (draft.status, draft.version, draft.pending_action) == ("AWAITING_APPROVAL", 0, "")
    assert (request.action, request.version, request.state) == ("SEND", 1, "waiting")
    assert (request.total_po_value, request.approval_limit) == (draft.total_po_value, LIMIT)
    assert (request.submitted_by, request.submitted_by_name) == (
        setup.buyer_user,
        setup.buyer_user.username,
    )
    # What the approver decides on is the draft as its send would carry it.
    proposed = payloads.parse_snapshot(request.snapshot)
    assert proposed.lines == read_contents(get_purchase_order_with_contents(pk=draft.pk)).lines
    assert request.snapshot["purchaseOrder"]["objectVersion"] == {
        "currentVersion": 0,
        "newVersion": 1,
    }
    assert request.snapshot["purchaseOrder"]["poStatusTransition"] == {
        "currentStatus": "CREATED",
        "newStatus": "CREATED",
    }
    assert steps(draft) == [
        ("SUBMIT", "applied", "DRAFT", "AWAITING_APPROVAL", 1, setup.buyer_user.username, "")
    ]
    assert not OutboundMessage.objects.exists()
    assert not PurchaseOrderVersion.objects.exists()
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [setup.approver_user.email, other.email]
    )
    email = mails_to(setup.approver_user)[0]
    assert email.subject == f"Waiting for your approval: purchase order {draft.buyer_po_number}"
    assert (
        f"{setup.buyer_user.username} of Nandi Precision asks you to approve this purchase order "
        f"before it is sent: its total of {format_inr(draft.total_po_value)} is over the "
        "approval limit of ₹1,000.00."
    ) in email.body
    assert (
        f"Open it in the portal: https://procurement.example.in{draft.get_absolute_url()}"
        in email.body
    )
    assert mails_to(setup.buyer_user) == mails_to(setup.supplier_user) == []


def test_while_a_draft_waits_it_cannot_be_changed_sent_or_submitted_again(
    setup, submitted, unchanged
):
    check = unchanged(submitted)
    said = (
        f"This purchase order cannot be changed while it waits for approval (submitted by "
        f"{setup.buyer_user.username}): an approver approves or returns it first."
    )

    for attempt in (
        lambda: send_purchase_order(purchase_order=submitted, sent_by=setup.buyer_user),
        lambda: approvals.submit_for_approval(
            purchase_order=submitted, submitted_by=setup.buyer_user
        ),
        lambda: update_draft(
            purchase_order=submitted,
            updated_by=setup.buyer_user,
            contents=read_contents(get_purchase_order_with_contents(pk=submitted.pk)),
        ),
    ):
        with pytest.raises(TransitionNotAllowed) as refused:
            attempt()
        assert refused.value.message == said
    check()


def test_approving_sends_the_draft_as_the_approver_with_its_message(
    setup, submitted, django_capture_on_commit_callbacks, send_queued_mail
):
    request = submitted.waiting_approval

    with django_capture_on_commit_callbacks(execute=True):
        approvals.approve_purchase_order(
            purchase_order=submitted,
            approved_by=setup.approver_user,
            expected_request=request.pk,
            remarks="Within this quarter's budget.",
        )
    send_queued_mail()

    submitted.refresh_from_db()
    request.refresh_from_db()
    message = OutboundMessage.objects.get()
    # Sent, as a buyer's send leaves it: a draft with its send pending.
    assert (submitted.status, submitted.pending_action, submitted.pending_message) == (
        "DRAFT",
        "SEND",
        message,
    )
    assert submitted.waiting_approval is None
    assert (message.kind, message.object_version) == ("req-send", 1)
    assert (request.state, request.decided_by, request.message) == (
        "approved",
        setup.approver_user,
        message,
    )
    assert request.remarks == "Within this quarter's budget."
    assert steps(submitted) == [
        ("SUBMIT", "applied", "DRAFT", "AWAITING_APPROVAL", 1, setup.buyer_user.username, ""),
        (
            "APPROVE",
            "applied",
            "AWAITING_APPROVAL",
            "DRAFT",
            1,
            setup.approver_user.username,
            "Within this quarter's budget.",
        ),
        ("SEND", "attempted", "DRAFT", "CREATED", 1, setup.approver_user.username, ""),
    ]
    version = PurchaseOrderVersion.objects.get()
    assert (version.version, version.created_by, version.approved_by) == (
        1,
        setup.buyer_user,
        setup.approver_user,
    )
    assert version.approved_by_name == "Meera Iyer" and version.approved_at is not None
    body = encoding.loads(message.body)["purchaseOrder"]
    assert body["poStatusTransition"] == {"currentStatus": "CREATED", "newStatus": "CREATED"}
    assert payloads.parse_snapshot(request.snapshot).lines == (
        payloads.parse_purchase_order(body).lines
    )
    (told,) = mails_to(setup.buyer_user)
    assert told.subject == f"Meera Iyer approved purchase order {submitted.buyer_po_number}"
    assert "it is on its way to Sahyadri Industrial over the network" in told.body
    assert "Remarks from Meera Iyer:\nWithin this quarter's budget." in told.body
    # The order's facts agree with "on its way": the version sent, not yet acknowledged.
    assert "\nVersion:       1\n" in told.body
    assert "\nStatus:        Sent, waiting for the network\n" in told.body

    # From here it is a send like any other: the network takes it.
    assert acknowledged(submitted).status == "CREATED"


def test_the_approval_and_its_message_are_one_transaction(setup, submitted, monkeypatch, unchanged):
    check = unchanged(submitted)

    def broken(**kwargs):
        raise RuntimeError("the outbox is full")

    monkeypatch.setattr("purchase_orders.services.purchase_orders.begin_action", broken)
    with pytest.raises(RuntimeError):
        approvals.approve_purchase_order(purchase_order=submitted, approved_by=setup.approver_user)

    check()
    assert ApprovalRequest.objects.get().state == "waiting"


def test_approving_twice_is_refused_and_changes_nothing(setup, submitted, unchanged):
    request = submitted.waiting_approval
    approvals.approve_purchase_order(
        purchase_order=submitted, approved_by=setup.approver_user, expected_request=request.pk
    )
    check = unchanged(submitted)

    with pytest.raises(StaleVersion) as again:
        approvals.approve_purchase_order(
            purchase_order=submitted, approved_by=setup.approver_user, expected_request=request.pk
        )
    with pytest.raises(TransitionNotAllowed) as unasked:
        approvals.return_purchase_order(
            purchase_order=submitted, returned_by=setup.approver_user, remarks="Too late."
        )

    assert again.value.message == (
        "This purchase order was approved already, by Meera Iyer. Reload it to see where it stands."
    )
    assert unasked.value.message == (
        "Nothing of this purchase order is waiting for approval. Reload it to see where it stands."
    )
    check()
    assert OutboundMessage.objects.count() == 1


def test_a_decision_on_a_stale_page_is_refused(setup, submitted, unchanged):
    first = submitted.waiting_approval
    approvals.return_purchase_order(
        purchase_order=submitted, returned_by=setup.approver_user, remarks="Split it in two."
    )
    approvals.submit_for_approval(purchase_order=submitted, submitted_by=setup.buyer_user)
    submitted.refresh_from_db()
    check = unchanged(submitted)

    with pytest.raises(StaleVersion) as refused:
        approvals.approve_purchase_order(
            purchase_order=submitted, approved_by=setup.approver_user, expected_request=first.pk
        )

    assert refused.value.message == (
        "This purchase order was submitted again since you opened it. Reload it and decide on "
        "what waits now."
    )
    check()


def test_returning_puts_the_draft_back_with_the_remarks_and_tells_the_buyer(
    setup, submitted, django_capture_on_commit_callbacks, send_queued_mail
):
    with django_capture_on_commit_callbacks(execute=True):
        approvals.return_purchase_order(
            purchase_order=submitted,
            returned_by=setup.approver_user,
            remarks="  Split the DG set maintenance into its own order.  ",
            expected_request=submitted.waiting_approval_id,
        )
    send_queued_mail()

    submitted.refresh_from_db()
    request = ApprovalRequest.objects.get()
    assert (submitted.status, submitted.waiting_approval, submitted.pending_action) == (
        "DRAFT",
        None,
        "",
    )
    assert (request.state, request.remarks) == (
        "returned",
        "Split the DG set maintenance into its own order.",
    )
    assert steps(submitted)[-1] == (
        "RETURN",
        "applied",
        "AWAITING_APPROVAL",
        "DRAFT",
        1,
        setup.approver_user.username,
        "Split the DG set maintenance into its own order.",
    )
    assert not OutboundMessage.objects.exists()
    (told,) = mails_to(setup.buyer_user)
    assert told.subject == (
        f"Meera Iyer returned purchase order {submitted.buyer_po_number} to you"
    )
    assert "Remarks from Meera Iyer:\nSplit the DG set maintenance into its own order." in (
        told.body
    )
    assert "change the draft as the remarks ask, then submit it for approval again" in told.body
    # A draft again: the buyer changes it and asks once more.
    update_draft(
        purchase_order=submitted, updated_by=setup.buyer_user, contents=contents_of(submitted)
    )
    approvals.submit_for_approval(purchase_order=submitted, submitted_by=setup.buyer_user)


def test_returning_needs_remarks(setup, submitted, unchanged):
    check = unchanged(submitted)

    with pytest.raises(InvalidPurchaseOrder) as refused:
        approvals.return_purchase_order(
            purchase_order=submitted, returned_by=setup.approver_user, remarks="   "
        )

    assert (refused.value.message, refused.value.path) == (
        "Say why you return it; the buyer sees your remarks.",
        ("remarks",),
    )
    check()


@pytest.mark.parametrize("who", ["buyer", "supplier", "outsider", "approver elsewhere"])
def test_only_an_approver_of_the_buyer_decides(setup, submitted, unchanged, who):
    user = {
        "buyer": setup.buyer_user,
        "supplier": setup.supplier_user,
        "outsider": UserFactory(),
        "approver elsewhere": MembershipFactory(
            business=BusinessFactory(), role=Membership.Role.APPROVER
        ).user,
    }[who]
    check = unchanged(submitted)

    for decide in (
        lambda: approvals.approve_purchase_order(purchase_order=submitted, approved_by=user),
        lambda: approvals.return_purchase_order(
            purchase_order=submitted, returned_by=user, remarks="No."
        ),
    ):
        with pytest.raises(NotAllowed) as refused:
            decide()
        assert refused.value.message == (
            "Only an approver of Nandi Precision can approve or return its purchase orders."
        )
    check()


def test_only_a_buyer_of_the_business_submits(setup, draft, unchanged):
    check = unchanged(draft)

    for user in (setup.approver_user, setup.supplier_user):
        with pytest.raises(NotAllowed) as refused:
            approvals.submit_for_approval(purchase_order=draft, submitted_by=user)
        assert refused.value.message == (
            "Only a buyer of Nandi Precision can submit its purchase orders for approval."
        )
    check()


# -- an edit ------------------------------------------------------------------------------


def test_an_edit_over_the_limit_is_refused_unless_submitted(setup, sent, unchanged):
    check = unchanged(sent)

    with pytest.raises(NotAllowed) as refused:
        edit_purchase_order(
            purchase_order=sent,
            edited_by=setup.buyer_user,
            contents=revised_contents(sent, Decimal("40.000")),
            reason="Forty boxes.",
            expected_version=1,
        )

    assert refused.value.message.endswith(
        "is over Nandi Precision's approval limit of ₹1,000.00. Submit it for approval: an "
        "approver sends it from there."
    )
    check()


def test_an_edit_submitted_waits_while_the_order_stays_as_acknowledged(
    setup, sent, django_capture_on_commit_callbacks, send_queued_mail
):
    before = contents_of(sent)

    with django_capture_on_commit_callbacks(execute=True):
        submit_edit(setup, sent)
    send_queued_mail()

    sent.refresh_from_db()
    request = sent.waiting_approval
    assert (sent.status, sent.version, sent.pending_action) == ("CREATED", 1, "")
    assert contents_of(sent) == before
    assert (request.action, request.version, request.reason) == (
        "EDIT",
        2,
        "Forty boxes for the year.",
    )
    proposed = payloads.parse_snapshot(request.snapshot)
    assert proposed.lines[0].quantity == Decimal("40.000")
    assert request.total_po_value == proposed.header.total_po_value > LIMIT
    assert steps(sent)[-1] == (
        "SUBMIT",
        "applied",
        "CREATED",
        "CREATED",
        2,
        setup.buyer_user.username,
        "Forty boxes for the year.",
    )
    # Nothing went to the network, and the supplier hears nothing.
    assert OutboundMessage.objects.count() == 1
    assert list(PurchaseOrderVersion.objects.values_list("version", flat=True)) == [1]
    (asked,) = mails_to(setup.approver_user)
    assert "to approve version 2 of this purchase order, an edit" in asked.body
    assert "Why it changes: Forty boxes for the year." in asked.body
    assert mails_to(setup.supplier_user) == []


def test_while_an_edit_waits_the_buyer_starts_nothing_but_the_supplier_may_answer(
    setup, sent, unchanged
):
    submit_edit(setup, sent)
    sent.refresh_from_db()
    check = unchanged(sent)
    said = (
        "This purchase order cannot be changed while version 2 waits for approval (submitted "
        f"by {setup.buyer_user.username}): an approver approves or returns it first."
    )

    for attempt in (
        lambda: submit_edit(setup, sent, quantity="50.000"),
        lambda: edit_purchase_order(
            purchase_order=sent,
            edited_by=setup.buyer_user,
            contents=contents_of(sent),
            reason="Same again.",
            expected_version=1,
        ),
        lambda: change_purchase_order_status(
            purchase_order=sent, changed_by=setup.buyer_user, action="CANCEL", remarks="No."
        ),
    ):
        with pytest.raises(TransitionNotAllowed) as refused:
            attempt()
        assert refused.value.message == said
    check()
    confirm_purchase_order(
        purchase_order=sent, confirmed_by=setup.supplier_user, accept=True, remarks=""
    )
    assert acknowledged(sent).status == "ACCEPTED"


def test_approving_an_edit_publishes_exactly_the_contents_submitted(setup, sent):
    submit_edit(setup, sent)
    sent.refresh_from_db()
    request = sent.waiting_approval

    approvals.approve_purchase_order(
        purchase_order=sent, approved_by=setup.approver_user, expected_request=request.pk
    )

    sent.refresh_from_db()
    message = sent.pending_message
    assert (sent.version, sent.pending_action, message.kind, message.object_version) == (
        1,
        "EDIT",
        "req-edit",
        2,
    )
    version = PurchaseOrderVersion.objects.get(version=2)
    assert (version.reason, version.created_by, version.approved_by) == (
        "Forty boxes for the year.",
        setup.buyer_user,
        setup.approver_user,
    )
    published = payloads.parse_snapshot(version.snapshot)
    submitted_contents = payloads.parse_snapshot(request.snapshot)
    # The same contents; only the marks of the moment it is issued differ.
    marks = ("ts", "status", "previous_status", "previous_version", "version")
    assert dataclasses.replace(
        published, header=dataclasses.replace(published.header, **dict.fromkeys(marks))
    ) == dataclasses.replace(
        submitted_contents,
        header=dataclasses.replace(submitted_contents.header, **dict.fromkeys(marks)),
    )
    assert steps(sent)[-1][:4] == ("EDIT", "attempted", "CREATED", "CREATED")
    assert steps(sent)[-2][:5] == ("APPROVE", "applied", "CREATED", "CREATED", 2)

    acknowledged(sent)
    assert (sent.version, sent.status) == (2, "CREATED")
    assert contents_of(sent).lines[0].quantity == Decimal("40.000")


def test_an_edit_approved_after_the_supplier_accepted_goes_from_accepted(setup, sent):
    submit_edit(setup, sent)
    confirm_purchase_order(
        purchase_order=sent, confirmed_by=setup.supplier_user, accept=True, remarks=""
    )
    acknowledged(sent)

    approvals.approve_purchase_order(purchase_order=sent, approved_by=setup.approver_user)

    message = PurchaseOrder.objects.get().pending_message
    body = encoding.loads(message.body)["purchaseOrder"]
    assert body["poStatusTransition"] == {"currentStatus": "ACCEPTED", "newStatus": "CREATED"}
    assert body["objectVersion"] == {"currentVersion": 1, "newVersion": 2}


def test_returning_an_edit_drops_it_and_the_order_stays(
    setup, sent, django_capture_on_commit_callbacks, send_queued_mail
):
    submit_edit(setup, sent)
    before = contents_of(sent)

    with django_capture_on_commit_callbacks(execute=True):
        approvals.return_purchase_order(
            purchase_order=sent, returned_by=setup.approver_user, remarks="Forty is too many."
        )
    send_queued_mail()

    sent.refresh_from_db()
    assert (sent.status, sent.version, sent.waiting_approval, sent.pending_action) == (
        "CREATED",
        1,
        None,
        "",
    )
    assert contents_of(sent) == before
    assert list(PurchaseOrderVersion.objects.values_list("version", flat=True)) == [1]
    assert OutboundMessage.objects.count() == 1
    assert steps(sent)[-1] == (
        "RETURN",
        "applied",
        "CREATED",
        "CREATED",
        2,
        setup.approver_user.username,
        "Forty is too many.",
    )
    (told,) = mails_to(setup.buyer_user)
    assert "returned your changes (version 2) to this purchase order to you" in told.body
    assert "Remarks from Meera Iyer:\nForty is too many." in told.body
    # The buyer may edit again.
    submit_edit(setup, sent, quantity="30.000", reason="Thirty, then.")


# -- never on the network -----------------------------------------------------------------


def test_no_local_status_or_step_is_ever_in_an_outbound_body(setup, submitted, sent):
    approvals.approve_purchase_order(purchase_order=submitted, approved_by=setup.approver_user)
    submit_edit(setup, sent)
    approvals.approve_purchase_order(purchase_order=sent, approved_by=setup.approver_user)

    bodies = list(OutboundMessage.objects.values_list("body", flat=True))
    assert len(bodies) == 3
    for body in bodies:
        for word in (*lifecycle.APPROVAL_ACTIONS, lifecycle.AWAITING_APPROVAL, "DRAFT"):
            assert f'"{word}"' not in body
        announced = encoding.loads(body)["purchaseOrder"]["poStatusTransition"]
        assert set(announced.values()) <= set(conventions.NETWORK_STATUSES)


def test_the_network_steps_take_no_local_move_and_the_local_step_takes_no_network_one(
    setup, submitted, unchanged
):
    check = unchanged(submitted)

    with pytest.raises(TransitionNotAllowed) as moved:
        move_purchase_order(purchase_order=submitted, action=lifecycle.APPROVE, via_network=True)
    submitted.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        begin_action(
            purchase_order=submitted,
            action=lifecycle.RETURN,
            actor=setup.approver_user,
            business=setup.buyer,
            message=OutboundMessage(),
        )
    with pytest.raises(ValueError):
        take_local_step(
            purchase_order=submitted,
            action=lifecycle.SEND,
            actor=setup.buyer_user,
            business=setup.buyer,
            version=1,
            moves=True,
        )

    assert moved.value.message == (
        "“Approve” is a step of the portal's own; the network neither carries nor makes it."
    )
    check()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
def test_two_approvers_approving_at_once_send_it_once(setup, submitted):
    second = MembershipFactory(business=setup.buyer, role=Membership.Role.APPROVER).user
    request = submitted.waiting_approval_id
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait(timeout=5)
            approvals.approve_purchase_order(
                purchase_order=submitted, approved_by=user, expected_request=request
            )
            outcomes.append("approved")
        except StaleVersion as refused:
            outcomes.append(refused.message.split(",")[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(user,)) for user in (setup.approver_user, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["This purchase order was approved already", "approved"]
    assert OutboundMessage.objects.count() == 1
    assert StatusChange.objects.filter(action="APPROVE").count() == 1
    assert PurchaseOrder.objects.get().pending_action == "SEND"
