"""move_purchase_order: the one step that checks the table, moves, saves and audits."""

import pytest

from purchase_orders import lifecycle
from purchase_orders.exceptions import TransitionNotAllowed
from purchase_orders.models import PurchaseOrder, StatusChange
from purchase_orders.services.transitions import Marks, move_purchase_order

pytestmark = pytest.mark.django_db


def test_a_move_of_the_table_sets_status_version_and_their_marks_and_writes_one_audit_row(
    trading_pair,
):
    draft = trading_pair.purchase_order()

    change = move_purchase_order(
        purchase_order=draft,
        action=lifecycle.SEND,
        actor=trading_pair.buyer_user,
        business=trading_pair.buyer,
        remarks="First issue.",
    )

    fresh = PurchaseOrder.objects.get(pk=draft.pk)
    # The network has no DRAFT: a send travels as CREATED -> CREATED.
    assert (fresh.status, fresh.previous_status, fresh.version, fresh.previous_version) == (
        "CREATED",
        "CREATED",
        1,
        0,
    )
    assert list(StatusChange.objects.values_list("pk", flat=True)) == [change.pk]
    assert (change.from_status, change.to_status, change.version, change.action) == (
        "DRAFT",
        "CREATED",
        1,
        "SEND",
    )
    assert (change.actor, change.actor_business, change.remarks, change.via_network) == (
        trading_pair.buyer_user,
        trading_pair.buyer,
        "First issue.",
        False,
    )


def test_a_move_the_table_does_not_allow_changes_nothing(trading_pair):
    draft = trading_pair.purchase_order()

    with pytest.raises(TransitionNotAllowed) as refused:
        move_purchase_order(purchase_order=draft, action=lifecycle.ACCEPT)

    assert refused.value.message == (
        "This purchase order cannot be accepted: its status is “Draft”."
    )
    assert refused.value.code == "TRANSITION_NOT_ALLOWED"
    assert PurchaseOrder.objects.get(pk=draft.pk).status == "DRAFT"
    assert not StatusChange.objects.exists()


def test_an_order_arriving_from_the_network_is_inserted_and_its_history_starts_here(
    trading_pair,
):
    arriving = PurchaseOrder(
        object_id="PO" + "A" * 32,
        buyer=trading_pair.buyer,
        supplier=trading_pair.supplier,
        buyer_po_number="REMOTE/1",
        status=lifecycle.DRAFT,
    )

    change = move_purchase_order(
        purchase_order=arriving,
        action=lifecycle.SEND,
        business=trading_pair.buyer,
        via_network=True,
    )

    assert PurchaseOrder.objects.get(object_id="PO" + "A" * 32).status == "CREATED"
    assert (change.from_status, change.to_status, change.via_network) == ("", "CREATED", True)


def test_an_undo_restores_the_marks_it_is_given_and_records_the_refusal(
    trading_pair, accepted_purchase_order
):
    change = move_purchase_order(
        purchase_order=accepted_purchase_order,
        action=lifecycle.UNDO,
        undo=lifecycle.ACCEPT,
        restore=Marks(status="CREATED", version=1, previous_status="CREATED", previous_version=0),
        remarks="The network refused the confirm.\nThe purchase order is back to “Sent”.",
        via_network=True,
        error_code="INVALID_FIELD",
        error_field="poConfirmation.supplierResponse",
    )

    fresh = PurchaseOrder.objects.get(pk=accepted_purchase_order.pk)
    assert (fresh.status, fresh.previous_status, fresh.version) == ("CREATED", "CREATED", 1)
    assert (change.from_status, change.to_status, change.action) == (
        "ACCEPTED",
        "CREATED",
        "REFUSED",
    )
    assert change.is_refusal is True
    assert change.refusal_codes == ("field poConfirmation.supplierResponse; code INVALID_FIELD")


def test_an_undo_to_a_status_the_undone_move_cannot_start_from_is_refused(
    accepted_purchase_order,
):
    with pytest.raises(TransitionNotAllowed):
        move_purchase_order(
            purchase_order=accepted_purchase_order,
            action=lifecycle.UNDO,
            undo=lifecycle.ACCEPT,
            restore=Marks(status="DRAFT", version=0, previous_status="", previous_version=0),
        )

    assert PurchaseOrder.objects.get(pk=accepted_purchase_order.pk).status == "ACCEPTED"


def test_an_undo_with_nothing_to_restore_only_records_the_refusal(accepted_purchase_order):
    change = move_purchase_order(
        purchase_order=accepted_purchase_order, action=lifecycle.UNDO, undo=lifecycle.ACCEPT
    )

    assert PurchaseOrder.objects.get(pk=accepted_purchase_order.pk).status == "ACCEPTED"
    assert (change.from_status, change.to_status) == ("ACCEPTED", "ACCEPTED")
