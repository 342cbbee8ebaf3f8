"""The rightful side's actions do what they say, in every status they apply to.

The wrong side and an outsider are sent first and must leave the order as
it was; then the rightful side's request must move it and redirect.
"""

import pytest

from purchase_orders import lifecycle
from purchase_orders.models import OutboundMessage, PurchaseOrder
from tests.plugins.network import acknowledged
from tests.security.authorization import (
    ALLOWED,
    APPROVER_OPENS,
    LOCAL,
    NAMES,
    SENT,
    STATUSES,
    assert_refused,
    every_order_needs_approval,
    order_in,
    takes_order,
    text,
    url_of,
)

pytestmark = pytest.mark.django_db
STATUS_MOVES = [
    (status, transition.action, transition.to_status)
    for status in STATUSES
    for transition in lifecycle.allowed_transitions(status, lifecycle.BUYER)
    if transition.action in lifecycle.BUYER_STATUS_ACTIONS
]


def status_of(purchase_order) -> str:
    purchase_order.refresh_from_db()
    return purchase_order.status


@pytest.mark.parametrize("status", STATUSES)
def test_the_buyer_sends_a_draft_and_nothing_else(people, status):
    purchase_order = order_in(people, status)
    url = url_of("send", people, purchase_order)
    assert_refused(people, "send", purchase_order, "post")
    assert status_of(purchase_order) == status

    response = people.buyer_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == purchase_order.get_absolute_url()
    # The order stays as it was until the network acknowledges the send.
    assert status_of(purchase_order) == status
    sent = OutboundMessage.objects.filter(purchase_order=purchase_order, kind="req-send")
    assert sent.exists() is (status == lifecycle.DRAFT)
    if status == lifecycle.DRAFT:
        assert (purchase_order.version, purchase_order.pending_action) == (0, lifecycle.SEND)
        purchase_order = acknowledged(purchase_order)
    assert (purchase_order.status, purchase_order.version, purchase_order.pending_action) == (
        lifecycle.CREATED if status == lifecycle.DRAFT else status,
        0 if status == lifecycle.AWAITING_APPROVAL else 1,
        "",
    )


@pytest.mark.parametrize(
    ("name", "data", "reached"),
    [
        ("confirm", {"remarks": "", "expected_version": "1"}, lifecycle.ACCEPTED),
        ("reject", {"remarks": "Price too high", "expected_version": "1"}, lifecycle.REJECTED),
    ],
)
@pytest.mark.parametrize("status", STATUSES)
def test_the_supplier_answers_an_order_awaiting_confirmation(people, status, name, data, reached):
    purchase_order = order_in(people, status)
    url = url_of(name, people, purchase_order)
    assert_refused(people, name, purchase_order, "post", data)
    assert status_of(purchase_order) == status

    response = people.supplier_client.post(url, data)

    if status in LOCAL:
        assert response.status_code == 404
        return
    assert response.status_code == 302
    assert response["Location"] == purchase_order.get_absolute_url()
    assert status_of(purchase_order) == status
    if status == lifecycle.CREATED:
        action = lifecycle.ACCEPT if name == "confirm" else lifecycle.REJECT
        assert purchase_order.pending_action == action
        attempt = purchase_order.status_changes.get(to_status=reached)
        assert (attempt.stage, attempt.remarks) == ("attempted", data["remarks"])
        assert acknowledged(purchase_order).status == reached
        change = purchase_order.status_changes.get(to_status=reached, stage="applied")
        assert change.remarks == data["remarks"]
    else:
        assert purchase_order.pending_action == ""


@pytest.mark.parametrize(("status", "action", "reached"), STATUS_MOVES)
def test_the_buyer_changes_the_status_to_the_chosen_one(people, status, action, reached):
    purchase_order = order_in(people, status)
    url = url_of("change-status", people, purchase_order)
    data = {"action": action, "remarks": "As agreed", "expected_version": "1"}
    assert_refused(people, "change-status", purchase_order, "get")
    assert_refused(people, "change-status", purchase_order, "post", data)
    assert status_of(purchase_order) == status

    page = people.buyer_client.get(url)
    response = people.buyer_client.post(url, data)

    assert page.status_code == 200
    assert f"<h1>Change status of {purchase_order.buyer_po_number}</h1>" in text(page)
    assert f'value="{action}"' in text(page)
    assert response.status_code == 302
    assert response["Location"] == purchase_order.get_absolute_url()
    assert (status_of(purchase_order), purchase_order.pending_action) == (status, action)
    assert acknowledged(purchase_order).status == reached


@pytest.mark.parametrize("status", STATUSES)
def test_the_buyer_duplicates_an_order_into_a_new_draft(people, status):
    purchase_order = order_in(people, status)
    url = url_of("duplicate", people, purchase_order)
    assert_refused(people, "duplicate", purchase_order, "post")
    assert PurchaseOrder.objects.count() == 1

    response = people.buyer_client.post(url)

    copy = PurchaseOrder.objects.exclude(pk=purchase_order.pk).get()
    assert (copy.status, copy.buyer, copy.supplier) == (
        lifecycle.DRAFT,
        people.buyer,
        people.supplier,
    )
    assert copy.lines.count() == 1
    assert response.status_code == 302
    assert response["Location"] == url_of("edit", people, copy)
    assert status_of(purchase_order) == status


