"""Tax care on the form and the page: warnings that never stop the order, and no self-supply."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from purchase_orders.models import (
    Membership,
    PaymentMilestone,
    PurchaseOrder,
    StatusChange,
    SupplierSearch,
)
from tests.factories import BusinessFactory, MembershipFactory, link_supplier, make_search
from tests.plugins.pages import error_next_to, list_data
from tests.plugins.webhooks import row_counts

pytestmark = pytest.mark.django_db

NEW = reverse("purchase_orders:create")
UDYAM = "UDYAM-MH-26-0012345"
LINE = {
    "product_description": "A4 copier paper, 75 gsm",
    "hsn_code": "48025690",
    "quantity": "10",
    "unit": "BOX",
    "unit_price": "1250.00",
}
# One line of 10 x 1,250.00 with 18% IGST (Karnataka buys from Maharashtra).
TOTAL = "14750.00"


def warnings_shown(content: str) -> list[str]:
    """Return the warnings the page shows, as read (empty if the box is hidden or absent)."""
    match = re.search(
        r'<div class="alert alert--warning order-warnings"[^>]*>(.*?)</div>', content, re.S
    )
    if not match or re.search(r"order-warnings\"[^>]*\bhidden\b", match.group(0).split(">")[0]):
        return []
    items = re.findall(r"<li[^>]*>(.*?)</li>", match.group(1), re.S)
    return [html.unescape(" ".join(item.split())) for item in items]


def with_delivery(data: dict, *, state: str) -> dict:
    """Give posted form data one delivery address in a state."""
    data.update(
        list_data(
            "addresses",
            [
                {
                    "purpose": "DELIVERY",
                    "address_line1": "Gat No. 118, Chakan MIDC",
                    "city": "Pune",
                    "state": state,
                    "country": "India",
                    "pincode": "410501",
                }
            ],
        )
    )
    return data


def day_words(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


# -- the place of supply ----------------------------------------------------------------


def test_saving_with_the_delivery_in_another_state_warns_on_the_page_and_saves(people, form_data):
    data = with_delivery(
        form_data(buyer=people.buyer, supplier=people.supplier, lines=[LINE]), state="Maharashtra"
    )

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 302
    draft = PurchaseOrder.objects.get()
    page = people.buyer_client.get(draft.get_absolute_url()).content.decode()
    assert warnings_shown(page) == [
        "Place of supply is 29 – Karnataka but the delivery address is in 27 – Maharashtra: "
        "GST will be IGST, as the supplier is in 27 – Maharashtra; with the place of supply "
        "27 – Maharashtra it would be CGST + SGST. Within one state GST is CGST + SGST, "
        "between states IGST, and the place of supply decides which: check it."
    ]


def test_a_form_with_errors_shows_the_warnings_of_what_was_typed_too(people, form_data):
    data = with_delivery(
        form_data(buyer=people.buyer, supplier=people.supplier, lines=[{**LINE, "hsn_code": "4"}]),
        state="27",
    )
    client = people.buyer_client
    before = row_counts()

    response = client.post(NEW, data)

    assert response.status_code == 200
    assert row_counts() == before
    content = response.content.decode()
    assert "nothing was saved" in content
    (warning,) = warnings_shown(content)
    assert warning.startswith(
        "Place of supply is 29 – Karnataka but the delivery address is in 27 – Maharashtra"
    )


def test_the_form_opens_without_warnings_when_there_is_nothing_to_say(people):
    content = people.buyer_client.get(NEW).content.decode()

    assert 'id="order-warnings"' in content
    assert warnings_shown(content) == []
    assert "js/po-warnings.js" in content


# -- milestones in the past ------------------------------------------------------------------


def test_saving_a_draft_with_a_past_milestone_saves_it_and_warns(people, form_data):
    past = timezone.localdate() - datetime.timedelta(days=3)
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=[LINE],
        order_date=(past - datetime.timedelta(days=10)).isoformat(),
        delivery_date="",
        milestones=[{"due_on": past.isoformat(), "due_amount": TOTAL}],
    )

    response = people.buyer_client.post(NEW, data)

    assert response.status_code == 302
    draft = PurchaseOrder.objects.get()
    assert draft.milestones.get().due_on == past
    page = people.buyer_client.get(draft.get_absolute_url()).content.decode()
    assert warnings_shown(page) == [
        f"Milestone 1 is due on {day_words(past)}, before today: change its date."
    ]


def test_a_duplicate_opens_dated_today_with_its_past_milestones_flagged(people):
    today = timezone.localdate()
    past = today - datetime.timedelta(days=20)
    original = people.purchase_order(
        accepted=True, lines=1, order_date=today - datetime.timedelta(days=50)
    )
    PaymentMilestone.objects.filter(purchase_order=original).update(due_on=past)

    response = people.buyer_client.post(
        reverse("purchase_orders:duplicate", args=[original.object_id]), follow=True
    )

    content = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/edit/")
    assert f'name="order_date" value="{today.isoformat()}"' in content
    assert warnings_shown(content) == [
        f"Milestone 1 is due on {day_words(past)}, before today: change its date."
    ]


def test_editing_a_sent_order_does_not_flag_milestones_already_past(people):
    order = people.purchase_order(sent=True, lines=1)
    order.milestones.update(due_on=timezone.localdate() - datetime.timedelta(days=5))

    content = people.buyer_client.get(reverse("purchase_orders:edit", args=[order.object_id]))

    assert warnings_shown(content.content.decode()) == []


# -- MSME payments ----------------------------------------------------------------------------


def msme_supplier(people):
    people.supplier.udyam_number = UDYAM
    people.supplier.save()
    return people.supplier


def test_the_form_warns_of_a_late_payment_to_an_msme_and_saves(people, form_data):
    msme_supplier(people)
    today = timezone.localdate()
    late = today + datetime.timedelta(days=60)
    data = form_data(
        buyer=people.buyer,
        supplier=people.supplier,
        lines=[LINE],
        order_date=today.isoformat(),
        delivery_date="",
        milestones=[{"due_on": late.isoformat(), "due_amount": TOTAL}],
    )
    data["lines-0-hsn_code"] = "4"  # an error elsewhere: the form comes back

    content = people.buyer_client.post(NEW, data).content.decode()

    assert warnings_shown(content) == [
        "Milestone 1 falls 60 days after the order date; Sahyadri Paper is registered as an "
        "MSME (Udyam UDYAM-MH-26-0012345): if it is a micro or small enterprise, under "
        "section 43B(h) of the Income-tax Act a payment later than 45 days after acceptance "
        "is deductible only when paid."
    ]
    assert f'data-udyam="{UDYAM}"' in content

    data["lines-0-hsn_code"] = "48025690"
    assert people.buyer_client.post(NEW, data).status_code == 302
    assert PurchaseOrder.objects.get().milestones.get().due_on == late


def test_the_page_of_an_accepted_order_counts_from_its_acceptance_for_the_buyer_only(people):
    msme_supplier(people)
    order = people.purchase_order(accepted=True, lines=1)
    accepted = timezone.now() - datetime.timedelta(days=10)
    change = StatusChange.objects.create(
        purchase_order=order, from_status="CREATED", to_status="ACCEPTED", version=1
    )
    StatusChange.objects.filter(pk=change.pk).update(created_at=accepted)
    due = timezone.localdate(accepted) + datetime.timedelta(days=50)
    order.milestones.update(due_on=due)

    buyer_page = people.buyer_client.get(order.get_absolute_url()).content.decode()
    supplier_page = people.supplier_client.get(order.get_absolute_url()).content.decode()

    (warning,) = warnings_shown(buyer_page)
    assert warning.startswith(
        f"Milestone 1 falls 50 days after the acceptance on "
        f"{day_words(timezone.localdate(accepted))}; Sahyadri Paper is registered as an MSME"
    )
    assert "Worth checking" in buyer_page
    assert 'id="order-warnings"' not in supplier_page


# -- the buyer's own business is not its supplier ------------------------------------------------


def buying_for_two(people):
    """Make the buyer's person buy for a second business that buys from the first too."""
    second = BusinessFactory(legal_name="Vrishabha Foods Private Limited")
    MembershipFactory(user=people.buyer_user, business=second, role=Membership.Role.BUYER)
    link_supplier(second, people.buyer)
    return second


