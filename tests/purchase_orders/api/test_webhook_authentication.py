"""Webhook authentication: signatures, rotation, the header mode, the IP allow-list."""

import logging
import time

import pytest

from purchase_orders.enkash import conventions, signing
from tests.plugins.webhooks import answer, as_bytes, row_counts, webhook_url

pytestmark = pytest.mark.django_db

OLD_SECRET = "whsec_b2xkLXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY="
OTHER_SECRET = "whsec_b3RoZXItd2ViaG9vay1zZWNyZXQtMDEyMzQ1Njc4OWFi"
AUTH_LOGGER = "purchase_orders.api.authentication"

# Refused before its body is read: the documented answer of req-confirm, blanks
# where the body would have been echoed.
UNAUTHENTICATED = {
    "payload": {
        "b2bIds": {"buyerB2BId": "", "supplierB2BId": ""},
        "resp": {
            "reqMsgId": "",
            "result": "FAILURE",
            "errorCd": "UNAUTHENTICATED",
            "errorDtl": "The delivery could not be authenticated.",
            "errorField": "",
        },
        "poConfirmation": {
            "objectId": "",
            "buyerPONumber": "",
            "supplierResponse": "",
            "supplierRemarks": "",
            "objectVersion": {"currentVersion": 0, "newVersion": 0},
            "poStatusTransition": {"currentStatus": "", "newStatus": ""},
        },
        "additionalInfos": [],
    },
    "response_code": 401,
    "response_message": "The delivery could not be authenticated.",
}


@pytest.fixture
def body(example) -> bytes:
    return as_bytes(example("webhook-req-confirm.json"))


def assert_refused(response, caplog, reason: str) -> None:
    assert response.status_code == 401
    assert answer(response) == UNAUTHENTICATED
    assert response["WWW-Authenticate"] == 'Webhook realm="EnKash webhooks"'
    records = [record for record in caplog.records if record.name == AUTH_LOGGER]
    assert len(records) == 1
    assert reason in records[0].getMessage()


def assert_authenticated(response) -> None:
    # Past authentication, the example's order (not held here) is refused for now.
    assert response.status_code == 409
    assert answer(response)["payload"]["resp"]["errorCd"] == "PO_NOT_FOUND"


def test_a_signed_delivery_is_accepted(signed_post, body):
    response = signed_post("req-confirm", body)

    assert_authenticated(response)


def test_a_delivery_without_signature_headers_is_refused_and_nothing_is_stored(
    webhook_client, body, caplog
):
    before = row_counts()

    response = webhook_client.post(
        webhook_url("req-confirm"), data=body, content_type="application/json"
    )

    assert_refused(response, caplog, "missing webhook signature headers")
    assert row_counts() == before


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("tampered body", "no webhook signature matches"),
        ("wrong secret", "no webhook signature matches"),
        ("stale timestamp", "outside the tolerance"),
        ("future timestamp", "outside the tolerance"),
        ("malformed timestamp", "malformed"),
        ("unknown signature version", "no webhook signature matches"),
        ("missing webhook-id", "missing webhook signature headers"),
    ],
)
def test_a_forged_or_replayed_delivery_is_refused_and_nothing_is_stored(
    signed_post, body, settings, caplog, case, reason
):
    caplog.set_level(logging.WARNING, logger=AUTH_LOGGER)
    before = row_counts()
    now = int(time.time())
    tolerance = settings.ENKASH_WEBHOOK_TOLERANCE_SECONDS
    good = signing.signature_headers(
        secret=settings.ENKASH_WEBHOOK_SECRET, msg_id="msg_1", body=body
    )
    kwargs = {
        "tampered body": {"headers": good, "body": body.replace(b"GEOCODE", b"GEOCODF")},
        "wrong secret": {"secret": OTHER_SECRET},
        "stale timestamp": {"timestamp": now - tolerance - 5},
        "future timestamp": {"timestamp": now + tolerance + 5},
        "malformed timestamp": {"headers": {"webhook-timestamp": "soon"}},
        "unknown signature version": {
            "headers": {"webhook-signature": good["webhook-signature"].replace("v1,", "v2,")}
        },
        "missing webhook-id": {"headers": {"webhook-id": ""}},
    }[case]
    sent_body = kwargs.pop("body", body)

    response = signed_post("req-confirm", sent_body, **kwargs)

    assert_refused(response, caplog, reason)
    assert row_counts() == before


