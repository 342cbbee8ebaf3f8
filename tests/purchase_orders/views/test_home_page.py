"""The home page: what needs each person first, by role."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.templatetags.portal import format_inr
from tests.factories import PurchaseOrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def section(content: str, heading_id: str) -> str:
    """Return the part of the page from one section's heading to the next section."""
    start = content.index(f'id="{heading_id}"')
    end = content.find("<section", start)
    return content[start:] if end == -1 else content[start:end]


def test_a_supplier_sees_new_and_edited_purchase_orders_awaiting_confirmation(people):
    new = people.purchase_order(sent=True, buyer_po_number="PO/2026-27/00007", lines=1)
    edited = people.purchase_order(
        status=PurchaseOrder.Status.CREATED, version=3, buyer_po_number="PO/2026-27/00008", lines=1
    )
    people.purchase_order(accepted=True, buyer_po_number="PO/2026-27/00009", lines=1)
    people.purchase_order(buyer_po_number="PO/2026-27/00010", lines=1)
    PurchaseOrderFactory(sent=True, buyer=people.buyer, buyer_po_number="PO/2026-27/00011", lines=1)

    response = people.supplier_client.get(reverse("home"))

    assert response.status_code == 200
    awaiting = section(response.content.decode(), "awaiting-heading")
    assert new.get_absolute_url() in awaiting
    assert edited.get_absolute_url() in awaiting
    assert "Edited · v3" in awaiting
    for hidden in ("00009", "00010", "00011"):
        assert f"PO/2026-27/{hidden}" not in awaiting
    assert 'class="count">2<' in awaiting


def test_a_buyer_sees_rejected_purchase_orders_and_failed_deliveries(people):
    rejected = people.purchase_order(
        status=PurchaseOrder.Status.REJECTED, version=1, buyer_po_number="PO/2026-27/00021", lines=1
    )
    failing = people.purchase_order(sent=True, buyer_po_number="PO/2026-27/00022", lines=1)
    people.message(
        failing,
        state=OutboundMessage.State.FAILED,
        attempts=12,
        last_error="Connection refused by 127.0.0.1:8001",
    )
    refused = people.purchase_order(buyer_po_number="PO/2026-27/00023", lines=1)
    people.message(
        refused,
        state=OutboundMessage.State.REJECTED,
        error_code="INVALID_FIELD",
        error_detail="hsnCode must have 4, 6 or 8 digits",
        error_field="purchaseOrder.itemLists[0].hsnCode",
    )
    delivered = people.purchase_order(sent=True, buyer_po_number="PO/2026-27/00024", lines=1)
    people.message(delivered, state=OutboundMessage.State.ACKNOWLEDGED)

    content = people.buyer_client.get(reverse("home")).content.decode()

    assert rejected.get_absolute_url() in section(content, "rejected-heading")
    failed = section(content, "failed-heading")
    assert "PO/2026-27/00022" in failed
    assert "Connection refused by 127.0.0.1:8001" in failed
    assert "PO/2026-27/00023" in failed
    assert "A field is not valid. hsnCode must have 4, 6 or 8 digits" in failed
    assert "Line 1 › HSN/SAC code" in failed
    assert "PO/2026-27/00024" not in failed
    assert "awaiting-heading" not in content


def test_a_refusal_since_superseded_by_a_later_message_is_no_longer_listed(people):
    purchase_order = people.purchase_order(sent=True, buyer_po_number="PO/2026-27/00031", lines=1)
    people.message(purchase_order, state=OutboundMessage.State.REJECTED, error_code="INVALID_FIELD")
    people.message(purchase_order, state=OutboundMessage.State.ACKNOWLEDGED)

    failed = section(people.buyer_client.get(reverse("home")).content.decode(), "failed-heading")

    assert "PO/2026-27/00031" not in failed


def test_someone_of_no_business_is_told_to_ask_for_access(people, client):
    client.force_login(UserFactory(username="newcomer"))

    content = client.get(reverse("home")).content.decode()

    assert "not linked to a business yet" in content
    assert "New purchase order" not in content


