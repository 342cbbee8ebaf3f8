"""The purchase-order form of an existing order: a draft, or a sent order edited with a reason."""

from decimal import Decimal

import pytest
from django.urls import reverse

from purchase_orders.models import OutboundMessage, PurchaseOrder, PurchaseOrderVersion
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.plugins.network import acknowledged
from tests.plugins.pages import error_next_to

pytestmark = pytest.mark.django_db


# -- drafts ----------------------------------------------------------------------


def test_editing_a_draft_shows_its_contents_and_saves_changes(people, form_data):
    draft = people.purchase_order(lines=2)
    url = reverse("purchase_orders:edit", args=[draft.object_id])

    page = people.buyer_client.get(url).content.decode()
    assert 'value="A4 copier paper, 75 gsm, box 2"' in page
    assert 'name="lines-TOTAL_FORMS" value="2"' in page
    assert ">Save draft</button>" in page
    assert 'name="reason"' not in page

    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        buyer_po_number=draft.buyer_po_number,
        lines=[
            {
                "product_description": "Envelopes",
                "hsn_code": "4817",
                "quantity": "100",
                "unit_price": "2.50",
                "gst_rate": "12",
            }
        ],
    )
    response = people.buyer_client.post(url, data)

    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == PurchaseOrder.Status.DRAFT
    assert [line.product_description for line in draft.lines.all()] == ["Envelopes"]
    assert draft.total_po_value == Decimal("280.00")


def test_sending_a_draft_from_its_form(people, form_data, three_lines):
    draft = people.purchase_order(lines=1)
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        buyer_po_number=draft.buyer_po_number,
        intent="send",
    )

    people.buyer_client.post(reverse("purchase_orders:edit", args=[draft.object_id]), data)

    draft.refresh_from_db()
    # Saved and sent; a draft until the network acknowledges the send.
    assert (draft.status, draft.pending_action) == (PurchaseOrder.Status.DRAFT, "SEND")
    assert draft.lines.count() == 3
    assert OutboundMessage.objects.filter(purchase_order=draft, kind="req-send").count() == 1
    draft = acknowledged(draft)
    assert (draft.status, draft.version) == (PurchaseOrder.Status.CREATED, 1)
    assert draft.lines.count() == 3


# -- editing a sent purchase order ----------------------------------------------------


@pytest.fixture
def sent(people):
    draft = people.purchase_order(lines=2)
    return acknowledged(send_purchase_order(purchase_order=draft, sent_by=people.buyer_user))


def edit_data(people, sent, form_data, **changes):
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        buyer_po_number=sent.buyer_po_number,
        lines=[
            {
                "product_description": "A4 copier paper, 75 gsm, box 1",
                "hsn_code": "48025690",
                "quantity": "15",
                "unit": "BOX",
                "unit_price": "125.50",
                "serial_no": "1",
            },
            {
                "product_description": "A4 copier paper, 75 gsm, box 2",
                "hsn_code": "48025690",
                "quantity": "20",
                "unit": "BOX",
                "unit_price": "126.50",
                "serial_no": "2",
            },
        ],
        reason="Quantity of box 1 raised to 15",
        expected_version="1",
        intent="send",
    )
    data.update(changes)
    return data


def test_the_edit_form_of_a_sent_order_asks_a_reason_and_sends_a_new_version(
    people, sent, form_data
):
    url = reverse("purchase_orders:edit", args=[sent.object_id])
    page = people.buyer_client.get(url).content.decode()
    assert 'name="reason"' in page
    assert ">Save draft</button>" not in page
    assert ">Send to supplier</button>" in page
    assert 'name="expected_version" value="1"' in page

    response = people.buyer_client.post(url, edit_data(people, sent, form_data))

    assert response["Location"] == sent.get_absolute_url()
    assert "Version 2 of" in people.buyer_client.get(response["Location"]).content.decode()
    sent.refresh_from_db()
    # Version 2 is on its way: the order stays at version 1 until the network takes it.
    assert (sent.version, sent.pending_action) == (1, "EDIT")
    assert [line.quantity for line in sent.lines.all()] == [Decimal("10.000"), Decimal("20.000")]
    assert PurchaseOrderVersion.objects.get(purchase_order=sent, version=2).reason == (
        "Quantity of box 1 raised to 15"
    )
    assert OutboundMessage.objects.filter(
        purchase_order=sent, kind="req-edit", object_version=2
    ).exists()

    sent = acknowledged(sent)
    assert (sent.version, sent.status) == (2, PurchaseOrder.Status.CREATED)
    assert [line.quantity for line in sent.lines.all()] == [Decimal("15.000"), Decimal("20.000")]


def test_an_edit_without_a_reason_is_refused(people, sent, form_data):
    url = reverse("purchase_orders:edit", args=[sent.object_id])

    response = people.buyer_client.post(url, edit_data(people, sent, form_data, reason=" "))

    assert "Say why the purchase order is being changed." in error_next_to(
        response.content.decode(), "id_reason"
    )
    sent.refresh_from_db()
    assert sent.version == 1


def test_an_edit_based_on_an_old_version_is_refused(people, sent, form_data):
    url = reverse("purchase_orders:edit", args=[sent.object_id])

    response = people.buyer_client.post(
        url, edit_data(people, sent, form_data, expected_version="0")
    )

    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    sent.refresh_from_db()
    assert sent.version == 1
    assert sent.lines.first().quantity == Decimal("10.000")


def test_the_supplier_and_number_of_a_sent_order_cannot_be_changed(people, sent, form_data):
    url = reverse("purchase_orders:edit", args=[sent.object_id])
    data = edit_data(
        people, sent, form_data, supplier=str(people.outsider.pk), buyer_po_number="OTHER-1"
    )

    people.buyer_client.post(url, data)

    sent = acknowledged(sent)
    assert sent.supplier == people.supplier
    assert sent.buyer_po_number != "OTHER-1"
    assert sent.version == 2


def test_a_closed_order_cannot_be_edited(people):
    closed = people.purchase_order(status=PurchaseOrder.Status.CLOSED, version=1, lines=1)

    response = people.buyer_client.get(
        reverse("purchase_orders:edit", args=[closed.object_id]), follow=True
    )

    assert "cannot be edited" in response.content.decode()


def test_editing_is_for_the_buyer_of_the_order_only(people, sent):
    url = reverse("purchase_orders:edit", args=[sent.object_id])

    assert people.supplier_client.get(url).status_code == 403
    assert people.outsider_client.get(url).status_code == 404
