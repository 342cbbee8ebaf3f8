"""A status is what the network has acknowledged, end to end through the sandbox over HTTP.

An action made here waits, pending, until the network answers: a refusal
leaves the order as it was and tells nobody on the other side; a success
changes the other side's view when the network delivers the request to it;
while the network is down the action waits, and is applied once when it
comes back.
"""

import pytest
import requests
from django.core import mail
from django.test import Client
from django.urls import reverse

from purchase_orders.models import OutboundMessage, PurchaseOrder, StatusChange
from purchase_orders.services import notifications
from purchase_orders.services.purchase_orders import confirm_purchase_order, send_purchase_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]

INBOX = reverse("purchase_orders:inbox")
LIST = reverse("purchase_orders:list")


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.ENKASH_RETRY_BASE_SECONDS = 0.05
    settings.ENKASH_RETRY_MAX_SECONDS = 0.2


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def subjects_to(user) -> list[str]:
    """Return the subjects of the e-mails sent to one person, in the order sent."""
    return [message.subject for message in mail.outbox if user.email in message.to]


def stages(purchase_order: PurchaseOrder) -> list[tuple[str, str]]:
    return list(
        StatusChange.objects.filter(purchase_order=purchase_order)
        .order_by("pk")
        .values_list("action", "stage")
    )


def in_inbox(client: Client, purchase_order: PurchaseOrder) -> bool:
    response = client.get(INBOX)
    assert response.status_code == 200
    return purchase_order.buyer_po_number in response.content.decode()


def sent_subject(purchase_order: PurchaseOrder) -> str:
    return notifications.SUBJECTS[notifications.SENT].format(
        number=purchase_order.buyer_po_number, buyer=purchase_order.buyer
    )


def accepted_subject(purchase_order: PurchaseOrder) -> str:
    return notifications.SUBJECTS[notifications.ACCEPTED].format(
        number=purchase_order.buyer_po_number, supplier=purchase_order.supplier
    )


# -- refused ---------------------------------------------------------------------------------


def test_a_refused_send_leaves_a_draft_the_supplier_never_sees(
    network, trading_pair, send_queued_mail
):
    network.sandbox.add_fault(
        "reject",
        kind="req-send",
        error_code="PARTY_NOT_FOUND",
        error_detail="The supplier is not registered on the network.",
        error_field="b2bIds.supplierB2BId",
    )
    draft = trading_pair.purchase_order()
    supplier = signed_in(trading_pair.supplier_user)

    send_purchase_order(purchase_order=draft, sent_by=trading_pair.buyer_user)
    network.drain()

    message = OutboundMessage.objects.get(purchase_order=draft)
    assert (message.state, message.error_code) == ("rejected", "PARTY_NOT_FOUND")
    draft.refresh_from_db()
    assert (draft.status, draft.version, draft.pending_action) == ("DRAFT", 0, "")
    assert draft.delivered_at is None
    assert stages(draft) == [("SEND", "attempted"), ("SEND", "refused")]
    refusal = StatusChange.objects.get(purchase_order=draft, stage="refused")
    assert (refusal.error_code, refusal.error_field) == ("PARTY_NOT_FOUND", "b2bIds.supplierB2BId")
    assert "The supplier is not registered on the network" in refusal.remarks
    send_queued_mail()
    # Nobody on the supplier's side heard of it; the buyer is told of the refusal.
    assert subjects_to(trading_pair.supplier_user) == []
    assert subjects_to(trading_pair.buyer_user) == [
        notifications.SUBJECTS[notifications.REFUSED].format(
            request=f"request to send purchase order {draft.buyer_po_number}"
        )
    ]
    # Refused at once (HTTP 4xx): the network delivered nothing to anyone.
    assert network.sandbox.delivered == []
    assert not in_inbox(supplier, draft)
    response = supplier.get(draft.get_absolute_url())
    assert response.status_code == 404
    # The buyer sees it as a draft again, the refusal on its page.
    page = signed_in(trading_pair.buyer_user).get(draft.get_absolute_url()).content.decode()
    assert "The supplier is not registered on the network." in page


@pytest.mark.parametrize("mode", ["reject", "reject_async"])
def test_a_failed_confirmation_never_makes_the_buyers_order_accepted(
    network, trading_pair, send_queued_mail, mode
):
    purchase_order = send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    network.drain()
    send_queued_mail()
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.pending_action) == ("CREATED", "")
    network.sandbox.add_fault(
        mode,
        kind="req-confirm",
        error_code="PO_LOCKED",
        error_detail="The purchase order is under audit.",
        error_field="poConfirmation.objectId",
    )
    mail.outbox.clear()

    confirm_purchase_order(
        purchase_order=purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks="Will ship on time.",
    )
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.pending_action) == ("CREATED", "ACCEPT")
    network.drain()

    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.pending_action) == ("CREATED", "")
    assert not StatusChange.objects.filter(
        purchase_order=purchase_order, action="ACCEPT", stage="applied"
    ).exists()
    assert stages(purchase_order)[-2:] == [("ACCEPT", "attempted"), ("ACCEPT", "refused")]
    send_queued_mail()
    assert accepted_subject(purchase_order) not in subjects_to(trading_pair.buyer_user)
    assert subjects_to(trading_pair.buyer_user) == []
    # The supplier who confirmed is told the network refused it.
    assert subjects_to(trading_pair.supplier_user) == [
        notifications.SUBJECTS[notifications.REFUSED].format(
            request=f"confirmation of purchase order {purchase_order.buyer_po_number}"
        )
    ]
    # The buyer's side never heard of the confirmation.
    assert "req-confirm" not in [entry["kind"] for entry in network.sandbox.delivered]
    buyer_page = signed_in(trading_pair.buyer_user).get(purchase_order.get_absolute_url())
    assert buyer_page.context["purchase_order"].status == "CREATED"