def test_the_new_form_does_not_offer_the_chosen_buyer_as_its_supplier(people):
    buying_for_two(people)

    content = people.buyer_client.get(NEW).content.decode()

    own = re.search(
        rf'<option value="{people.buyer.pk}"[^>]*>[^<]*</option>',
        content.split('name="supplier"')[1],
    )
    assert own is not None and " disabled" in own.group(0)
    assert re.search(rf'<option value="{people.supplier.pk}"[^>]*disabled', content) is None


def test_a_forged_order_of_the_buyer_to_itself_is_refused_next_to_the_supplier(people, form_data):
    buying_for_two(people)
    client = people.buyer_client
    before = row_counts()

    response = client.post(NEW, form_data(buyer=people.buyer, supplier=people.buyer, lines=[LINE]))

    assert response.status_code == 200
    assert (
        error_next_to(response.content.decode(), "id_supplier")
        == "A business cannot be its own supplier; choose another."
    )
    assert row_counts() == before


def test_a_drafts_form_lists_no_buyer_as_its_own_supplier(people):
    buying_for_two(people)
    draft = people.purchase_order(lines=1)

    content = people.buyer_client.get(reverse("purchase_orders:edit", args=[draft.object_id]))

    supplier_select = content.content.decode().split('name="supplier"')[1].split("</select>")[0]
    assert f'value="{people.buyer.pk}"' not in supplier_select
    assert f'value="{people.supplier.pk}"' in supplier_select


