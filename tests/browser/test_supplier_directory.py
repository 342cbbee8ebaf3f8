"""A buyer finds a supplier on the network, adds it, and orders from it, in the browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from purchase_orders.models import Business, Membership, SupplierLink, SupplierSearch
from tests.browser.steps import error_of, invitation_link, notice, sign_up, status_badge
from tests.factories import make_gstin
from tests.plugins.webhooks import row_counts

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

REMOTE_GSTIN = make_gstin("33", 4321)
REMOTE = {
    "name": "Kaveri Castings Private Limited",
    "alias": "Kaveri Castings",
    "state": "Tamil Nadu",
    "pincode": "641021",
    "gstin": REMOTE_GSTIN,
    "b2bIds": [
        {"value": "KAVERI-CBE-01", "description": "Coimbatore foundry"},
        {"value": "KAVERI-HOSUR-02", "description": "Hosur machining unit"},
    ],
}


def test_a_buyer_adds_a_supplier_found_on_the_network_and_the_order_form_offers_it(
    people, visitors, deliver, network_sandbox, portal_lock
):
    network_sandbox.directory.add([REMOTE])
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    menu = page.get_by_role("navigation", name="Main")

    menu.get_by_role("link", name="Suppliers", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suppliers")
    expect(page.locator("#suppliers")).to_contain_text(str(people.supplier))
    page.get_by_role("link", name="Add a supplier").click()
    page.get_by_label("Search by").select_option("GSTIN")
    page.get_by_label("GSTIN or B2B ID").fill(REMOTE_GSTIN.lower())
    page.get_by_role("button", name="Ask the network").click()

    # Asked, not answered: the page says so, and waits.
    expect(page.locator("#search-state")).to_have_text(
        "Asking the network… The answer shows here as soon as it comes."
    )
    buyer.shot("asking-the-network")
    with portal_lock:
        search = SupplierSearch.objects.get()
    assert search.state == "asked"

    # The worker asks the network; its answer comes back as a webhook, and the
    # open page shows it without a reload.
    deliver(1)
    entities = page.locator("#entities")
    expect(entities).to_contain_text("Kaveri Castings Private Limited")
    expect(entities).to_contain_text("Tamil Nadu")
    expect(entities).to_contain_text("KAVERI-HOSUR-02")
    expect(page.locator("#search-state")).to_have_text(re.compile("The network found 1 business"))
    expect(page.locator("[data-live-announcer]")).to_contain_text("The network found 1 business")
    buyer.shot("the-networks-answer")

    page.locator(".b2b-ids li").filter(has_text="KAVERI-HOSUR-02").get_by_role(
        "link", name="Use this B2B ID"
    ).click()
    expect(page.get_by_role("heading", name="Complete the supplier's details")).to_be_visible()
    # Prefilled from what the network said, and the GSTIN searched for.
    expect(page.get_by_label("Legal name")).to_have_value("Kaveri Castings Private Limited")
    expect(page.get_by_label("GSTIN", exact=True)).to_have_value(REMOTE_GSTIN)
    expect(page.get_by_label("GSTIN", exact=True)).to_be_disabled()
    expect(page.get_by_label("State", exact=True)).to_have_value("33")
    expect(page.get_by_label("PIN code")).to_have_value("641021")
    page.get_by_label("Address", exact=True).fill("Plot 14, SIPCOT Industrial Complex")
    page.get_by_label("City").fill("Hosur")
    page.get_by_label("PIN code").fill("635126")
    buyer.shot("details-completed")
    page.get_by_role("button", name="Add supplier").click()

    expect(notice(page)).to_have_text("Kaveri Castings is now among your suppliers.")
    expect(page.locator("#supplier-where")).to_have_text(
        "On the network, not on this portal: it receives your purchase orders over the network."
    )
    with portal_lock:
        supplier = Business.objects.get(b2b_id="KAVERI-HOSUR-02")
        assert (supplier.is_hosted, supplier.gstin, supplier.city) == (False, REMOTE_GSTIN, "Hosur")
        assert SupplierLink.objects.filter(buyer=people.buyer, supplier=supplier).exists()

    menu.get_by_role("link", name="Suppliers", exact=True).click()
    expect(page.locator("#suppliers")).to_contain_text("Kaveri Castings")
    page.get_by_role("link", name="New purchase order", exact=True).click()
    supplier_choice = page.get_by_label("Supplier", exact=True)
    supplier_choice.select_option(str(supplier.pk))
    expect(supplier_choice.locator("option:checked")).to_have_text(
        f"Kaveri Castings Private Limited · GSTIN {REMOTE_GSTIN}"
    )
    expect(supplier_choice.locator("option")).to_have_count(3)  # the prompt and two suppliers
    buyer.shot("the-order-form-offers-it")


def add_from_the_network(buyer, deliver) -> None:
    """Ask the network for Kaveri by its GSTIN, take the B2B ID it knows, complete the rest."""
    page = buyer.page
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Suppliers", exact=True
    ).click()
    page.get_by_role("link", name="Add a supplier").click()
    page.get_by_label("Search by").select_option("GSTIN")
    page.get_by_label("GSTIN or B2B ID").fill(REMOTE_GSTIN)
    page.get_by_role("button", name="Ask the network").click()
    deliver(1)
    page.locator(".b2b-ids li").filter(has_text="KAVERI-CBE-01").get_by_role(
        "link", name="Use this B2B ID"
    ).click()
    page.get_by_label("Address", exact=True).fill("SF 112, Avinashi Road")
    page.get_by_label("City").fill("Coimbatore")
    page.get_by_role("button", name="Add supplier").click()
    expect(notice(page)).to_have_text("Kaveri Castings is now among your suppliers.")


def test_a_supplier_found_on_the_network_is_invited_joins_and_receives_the_buyers_order(
    people, visitors, deliver, network_sandbox, portal_lock, run_mail_tasks, live_server, settings
):
    """Onboarding end to end: found on the network, added, its person invited, an order received."""
    settings.PORTAL_BASE_URL = live_server.url
    network_sandbox.directory.add([REMOTE])
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    add_from_the_network(buyer, deliver)

    # On the supplier's page: no one of it here yet, and Invite.
    expect(page.locator("#people")).to_contain_text("No one from Kaveri Castings uses this portal")
    page.get_by_role("link", name="Invite", exact=True).click()
    page.get_by_label("E-mail address").fill("lakshmi@kaveri.example.in")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(notice(page)).to_contain_text("is on its way to lakshmi@kaveri.example.in")
    buyer.shot("invited")

    assert run_mail_tasks() == 1
    [email] = mail.outbox
    assert email.to == ["lakshmi@kaveri.example.in"]
    person = visitors("kaveri")
    sign_up(person, invitation_link(email), "lakshmi")
    received = person.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Received", exact=True
    )
    received.click()
    expect(person.page.get_by_role("heading", level=1)).to_have_text("Received purchase orders")
    person.shot("empty-inbox")
    with portal_lock:
        kaveri = Business.objects.get(b2b_id="KAVERI-CBE-01")
        assert kaveri.is_hosted is True
        assert set(
            Membership.objects.filter(user__username="lakshmi").values_list("business", "role")
        ) == {(kaveri.pk, "supplier"), (kaveri.pk, "admin")}
        draft = people.purchase_order(supplier=kaveri, lines=2)

    # The buyer sends an order; the network delivers it to Kaveri, now hosted here.
    page.goto(draft.get_absolute_url())
    page.get_by_role("button", name="Send to supplier", exact=True).click()
    deliver(3)  # the search's answer, then the order to Kaveri and the send's response
    page.reload()
    expect(status_badge(page)).to_have_text("Sent, awaiting confirmation")
    person.page.reload()
    expect(person.page.get_by_role("link", name=draft.buyer_po_number)).to_be_visible()
    person.shot("inbox-with-the-order")
    page.goto(f"/suppliers/{SupplierLink.objects.get(supplier=kaveri).pk}/")
    expect(page.locator("#supplier-where")).to_contain_text("On this portal")
    expect(page.locator("#people")).to_contain_text("lakshmi")


def test_a_wrong_gstin_is_answered_clearly_and_changes_nothing(people, visitors, portal_lock):
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/suppliers/add/")
    with portal_lock:
        before = row_counts()

    value = page.get_by_label("GSTIN or B2B ID")
    value.fill(REMOTE_GSTIN[:14] + ("A" if REMOTE_GSTIN[14] != "A" else "B"))
    page.get_by_role("button", name="Ask the network").click()

    expect(error_of(page, value)).to_have_text(
        "This GSTIN's last character does not match its check digit; please check it for "
        "typing mistakes."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a supplier")
    buyer.shot("wrong-gstin")
    with portal_lock:
        assert row_counts() == before
