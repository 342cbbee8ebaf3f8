"""Fixtures: the demo data, a signed-in superuser, and what crossed the network."""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from purchase_orders.enkash import conventions, encoding
from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder
from purchase_orders.services import reminders
from purchase_orders.services.outbound import schedule_outbox_sweep
from purchase_orders.services.purchase_orders import confirm_purchase_order
from tests.factories import make_search
from tests.plugins.network import acknowledged


@dataclass
class Demo:
    """The seed_demo data, plus network messages of the sent order."""

    draft: PurchaseOrder
    sent: PurchaseOrder
    accepted: PurchaseOrder
    failed_message: OutboundMessage
    acknowledged_message: OutboundMessage
    event: InboundEvent


def outbound_message(purchase_order: PurchaseOrder, **fields) -> OutboundMessage:
    return OutboundMessage.objects.create(
        purchase_order=purchase_order,
        kind=OutboundMessage.Kind.SEND,
        req_msg_id=conventions.new_req_msg_id(),
        object_id=purchase_order.object_id,
        object_version=purchase_order.version,
        body=encoding.dumps({"purchaseOrder": {"objectId": purchase_order.object_id}}),
        **fields,
    )


@pytest.fixture
def demo(db, settings) -> Demo:
    settings.DEBUG = True
    # Full-strength password hashing would take most of the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", verbosity=0)
    # The demo has no groups; one gives the group pages a row to show.
    Group.objects.create(name="Purchasing desk")
    orders = {order.buyer_po_number: order for order in PurchaseOrder.objects.all()}
    # The seed's two sends wait for the network: acknowledge them, as the worker's
    # delivery would, and have the supplier confirm one, for an accepted order.
    sent, accepted = acknowledged(orders["PO/DEMO/0002"]), acknowledged(orders["PO/DEMO/0001"])
    accepted = acknowledged(
        confirm_purchase_order(
            purchase_order=accepted,
            confirmed_by=get_user_model().objects.get(username="supplier"),
            accept=True,
            remarks="Will ship on time.",
            expected_version=1,
        )
    )
    draft = orders["PO/DEMO/0003"]
    assert (draft.status, sent.status, accepted.status) == ("DRAFT", "CREATED", "ACCEPTED")
    failed = outbound_message(
        sent,
        state=OutboundMessage.State.FAILED,
        attempts=12,
        last_error="Gave up after 12 attempts: connection refused",
    )
    acknowledged_message = outbound_message(
        accepted,
        state=OutboundMessage.State.ACKNOWLEDGED,
        attempts=1,
        response_status=200,
        response_body='{"response_code":0}',
    )
    event = InboundEvent.objects.create(
        kind="resp-send",
        dedupe_key="msg_demo_1",
        req_msg_id=acknowledged_message.req_msg_id,
        object_id=acknowledged_message.object_id,
        headers={"webhook-id": "msg_demo_1"},
        body='{"payload":{"resp":{"result":"SUCCESS"}}}',
        state=InboundEvent.State.APPLIED,
        response_status=200,
        response_body='{"payload":"SUCCESS","response_code":0,"response_message":"SUCCESS"}',
        purchase_order=accepted,
        outbound_message=acknowledged_message,
    )
    # A confirmation that no one at the hosted supplier made, refused and flagged.
    InboundEvent.objects.create(
        kind="req-confirm",
        dedupe_key="msg_demo_2",
        object_id=sent.object_id,
        headers={"webhook-id": "msg_demo_2"},
        body='{"poConfirmation":{"supplierResponse":"ACCEPT"}}',
        state=InboundEvent.State.REFUSED,
        response_status=200,
        error_code=conventions.ERROR_NOT_SENT_FROM_HERE,
        error_field="b2bIds.supplierB2BId",
        purchase_order=sent,
        flagged=True,
    )
    # A supplier search the network answered, as the webhook leaves it.
    search = make_search(
        sent.buyer,
        parameter="B2BID",
        value="DEMO-B2B-TN-KAVERI",
        state="answered",
        results=[
            {
                "name": "Kaveri Castings Private Limited",
                "alias": "Kaveri Castings",
                "state": "Tamil Nadu",
                "pincode": "641021",
                "b2bIds": [{"value": "DEMO-B2B-TN-KAVERI", "description": "Coimbatore foundry"}],
            }
        ],
    )
    search.requested_by = get_user_model().objects.get(username="buyer")
    search.save(update_fields=["requested_by"])
    # The supplier reminded of the order it has not answered, four days on.
    reminders.remind_purchase_order(
        purchase_order_id=sent.pk, now=sent.sent_at + datetime.timedelta(days=4)
    )
    # A sweep waiting in the task queue gives the queue's pages a row.
    schedule_outbox_sweep()
    return Demo(
        draft=draft,
        sent=sent,
        accepted=accepted,
        failed_message=failed,
        acknowledged_message=acknowledged_message,
        event=event,
    )


@pytest.fixture
def superuser_client(demo) -> Client:
    """A client signed in as the demo's ``admin`` superuser."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client
