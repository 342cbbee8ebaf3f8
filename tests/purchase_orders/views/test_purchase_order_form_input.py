"""The purchase-order form takes numbers as typed in India and shows every error at once."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from purchase_orders.models import OutboundMessage, PurchaseOrder
from tests.plugins.pages import error_next_to

pytestmark = pytest.mark.django_db

NEW = reverse("purchase_orders:create")


def summary_of(content: str) -> list[str]:
    block = re.search(r'<div class="error-summary".*?</ul>', content, re.S).group(0)
    items = re.findall(r"<li>(.*?)</li>", block)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


def test_amounts_with_grouping_and_the_rupee_sign_are_saved_as_typed(people, form_data):
    line = {
        "product_description": "Carbide inserts",
        "hsn_code": "82090090",
        "quantity": "1,000",
        "unit_price": "₹1,250.50",
        "discount": "Rs. 1,000",
        "gst_rate": "18%",
    }
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=[line],
        charges=[{"charge_type": "Freight", "amount": "₹ 2,400"}],
        shipping_charges="1,25,000.50",
    )

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 302
    purchase_order = PurchaseOrder.objects.get()
    saved = purchase_order.lines.get()
    assert saved.quantity == Decimal("1000.000")
    assert saved.unit_price == Decimal("1250.50")
    assert saved.value_details == [{"type": "DISCOUNT", "value": "1000.00"}]
    assert saved.gst_rate == Decimal("18.000")
    assert purchase_order.shipping_charges == Decimal("125000.50")
    # 1,000 x 1,250.50 less 1,000 = 12,49,500.00; IGST 18% = 2,24,910.00; freight 2,400.
    assert purchase_order.total_po_value == Decimal("1476810.00")


def test_malformed_grouping_is_refused_beside_its_field(people, form_data, three_lines):
    three_lines[0]["unit_price"] = "1,2,3"
    data = form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines)

    content = people.buyer_client.post(NEW, data).content.decode()

    assert error_next_to(content, "id_lines-0-unit_price") == (
        "Enter an amount in rupees, like 1,25,000.50."
    )
    assert PurchaseOrder.objects.count() == 0


def test_a_bad_field_and_milestones_that_do_not_add_up_are_shown_in_one_submit(
    people, form_data, three_lines
):
    three_lines[0]["product_description"] = ""
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        milestones=[{"due_on": "2026-12-15", "due_amount": "100.00"}],
        buyer_gstin="29AAAAA0000A1Z9",
    )

    content = people.buyer_client.post(NEW, data).content.decode()

    summary = summary_of(content)
    assert "Line 1, Description: Describe the goods or service." in summary
    assert any(item.startswith("Your GSTIN for this order: ") for item in summary)
    assert (
        "The payment milestones add up to ₹100.00 but the purchase order's total is "
        "₹42,759.96; make them equal."
    ) in summary
    assert 'href="#part-milestones"' in content
    assert PurchaseOrder.objects.count() == 0


def test_the_milestones_are_not_judged_while_an_amount_is_unreadable(
    people, form_data, three_lines
):
    three_lines[1]["quantity"] = "two"
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        milestones=[{"due_on": "2026-12-15", "due_amount": "100.00"}],
    )

    content = people.buyer_client.post(NEW, data).content.decode()

    assert summary_of(content) == ["Line 2, Quantity: Enter a quantity, such as 10 or 2.5."]


def test_the_milestones_that_add_up_are_not_flagged_beside_other_errors(
    people, form_data, three_lines
):
    three_lines[0]["hsn_code"] = "12"
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        milestones=[{"due_on": "2026-12-15", "due_amount": "42,759.96"}],
    )

    content = people.buyer_client.post(NEW, data).content.decode()

    assert [item.split(":")[0] for item in summary_of(content)] == ["Line 1, HSN/SAC code"]


def test_an_edit_checks_the_milestones_in_the_supplier_state_it_was_sent_with(
    people, form_data, three_lines
):
    purchase_order = people.purchase_order(sent=True)
    url = reverse("purchase_orders:edit", args=[purchase_order.object_id])
    three_lines[0]["product_description"] = ""
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        milestones=[{"due_on": "2026-12-15", "due_amount": "100.00"}],
        reason="",
        expected_version=str(purchase_order.version),
    )

    content = people.buyer_client.post(url, data).content.decode()

    summary = summary_of(content)
    assert "Reason for the change: Say why the purchase order is being changed." in summary
    assert any(item.startswith("The payment milestones add up to ₹100.00") for item in summary)


def test_enter_on_a_sent_orders_form_shows_it_again_and_sends_nothing(
    people, form_data, three_lines
):
    purchase_order = people.purchase_order(sent=True)
    version, messages = purchase_order.version, OutboundMessage.objects.count()
    url = reverse("purchase_orders:edit", args=[purchase_order.object_id])
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=three_lines,
        reason="Quantities revised",
        expected_version=str(version),
    )
    del data["intent"]
    data["stay"] = "1"

    response = people.buyer_client.post(url, data)

    assert response.status_code == 200
    purchase_order.refresh_from_db()
    assert purchase_order.version == version
    assert OutboundMessage.objects.count() == messages
    content = response.content.decode()
    assert 'value="A4 copier paper, 75 gsm"' in content
    assert "data-unsaved" in content


def test_the_forms_first_submit_button_is_the_safe_one(people):
    content = people.buyer_client.get(NEW).content.decode()

    first = re.search(r"<button[^>]*type=\"submit\"[^>]*>", content.split("data-po-form")[1])
    assert 'name="intent" value="save"' in first.group(0)
