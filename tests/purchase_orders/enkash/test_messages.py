"""messages: a delivered body read into a typed message, and its parts named as errorField."""

from decimal import Decimal

import pytest

from purchase_orders.enkash import encoding, messages, payloads
from purchase_orders.selectors import get_purchase_order_with_contents

pytestmark = pytest.mark.django_db


def test_a_confirmation_is_read_into_its_typed_parts(example):
    body = example("webhook-req-confirm.json")
    body["poConfirmation"].update(supplierResponse="ACCEPT", supplierRemarks="On time.")

    message = messages.parse_message("req-confirm", body)

    assert (message.kind, message.buyer_b2b_id, message.supplier_b2b_id) == (
        "req-confirm",
        "string",
        "string",
    )
    assert (message.object_id, message.buyer_po_number) == ("string", "string")
    assert (message.previous_version, message.version) == (0, 0)
    assert (message.previous_status, message.status) == ("CREATED", "CREATED")
    assert (message.action, message.remarks) == ("ACCEPT", "On time.")
    assert message.contents is None and message.verdict is None


def sent_body(trading_pair) -> dict:
    """Return the req-send body of a purchase order of three lines, as the portal sends it."""
    purchase_order = trading_pair.purchase_order(lines=3)
    return encoding.loads(
        encoding.dumps(
            payloads.build_send_request(get_purchase_order_with_contents(pk=purchase_order.pk))
        )
    )


def test_a_sent_purchase_order_carries_its_typed_contents(trading_pair):
    message = messages.parse_message("req-send", sent_body(trading_pair))

    assert message.contents is not None and message.contents_error == ""
    assert message.contents.header.object_id == message.object_id
    assert len(message.contents.lines) == 3
    assert all(isinstance(line.quantity, Decimal) for line in message.contents.lines)
    assert (message.action, message.remarks) == ("", "")


def test_a_purchase_order_that_cannot_be_read_says_why_instead(trading_pair):
    body = sent_body(trading_pair)
    body["purchaseOrder"]["ts"] = "yesterday"

    message = messages.parse_message("req-send", body)

    assert message.contents is None
    assert message.contents_error == "expected an ISO-8601 timestamp with an offset"


def test_a_response_carries_the_networks_verdict(example):
    body = example("webhook-resp-send.json")
    body["resp"].update(result="FAILURE", errorCd="INVALID_FIELD", errorDtl="No.", errorField=None)

    message = messages.parse_message("resp-send", body)

    verdict = message.verdict
    assert (verdict.req_msg_id, verdict.succeeded) == ("string", False)
    assert (verdict.error_code, verdict.error_detail, verdict.error_field) == (
        "INVALID_FIELD",
        "No.",
        "",
    )


@pytest.mark.parametrize(
    ("kind", "path", "error_field"),
    [
        ("req-send", ("b2b_ids", "supplier"), "b2bIds.supplierB2BId"),
        ("req-confirm", ("object_id",), "poConfirmation.objectId"),
        ("req-status-change", ("previous_version",), "poStatus.objectVersion.currentVersion"),
        ("req-confirm", ("status",), "poConfirmation.poStatusTransition.newStatus"),
        ("req-confirm", ("action",), "poConfirmation.supplierResponse"),
        ("req-status-change", ("action",), "poStatus.buyerAction"),
        ("req-edit", ("parties", "buyer", "b2b_id"), "purchaseOrder.buyerDetails.b2bId"),
        ("req-send", ("lines", 2, "hsn_code"), "purchaseOrder.itemLists[2].hsnCode"),
        ("resp-send", ("resp", "req_msg_id"), "resp.reqMsgId"),
        ("req-send", (), "purchaseOrder"),
    ],
)
def test_a_part_of_a_message_is_named_as_the_network_names_it(kind, path, error_field):
    assert messages.message_error_field(kind, path) == error_field


def test_the_identifiers_of_a_body_not_yet_validated_are_found_where_they_are():
    assert messages.message_identifiers(
        kind="resp-confirm", data={"poConfirmation": {"objectId": "PO1"}, "resp": {"reqMsgId": 7}}
    ) == ("PO1", 7)
    assert messages.message_identifiers(kind="req-send", data=["not", "an", "object"]) == (
        None,
        None,
    )
