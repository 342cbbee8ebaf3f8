"""Webhooks never move an order into or out of one of the portal's own statuses."""

from decimal import Decimal

import pytest

from purchase_orders.models import ApprovalRequest, Membership, PurchaseOrder
from purchase_orders.services.approvals import submit_for_approval
from tests.factories import MembershipFactory
from tests.plugins.webhooks import answer, confirm_body, status_change_body

pytestmark = pytest.mark.django_db


def error(response) -> tuple[str, str]:
    resp = answer(response)["payload"]["resp"]
    return resp["errorCd"], resp["errorField"]


@pytest.mark.parametrize("status", ["AWAITING_APPROVAL", "DRAFT"])
@pytest.mark.parametrize("end", ["currentStatus", "newStatus"])
def test_a_confirmation_naming_a_local_status_is_refused_and_changes_nothing(
    trading_pair, signed_post, unchanged, status, end
):
    purchase_order = trading_pair.purchase_order(sent=True)
    body = confirm_body(purchase_order, "ACCEPT")
    body["poConfirmation"]["poStatusTransition"][end] = status
    check = unchanged(purchase_order)

    response = signed_post("req-confirm", body)

    assert response.status_code == 200
    assert error(response) == (
        "TRANSITION_NOT_ALLOWED",
        f"poConfirmation.poStatusTransition.{end}",
    )
    assert answer(response)["payload"]["resp"]["errorDtl"] == (
        f"{status} is not a status on the network; a purchase order there is one of CREATED, "
        "ACCEPTED, REJECTED, CANCELLED, FULFILLED, CLOSED."
    )
    check()


def test_a_status_change_into_waiting_for_approval_is_refused(trading_pair, signed_post, unchanged):
    purchase_order = trading_pair.purchase_order(accepted=True)
    body = status_change_body(purchase_order, "CANCEL", remarks="No longer needed.")
    body["poStatus"]["poStatusTransition"]["newStatus"] = "AWAITING_APPROVAL"
    check = unchanged(purchase_order)

    response = signed_post("req-status-change", body)

    assert error(response) == ("TRANSITION_NOT_ALLOWED", "poStatus.poStatusTransition.newStatus")
    check()


@pytest.mark.parametrize("word", ["SUBMIT", "APPROVE", "RETURN"])
def test_a_step_of_an_approval_is_no_answer_a_supplier_can_give(
    trading_pair, signed_post, unchanged, word
):
    purchase_order = trading_pair.purchase_order(sent=True)
    check = unchanged(purchase_order)

    response = signed_post("req-confirm", confirm_body(purchase_order, word))

    assert error(response) == ("UNKNOWN_ACTION", "poConfirmation.supplierResponse")
    check()


def test_an_order_waiting_for_approval_is_not_moved_by_a_confirmation(
    trading_pair, signed_post, unchanged
):
    purchase_order = trading_pair.purchase_order()
    # Built while a draft, as a supplier's answer to version 0 would be.
    body = confirm_body(purchase_order, "ACCEPT")
    body["poConfirmation"]["poStatusTransition"] = {
        "currentStatus": "CREATED",
        "newStatus": "ACCEPTED",
    }
    trading_pair.buyer.approval_limit = Decimal("0.00")
    trading_pair.buyer.save(update_fields=["approval_limit"])
    MembershipFactory(business=trading_pair.buyer, role=Membership.Role.APPROVER)
    submit_for_approval(purchase_order=purchase_order, submitted_by=trading_pair.buyer_user)
    check = unchanged(purchase_order)

    response = signed_post("req-confirm", body)

    assert error(response)[0] == "TRANSITION_NOT_ALLOWED"
    check()
    assert PurchaseOrder.objects.get().status == "AWAITING_APPROVAL"
    assert ApprovalRequest.objects.get().state == "waiting"
