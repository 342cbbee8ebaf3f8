"""The purchase-order form of a new order: drafts, sending, and bad input.

The form of an existing order is in test_purchase_order_edit_form.py.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.services.drafts import financial_year
from tests.plugins.network import acknowledged
from tests.plugins.pages import (
    THREE_LINES_TAXABLE,
    THREE_LINES_TOTAL_CGST_SGST,
    THREE_LINES_TOTAL_IGST,
    error_next_to,
)

pytestmark = pytest.mark.django_db

NEW = reverse("purchase_orders:create")


def test_the_new_form_suggests_the_next_number_of_the_financial_year(people):
    people.purchase_order(
        buyer_po_number=f"PO/{financial_year(timezone.localdate())}/00041", lines=0
    )

    response = people.buyer_client.get(NEW)

    assert response.status_code == 200
    content = response.content.decode()
    assert f'value="PO/{financial_year(timezone.localdate())}/00042"' in content
    for name in ("Add line", "Save draft", "Send to supplier"):
        assert f">{name}</button>" in content
    assert 'name="lines-0-hsn_code"' in content
    assert 'data-state="27"' in content
    assert "Kaveri Textiles Private Limited · GSTIN" in content


def test_save_draft_with_three_lines_computes_the_totals(people, form_data, three_lines):
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        buyer_po_number="PO/2026-27/00100",
    )

    response = people.buyer_client.post(NEW, data)

    purchase_order = PurchaseOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == purchase_order.get_absolute_url()
    assert purchase_order.status == PurchaseOrder.Status.DRAFT
    assert purchase_order.version == 0
    assert purchase_order.buyer_po_number == "PO/2026-27/00100"
    assert purchase_order.total_po_value == THREE_LINES_TOTAL_IGST
    lines = list(purchase_order.lines.all())
    assert [line.serial_no for line in lines] == ["1", "2", "3"]
    assert [line.assessment_amount for line in lines] == [
        Decimal("12500.00"),
        Decimal("9499.97"),
        Decimal("15000.00"),
    ]
    assert lines[1].value_details == [{"type": "DISCOUNT", "value": "500.01"}]
    assert lines[2].is_service is True
    assert sum(line.assessment_amount for line in lines) == THREE_LINES_TAXABLE
    parties = {party.role: party for party in purchase_order.parties.all()}
    assert parties["buyer"].gstin == people.buyer.gstin
    assert parties["buyer"].place_of_supply == "29"
    assert parties["supplier"].legal_name == "Sahyadri Paper Mills Limited"
    assert OutboundMessage.objects.count() == 0

    page = people.buyer_client.get(response["Location"]).content.decode()
    assert "₹42,759.96" in page
    assert "IGST" in page
    assert "Rupees Forty-Two Thousand Seven Hundred Fifty-Nine and Ninety-Six Paise Only" in page


def test_gst_is_split_into_cgst_and_sgst_when_supplied_in_the_suppliers_state(
    people, form_data, three_lines
):
    data = form_data(
        buyer=people.buyer, supplier=people.supplier, lines=three_lines, place_of_supply="27"
    )

    people.buyer_client.post(NEW, data)

    purchase_order = PurchaseOrder.objects.get()
    assert purchase_order.total_po_value == THREE_LINES_TOTAL_CGST_SGST
    page = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    assert "<dt>CGST</dt><dd>₹2,880.00</dd>" in page
    assert "<dt>SGST</dt><dd>₹2,880.00</dd>" in page


def test_a_blank_number_gets_the_next_one(people, form_data, three_lines):
    people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines[:1])
    )

    assert PurchaseOrder.objects.get().buyer_po_number == (
        f"PO/{financial_year(timezone.localdate())}/00001"
    )


def test_milestones_must_add_up_to_the_computed_total(people, form_data, three_lines):
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        milestones=[
            {"due_on": "2026-12-01", "due_amount": "20000"},
            {"due_on": "2026-12-31", "due_amount": "20000"},
        ],
    )

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 200
    assert PurchaseOrder.objects.count() == 0
    content = response.content.decode()
    assert "nothing was saved" in content
    part_errors = re.search(r'id="part-milestones-errors">(.*?)</ul>', content, re.S).group(1)
    assert "₹40,000.00" in part_errors
    assert "₹42,759.96" in part_errors


def test_milestones_that_add_up_are_saved(people, form_data, three_lines):
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        milestones=[
            {"due_on": "2026-12-01", "due_amount": "20000"},
            {"due_on": "2026-12-31", "due_amount": "22759.96"},
        ],
    )

    people.buyer_client.post(NEW, data)

    assert [m.due_amount for m in PurchaseOrder.objects.get().milestones.all()] == [
        Decimal("20000.00"),
        Decimal("22759.96"),
    ]


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        (
            {"buyer_gstin": "29AAAAA0000A1Z9"},
            "id_buyer_gstin",
            "This GSTIN's last character does not match its check digit",
        ),
        ({"buyer_gstin": "ABC"}, "id_buyer_gstin", "Enter a 15-character GSTIN"),
        ({"lines-0-quantity": "-5"}, "id_lines-0-quantity", "The quantity must be more than zero."),
        (
            {"lines-1-quantity": "two"},
            "id_lines-1-quantity",
            "Enter a quantity, such as 10 or 2.5.",
        ),
        (
            {"lines-0-unit_price": "-1"},
            "id_lines-0-unit_price",
            "The unit price cannot be negative.",
        ),
        (
            {"lines-2-hsn_code": "12AB"},
            "id_lines-2-hsn_code",
            "Enter an HSN or SAC code of 4, 6 or 8 digits",
        ),
        # Any GST rate from 0 to 100%, to the thousandth of a percent.
        ({"lines-0-gst_rate": "101"}, "id_lines-0-gst_rate", "The rate cannot be more than 100%."),
        ({"lines-0-gst_rate": "-1"}, "id_lines-0-gst_rate", "The rate cannot be negative."),
        (
            {"lines-0-gst_rate": "0.1234"},
            "id_lines-0-gst_rate",
            "Use at most 3 decimal places.",
        ),
        (
            {"lines-0-gst_rate": "eighteen"},
            "id_lines-0-gst_rate",
            "Enter the GST rate as a percentage, such as 18 or 0.25.",
        ),
        (
            {"lines-0-gst_rate": ""},
            "id_lines-0-gst_rate",
            "Enter the GST rate as a percentage, such as 18 or 0.25.",
        ),
        (
            {"lines-0-unit_price": "10.005"},
            "id_lines-0-unit_price",
            "Use at most 2 decimal places (paise).",
        ),
        (
            {"delivery_date": "2026-01-01"},
            "id_delivery_date",
            "The delivery date is before the order date.",
        ),
        ({"supplier": ""}, "id_supplier", "Choose the supplier."),
        # Years the network's messages cannot carry.
        (
            {"order_date": "0001-01-01"},
            "id_order_date",
            "Enter a date between 1 January 2000 and 31 December 2199.",
        ),
        (
            {"delivery_date": "2300-01-01"},
            "id_delivery_date",
            "Enter a date between 1 January 2000 and 31 December 2199.",
        ),
        (
            {"lines-0-batch_expiry_on": "9999-12-31"},
            "id_lines-0-batch_expiry_on",
            "Enter a date between 1 January 2000 and 31 December 2199.",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(
    people, form_data, three_lines, changes, field_id, message
):
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines)
    data.update(changes)

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert message in error_next_to(content, field_id)
    assert f'href="#{field_id}"' in content
    assert PurchaseOrder.objects.count() == 0
    assert 'aria-invalid="true"' in content


def test_a_gstin_of_another_business_is_refused(people, form_data, three_lines):
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        buyer_gstin=people.supplier.gstin,
    )

    response = people.buyer_client.post(NEW, data)

    assert PurchaseOrder.objects.count() == 0
    assert "is not one of Kaveri Textiles's registrations" in error_next_to(
        response.content.decode(), "id_buyer_gstin"
    )


def test_a_po_number_already_used_is_refused(people, form_data, three_lines):
    people.purchase_order(buyer_po_number="PO/2026-27/00005", lines=0)
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        buyer_po_number="PO/2026-27/00005",
    )

    response = people.buyer_client.post(NEW, data)

    assert PurchaseOrder.objects.count() == 1
    assert "already used" in error_next_to(response.content.decode(), "id_buyer_po_number")


def test_a_purchase_order_needs_a_line(people, form_data):
    response = people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=[])
    )

    assert PurchaseOrder.objects.count() == 0
    assert "Add at least one line to the purchase order." in response.content.decode()


def test_blank_and_removed_rows_are_left_out(people, form_data, three_lines):
    lines = [
        *three_lines,
        {"product_description": "", "hsn_code": "", "quantity": "", "unit_price": ""},
        {
            "product_description": "Wrong item",
            "hsn_code": "x",
            "quantity": "0",
            "unit_price": "1",
            "DELETE": "on",
        },
    ]

    response = people.buyer_client.post(
        NEW, form_data(buyer=people.buyer, supplier=people.supplier, lines=lines)
    )

    assert response.status_code == 302
    assert PurchaseOrder.objects.get().lines.count() == 3


def test_add_line_without_the_script_keeps_what_was_typed_and_adds_a_row(
    people, form_data, three_lines
):
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines[:1],
        subject="Typed before adding",
        add_row="lines",
    )

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert PurchaseOrder.objects.count() == 0
    assert 'name="lines-TOTAL_FORMS" value="2"' in content
    assert 'value="Typed before adding"' in content
    assert 'value="A4 copier paper, 75 gsm"' in content
    assert 'name="lines-1-quantity"' in content
    assert "errorlist" not in content


def test_send_to_supplier_from_the_form_sends_version_one(people, form_data, three_lines):
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines, intent="send")

    response = people.buyer_client.post(NEW, data)

    purchase_order = PurchaseOrder.objects.get()
    assert response["Location"] == purchase_order.get_absolute_url()
    # Version 1 travels in the message; the order is a draft until the network takes it.
    assert (purchase_order.status, purchase_order.version) == (PurchaseOrder.Status.DRAFT, 0)
    assert purchase_order.pending_action == "SEND"
    message = OutboundMessage.objects.get()
    assert message.kind == OutboundMessage.Kind.SEND
    assert message.object_version == 1
    page = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    assert "is on its way to Sahyadri Paper" in page
    assert "Sent to Sahyadri Paper" in page and "waiting for the network" in page

    purchase_order = acknowledged(purchase_order)
    assert (purchase_order.status, purchase_order.version) == (PurchaseOrder.Status.CREATED, 1)


def test_a_send_the_network_check_refuses_saves_nothing(people, form_data, three_lines):
    # The supplier's stored GSTIN went bad; the form cannot see it, the send check does.
    type(people.supplier).objects.filter(pk=people.supplier.pk).update(gstin="27AAAAA0000A1Z0")
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines, intent="send")

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 200
    assert PurchaseOrder.objects.count() == 0
    assert OutboundMessage.objects.count() == 0
    assert "Supplier&#x27;s GSTIN" in response.content.decode()


def test_only_buyers_may_open_the_form(people):
    assert people.supplier_client.get(NEW).status_code == 403