def test_the_previous_secret_is_accepted_while_it_is_listed(signed_post, body, settings, caplog):
    settings.ENKASH_WEBHOOK_SECRET = OTHER_SECRET
    settings.ENKASH_WEBHOOK_PREVIOUS_SECRETS = [OLD_SECRET]

    assert_authenticated(signed_post("req-confirm", body, secret=OLD_SECRET))
    assert_authenticated(signed_post("req-confirm", body, secret=OTHER_SECRET))

    settings.ENKASH_WEBHOOK_PREVIOUS_SECRETS = []
    before = row_counts()
    response = signed_post("req-confirm", body, secret=OLD_SECRET)

    assert_refused(response, caplog, "no webhook signature matches")
    assert row_counts() == before


def test_an_empty_secret_refuses_every_delivery(signed_post, body, settings, caplog):
    settings.ENKASH_WEBHOOK_SECRET = ""
    settings.ENKASH_WEBHOOK_PREVIOUS_SECRETS = [OLD_SECRET]
    before = row_counts()

    response = signed_post("req-confirm", body, secret=OLD_SECRET)

    assert_refused(response, caplog, "ENKASH_WEBHOOK_SECRET is empty")
    assert row_counts() == before


def test_an_unknown_mode_refuses_every_delivery(signed_post, body, settings, caplog):
    settings.ENKASH_WEBHOOK_AUTH_MODE = "none"

    response = signed_post("req-confirm", body)

    assert_refused(response, caplog, "ENKASH_WEBHOOK_AUTH_MODE is 'none'")


@pytest.fixture
def header_mode(settings):
    settings.ENKASH_WEBHOOK_AUTH_MODE = conventions.WEBHOOK_AUTH_HEADER
    settings.ENKASH_WEBHOOK_AUTH_HEADER = "X-EnKash-Webhook-Secret"
    settings.ENKASH_WEBHOOK_PREVIOUS_SECRETS = [OLD_SECRET]
    return settings


@pytest.mark.parametrize("secret", ["current", "previous"])
def test_header_mode_accepts_the_secret_in_the_configured_header(
    header_mode, webhook_client, body, secret
):
    value = header_mode.ENKASH_WEBHOOK_SECRET if secret == "current" else OLD_SECRET

    response = webhook_client.post(
        webhook_url("req-confirm"),
        data=body,
        content_type="application/json",
        headers={"X-EnKash-Webhook-Secret": value},
    )

    assert_authenticated(response)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing the X-EnKash-Webhook-Secret header"),
        ({"X-EnKash-Webhook-Secret": OTHER_SECRET}, "matches no webhook secret"),
        ({"Authorization": "Bearer whatever"}, "missing the X-EnKash-Webhook-Secret header"),
    ],
)
def test_header_mode_refuses_a_missing_or_wrong_secret(
    header_mode, webhook_client, body, caplog, headers, reason
):
    before = row_counts()

    response = webhook_client.post(
        webhook_url("req-confirm"), data=body, content_type="application/json", headers=headers
    )

    assert_refused(response, caplog, reason)
    assert row_counts() == before


def test_header_mode_does_not_store_the_secret(header_mode, webhook_client, body):
    from purchase_orders.models import InboundEvent

    webhook_client.post(
        webhook_url("req-confirm"),
        data=body,
        content_type="application/json",
        headers={"X-EnKash-Webhook-Secret": OLD_SECRET, "Authorization": "Basic c2VjcmV0"},
    )

    stored = {name.lower(): value for name, value in InboundEvent.objects.get().headers.items()}
    assert OLD_SECRET not in stored.values()
    assert "authorization" not in stored