def test_asking_the_network_for_the_buyers_own_gstin_is_refused_and_nothing_is_written(people):
    client = people.buyer_client
    before = row_counts()

    response = client.post(
        reverse("purchase_orders:supplier-add"),
        {"buyer": people.buyer.pk, "parameter": "GSTIN", "value": people.buyer.gstin.lower()},
    )

    assert response.status_code == 200
    assert error_next_to(response.content.decode(), "id_value").replace("’", "'") == (
        f"{people.buyer.gstin} is the GSTIN of Kaveri Textiles itself; a business is not its own "
        "supplier. Enter the supplier's GSTIN."
    )
    assert row_counts() == before


def test_a_search_that_finds_the_buyer_itself_offers_no_way_to_add_it(people):
    own = {"value": people.buyer.b2b_id, "description": "Head office"}
    other = {"value": "KAVERI-CBE-01", "description": "Coimbatore works"}
    search = make_search(
        people.buyer,
        value="29AAAAA0000A1Z5",
        state=SupplierSearch.State.ANSWERED,
        results=[{"name": "Kaveri Textiles Private Limited", "b2bIds": [own, other]}],
    )
    url = reverse("purchase_orders:supplier-search", args=[search.pk])

    content = people.buyer_client.get(url).content.decode()
    picked = people.buyer_client.get(url, {"b2b_id": people.buyer.b2b_id}).content.decode()
    before = row_counts()
    posted = people.buyer_client.post(url, {"b2b_id": people.buyer.b2b_id})

    assert content.count(">Use this B2B ID</a>") == 1
    assert "Kaveri Textiles itself: a business is not its own supplier" in content
    words = f"{people.buyer.b2b_id} is the B2B ID of Kaveri Textiles itself"
    assert words in picked and 'id="add"' not in picked
    assert posted.status_code == 200 and words in posted.content.decode()
    assert row_counts() == before


def test_the_edit_form_of_an_accepted_order_counts_from_its_acceptance_in_the_state_sent(
    people,
):
    msme_supplier(people)
    order = people.purchase_order(accepted=True, lines=1)
    change = StatusChange.objects.create(
        purchase_order=order, from_status="CREATED", to_status="ACCEPTED", version=1
    )
    accepted = timezone.now() - datetime.timedelta(days=2)
    StatusChange.objects.filter(pk=change.pk).update(created_at=accepted)
    order.milestones.update(due_on=timezone.localdate(accepted) + datetime.timedelta(days=47))
    # The supplier has moved since: the order keeps the state it was sent with.
    type(people.supplier).objects.filter(pk=people.supplier.pk).update(state_code="29")
    order.addresses.update(state="Maharashtra")
    url = reverse("purchase_orders:edit", args=[order.object_id])

    opened = people.buyer_client.get(url).content.decode()

    kinds = re.findall(r'<li data-kind="(\w+)">', opened)
    assert kinds == ["place_of_supply", "msme_payment"]
    assert f'data-accepted-on="{timezone.localdate(accepted).isoformat()}"' in opened
    (place, msme) = warnings_shown(opened)
    assert "GST will be IGST, as the supplier is in 27 – Maharashtra" in place
    assert msme.startswith("Milestone 1 falls 47 days after the acceptance on ")
