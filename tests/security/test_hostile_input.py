"""Hostile webhook bodies: each is a clear 4xx in the network's envelope, never a 5xx.

Every refusal names the field at fault (``errorField``) where there is one,
and stores nothing but the delivery itself. The NUL cases matter most on
PostgreSQL, whose text and jsonb columns cannot hold NUL.
"""

import pytest

from purchase_orders.enkash import encoding
from purchase_orders.models import InboundEvent, PurchaseOrder
from tests.plugins.webhooks import answer, row_counts, webhook_url
from tests.purchase_orders.api.test_webhook_validation import (  # noqa: F401 (fixture)
    assert_invalid,
    change,
    send_request,
)

pytestmark = pytest.mark.django_db

QUANTITY = "purchaseOrder.itemLists[0].quantity"
UNIT_PRICE = "purchaseOrder.itemLists[0].unitPrice"
TOTAL = "purchaseOrder.poValueDetails.totalPOValue"
SUBJECT = "purchaseOrder.subject"
OBJECT_ID = "purchaseOrder.objectId"


def test_a_body_over_the_limit_is_refused_before_it_is_read_or_stored(
    signed_post, send_request, settings
):
    settings.ENKASH_WEBHOOK_MAX_BODY_BYTES = 4096
    before = row_counts()
    body = change(send_request, "additionalInfos", [{"name": "pad", "value": "x" * 5000}])

    response = signed_post("req-send", body)

    assert response.status_code == 413
    resp = answer(response)["payload"]["resp"]
    assert (resp["result"], resp["errorCd"]) == ("FAILURE", "BODY_TOO_LARGE")
    assert row_counts() == before


def test_an_unsigned_body_over_the_limit_is_refused_as_too_large(webhook_client, settings):
    settings.ENKASH_WEBHOOK_MAX_BODY_BYTES = 1024
    before = row_counts()

    response = webhook_client.post(
        webhook_url("req-send"), data=b"[" * 2048, content_type="application/json"
    )

    assert response.status_code == 413
    assert answer(response)["payload"]["resp"]["errorCd"] == "BODY_TOO_LARGE"
    assert row_counts() == before


@pytest.mark.parametrize("depth", [1_000, 10_000, 100_000])
def test_deeply_nested_arrays_are_refused_as_invalid_json(signed_post, depth):
    before = row_counts()

    response = signed_post("req-send", b"[" * depth + b"]" * depth)

    resp = assert_invalid(response, "", before)
    assert resp["errorDtl"].startswith("The body is not valid JSON")


@pytest.mark.parametrize(("depth", "field"), [(50, SUBJECT), (10_000, "")])
def test_deeply_nested_objects_inside_a_field_are_refused(signed_post, send_request, depth, field):
    nested = '{"a":' * depth + "1" + "}" * depth
    before = row_counts()

    response = signed_post("req-send", with_literal(send_request, SUBJECT, nested))

    resp = assert_invalid(response, field, before)
    assert resp["errorDtl"].startswith(
        f"{SUBJECT}: Must be a JSON string." if field else "The body is not valid JSON"
    )


def with_literal(body: dict, path: str, literal: str) -> bytes:
    """Return a body as JSON text with the value at a path written as ``literal``, verbatim."""
    text = encoding.dumps(change(body, path, "<literal>"))
    assert text.count('"<literal>"') == 1
    return text.replace('"<literal>"', literal).encode()


@pytest.mark.parametrize(
    ("path", "value", "detail"),
    [
        (QUANTITY, "10", "Must be a JSON number."),
        (QUANTITY, True, "Must be a JSON number."),
        (QUANTITY, None, "This field may not be null."),
        (QUANTITY, [1], "Must be a JSON number."),
        (QUANTITY, {"value": 1}, "Must be a JSON number."),
        (SUBJECT, 42, "Must be a JSON string."),
        (SUBJECT, ["a"], "Must be a JSON string."),
        (OBJECT_ID, {"$gt": ""}, "Must be a JSON string."),
        ("purchaseOrder.itemLists", {"0": {}}, 'Expected a list of items but got type "dict".'),
        ("purchaseOrder.objectVersion.newVersion", 1.5, "Must be a whole JSON number."),
        ("purchaseOrder.objectVersion.newVersion", "1", "Must be a whole JSON number."),
        ("purchaseOrder.objectVersion.newVersion", 2**31, "Ensure this value is less than"),
        ("purchaseOrder.objectVersion.newVersion", -1, "Ensure this value is greater than"),
    ],
)
def test_a_wrong_type_is_refused_naming_the_field(signed_post, send_request, path, value, detail):
    before = row_counts()

    response = signed_post("req-send", change(send_request, path, value))

    resp = assert_invalid(response, path, before)
    assert detail in resp["errorDtl"]