def test_only_buyers_are_offered_a_new_purchase_order(people):
    buyer_page = people.buyer_client.get(reverse("home")).content.decode()
    supplier_page = people.supplier_client.get(reverse("home")).content.decode()

    assert buyer_page.count(">New purchase order<") == 1
    assert "New purchase order" not in supplier_page


# -- payments due soon ---------------------------------------------------------------------


def due_in(purchase_order, days: int):
    milestone = purchase_order.milestones.get()
    milestone.due_on = timezone.localdate() + datetime.timedelta(days=days)
    milestone.save()
    return milestone


def test_a_buyer_sees_the_payments_due_this_week_with_order_supplier_amount_and_date(people):
    soon = people.purchase_order(accepted=True, buyer_po_number="PO/2026-27/00041", lines=1)
    milestone = due_in(soon, 3)
    later = people.purchase_order(sent=True, buyer_po_number="PO/2026-27/00042", lines=1)
    due_in(later, 9)
    draft = people.purchase_order(buyer_po_number="PO/2026-27/00043", lines=1)
    due_in(draft, 1)

    content = people.buyer_client.get(reverse("home")).content.decode()

    payments = section(content, "payments-due-heading")
    assert "Payments due in the next 7 days" in payments
    assert f'<a href="{soon.get_absolute_url()}">PO/2026-27/00041</a>' in payments
    assert "Sahyadri Paper" in payments
    assert format_inr(milestone.due_amount) in payments
    day = milestone.due_on
    assert f'<time datetime="{day.isoformat()}">{day.day} {day:%b %Y}</time>' in payments
    assert "PO/2026-27/00042" not in payments and "PO/2026-27/00043" not in payments
    assert "payments-to-receive-heading" not in content


def test_with_nothing_due_the_buyer_is_told_so(people):
    due_in(people.purchase_order(sent=True, lines=1), 30)

    payments = section(
        people.buyer_client.get(reverse("home")).content.decode(), "payments-due-heading"
    )

    assert "No payment milestone of a sent purchase order falls due in the next 7 days." in payments


def test_a_supplier_sees_the_payments_due_to_it_this_week(people):
    order = people.purchase_order(accepted=True, buyer_po_number="PO/2026-27/00051", lines=1)
    due_in(order, 0)

    content = people.supplier_client.get(reverse("home")).content.decode()

    payments = section(content, "payments-to-receive-heading")
    assert "PO/2026-27/00051" in payments and "Kaveri Textiles" in payments
    assert "payments-due-heading" not in content


def test_a_failed_delivery_is_retried_from_the_home_page_and_a_refused_one_put_right(people):
    failing = people.purchase_order(sent=True, buyer_po_number="PO/2026-27/00041", lines=1)
    failed = people.message(failing, state=OutboundMessage.State.FAILED, attempts=12)
    refused_order = people.purchase_order(buyer_po_number="PO/2026-27/00042", lines=1)
    refused = people.message(
        refused_order, state=OutboundMessage.State.REJECTED, error_code="INVALID_FIELD"
    )
    retry_url = reverse("purchase_orders:retry", args=[failing.object_id, failed.pk])

    cards = section(people.buyer_client.get(reverse("home")).content.decode(), "failed-heading")

    # The page says to retry the one that never arrived, and offers it.
    assert "retry one that never reached it" in cards
    assert f'action="{retry_url}"' in cards
    assert f'data-retry="{failed.pk}"' in cards
    # The refused one cannot be retried as it is: it is put right on its page.
    assert f'data-retry="{refused.pk}"' not in cards
    assert f'<a href="{refused_order.get_absolute_url()}">put it right' in cards

    response = people.buyer_client.post(retry_url)

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("queued", 0)
    # The supplier, who did not send it, is not offered it and may not retry it.
    supplier_home = people.supplier_client.get(reverse("home")).content.decode()
    assert retry_url not in supplier_home
    failed.state = OutboundMessage.State.FAILED
    failed.save(update_fields=["state"])
    assert people.supplier_client.post(retry_url).status_code == 403
