"""Terms and conditions: a new order starts with its business's; a sent one keeps its own.

The network's purchaseOrder has no field for them: they travel as the PO
detail ``conventions.TERMS_DETAIL_TYPE``, which the pages never show as such.
"""

import html

import pytest
from django.urls import reverse

from purchase_orders import lifecycle
from purchase_orders.enkash import conventions
from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.services.drafts import duplicate_purchase_order
from purchase_orders.services.outbound import deliver_outbound_message
from tests.plugins.network import acknowledged
from tests.purchase_orders.views.test_purchase_order_edit_form import edit_data

pytestmark = pytest.mark.django_db

NEW = reverse("purchase_orders:create")
TERMS = "1. Quote our PO number on every invoice.\n2. Payment within 45 days."
TERMS_DETAIL = {"detailType": conventions.TERMS_DETAIL_TYPE, "detailValue": TERMS}


@pytest.fixture
def with_terms(people):
    people.buyer.default_terms = TERMS
    people.buyer.save()
    return people


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_new_order_form_starts_with_the_default_terms(with_terms):
    page = text(with_terms.buyer_client.get(NEW))

    assert 'name="terms"' in page
    assert f">\n{TERMS}</textarea>" in page


@pytest.mark.parametrize("intent", ["save", "submit"])
def test_what_the_buyer_keeps_of_the_terms_is_saved_even_nothing(
    with_terms, form_data, three_lines, intent
):
    people = with_terms
    if intent == "submit":
        # Every order needs approval, and an approver can give it.
        people.buyer.approval_limit = 0
        people.buyer.save(update_fields=["approval_limit"])
        assert people.approver_user
    for number, terms in ((1, "Payment within 10 days."), (2, "")):
        people.buyer_client.post(
            NEW,
            form_data(
                buyer=people.buyer,
                supplier=people.supplier,
                lines=three_lines,
                buyer_po_number=f"PO/TERMS/{number}",
                terms=terms,
                intent=intent,
            ),
        )

    orders = {order.buyer_po_number: order for order in PurchaseOrder.objects.all()}
    assert orders["PO/TERMS/1"].po_infos == [
        {"detailType": conventions.TERMS_DETAIL_TYPE, "detailValue": "Payment within 10 days."}
    ]
    assert orders["PO/TERMS/2"].po_infos == []
    expected = lifecycle.AWAITING_APPROVAL if intent == "submit" else lifecycle.DRAFT
    assert {order.status for order in orders.values()} == {expected}


def test_a_po_detail_named_as_the_terms_is_sent_to_their_own_box(people, form_data, three_lines):
    data = form_data(
        buyer=people.buyer, supplier=people.supplier, lines=three_lines, terms="Our terms."
    )
    data.update(
        {
            "po_infos-TOTAL_FORMS": "1",
            "po_infos-0-detail_type": conventions.TERMS_DETAIL_TYPE,
            "po_infos-0-detail_value": "Other terms.",
        }
    )

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 200
    assert "Write the terms and conditions in their own box, under Terms and conditions." in (
        text(response)
    )
    assert not PurchaseOrder.objects.exists()


def test_drafts_made_by_the_services_start_with_the_default_terms(with_terms):
    people = with_terms
    source = people.purchase_order()
    source.po_infos = [{"detailType": "COST_CENTRE", "detailValue": "CC-1"}]
    source.save()

    copy = duplicate_purchase_order(purchase_order=source, created_by=people.buyer_user)

    assert copy.po_infos == [{"detailType": "COST_CENTRE", "detailValue": "CC-1"}, TERMS_DETAIL]


def test_the_order_page_shows_the_terms_in_words(with_terms, form_data, three_lines):
    people = with_terms
    people.buyer_client.post(
        NEW,
        form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines, terms=TERMS),
    )
    purchase_order = PurchaseOrder.objects.get()

    page = text(people.buyer_client.get(purchase_order.get_absolute_url()))
    printed = text(
        people.buyer_client.get(reverse("purchase_orders:print", args=[purchase_order.object_id]))
    )

    assert '<h2 id="terms-heading">Terms and conditions</h2>' in page
    assert "1. Quote our PO number on every invoice.<br>2. Payment within 45 days." in page
    assert conventions.TERMS_DETAIL_TYPE not in page
    assert "<h2>Terms and conditions</h2>" in printed
    assert conventions.TERMS_DETAIL_TYPE not in printed


@pytest.mark.sandbox
def test_a_sent_order_keeps_the_terms_it_was_sent_with(with_terms, form_data, three_lines, sandbox):
    people = with_terms
    people.buyer_client.post(
        NEW,
        form_data(
            buyer=people.buyer,
            supplier=people.supplier,
            lines=three_lines,
            terms=TERMS,
            intent="send",
        ),
    )
    message = OutboundMessage.objects.get()
    deliver_outbound_message(message_id=message.pk)
    sent = acknowledged(PurchaseOrder.objects.get())

    people.buyer.default_terms = "New terms from today."
    people.buyer.save()

    [received] = [entry for entry in sandbox.received if entry["req_msg_id"] == message.req_msg_id]
    assert received["body"]["purchaseOrder"]["poInfos"] == [TERMS_DETAIL]
    sent.refresh_from_db()
    assert sent.po_infos == [TERMS_DETAIL]
    edit_url = reverse("purchase_orders:edit", args=[sent.object_id])
    assert f">\n{TERMS}</textarea>" in text(people.buyer_client.get(edit_url))
    # An edit keeps them unless the buyer changes them; the change is compared in words.
    people.buyer_client.post(
        edit_url, edit_data(people, sent, form_data, terms="Payment within 60 days.")
    )
    version_2 = acknowledged(sent).versions.get(version=2)
    assert version_2.snapshot["purchaseOrder"]["poInfos"] == [
        {"detailType": conventions.TERMS_DETAIL_TYPE, "detailValue": "Payment within 60 days."}
    ]
    compared = text(
        people.buyer_client.get(reverse("purchase_orders:compare", args=[sent.object_id]))
    )
    assert "Terms and conditions" in compared
    assert "Payment within 60 days." in compared
    assert conventions.TERMS_DETAIL_TYPE not in compared