@pytest.mark.parametrize(
    ("literal", "detail"),
    [
        ("1e400", "Must have at most"),
        ("-1e400", "Must"),
        ("1" * 400, "Must have at most"),
        ("0." + "0" * 398 + "1", "Must have at most 2 decimal places."),
        ("1e-400", "Must have at most 2 decimal places."),
        ("3.14159", "Must have at most 2 decimal places."),
        ("12.345", "Must have at most 2 decimal places."),
    ],
)
def test_huge_tiny_and_over_precise_amounts_are_refused_naming_the_field(
    signed_post, send_request, literal, detail
):
    before = row_counts()

    response = signed_post("req-send", with_literal(send_request, UNIT_PRICE, literal))

    resp = assert_invalid(response, UNIT_PRICE, before)
    assert detail in resp["errorDtl"]


def test_a_number_too_long_to_read_is_refused_as_invalid_json(signed_post, send_request):
    before = row_counts()

    response = signed_post("req-send", with_literal(send_request, UNIT_PRICE, "1" * 5000))

    resp = assert_invalid(response, "", before)
    assert resp["errorDtl"].startswith("The body is not valid JSON")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", '"Infinity"', '"NaN"'])
def test_not_a_number_is_refused(signed_post, send_request, literal):
    before = row_counts()

    response = signed_post("req-send", with_literal(send_request, TOTAL, literal))

    assert response.status_code == 400
    resp = answer(response)["payload"]["resp"]
    assert resp["errorCd"] == "INVALID_FIELD"
    # Bare NaN and Infinity are not JSON at all; quoted, they are strings in an amount.
    assert resp["errorField"] == (TOTAL if literal.startswith('"') else "")
    after = row_counts()
    assert after.pop("purchase_orders.InboundEvent") == 1
    before.pop("purchase_orders.InboundEvent")
    assert after == before


@pytest.mark.parametrize(
    "text",
    [
        "\u202eRTL override \u0645\u0631\u062d\u0628\u0627",
        "emoji \U0001f4e6\U0001f69a and ZWJ \U0001f468\u200d\U0001f469\u200d\U0001f467",
        "combining e\u0301\u0301\u0301",
    ],
)
def test_unicode_text_is_stored_unchanged(signed_post, send_request, text):
    body = change(send_request, SUBJECT, text)

    response = signed_post("req-send", body)

    assert response.status_code == 200
    assert answer(response)["payload"]["resp"]["result"] == "SUCCESS"
    stored = PurchaseOrder.objects.get(object_id=send_request["purchaseOrder"]["objectId"])
    assert stored.subject == text


@pytest.mark.parametrize(
    "path",
    [SUBJECT, OBJECT_ID, "purchaseOrder.itemLists[0].productDescription", "b2bIds.buyerB2BId"],
)
def test_a_nul_character_in_text_is_refused_naming_the_field(signed_post, send_request, path):
    before = row_counts()

    response = signed_post("req-send", change(send_request, path, "before\u0000after"))

    resp = assert_invalid(response, path, before)
    assert "Null characters are not allowed." in resp["errorDtl"]


def test_a_nul_character_in_an_ignored_key_is_refused(signed_post, send_request):
    body = change(send_request, "additionalInfos", [{"name": "n\u0000", "value": "v"}])
    before = row_counts()

    response = signed_post("req-send", body)

    resp = assert_invalid(response, "additionalInfos[0].name", before)
    assert "Null characters are not allowed." in resp["errorDtl"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("purchaseOrder.extra\u0000key", "purchaseOrder.extra\\u0000key"),
        ("purchaseOrder.unknown", "purchaseOrder.unknown"),
    ],
)
def test_a_nul_character_in_an_unknown_key_or_value_is_refused(
    signed_post, send_request, path, field
):
    before = row_counts()

    response = signed_post("req-send", change(send_request, path, ["ok", "value\u0000"]))

    assert_invalid(response, field if "\u0000" in path else f"{field}[1]", before)
    assert "\x00" not in InboundEvent.objects.get().body


def test_a_body_that_is_only_a_string_with_a_nul_is_refused(signed_post):
    before = row_counts()

    response = signed_post("req-send", b'"\\u0000"')

    resp = assert_invalid(response, "", before)
    assert resp["errorDtl"] == "Null characters are not allowed."
