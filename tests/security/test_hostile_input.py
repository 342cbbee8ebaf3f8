"""Hostile webhook bodies: each is a clear 4xx in the network's envelope, never a 5xx.

Every refusal names the field at fault (``errorField``) where there is one,
and stores nothing but the delivery itself. The NUL cases matter most on
PostgreSQL, whose text and jsonb columns cannot hold NUL.
"""

import pytest

from purchase_orders.api.parsers import DuplicateKey
from purchase_orders.enkash import conventions, encoding, formats
from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder
from tests.plugins.webhooks import answer, response_body, row_counts, webhook_url
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


# -- dates and timestamps out of the network's years ------------------------------

TS = "purchaseOrder.ts"
CONTRACT_REFERENCE = {
    "receiptAdviceNo": "RA-1",
    "receiptAdviceDate": "2026-11-20",
    "batchReferenceNo": "",
    "contractReferenceNo": "",
    "extraReferenceNo": "",
    "projectReferenceNo": "",
}
DATES = [
    "purchaseOrder.orderDate",
    "purchaseOrder.deliveryDate",
    "purchaseOrder.itemLists[0].batchDetails.expiryDate",
    "purchaseOrder.itemLists[1].batchDetails.batchWarrantyDate",
    "purchaseOrder.paymentMilestones[0].milestoneDate",
    "purchaseOrder.contractReferenceDetails[0].receiptAdviceDate",
]
OUT_OF_RANGE = "Must be between 2000-01-01 and 2199-12-31."
TIMESTAMP_FORMAT = "Must be an ISO-8601 timestamp with an offset"


@pytest.fixture
def dated_request(send_request) -> dict:
    """The req-send body with every kind of date filled in."""
    return change(send_request, "purchaseOrder.contractReferenceDetails", [CONTRACT_REFERENCE])


@pytest.mark.parametrize("kind", ["req-send", "req-edit"])
@pytest.mark.parametrize("path", DATES)
@pytest.mark.parametrize("date", ["0001-01-01", "1999-12-31", "2200-01-01", "9999-12-31"])
def test_a_date_outside_the_network_years_is_refused_naming_the_field(
    signed_post, dated_request, kind, path, date
):
    before = row_counts()

    response = signed_post(kind, change(dated_request, path, date))

    resp = assert_invalid(response, path, before)
    assert resp["errorDtl"] == f"{path}: {OUT_OF_RANGE}"


@pytest.mark.parametrize("kind", ["req-send", "req-edit"])
@pytest.mark.parametrize(
    "ts",
    [
        # Neither has a UTC time: the first is in the year 0, the second in 10000.
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "1999-12-31T23:59:59+00:00",
        "2200-01-01T00:00:00+05:30",
    ],
)
def test_a_ts_outside_the_network_years_is_refused_naming_the_field(
    signed_post, dated_request, kind, ts
):
    before = row_counts()

    response = signed_post(kind, change(dated_request, TS, ts))

    resp = assert_invalid(response, TS, before)
    assert resp["errorDtl"] == f"{TS}: {OUT_OF_RANGE}"


@pytest.mark.parametrize(
    "ts",
    [
        "\u0662\u0660\u0662\u0666-11-23T10:15:00+05:30",  # Arabic-Indic digits
        "2026-11-23T10:15:00+05:30\n",
        " 2026-11-23T10:15:00+05:30",
        "2026-11-23T10:15:00+24:00",
    ],
)
def test_a_ts_in_other_digits_or_with_spaces_is_refused_naming_the_field(
    signed_post, dated_request, ts
):
    before = row_counts()

    response = signed_post("req-send", change(dated_request, TS, ts))

    resp = assert_invalid(response, TS, before)
    assert resp["errorDtl"].startswith(f"{TS}: {TIMESTAMP_FORMAT}")


@pytest.mark.parametrize("date", ["2026-11-23\n", "\u0662\u0660\u0662\u0666-11-23", "2026-1-23"])
def test_a_date_in_other_digits_or_with_a_newline_is_refused_naming_the_field(
    signed_post, dated_request, date
):
    path = DATES[-1]
    before = row_counts()

    response = signed_post("req-send", change(dated_request, path, date))

    resp = assert_invalid(response, path, before)
    assert resp["errorDtl"] == f"{path}: Must be a date written YYYY-MM-DD."


@pytest.mark.parametrize(
    ("ts", "date"),
    [("2000-01-01T00:00:00+14:00", "2000-01-01"), ("2199-12-31T23:59:59-14:00", "2199-12-31")],
)
def test_the_first_and_last_days_of_the_network_years_are_stored(
    signed_post, dated_request, ts, date
):
    body = dated_request
    for path in [*DATES, TS]:
        body = change(body, path, ts if path == TS else date)

    response = signed_post("req-send", body)

    assert response.status_code == 200
    stored = PurchaseOrder.objects.get(object_id=body["purchaseOrder"]["objectId"])
    assert stored.ts == formats.parse_timestamp(ts)
    assert stored.order_date.isoformat() == date
    assert stored.contract_references[0]["receiptAdviceDate"] == date


def test_a_response_webhook_tolerates_dates_it_does_not_read(signed_post, sent_purchase_order):
    """resp-send writes no contents: its purchase order's dates are the request's, kept raw."""
    message = OutboundMessage.objects.get()
    body = response_body(encoding.loads(message.body), req_msg_id=message.req_msg_id)

    response = signed_post("resp-send", change(body, "purchaseOrder.orderDate", "0001-01-01"))

    assert response.status_code == 200
    assert answer(response)["response_code"] == conventions.RESPONSE_CODE_SUCCESS
    assert InboundEvent.objects.get().state == "applied"


# -- keys named twice ------------------------------------------------------------


