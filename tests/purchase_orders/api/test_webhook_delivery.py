"""How every webhook is delivered: once-only storage, repeats, faults, paths and limits."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import resolve

from purchase_orders.enkash import conventions, kinds, signing
from purchase_orders.models import InboundEvent, PurchaseOrder, StatusChange
from purchase_orders.services import inbound
from tests.factories import PurchaseOrderFactory
from tests.plugins.webhooks import (
    answer,
    answered_error,
    as_bytes,
    confirm_body,
    row_counts,
    webhook_url,
)

pytestmark = pytest.mark.django_db


def test_a_repeat_gets_the_same_answer_and_is_not_applied_again(trading_pair, signed_post):
    purchase_order = trading_pair.purchase_order(sent=True)
    body = confirm_body(purchase_order, "ACCEPT")
    first = signed_post("req-confirm", body, msg_id="msg_repeat")

    again = signed_post("req-confirm", body, msg_id="msg_repeat")

    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert StatusChange.objects.filter(purchase_order=purchase_order).count() == 1
    event = InboundEvent.objects.get()
    assert (event.repeats, event.state) == (1, "applied")


def test_a_repeat_of_a_refusal_gets_the_same_refusal(trading_pair, signed_post):
    purchase_order = trading_pair.purchase_order(sent=True)
    body = confirm_body(purchase_order, "APPROVE")
    first = signed_post("req-confirm", body, msg_id="msg_refused")
    # Even if the message would now fit, the answer given stands.
    body["poConfirmation"]["supplierResponse"] = "ACCEPT"

    again = signed_post("req-confirm", body, msg_id="msg_refused")

    assert again.content == first.content
    assert answer(again)["payload"]["resp"]["errorCd"] == "UNKNOWN_ACTION"
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == "CREATED"


def test_a_repeat_of_an_invalid_body_gets_the_same_answer(signed_post):
    first = signed_post("req-confirm", b"{}", msg_id="msg_invalid")
    again = signed_post("req-confirm", b"{}", msg_id="msg_invalid")

    assert (again.status_code, again.content) == (400, first.content)
    assert InboundEvent.objects.get().repeats == 1


def test_without_a_webhook_id_the_same_body_is_the_same_delivery(
    trading_pair, webhook_client, settings
):
    settings.ENKASH_WEBHOOK_AUTH_MODE = conventions.WEBHOOK_AUTH_HEADER
    purchase_order = trading_pair.purchase_order(sent=True)
    body = as_bytes(confirm_body(purchase_order, "ACCEPT"))
    headers = {settings.ENKASH_WEBHOOK_AUTH_HEADER: settings.ENKASH_WEBHOOK_SECRET}

    def deliver(kind: str):
        return webhook_client.post(
            webhook_url(kind), data=body, content_type="application/json", headers=headers
        )

    first, again = deliver("req-confirm"), deliver("req-confirm")

    assert again.content == first.content
    event = InboundEvent.objects.get()
    assert event.dedupe_key.startswith("sha256:")
    assert event.repeats == 1
    assert StatusChange.objects.count() == 1


def test_a_fault_of_our_own_answers_500_and_is_processed_again_when_delivered_again(
    trading_pair, signed_post, monkeypatch
):
    purchase_order = trading_pair.purchase_order(sent=True)
    body = confirm_body(purchase_order, "ACCEPT")
    apply = inbound.INBOUND_HANDLERS["req-confirm"]

    def broken(*, event, message):
        # The change is made, then the fault strikes: nothing of it may stay.
        apply(event=event, message=message)
        raise RuntimeError("a bug in the portal")

    monkeypatch.setitem(inbound.INBOUND_HANDLERS, "req-confirm", broken)
    response = signed_post("req-confirm", body, msg_id="msg_fault")

    assert response.status_code == 500
    body_500 = answer(response)
    assert body_500["response_code"] == conventions.RESPONSE_CODE_ERROR
    assert body_500["payload"]["resp"]["errorCd"] == "INTERNAL_ERROR"
    event = InboundEvent.objects.get()
    assert event.state == "error"
    assert "RuntimeError: a bug in the portal" in event.traceback
    assert event.purchase_order == purchase_order
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == "CREATED"
    assert not StatusChange.objects.exists()

    monkeypatch.setitem(inbound.INBOUND_HANDLERS, "req-confirm", apply)
    again = signed_post("req-confirm", body, msg_id="msg_fault")

    assert again.status_code == 200
    event.refresh_from_db()
    assert (event.state, event.traceback, event.repeats) == ("applied", "", 1)
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == "ACCEPTED"


def test_the_views_stay_outside_atomic_requests(trading_pair, signed_post, monkeypatch):
    for kind in kinds.WEBHOOK_KINDS:
        for trailing_slash in (False, True):
            view = resolve(webhook_url(kind, trailing_slash=trailing_slash)).func
            assert view._non_atomic_requests == {"default"}
            assert view.csrf_exempt is True
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)

    def broken(*, event, message):
        raise RuntimeError("a bug in the portal")

    monkeypatch.setitem(inbound.INBOUND_HANDLERS, "req-confirm", broken)
    purchase_order = trading_pair.purchase_order(sent=True)

    response = signed_post("req-confirm", confirm_body(purchase_order, "ACCEPT"))

    assert response.status_code == 500
    assert InboundEvent.objects.get().state == "error"


@pytest.mark.parametrize("kind", kinds.WEBHOOK_KINDS)
@pytest.mark.parametrize("trailing_slash", [False, True])
def test_every_kind_answers_with_or_without_a_trailing_slash(signed_post, kind, trailing_slash):
    response = signed_post(kind, b"{}", trailing_slash=trailing_slash)

    assert response.status_code == 400
    first_field = "device" if kind in kinds.REQUEST_KINDS else "b2bIds"
    assert answered_error(response)[2] == first_field
    assert InboundEvent.objects.get().kind == kind


def test_a_body_over_the_limit_is_refused_before_anything_else(signed_post, settings, example):
    settings.ENKASH_WEBHOOK_MAX_BODY_BYTES = 300
    before = row_counts()

    response = signed_post("req-confirm", example("webhook-req-confirm.json"))

    assert response.status_code == 413
    assert answer(response)["payload"]["resp"]["errorCd"] == "BODY_TOO_LARGE"
    assert row_counts() == before


def test_other_methods_are_not_allowed(webhook_client, settings):
    headers = signing.signature_headers(
        secret=settings.ENKASH_WEBHOOK_SECRET, msg_id="msg_get", body=b""
    )

    response = webhook_client.get(webhook_url("req-confirm"), headers=headers)

    assert response.status_code == 405
    assert answer(response)["payload"]["resp"]["errorCd"] == "METHOD_NOT_ALLOWED"
    assert not InboundEvent.objects.exists()


def test_the_answer_is_json_whatever_the_client_accepts(signed_post, example):
    response = signed_post(
        "req-confirm", example("webhook-req-confirm.json"), headers={"Accept": "text/html"}
    )

    assert response.status_code == 409
    assert answer(response)["payload"]["resp"]["errorCd"] == "PO_NOT_FOUND"


@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_are_stored_once_and_applied_once(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the race needs PostgreSQL")
    applied = []
    apply = inbound.INBOUND_HANDLERS["req-confirm"]

    def counted(*, event, message):
        applied.append(event.pk)
        return apply(event=event, message=message)

    monkeypatch.setitem(inbound.INBOUND_HANDLERS, "req-confirm", counted)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    purchase_order = PurchaseOrderFactory(sent=True)
    body = as_bytes(confirm_body(purchase_order, "ACCEPT"))
    headers = signing.signature_headers(
        secret=settings.ENKASH_WEBHOOK_SECRET, msg_id="msg_concurrent", body=body
    )
    copies = 20
    barrier = threading.Barrier(copies)
    answers = []

    def deliver():
        try:
            barrier.wait(timeout=10)
            response = Client().post(
                webhook_url("req-confirm"),
                data=body,
                content_type="application/json",
                headers=headers,
            )
            answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == copies
    assert {status for status, _ in answers} == {200}
    assert len({content for _, content in answers}) == 1
    event = InboundEvent.objects.get()
    assert (event.state, event.repeats) == ("applied", copies - 1)
    assert applied == [event.pk]
    assert StatusChange.objects.filter(purchase_order=purchase_order).count() == 1
    assert PurchaseOrder.objects.get(pk=purchase_order.pk).status == "ACCEPTED"
