"""Send, confirm, reject, change status, duplicate and retry from the pages."""

import pytest
from django.urls import reverse

from purchase_orders.models import OutboundMessage, PurchaseOrder, StatusChange
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db


def url(name, purchase_order, *args):
    return reverse(f"purchase_orders:{name}", args=[purchase_order.object_id, *args])


def page_text(response) -> str:
    return response.content.decode()


# -- send --------------------------------------------------------------------------


def test_send_puts_a_draft_on_the_network(people):
    draft = people.purchase_order(lines=2)

    response = people.buyer_client.post(url("send", draft))

    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    # Sent, not yet acknowledged: still the draft, with the send pending.
    assert (draft.status, draft.version, draft.pending_action) == ("DRAFT", 0, "SEND")
    message = OutboundMessage.objects.get(purchase_order=draft)
    assert message.kind == "req-send"
    assert draft.pending_message == message
    attempt = StatusChange.objects.get(purchase_order=draft)
    assert (attempt.action, attempt.stage, attempt.to_status) == ("SEND", "attempted", "CREATED")

    draft = acknowledged(draft)
    assert (draft.status, draft.version, draft.pending_action) == ("CREATED", 1, "")


def test_send_shows_the_services_refusal(people):
    sent = people.purchase_order(sent=True, lines=1)

    response = people.buyer_client.post(url("send", sent), follow=True)

    assert "This purchase order cannot be sent: its status is" in page_text(response)
    assert OutboundMessage.objects.count() == 0


def test_send_names_the_field_the_network_check_refuses(people):
    draft = people.purchase_order(lines=1)
    draft.lines.update(hsn_code="12")

    response = people.buyer_client.post(url("send", draft), follow=True)

    content = page_text(response)
    assert "Line 1, HSN/SAC code: Enter an HSN or SAC code of 4, 6 or 8 digits" in content
    assert "Edit the draft to put it right." in content
    draft.refresh_from_db()
    assert draft.status == "DRAFT"


def test_send_is_for_the_buyer(people):
    draft = people.purchase_order(lines=1)

    assert people.supplier_client.post(url("send", draft)).status_code == 404
    sent = people.purchase_order(sent=True, lines=1)
    assert people.supplier_client.post(url("send", sent)).status_code == 403
    assert people.outsider_client.post(url("send", sent)).status_code == 404
    assert people.buyer_client.get(url("send", sent)).status_code == 405


# -- confirm and reject ----------------------------------------------------------------


def test_confirm_accepts_the_version_the_supplier_saw(people):
    sent = people.purchase_order(sent=True, lines=1)

    response = people.supplier_client.post(
        url("confirm", sent), {"remarks": "", "expected_version": "1"}
    )

    assert response["Location"] == sent.get_absolute_url()
    sent.refresh_from_db()
    assert (sent.status, sent.pending_action) == ("CREATED", "ACCEPT")
    assert OutboundMessage.objects.get(purchase_order=sent).kind == "req-confirm"
    assert acknowledged(sent).status == "ACCEPTED"


def test_reject_needs_remarks_shown_next_to_the_field(people):
    sent = people.purchase_order(sent=True, lines=1)

    response = people.supplier_client.post(
        url("reject", sent), {"remarks": "  ", "expected_version": "1"}
    )

    assert response.status_code == 200
    content = page_text(response)
    assert (
        '<ul class="errorlist" id="id_remarks_error"><li>Say why you reject this purchase order'
        in content
    )
    sent.refresh_from_db()
    assert sent.status == "CREATED"
    assert OutboundMessage.objects.count() == 0


def test_reject_with_remarks(people):
    sent = people.purchase_order(sent=True, lines=1)

    people.supplier_client.post(
        url("reject", sent), {"remarks": "Rates are last year's", "expected_version": "1"}
    )

    sent.refresh_from_db()
    assert (sent.status, sent.pending_action) == ("CREATED", "REJECT")
    attempt = StatusChange.objects.get(purchase_order=sent)
    assert (attempt.stage, attempt.remarks) == ("attempted", "Rates are last year's")

    assert acknowledged(sent).status == "REJECTED"
    applied = StatusChange.objects.get(purchase_order=sent, stage="applied")
    assert (applied.action, applied.remarks) == ("REJECT", "Rates are last year's")


def test_a_confirmation_of_an_older_version_is_refused(people):
    sent = people.purchase_order(status="CREATED", version=2, lines=1)

    response = people.supplier_client.post(
        url("confirm", sent), {"expected_version": "1"}, follow=True
    )

    assert "changed by someone else (now version 2)" in page_text(response)
    sent.refresh_from_db()
    assert sent.status == "CREATED"


def test_confirm_and_reject_are_for_the_supplier(people):
    sent = people.purchase_order(sent=True, lines=1)

    assert people.buyer_client.post(url("confirm", sent)).status_code == 403
    assert people.buyer_client.post(url("reject", sent), {"remarks": "x"}).status_code == 403
    assert people.outsider_client.post(url("confirm", sent)).status_code == 404


def test_confirming_twice_shows_why_not(people):
    accepted = people.purchase_order(accepted=True, lines=1)

    response = people.supplier_client.post(
        url("confirm", accepted), {"expected_version": "1"}, follow=True
    )

    assert "This purchase order cannot be accepted" in page_text(response)


# -- change status ------------------------------------------------------------------------


