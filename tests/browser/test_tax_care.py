"""Tax care in the browser: the form's warnings follow what the buyer types, and never stop it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from purchase_orders.models import Membership, PurchaseOrder
from tests.browser.steps import notice
from tests.factories import BusinessFactory, MembershipFactory, link_supplier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UDYAM = "UDYAM-MH-26-0012345"


def test_the_place_of_supply_and_msme_warnings_show_as_typed_and_the_draft_saves(
    people, visitors, portal_lock
):
    with portal_lock:
        people.supplier.udyam_number = UDYAM
        people.supplier.save()
    late = timezone.localdate() + datetime.timedelta(days=60)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/new/")
    warnings = page.locator("[data-order-warnings]")
    expect(warnings).to_be_hidden()

    page.get_by_label("Supplier", exact=True).select_option(str(people.supplier.pk))
    address = page.get_by_role("group", name="Address 1", exact=True)
    address.get_by_label("State", exact=True).fill("Maharashtra")
    expect(warnings).to_be_visible()
    expect(warnings.locator("li")).to_have_text(
        [
            "Place of supply is 29 – Karnataka but the delivery address is in 27 – Maharashtra: "
            "GST will be IGST, as the supplier is in 27 – Maharashtra; with the place of supply "
            "27 – Maharashtra it would be CGST + SGST. Within one state GST is CGST + SGST, "
            "between states IGST, and the place of supply decides which: check it."
        ]
    )
    buyer.shot("place-of-supply-warning")

    line = page.get_by_role("group", name="Line 1", exact=True)
    line.get_by_label("Description", exact=True).fill("A4 copier paper, 75 gsm")
    line.get_by_label("HSN/SAC code", exact=True).fill("48025690")
    line.get_by_label("Quantity", exact=True).fill("10")
    line.get_by_label("Unit price (₹)").fill("1250.00")
    page.get_by_role("button", name="Add milestone", exact=True).click()
    milestone = page.get_by_role("group", name="Milestone 1", exact=True)
    milestone.get_by_label("Due date").fill(late.isoformat())
    milestone.get_by_label("Amount due").fill("14750.00")
    expect(warnings.locator("li[data-kind='msme_payment']")).to_have_text(
        "Milestone 1 falls 60 days after the order date; Sahyadri Paper is registered as an "
        f"MSME (Udyam {UDYAM}): if it is a micro or small enterprise, under section 43B(h) of "
        "the Income-tax Act a payment later than 45 days after acceptance is deductible only "
        "when paid."
    )

    # Back in the buyer's state, the place of supply's warning goes; the MSME one stays.
    address.get_by_label("State", exact=True).fill("Karnataka")
    expect(warnings.locator("li")).to_have_count(1)
    address.get_by_label("State", exact=True).fill("27")
    expect(warnings.locator("li")).to_have_count(2)
    buyer.shot("both-warnings")

    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(notice(page)).to_contain_text("saved")
    shown = page.locator("#order-warnings li")
    expect(shown).to_have_count(2)
    expect(shown.nth(0)).to_contain_text("Place of supply is 29 – Karnataka")
    expect(shown.nth(1)).to_contain_text("Milestone 1 falls 60 days after the order date")
    with portal_lock:
        assert PurchaseOrder.objects.get().status == PurchaseOrder.Status.DRAFT
    assert buyer.problems() == []


def test_the_buyer_chosen_is_never_offered_as_its_own_supplier(people, visitors, portal_lock):
    with portal_lock:
        second = BusinessFactory(legal_name="Vrishabha Foods Private Limited")
        MembershipFactory(user=people.buyer_user, business=second, role=Membership.Role.BUYER)
        link_supplier(second, people.buyer)
        link_supplier(people.buyer, second)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/new/")
    supplier = page.get_by_label("Supplier", exact=True)

    def option(business):
        return supplier.locator(f"option[value='{business.pk}']")

    expect(option(people.buyer)).to_be_disabled()
    expect(option(second)).to_be_enabled()
    supplier.select_option(str(second.pk))

    page.get_by_label("Buying business", exact=True).select_option(str(second.pk))

    expect(option(second)).to_be_disabled()
    expect(option(people.buyer)).to_be_enabled()
    expect(supplier).to_have_value("")
    assert buyer.problems() == []


def test_a_duplicate_opens_with_its_past_milestone_flagged_in_the_servers_words(
    people, visitors, portal_lock
):
    today = timezone.localdate()
    past = today - datetime.timedelta(days=20)
    with portal_lock:
        original = people.purchase_order(
            accepted=True, lines=1, order_date=today - datetime.timedelta(days=50)
        )
        original.milestones.update(due_on=past)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto(original.get_absolute_url())

    page.get_by_role("button", name="Duplicate", exact=True).click()

    expect(page.get_by_label("Order date", exact=True)).to_have_value(today.isoformat())
    warnings = page.locator("[data-order-warnings] li")
    # The page's script works the warnings out again as it loads: the same words.
    expect(warnings).to_have_text(
        [f"Milestone 1 is due on {past.day} {past:%b %Y}, before today: change its date."]
    )
    milestone = page.get_by_role("group", name="Milestone 1", exact=True)
    milestone.get_by_label("Due date").fill((today + datetime.timedelta(days=5)).isoformat())
    expect(page.locator("[data-order-warnings]")).to_be_hidden()
    assert buyer.problems() == []
