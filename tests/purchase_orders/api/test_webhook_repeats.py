"""A repeat of a stored delivery is answered from its record, after authentication."""

import copy
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from purchase_orders.api.serializers import PurchaseOrderRequestSerializer, first_error
from purchase_orders.api.serializers.validation import validate
from purchase_orders.enkash import encoding
from purchase_orders.models import InboundEvent, PurchaseOrder
from tests.plugins.webhooks import answer, answered_error, sent_elsewhere_body

pytestmark = pytest.mark.django_db


def test_a_repeat_is_answered_alike_in_one_statement_and_counted(trading_pair, signed_post):
    body = sent_elsewhere_body(trading_pair)
    first = signed_post("req-send", body, msg_id="msg_repeated")

    with CaptureQueriesContext(connection) as context:
        repeat = signed_post("req-send", body, msg_id="msg_repeated")

    assert (repeat.status_code, repeat.content) == (first.status_code, first.content)
    assert answer(repeat)["response_code"] == 0
    assert len(context.captured_queries) == 1, context.captured_queries
    event = InboundEvent.objects.get()
    assert (event.state, event.repeats) == (InboundEvent.State.APPLIED, 1)
    assert PurchaseOrder.objects.filter(object_id=body["purchaseOrder"]["objectId"]).count() == 1


def test_a_repeat_that_fails_authentication_is_refused_and_not_counted(trading_pair, signed_post):
    body = sent_elsewhere_body(trading_pair)
    signed_post("req-send", body, msg_id="msg_repeated")

    with CaptureQueriesContext(connection) as context:
        forged = signed_post(
            "req-send", body, msg_id="msg_repeated", secret="whsec_" + "Zm9yZ2Vk" * 4
        )

    assert forged.status_code == 401
    assert context.captured_queries == []
    assert InboundEvent.objects.get().repeats == 0


def test_a_repeat_of_a_refused_delivery_gets_the_same_refusal(trading_pair, signed_post):
    body = sent_elsewhere_body(trading_pair)
    del body["purchaseOrder"]["buyerPONumber"]
    first = signed_post("req-send", body, msg_id="msg_refused")
    repeat = signed_post("req-send", body, msg_id="msg_refused")

    assert first.status_code == 400
    assert answered_error(first)[2] == "purchaseOrder.buyerPONumber"
    assert (repeat.status_code, repeat.content) == (first.status_code, first.content)
    assert InboundEvent.objects.get().repeats == 1


def drf_result(body: dict):
    serializer = PurchaseOrderRequestSerializer(data=body)
    if serializer.is_valid():
        return serializer.validated_data, None
    return None, first_error(serializer.errors)


def test_the_reused_serializer_gives_what_a_new_one_gives_body_after_body(trading_pair):
    valid = encoding.loads(encoding.dumps(sent_elsewhere_body(trading_pair, lines=2)))
    wrong_quantity = copy.deepcopy(valid)
    wrong_quantity["purchaseOrder"]["itemLists"][1]["quantity"] = "10"
    missing_number = copy.deepcopy(valid)
    del missing_number["purchaseOrder"]["buyerPONumber"]

    for body in (wrong_quantity, valid, missing_number, valid, wrong_quantity):
        validated, errors = validate(PurchaseOrderRequestSerializer, body)
        expected_data, expected_error = drf_result(body)
        assert validated == expected_data
        assert (None if validated is not None else first_error(errors)) == expected_error
    assert drf_result(valid)[1] is None
    assert drf_result(wrong_quantity)[1][0] == "purchaseOrder.itemLists[1].quantity"
    assert drf_result(missing_number)[1][0] == "purchaseOrder.buyerPONumber"


def test_each_thread_validates_with_its_own_serializer(trading_pair):
    valid = encoding.loads(encoding.dumps(sent_elsewhere_body(trading_pair, lines=2)))
    invalid = copy.deepcopy(valid)
    invalid["purchaseOrder"]["itemLists"][0]["unitPrice"] = -1
    expected = {id(valid): drf_result(valid), id(invalid): drf_result(invalid)}
    mismatches = []

    def check(body: dict) -> None:
        for _ in range(20):
            validated, errors = validate(PurchaseOrderRequestSerializer, body)
            found = (validated, None if validated is not None else first_error(errors))
            if found != expected[id(body)]:
                mismatches.append(found)

    threads = [threading.Thread(target=check, args=(body,)) for body in (valid, invalid) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert expected[id(invalid)][1][0] == "purchaseOrder.itemLists[0].unitPrice"
    assert mismatches == []