def test_change_status_offers_only_the_allowed_moves(people):
    sent = people.purchase_order(sent=True, lines=1)
    accepted = people.purchase_order(accepted=True, lines=1)

    sent_page = page_text(people.buyer_client.get(url("change-status", sent)))
    accepted_page = page_text(people.buyer_client.get(url("change-status", accepted)))

    assert 'value="CANCEL"' in sent_page
    assert 'value="CLOSE"' not in sent_page and 'value="FULFILL"' not in sent_page
    for action in ("CANCEL", "FULFILL", "CLOSE"):
        assert f'value="{action}"' in accepted_page
    assert ">Change status</button>" in accepted_page


def test_cancelling_needs_remarks(people):
    sent = people.purchase_order(sent=True, lines=1)

    response = people.buyer_client.post(
        url("change-status", sent), {"action": "CANCEL", "expected_version": "1"}
    )

    assert "Say why the purchase order is cancelled" in page_text(response)
    sent.refresh_from_db()
    assert sent.status == "CREATED"


def test_change_status_calls_the_service(people):
    accepted = people.purchase_order(accepted=True, lines=1)

    response = people.buyer_client.post(
        url("change-status", accepted),
        {"action": "FULFILL", "remarks": "All boxes received", "expected_version": "1"},
    )

    assert response["Location"] == accepted.get_absolute_url()
    accepted.refresh_from_db()
    assert (accepted.status, accepted.pending_action) == ("ACCEPTED", "FULFILL")
    message = OutboundMessage.objects.get(purchase_order=accepted)
    assert message.kind == "req-status-change"
    assert '"buyerAction":"FULFILL"' in message.body.replace(" ", "")
    assert acknowledged(accepted).status == "FULFILLED"


def test_a_move_not_allowed_now_is_refused(people):
    sent = people.purchase_order(sent=True, lines=1)

    response = people.buyer_client.post(
        url("change-status", sent), {"action": "CLOSE", "remarks": "x"}
    )

    assert "That change is not possible from the current status." in page_text(response)
    sent.refresh_from_db()
    assert sent.status == "CREATED"


def test_a_status_change_on_a_stale_page_shows_the_services_error(people):
    accepted = people.purchase_order(accepted=True, lines=1)

    response = people.buyer_client.post(
        url("change-status", accepted),
        {"action": "CLOSE", "remarks": "Done", "expected_version": "0"},
    )

    assert "changed by someone else" in page_text(response)
    accepted.refresh_from_db()
    assert accepted.status == "ACCEPTED"


def test_change_status_is_for_the_buyer(people):
    sent = people.purchase_order(sent=True, lines=1)

    assert people.supplier_client.get(url("change-status", sent)).status_code == 403
    assert (
        people.supplier_client.post(url("change-status", sent), {"action": "CANCEL"}).status_code
        == 403
    )


# -- duplicate --------------------------------------------------------------------------------


def test_duplicate_makes_a_new_draft_and_opens_it(people):
    original = people.purchase_order(accepted=True, lines=3, buyer_po_number="PO/2026-27/00012")

    response = people.buyer_client.post(url("duplicate", original))

    copy = PurchaseOrder.objects.exclude(pk=original.pk).get()
    assert response["Location"] == reverse("purchase_orders:edit", args=[copy.object_id])
    assert copy.status == "DRAFT"
    assert copy.object_id != original.object_id
    assert copy.buyer_po_number != original.buyer_po_number
    assert [line.product_description for line in copy.lines.all()] == [
        line.product_description for line in original.lines.all()
    ]
    assert copy.total_po_value == original.total_po_value
    assert "Copied PO/2026-27/00012 into the new draft" in page_text(
        people.buyer_client.get(response["Location"])
    )


def test_duplicate_is_for_the_buyer(people):
    original = people.purchase_order(sent=True, lines=1)

    assert people.supplier_client.post(url("duplicate", original)).status_code == 403
    assert people.outsider_client.post(url("duplicate", original)).status_code == 404
    assert PurchaseOrder.objects.count() == 1


# -- retry -------------------------------------------------------------------------------------


def test_retry_queues_a_failed_message_again(people):
    sent = people.purchase_order(sent=True, lines=1)
    message = people.message(sent, state=OutboundMessage.State.FAILED, attempts=12)

    response = people.buyer_client.post(url("retry", sent, message.pk), follow=True)

    message.refresh_from_db()
    assert (message.state, message.attempts) == ("queued", 0)
    assert "queued to be delivered again" in page_text(response)


def test_retry_of_a_message_that_has_not_failed_shows_why_not(people):
    sent = people.purchase_order(sent=True, lines=1)
    message = people.message(sent, state=OutboundMessage.State.ACKNOWLEDGED)

    response = people.buyer_client.post(url("retry", sent, message.pk), follow=True)

    assert "Only a failed delivery can be tried again" in page_text(response)
    message.refresh_from_db()
    assert message.state == "acknowledged"


def test_retry_is_for_the_business_that_sent_the_message(people):
    sent = people.purchase_order(sent=True, lines=1)
    buyers_message = people.message(sent, state=OutboundMessage.State.FAILED)
    suppliers_message = people.message(
        sent, kind=OutboundMessage.Kind.CONFIRM, state=OutboundMessage.State.FAILED
    )
    other = people.purchase_order(sent=True, lines=1)

    assert people.supplier_client.post(url("retry", sent, buyers_message.pk)).status_code == 403
    assert people.buyer_client.post(url("retry", sent, suppliers_message.pk)).status_code == 403
    assert people.outsider_client.post(url("retry", sent, buyers_message.pk)).status_code == 404
    assert people.buyer_client.post(url("retry", other, buyers_message.pk)).status_code == 404
    assert people.supplier_client.post(url("retry", sent, suppliers_message.pk)).status_code == 302