@pytest.mark.parametrize(
    ("allowed", "accepted"),
    [
        (["127.0.0.0/8"], True),
        (["10.0.0.0/8", "127.0.0.1"], True),
        (["10.0.0.0/8"], False),
        (["::1/128"], False),
    ],
)
def test_the_ip_allow_list_checks_the_remote_address(
    signed_post, body, settings, caplog, allowed, accepted
):
    settings.ENKASH_WEBHOOK_ALLOWED_IPS = allowed

    response = signed_post("req-confirm", body)

    if accepted:
        assert_authenticated(response)
    else:
        assert_refused(response, caplog, "127.0.0.1 is not in ENKASH_WEBHOOK_ALLOWED_IPS")


def test_the_ip_allow_list_ignores_forwarded_for_headers(signed_post, body, settings, caplog):
    settings.ENKASH_WEBHOOK_ALLOWED_IPS = ["10.0.0.0/8"]

    response = signed_post("req-confirm", body, headers={"X-Forwarded-For": "10.1.2.3"})

    assert_refused(response, caplog, "127.0.0.1 is not in ENKASH_WEBHOOK_ALLOWED_IPS")


def test_a_malformed_allow_list_refuses_every_delivery(signed_post, body, settings, caplog):
    settings.ENKASH_WEBHOOK_ALLOWED_IPS = ["127.0.0.0/33"]

    response = signed_post("req-confirm", body)

    assert_refused(response, caplog, "not an address or CIDR")


def test_a_captured_delivery_replayed_is_answered_as_before_or_refused(
    trading_pair, webhook_client, settings, caplog
):
    """Byte for byte: the first answer, nothing changed. New id or stale: 401, nothing stored."""
    from purchase_orders.models import InboundEvent, StatusChange
    from tests.plugins.webhooks import confirm_body

    purchase_order = trading_pair.purchase_order(sent=True)
    raw = as_bytes(confirm_body(purchase_order, "ACCEPT"))
    captured = signing.signature_headers(
        secret=settings.ENKASH_WEBHOOK_SECRET,
        msg_id="msg_captured",
        body=raw,
        timestamp=int(time.time()) - 60,
    )

    def replay(headers):
        return webhook_client.post(
            webhook_url("req-confirm"), data=raw, content_type="application/json", headers=headers
        )

    first = replay(captured)
    applied = row_counts()

    again = replay(captured)

    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert answer(first)["payload"]["resp"]["result"] == "SUCCESS"
    assert row_counts() == applied
    assert StatusChange.objects.filter(purchase_order=purchase_order).count() == 1
    assert InboundEvent.objects.get().repeats == 1

    renamed = replay({**captured, "webhook-id": "msg_renamed"})
    assert_refused(renamed, caplog, "no webhook signature matches")
    caplog.clear()
    settings.ENKASH_WEBHOOK_TOLERANCE_SECONDS = 30
    stale = replay(captured)
    assert_refused(stale, caplog, "outside the tolerance")
    assert row_counts() == applied


# -- headers read as ASCII ---------------------------------------------------------


def assert_unauthenticated(response, caplog, reason: str) -> None:
    """A 401 in the network's envelope, the reason logged (the envelope's shape may grow)."""
    assert response.status_code == 401
    body = answer(response)
    assert body["response_code"] == conventions.RESPONSE_CODE_UNAUTHENTICATED
    assert conventions.envelope_error(body)[0] == conventions.ERROR_UNAUTHENTICATED
    messages = [r.getMessage() for r in caplog.records if r.name == AUTH_LOGGER]
    assert len(messages) == 1
    assert reason in messages[0]