def with_key_twice(body: dict, path: str, first, second) -> bytes:
    """Return a body as JSON text whose object at a path names its last key twice."""
    key = path.rsplit(".", 1)[-1]
    text = encoding.dumps(change(body, path, "<twice>"))
    twice = f'"{key}":"<twice>"'
    assert text.count(twice) == 1
    pairs = f'"{key}":{encoding.dumps(first)},"{key}":{encoding.dumps(second)}'
    return text.replace(twice, pairs).encode()


@pytest.mark.parametrize(
    ("path", "first", "second"),
    [
        (SUBJECT, "Office chairs", "Office chairs and desks"),
        # The same value twice is refused too: the rule must not depend on a guess.
        (SUBJECT, "Office chairs", "Office chairs"),
        ("purchaseOrder", {}, {}),
        ("b2bIds.supplierB2BId", "B2B-A", "B2B-B"),
        ("purchaseOrder.itemLists[1].batchDetails.batchNumber", "B1", "B2"),
        ("purchaseOrder.objectVersion.newVersion", 1, 2),
        (UNIT_PRICE, 10, 10000),
        ("additionalInfos[0].name", "channel", "other"),
        ("purchaseOrder.unknownExtra", 1, 2),
    ],
)
def test_a_key_named_twice_is_refused_as_ambiguous_naming_its_path(
    signed_post, send_request, path, first, second
):
    body = change(send_request, path, first)
    before = row_counts()

    response = signed_post("req-send", with_key_twice(body, path, first, second))

    resp = assert_invalid(response, path, before)
    assert "appears more than once" in resp["errorDtl"]


def test_a_key_named_twice_in_a_response_webhook_is_refused(signed_post, example):
    body = example("webhook-resp-send.json")
    before = row_counts()

    response = signed_post("resp-send", with_key_twice(body, "resp.result", "FAILURE", "SUCCESS"))

    assert_invalid(response, "resp.result", before, kind="resp-send")


def test_the_first_problem_in_document_order_is_named(signed_post, send_request):
    body = change(send_request, "b2bIds.buyerB2BId", "before\u0000after")
    before = row_counts()

    response = signed_post("req-send", with_key_twice(body, SUBJECT, "a", "b"))

    resp = assert_invalid(response, "b2bIds.buyerB2BId", before)
    assert "Null characters are not allowed." in resp["errorDtl"]


def test_a_long_key_named_twice_is_named_as_far_as_the_field_can_hold(signed_post, send_request):
    path = "purchaseOrder." + "k" * 400
    before = row_counts()

    response = signed_post("req-send", with_key_twice(send_request, path, 1, 2))

    assert response.status_code == 400
    resp = answer(response)["payload"]["resp"]
    assert resp["errorField"] == path[:255]
    assert resp["errorDtl"] == f"{path}: {DuplicateKey.detail_text}"
    assert InboundEvent.objects.get().error_field == path[:255]
    assert row_counts()["purchase_orders.PurchaseOrder"] == before["purchase_orders.PurchaseOrder"]


@pytest.mark.parametrize("length", ["abc", "1e3", "\u00b2", "0x10"])
def test_a_content_length_that_is_no_number_is_refused(webhook_client, send_request, length):
    raw = encoding.dumps(send_request).encode()
    before = row_counts()

    response = webhook_client.post(
        webhook_url("req-send"),
        data=raw,
        content_type="application/json",
        headers={"Content-Length": length},
    )

    assert response.status_code == 400
    body = answer(response)
    assert body["response_code"] == conventions.RESPONSE_CODE_INVALID
    assert conventions.envelope_error(body)[:2] == (
        conventions.ERROR_INVALID_FIELD,
        "The Content-Length header is not a number of bytes.",
    )
    assert row_counts() == before


@pytest.mark.parametrize(
    ("path", "literal", "field"),
    [
        (SUBJECT, '"a\\ud800b"', SUBJECT),
        ("additionalInfos[0].value", '"\\udfff"', "additionalInfos[0].value"),
        ("purchaseOrder.unknownExtra", '{"\\ud83d": 1}', "purchaseOrder.unknownExtra.\\ud83d"),
    ],
)
def test_a_lone_surrogate_anywhere_is_refused_naming_its_path(
    signed_post, send_request, path, literal, field
):
    before = row_counts()

    response = signed_post("req-send", with_literal(send_request, path, literal))

    resp = assert_invalid(response, field, before)
    assert resp["errorDtl"] == f"{field}: Surrogate characters are not allowed."


def test_a_surrogate_pair_is_one_character_and_is_stored(signed_post, send_request):
    response = signed_post("req-send", with_literal(send_request, SUBJECT, '"\\ud83d\\udce6"'))

    assert response.status_code == 200
    stored = PurchaseOrder.objects.get(object_id=send_request["purchaseOrder"]["objectId"])
    assert stored.subject == "\U0001f4e6"


def test_a_nul_in_a_stored_header_is_replaced_not_a_server_error(signed_post, send_request):
    response = signed_post(
        "req-send",
        send_request,
        headers={"X-Req-Msg-Id": "req\u0000id", "X-Trace": "a\u0000b", "X-Half": "\u00e9"},
    )

    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert event.req_msg_id == "req\ufffdid"
    stored = {name.lower(): value for name, value in event.headers.items()}
    assert (stored["x-trace"], stored["x-half"]) == ("a\ufffdb", "\u00e9")


def test_a_content_type_holding_a_nul_is_refused_as_unsupported(signed_post, send_request):
    response = signed_post("req-send", send_request, content_type="text/plain; x=\u0000")

    assert response.status_code == 415
    body = answer(response)
    assert conventions.envelope_error(body)[0] == conventions.ERROR_UNSUPPORTED_MEDIA_TYPE
    assert "\x00" not in InboundEvent.objects.get().error_detail
