"""The sandbox checks each request's values against the conventions, and its version
and status move against the rules of its kind.
"""

from decimal import Decimal

import pytest

from purchase_orders.enkash import conventions
from purchase_orders.sandbox import transitions
from purchase_orders.sandbox.validation import BODY_OBJECTS
from tests.plugins.sandbox import conforming_request
from tests.sandbox.conftest import parent_of, refill_totals, refusal

pytestmark = pytest.mark.sandbox

PO = "purchaseOrder"
LINE = "purchaseOrder.itemLists[0]"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("purchaseOrder.itemLists[0].quantity", Decimal("1.125")),
        ("purchaseOrder.itemLists[0].unitPrice", Decimal("10.500")),
        ("purchaseOrder.itemLists[0].gstRate", Decimal("0.25")),
        ("purchaseOrder.ts", "2026-11-23T10:15:00Z"),
        ("purchaseOrder.ts", "2026-11-23T04:45:00.123456+00:00"),
        ("purchaseOrder.itemLists[0].isService", "Y"),
        ("purchaseOrder.buyerDetails.placeOfSupply", "97"),
    ],
)
def test_values_within_the_conventions_are_accepted(api, path, value):
    body = conforming_request("req-send")
    node, key = parent_of(body, path)
    node[key] = value

    assert api.post("req-send", refill_totals(body)).status_code == 200


@pytest.mark.parametrize(
    ("kind", "path", "value", "detail"),
    [
        ("req-send", "device.tag.name", "GPS", "must be GEOCODE."),
        ("req-send", "b2bIds.buyerB2BId", "", "must be 1 to 100 characters"),
        ("req-send", "b2bIds.supplierB2BId", 'B2B"1', "must be 1 to 100 characters"),
        ("req-send", f"{PO}.objectId", " ", "must not be empty."),
        ("req-confirm", "poConfirmation.buyerPONumber", "", "must not be empty."),
        ("req-send", f"{PO}.ts", "2026-11-23T10:15:00", "ISO-8601 timestamp with an offset"),
        ("req-send", f"{PO}.ts", "2026-11-23", "ISO-8601 timestamp with an offset"),
        ("req-send", f"{PO}.ts", "1763872500", "ISO-8601 timestamp with an offset"),
        ("req-send", f"{PO}.orderDate", "23-11-2026", "date written YYYY-MM-DD"),
        ("req-send", f"{PO}.orderDate", "2026-02-30", "date written YYYY-MM-DD"),
        ("req-send", f"{PO}.deliveryDate", "2026/12/15", "date written YYYY-MM-DD"),
        ("req-send", f"{LINE}.batchDetails.expiryDate", "31.12.2027", "date written YYYY-MM-DD"),
        ("req-send", f"{PO}.paymentMilestones[0].milestoneDate", "soon", "date written"),
        ("req-send", f"{PO}.contractReferenceDetails[0].receiptAdviceDate", "20/11", "date"),
        ("req-send", f"{PO}.supplierDetails.stateCode", "KA", "two-digit GST state code"),
        ("req-send", f"{PO}.buyerDetails.stateCode", "9", "two-digit GST state code"),
        ("req-send", f"{PO}.buyerDetails.placeOfSupply", "Karnataka", "two-digit GST state code"),
        ("req-send", f"{LINE}.isService", "YES", "must be one of Y, N"),
        ("req-send", f"{LINE}.isService", "n", "must be one of Y, N"),
        ("req-send", f"{PO}.poStatusTransition.currentStatus", "DRAFT", "must be one of CREATED"),
        ("req-send", f"{PO}.poStatusTransition.newStatus", "SENT", "must be one of CREATED"),
        ("req-confirm", "poConfirmation.supplierResponse", "APPROVE", "one of ACCEPT, REJECT"),
        ("req-status-change", "poStatus.buyerAction", "DELETE", "one of CANCEL, FULFILL, CLOSE"),
        ("req-send", f"{PO}.objectVersion.newVersion", Decimal("1.0"), "must be a whole number"),
        ("req-edit", f"{PO}.objectVersion.currentVersion", -1, "must be a whole number"),
        ("req-send", f"{LINE}.unitPrice", Decimal("10.005"), "at most 2 decimal places"),
        ("req-send", f"{LINE}.totalAmt", Decimal("0.001"), "at most 2 decimal places"),
        ("req-send", f"{LINE}.otherTaxes[0].amount", Decimal("1.234"), "at most 2 decimal places"),
        ("req-send", f"{PO}.poValueDetails.totalPOValue", Decimal("99.999"), "at most 2 decimal"),
        ("req-send", f"{PO}.poValueDetails.otherValues[0].value", Decimal("5.125"), "at most 2"),
        ("req-send", f"{PO}.paymentMilestones[0].dueAmount", Decimal("1.111"), "at most 2"),
        ("req-send", f"{PO}.shippingTermsDetails.charges", Decimal("0.005"), "at most 2"),
        ("req-send", f"{LINE}.quantity", Decimal("1.0005"), "at most 3 decimal places"),
        ("req-send", f"{LINE}.freeQuantity", Decimal("0.0001"), "at most 3 decimal places"),
    ],
)
def test_a_value_breaking_a_convention_is_refused(api, kind, path, value, detail):
    body = conforming_request(kind)
    node, key = parent_of(body, path)
    node[key] = value

    status, code, field, message = refusal(api.post(kind, body))

    assert (status, code, field) == (400, "INVALID_FIELD", path)
    assert detail in message