# -- acknowledged ------------------------------------------------------------------------------


def test_the_suppliers_view_changes_when_the_send_is_delivered_to_it(
    network, trading_pair, live_server, monkeypatch, send_queued_mail
):
    """Both parties hosted here: the req-send webhook shows it to the supplier, then resp-send."""
    draft = trading_pair.purchase_order()
    supplier = signed_in(trading_pair.supplier_user)
    session = {"sessionid": supplier.cookies["sessionid"].value}
    seen_before_response = []

    deliverer = network.sandbox._deliverer
    deliver_response = deliverer._deliver_response

    def look_then_deliver(exchange, outcome):
        # What the supplier sees once the request was delivered, before the response is.
        inbox = requests.get(live_server.url + INBOX, cookies=session, timeout=10)
        seen_before_response.append(
            (exchange.kind, inbox.status_code, draft.buyer_po_number in inbox.text)
        )
        deliver_response(exchange, outcome)

    monkeypatch.setattr(deliverer, "_deliver_response", look_then_deliver)

    send_purchase_order(purchase_order=draft, sent_by=trading_pair.buyer_user)

    # Sent, not delivered yet: the supplier does not see it, nobody is told.
    with network.sandbox.deliveries_paused():
        network.run_tasks()
        message = OutboundMessage.objects.get(purchase_order=draft)
        assert message.state == "sent"
        draft.refresh_from_db()
        assert (draft.status, draft.pending_action) == ("DRAFT", "SEND")
        assert not in_inbox(supplier, draft)
        assert send_queued_mail() == 0
        assert mail.outbox == []
    network.drain()
    send_queued_mail()

    assert seen_before_response == [("req-send", 200, True)]
    assert [entry["kind"] for entry in network.sandbox.delivered] == ["req-send", "resp-send"]
    draft.refresh_from_db()
    assert (draft.status, draft.version, draft.pending_action) == ("CREATED", 1, "")
    assert in_inbox(supplier, draft)
    message.refresh_from_db()
    assert message.state == "acknowledged"
    # Applied once, by whichever of the two webhooks came first.
    assert stages(draft) == [("SEND", "attempted"), ("SEND", "applied")]
    assert StatusChange.objects.get(purchase_order=draft, stage="applied").message == message
    assert subjects_to(trading_pair.supplier_user) == [sent_subject(draft)]
    assert subjects_to(trading_pair.buyer_user) == []

    # The supplier's confirmation: pending, then applied once for both.
    confirm_purchase_order(
        purchase_order=draft, confirmed_by=trading_pair.supplier_user, accept=True, remarks=""
    )
    draft.refresh_from_db()
    assert (draft.status, draft.pending_action) == ("CREATED", "ACCEPT")
    network.drain()
    send_queued_mail()

    draft.refresh_from_db()
    assert (draft.status, draft.pending_action) == ("ACCEPTED", "")
    assert stages(draft)[2:] == [("ACCEPT", "attempted"), ("ACCEPT", "applied")]
    assert subjects_to(trading_pair.buyer_user) == [accepted_subject(draft)]
    assert subjects_to(trading_pair.supplier_user) == [sent_subject(draft)]


def test_an_action_made_while_the_network_is_down_waits_then_is_delivered_once(
    network, trading_pair, send_queued_mail
):
    network.sandbox.go_offline()
    draft = trading_pair.purchase_order()
    supplier = signed_in(trading_pair.supplier_user)

    send_purchase_order(purchase_order=draft, sent_by=trading_pair.buyer_user)
    network.run_tasks()

    message = OutboundMessage.objects.get(purchase_order=draft)
    assert message.state == "retrying"
    draft.refresh_from_db()
    assert (draft.status, draft.version, draft.pending_action) == ("DRAFT", 0, "SEND")
    assert stages(draft) == [("SEND", "attempted")]
    assert not in_inbox(supplier, draft)
    assert send_queued_mail() == 0
    assert mail.outbox == []
    buyer_list = signed_in(trading_pair.buyer_user).get(LIST)
    assert draft.buyer_po_number in buyer_list.content.decode()

    network.sandbox.go_online()
    network.drain()
    send_queued_mail()

    message.refresh_from_db()
    assert (message.state, message.attempts >= 2) == ("acknowledged", True)
    accepted = [e for e in network.sandbox.received if e["status"] == 200 and not e["repeat"]]
    assert [entry["req_msg_id"] for entry in accepted] == [message.req_msg_id]
    draft.refresh_from_db()
    assert (draft.status, draft.version, draft.pending_action) == ("CREATED", 1, "")
    assert stages(draft) == [("SEND", "attempted"), ("SEND", "applied")]
    assert in_inbox(supplier, draft)
    assert subjects_to(trading_pair.supplier_user) == [sent_subject(draft)]