@pytest.mark.parametrize("status", SENT)
def test_the_buyer_retries_a_failed_message(people, status):
    purchase_order = order_in(people, status)
    message = people.message(purchase_order, state=OutboundMessage.State.FAILED, attempts=12)
    url = url_of("retry", people, purchase_order, message)
    assert_refused(people, "retry", purchase_order, "post", url=url)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboundMessage.State.FAILED, 12)

    response = people.buyer_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == purchase_order.get_absolute_url()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboundMessage.State.QUEUED, 0)


def waiting_request(purchase_order):
    purchase_order.refresh_from_db()
    return purchase_order.waiting_approval


@pytest.mark.parametrize("status", STATUSES)
def test_the_buyer_submits_a_draft_over_the_limit_and_nothing_else(people, status):
    purchase_order = order_in(people, status)
    every_order_needs_approval(people)
    url = url_of("submit", people, purchase_order)
    before = (status_of(purchase_order), purchase_order.waiting_approval_id)
    assert_refused(people, "submit", purchase_order, "post")
    assert (status_of(purchase_order), purchase_order.waiting_approval_id) == before

    response = people.buyer_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == purchase_order.get_absolute_url()
    if status == lifecycle.DRAFT:
        request = waiting_request(purchase_order)
        assert (purchase_order.status, request.action, request.version) == (
            lifecycle.AWAITING_APPROVAL,
            lifecycle.SEND,
            1,
        )
        assert not OutboundMessage.objects.filter(purchase_order=purchase_order).exists()
    else:
        assert (status_of(purchase_order), purchase_order.waiting_approval_id) == before


@pytest.mark.parametrize("status", STATUSES)
def test_the_approver_approves_what_waits_and_it_is_sent_as_theirs(people, status):
    purchase_order = order_in(people, status)
    url = url_of("approve", people, purchase_order)
    request = purchase_order.waiting_approval
    data = {"approval-expected_request": str(request.pk) if request else ""}
    assert_refused(people, "approve", purchase_order, "post", data)
    assert status_of(purchase_order) == status
    assert purchase_order.waiting_approval_id == (request.pk if request else None)

    response = people.approver_client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == purchase_order.get_absolute_url()
    purchase_order.refresh_from_db()
    if status != lifecycle.AWAITING_APPROVAL:
        assert (purchase_order.status, purchase_order.pending_action) == (status, "")
        return
    assert (purchase_order.status, purchase_order.pending_action) == (
        lifecycle.DRAFT,
        lifecycle.SEND,
    )
    attempt = purchase_order.status_changes.get(action=lifecycle.SEND)
    assert (attempt.stage, attempt.actor) == ("attempted", people.approver_user)
    assert acknowledged(purchase_order).status == lifecycle.CREATED


@pytest.mark.parametrize("status", STATUSES)
def test_the_approver_returns_what_waits_with_remarks(people, status):
    purchase_order = order_in(people, status)
    url = url_of("return", people, purchase_order)
    request = purchase_order.waiting_approval
    data = {
        "approval-remarks": "Split it in two orders.",
        "approval-expected_request": str(request.pk) if request else "",
    }
    assert_refused(people, "return", purchase_order, "post", data)
    assert status_of(purchase_order) == status

    response = people.approver_client.post(url, data)

    assert response.status_code == 302
    purchase_order.refresh_from_db()
    expected = lifecycle.DRAFT if status == lifecycle.AWAITING_APPROVAL else status
    assert (purchase_order.status, purchase_order.waiting_approval_id) == (expected, None)
    if status == lifecycle.AWAITING_APPROVAL:
        returned = purchase_order.status_changes.get(action=lifecycle.RETURN)
        assert (returned.remarks, returned.actor) == (
            "Split it in two orders.",
            people.approver_user,
        )
    assert not OutboundMessage.objects.filter(purchase_order=purchase_order).exists()


@pytest.mark.parametrize(
    "name",
    [
        name
        for name in NAMES
        if takes_order(name)
        and ALLOWED[name] in ("buyer", "supplier")
        and name not in APPROVER_OPENS
    ],
)
def test_an_approver_has_no_buyer_or_supplier_action(people, name):
    purchase_order = order_in(people, lifecycle.CREATED)
    url = url_of(name, people, purchase_order)

    posted = people.approver_client.post(url, {"remarks": "x", "action": "CANCEL"})
    opened = people.approver_client.get(url)

    assert posted.status_code == 403
    assert opened.status_code in (403, 405)
    assert (status_of(purchase_order), purchase_order.pending_action) == (lifecycle.CREATED, "")