@pytest.mark.parametrize(
    ("kind", "current", "new", "field"),
    [
        ("req-send", 1, 2, "currentVersion"),
        ("req-send", 0, 0, "newVersion"),
        ("req-send", 0, 2, "newVersion"),
        ("req-edit", 0, 1, "currentVersion"),
        ("req-edit", 2, 2, "newVersion"),
        ("req-edit", 2, 4, "newVersion"),
        ("req-confirm", 1, 2, "newVersion"),
        ("req-confirm", 0, 0, "currentVersion"),
        ("req-status-change", 3, 2, "newVersion"),
    ],
)
def test_versions_follow_the_rule_of_their_kind(api, kind, current, new, field):
    body = conforming_request(kind)
    obj = body[{"req-confirm": "poConfirmation", "req-status-change": "poStatus"}.get(kind, PO)]
    obj["objectVersion"] = {"currentVersion": current, "newVersion": new}

    status, code, error_field, _ = refusal(api.post(kind, body))

    assert (status, code) == (400, "INVALID_FIELD")
    assert error_field.endswith(f".objectVersion.{field}")


@pytest.mark.parametrize(
    ("kind", "current", "new", "field"),
    [
        ("req-send", "ACCEPTED", "CREATED", "currentStatus"),
        ("req-edit", "CANCELLED", "CREATED", "currentStatus"),
        ("req-edit", "ACCEPTED", "ACCEPTED", "newStatus"),
        ("req-confirm", "ACCEPTED", "ACCEPTED", "currentStatus"),
        ("req-confirm", "CREATED", "REJECTED", "newStatus"),
        ("req-status-change", "CANCELLED", "CANCELLED", "currentStatus"),
        ("req-status-change", "ACCEPTED", "CLOSED", "newStatus"),
    ],
)
def test_a_transition_outside_the_table_is_refused(api, kind, current, new, field):
    body = conforming_request(kind)
    obj = body[{"req-confirm": "poConfirmation", "req-status-change": "poStatus"}.get(kind, PO)]
    obj["poStatusTransition"] = {"currentStatus": current, "newStatus": new}

    status, code, error_field, _ = refusal(api.post(kind, body))

    assert (status, code) == (422, "TRANSITION_NOT_ALLOWED")
    assert error_field.endswith(f".poStatusTransition.{field}")


@pytest.mark.parametrize(
    ("action", "current", "new"),
    [("ACCEPT", "CREATED", "ACCEPTED"), ("REJECT", "CREATED", "REJECTED")],
)
def test_both_supplier_answers_are_accepted(api, action, current, new):
    body = conforming_request("req-confirm")
    body["poConfirmation"]["supplierResponse"] = action
    body["poConfirmation"]["poStatusTransition"] = {"currentStatus": current, "newStatus": new}

    assert api.post("req-confirm", body).status_code == 200


@pytest.mark.parametrize(
    ("action", "current", "new"),
    [
        ("CANCEL", "CREATED", "CANCELLED"),
        ("CANCEL", "REJECTED", "CANCELLED"),
        ("FULFILL", "ACCEPTED", "FULFILLED"),
        ("CLOSE", "FULFILLED", "CLOSED"),
    ],
)
def test_every_buyer_action_in_the_table_is_accepted(api, action, current, new):
    body = conforming_request("req-status-change")
    body["poStatus"]["buyerAction"] = action
    body["poStatus"]["poStatusTransition"] = {"currentStatus": current, "newStatus": new}

    assert api.post("req-status-change", body).status_code == 200


# Every action of each kind from every network status: acknowledged exactly
# where the sandbox's table has the move.


@pytest.mark.parametrize("status", conventions.NETWORK_STATUSES)
@pytest.mark.parametrize(
    ("kind", "action"),
    [
        ("req-edit", "EDIT"),
        ("req-confirm", "ACCEPT"),
        ("req-confirm", "REJECT"),
        ("req-status-change", "CANCEL"),
        ("req-status-change", "FULFILL"),
        ("req-status-change", "CLOSE"),
    ],
)
def test_a_move_is_acknowledged_exactly_where_the_table_has_it(api, kind, action, status):
    move = transitions.MOVES[action]
    body = conforming_request(kind)
    obj = body[{"req-confirm": "poConfirmation", "req-status-change": "poStatus"}.get(kind, PO)]
    if kind == "req-confirm":
        obj["supplierResponse"] = action
    elif kind == "req-status-change":
        obj["buyerAction"] = action
    obj["poStatusTransition"] = {"currentStatus": status, "newStatus": move.to_status}

    response = api.post(kind, body)

    if status in move.from_statuses:
        assert response.status_code == 200
    else:
        assert refusal(response)[:3] == (
            422,
            "TRANSITION_NOT_ALLOWED",
            f"{BODY_OBJECTS[kind]}.poStatusTransition.currentStatus",
        )