def signed_as_given(body: bytes, *, msg_id: str = "msg_1", timestamp: str | None = None) -> dict:
    """Return signature headers computed over the id and timestamp exactly as given."""
    from django.conf import settings

    timestamp = str(int(time.time())) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signing.compute_signature(
            secret=settings.ENKASH_WEBHOOK_SECRET, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }


def to_digits(number: int, zero: str) -> str:
    """Return a number written in the decimal digits of another script (``zero`` its 0)."""
    return "".join(chr(ord(zero) + int(digit)) for digit in str(number))


@pytest.mark.parametrize(
    "case",
    [
        "superscript digits",
        "Arabic-Indic digits",
        "Devanagari digits",
        "full-width digits",
        "a trailing newline",
        "a leading space",
        "a sign",
        "thousands of digits",
    ],
)
def test_a_timestamp_not_in_ascii_digits_is_refused_even_when_signed(
    webhook_client, body, caplog, case
):
    now = int(time.time())
    timestamp = {
        "superscript digits": "\u00b2" * 10,
        # int() reads these three as the current time.
        "Arabic-Indic digits": to_digits(now, "\u0660"),
        "Devanagari digits": to_digits(now, "\u0966"),
        "full-width digits": to_digits(now, "\uff10"),
        "a trailing newline": f"{now}\n",
        "a leading space": f" {now}",
        "a sign": f"+{now}",
        "thousands of digits": "9" * 5000,
    }[case]
    before = row_counts()

    response = webhook_client.post(
        webhook_url("req-confirm"),
        data=body,
        content_type="application/json",
        headers=signed_as_given(body, timestamp=timestamp),
    )

    assert_unauthenticated(response, caplog, "malformed webhook-timestamp header")
    assert row_counts() == before


@pytest.mark.parametrize(
    "msg_id",
    ["msg_\u00fcml\u00e4ut", "msg_\u0000nul", "msg with space", "msg_1.2", "msg_\u2028", "\u00b2"],
)
def test_a_webhook_id_not_of_printable_ascii_is_refused_even_when_signed(
    webhook_client, body, caplog, msg_id
):
    before = row_counts()

    response = webhook_client.post(
        webhook_url("req-confirm"),
        data=body,
        content_type="application/json",
        headers=signed_as_given(body, msg_id=msg_id),
    )

    assert_unauthenticated(response, caplog, "malformed webhook-id header")
    assert row_counts() == before


@pytest.mark.parametrize("extra", ["\u00e9", "\u0000", "\n"])
def test_a_signature_header_not_of_printable_ascii_is_refused(webhook_client, body, caplog, extra):
    headers = signed_as_given(body)
    headers["webhook-signature"] += f" v1,{extra}"
    before = row_counts()

    response = webhook_client.post(
        webhook_url("req-confirm"), data=body, content_type="application/json", headers=headers
    )

    assert_unauthenticated(response, caplog, "malformed webhook-signature header")
    assert row_counts() == before


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"X-EnKash-Webhook-Secret": "s\u00e9cret"}, "malformed X-EnKash-Webhook-Secret header"),
        ({"X-EnKash-Webhook-Secret": "\u0000"}, "malformed X-EnKash-Webhook-Secret header"),
        ({"webhook-id": "msg_\u0000"}, "malformed webhook-id header"),
        ({"webhook-id": "msg_\u00b2"}, "malformed webhook-id header"),
    ],
)
def test_header_mode_refuses_a_secret_or_id_not_of_printable_ascii(
    header_mode, webhook_client, body, caplog, headers, reason
):
    headers = {"X-EnKash-Webhook-Secret": header_mode.ENKASH_WEBHOOK_SECRET, **headers}
    before = row_counts()

    response = webhook_client.post(
        webhook_url("req-confirm"), data=body, content_type="application/json", headers=headers
    )

    assert_unauthenticated(response, caplog, reason)
    assert row_counts() == before
