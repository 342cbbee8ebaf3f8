"""Drafts made or changed in admin get both parties and totals computed by the portal."""

from decimal import Decimal

import pytest
from django.urls import reverse

from purchase_orders.enkash import payloads
from purchase_orders.models import LineItem, PurchaseOrder
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.totals import find_total_mismatches

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """Return what the admin form on a page would post unchanged, inlines included."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


def is_consistent(purchase_order: PurchaseOrder) -> bool:
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    parsed = payloads.parse_purchase_order(payloads.build_purchase_order(fresh))
    return find_total_mismatches(parsed) == []


def test_a_draft_added_in_admin_gets_parties_and_computed_totals(superuser_client, demo):
    url = reverse("admin:purchase_orders_purchaseorder_add")
    data = form_data(superuser_client.get(url))
    data.update(
        {
            "buyer": demo.draft.buyer_id,
            "supplier": demo.draft.supplier_id,
            "buyer_po_number": "PO/ADMIN/0001",
            "subject": "Welding rods",
            "shipping_charges": "0",
            "lines-TOTAL_FORMS": "1",
            "lines-0-position": "0",
            "lines-0-serial_no": "1",
            "lines-0-product_description": "Welding electrode E6013, 3.15 mm",
            "lines-0-hsn_code": "83111000",
            "lines-0-quantity": "25",
            "lines-0-unit": "KGS",
            "lines-0-unit_price": "182.40",
            "lines-0-gst_rate": "18",
        }
    )

    response = superuser_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    order = PurchaseOrder.objects.get(buyer_po_number="PO/ADMIN/0001")
    assert order.status == "DRAFT"
    assert order.object_id.startswith("PO") and len(order.object_id) == 34
    assert order.created_by.username == "admin"
    assert {party.role: party.gstin for party in order.parties.all()} == {
        "buyer": demo.draft.buyer.gstin,
        "supplier": demo.draft.supplier.gstin,
    }
    assert order.parties.get(role="buyer").place_of_supply == "29"
    line = order.lines.get()
    assert (line.total_amount, line.assessment_amount, line.total_item_value) == (
        Decimal("4560.00"),
        Decimal("4560.00"),
        Decimal("5380.80"),
    )
    assert order.total_po_value == Decimal("5380.80")
    assert is_consistent(order)


def test_a_cess_added_on_a_draft_line_is_computed_into_the_totals(superuser_client, demo):
    line = demo.draft.lines.first()
    before = demo.draft.total_po_value
    url = reverse("admin:purchase_orders_lineitem_change", args=[line.pk])
    data = form_data(superuser_client.get(url))
    data.update(
        {
            "other_taxes-TOTAL_FORMS": "1",
            "other_taxes-0-position": "0",
            "other_taxes-0-name": "Cess",
            "other_taxes-0-rate": "1",
        }
    )

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    line.refresh_from_db()
    cess = line.other_taxes.get()
    assert cess.amount == (line.assessment_amount / 100).quantize(Decimal("0.01"))
    demo.draft.refresh_from_db()
    assert demo.draft.total_po_value == before + cess.amount
    # Milestones are the buyer's to adjust before sending; the lines and total agree.
    fresh = get_purchase_order_with_contents(pk=demo.draft.pk)
    parsed = payloads.parse_purchase_order(payloads.build_purchase_order(fresh))
    parsed.milestones = []
    assert find_total_mismatches(parsed) == []


def test_a_line_of_a_sent_order_cannot_be_changed(superuser_client, demo):
    line = demo.sent.lines.first()
    url = reverse("admin:purchase_orders_lineitem_change", args=[line.pk])

    page = superuser_client.get(url)
    response = superuser_client.post(url, {**form_data(page), "quantity": "999"})

    assert page.status_code == 200
    assert response.status_code == 403
    assert LineItem.objects.get(pk=line.pk).quantity == line.quantity
