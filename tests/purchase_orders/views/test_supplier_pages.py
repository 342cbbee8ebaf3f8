"""The supplier directory's pages: list and search, ask the network, add, see, remove."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from purchase_orders.models import (
    Business,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    SupplierLink,
    SupplierSearch,
)
from purchase_orders.services.invitations import invite_supplier_person
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    link_supplier,
    make_gstin,
    make_search,
)
from tests.plugins.pages import error_next_to
from tests.plugins.webhooks import row_counts

pytestmark = pytest.mark.django_db

LIST = reverse("purchase_orders:supplier-list")
ADD = reverse("purchase_orders:supplier-add")
FOUND_GSTIN = make_gstin("33", 4321)
FOUND = {
    "name": "Kaveri Castings Private Limited",
    "alias": "Kaveri Castings",
    "state": "TAMIL NADU",
    "pincode": "641021",
    "b2bIds": [
        {"value": "KAVERI-CBE-01", "description": "Coimbatore works"},
        {"value": "KAVERI-CBE-02", "description": "Hosur unit"},
    ],
}


def text(response) -> str:
    return response.content.decode()


def search_url(search: SupplierSearch, **query) -> str:
    url = reverse("purchase_orders:supplier-search", args=[search.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def answered(people, **fields) -> SupplierSearch:
    return make_search(
        people.buyer,
        value=FOUND_GSTIN,
        state=SupplierSearch.State.ANSWERED,
        results=[FOUND],
        **fields,
    )


# -- the list ----------------------------------------------------------------------------


def test_suppliers_is_in_the_navigation_of_buyers_only(people):
    assert 'href="/suppliers/">Suppliers</a>' in text(people.buyer_client.get("/"))
    assert ">Suppliers</a>" not in text(people.supplier_client.get("/"))


def test_the_list_shows_the_buyers_suppliers_and_not_another_businesss(people):
    link_supplier(people.outsider, BusinessFactory(legal_name="Hidden Supplies LLP"))
    remote = BusinessFactory(legal_name="Ganga Packaging Industries", is_hosted=False)
    link_supplier(people.buyer, remote)

    content = text(people.buyer_client.get(LIST))

    assert "Sahyadri Paper" in content
    assert "Ganga Packaging Industries" in content
    assert "Hidden Supplies" not in content
    assert "On this portal" in content and "On the network" in content


@pytest.mark.parametrize(
    ("query", "shown"),
    [("ganga", True), ("GANGA-NOIDA", True), ("09AAFF", True), ("sahyadri", False)],
)
def test_the_list_is_searched_by_name_gstin_or_b2b_id(people, query, shown):
    remote = BusinessFactory(
        legal_name="Ganga Packaging Industries",
        b2b_id="GANGA-NOIDA",
        state_code="09",
        gstin="09AAFFG2468H1Z9",
    )
    link_supplier(people.buyer, remote)

    content = text(people.buyer_client.get(LIST, {"q": query}))

    assert ("Ganga Packaging Industries" in content) is shown
    assert ("Sahyadri Paper" in content) is (query == "sahyadri")


def test_the_list_is_paginated(people):
    for _ in range(26):
        link_supplier(people.buyer, BusinessFactory())

    first = text(people.buyer_client.get(LIST))
    second = text(people.buyer_client.get(LIST, {"page": 2}))

    assert "Page 1 of 2 · 27 suppliers" in first
    assert first.count('<tr id="supplier-') == 25
    assert second.count('<tr id="supplier-') == 2


def test_an_empty_directory_says_how_to_add_one(people):
    SupplierLink.objects.all().delete()

    assert "You have no suppliers yet." in text(people.buyer_client.get(LIST))


# -- asking the network ------------------------------------------------------------------


def test_asking_for_a_gstin_writes_a_search_and_opens_its_page(people):
    response = people.buyer_client.post(
        ADD, {"buyer": people.buyer.pk, "parameter": "GSTIN", "value": FOUND_GSTIN.lower()}
    )

    search = SupplierSearch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == search_url(search)
    assert (search.buyer, search.value, search.state) == (people.buyer, FOUND_GSTIN, "asked")
    assert OutboundMessage.objects.get(kind="search-entity") == search.outbound_message
    page = text(people.buyer_client.get(response["Location"]))
    assert "Asking the network… The answer shows here as soon as it comes." in page
    assert 'data-live-url="/suppliers/searches/' in page


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("33AAECK4321M1ZA", "This GSTIN’s last character does not match its check digit"),
        ("33AAECK4321", "Enter a 15-character GSTIN such as 29ABCDE1234F1Z5"),
        ("00AAECK4321M1ZM", "The GSTIN starts with 00, which is not a GST state code."),
        ("", "Enter the supplier’s GSTIN or B2B ID."),
    ],
)
def test_a_wrong_gstin_is_answered_clearly_and_changes_nothing(people, value, words):
    client = people.buyer_client
    before = row_counts()

    response = client.post(ADD, {"buyer": people.buyer.pk, "parameter": "GSTIN", "value": value})

    assert response.status_code == 200
    shown = error_next_to(text(response), "id_value").replace("'", "’")
    assert words in shown
    assert row_counts() == before


def test_a_b2b_id_with_a_double_quote_is_refused(people):
    response = people.buyer_client.post(
        ADD, {"buyer": people.buyer.pk, "parameter": "B2BID", "value": 'KAVERI"1'}
    )

    assert "no backslash and no double quote" in error_next_to(text(response), "id_value")
    assert SupplierSearch.objects.count() == 0


def test_a_supplier_already_in_the_directory_is_opened_not_asked_for(people):
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)

    response = people.buyer_client.post(
        ADD, {"buyer": people.buyer.pk, "parameter": "B2BID", "value": people.supplier.b2b_id}
    )

    assert response["Location"] == reverse("purchase_orders:supplier-detail", args=[link.pk])
    assert SupplierSearch.objects.count() == 0


def test_a_buyer_cannot_ask_for_a_business_it_does_not_buy_for(people):
    response = people.buyer_client.post(
        ADD, {"buyer": people.outsider.pk, "parameter": "GSTIN", "value": FOUND_GSTIN}
    )

    assert response.status_code == 200
    assert "Choose one of the businesses you buy for." in text(response)
    assert SupplierSearch.objects.count() == 0


def test_the_add_form_is_prefilled_to_try_another_value(people):
    content = text(people.buyer_client.get(ADD, {"parameter": "B2BID", "value": "KAVERI"}))

    assert '<option value="B2BID" selected>' in content
    assert 'value="KAVERI"' in content


# -- the search's page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message", "words"),
    [
        ({}, {"state": "retrying", "attempts": 2}, "It could not be reached yet (2 attempts)"),
        ({"state": "no_match"}, {}, "The network knows no business with the GSTIN"),
        (
            {"state": "failed", "error_detail": "Too many searches today."},
            {"state": "rejected"},
            "The network could not answer: Too many searches today.",
        ),
        (
            {"state": "failed"},
            {"state": "failed", "attempts": 12},
            "could not reach the network after 12 attempts, so the network was not asked",
        ),
    ],
)
def test_the_search_page_says_where_the_search_stands(people, fields, message, words):
    search = make_search(people.buyer, value=FOUND_GSTIN, **fields)
    OutboundMessage.objects.filter(pk=search.outbound_message_id).update(**message)

    content = text(people.buyer_client.get(search_url(search)))

    assert words in content


def test_a_search_the_network_does_not_answer_says_so_and_may_be_asked_again(people):
    search = make_search(people.buyer, value=FOUND_GSTIN)
    OutboundMessage.objects.filter(pk=search.outbound_message_id).update(state="sent")
    SupplierSearch.objects.filter(pk=search.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    content = text(people.buyer_client.get(search_url(search)))

    assert "received the question 5\xa0minutes ago and has not answered yet" in content
    assert ">Ask again</button>" in content
    again = people.buyer_client.post(
        ADD, {"buyer": people.buyer.pk, "parameter": "GSTIN", "value": FOUND_GSTIN}
    )
    assert SupplierSearch.objects.count() == 2
    assert again["Location"] == search_url(SupplierSearch.objects.latest("pk"))


def test_the_answer_lists_each_business_with_its_b2b_ids_to_pick(people):
    content = text(people.buyer_client.get(search_url(answered(people))))

    assert "The network found 1 business." in content
    assert "Kaveri Castings Private Limited" in content
    assert "TAMIL NADU" in content and "641021" in content
    assert "<code>KAVERI-CBE-01</code> · Coimbatore works" in content
    assert content.count(">Use this B2B ID</a>") == 2


def test_picking_a_new_b2b_id_asks_for_the_details_prefilled_from_the_network(people):
    content = text(people.buyer_client.get(search_url(answered(people), b2b_id="KAVERI-CBE-02")))

    assert "Complete the supplier’s details" in content.replace("'", "’")
    assert 'name="legal_name" value="Kaveri Castings Private Limited"' in content
    assert 'name="trade_name" value="Kaveri Castings"' in content
    assert f'name="gstin" value="{FOUND_GSTIN}"' in content and "disabled" in content
    assert '<option value="33" selected>' in content
    assert 'name="pincode" value="641021"' in content


def test_completing_the_details_adds_the_supplier_and_opens_its_page(people):
    search = answered(people)

    response = people.buyer_client.post(
        search_url(search),
        {
            "b2b_id": "KAVERI-CBE-02",
            "legal_name": "Kaveri Castings Private Limited",
            "trade_name": "Kaveri Castings",
            # A disabled field keeps the GSTIN searched for, whatever is posted.
            "gstin": make_gstin("29", 1),
            "state_code": "33",
            "address_line1": "SIDCO Industrial Estate",
            "city": "Hosur",
            "pincode": "635126",
        },
    )

    supplier = Business.objects.get(b2b_id="KAVERI-CBE-02")
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=supplier)
    assert response["Location"] == reverse("purchase_orders:supplier-detail", args=[link.pk])
    assert (supplier.gstin, supplier.is_hosted) == (FOUND_GSTIN, False)
    page = text(people.buyer_client.get(response["Location"]))
    assert "Kaveri Castings is now among your suppliers." in page
    assert "On the network, not on this portal" in page


def test_details_that_do_not_hold_are_shown_next_to_their_field_and_nothing_is_saved(people):
    search = answered(people)
    client = people.buyer_client
    before = row_counts()

    response = client.post(
        search_url(search),
        {
            "b2b_id": "KAVERI-CBE-01",
            "legal_name": "",
            "state_code": "29",
            "address_line1": "SIDCO Industrial Estate",
            "city": "Coimbatore",
            "pincode": "041021",
        },
    )

    content = text(response)
    assert response.status_code == 200
    assert error_next_to(content, "id_legal_name") == "Enter the supplier's legal name."
    assert error_next_to(content, "id_pincode") == "Enter a six-digit PIN code, such as 560001."
    assert "is registered in Tamil Nadu; choose that state." in error_next_to(
        content, "id_state_code"
    )
    assert row_counts() == before


def test_a_gstin_of_a_hosted_business_is_refused_next_to_the_gstin(people):
    search = answered(people, parameter="B2BID")
    SupplierSearch.objects.filter(pk=search.pk).update(value="KAVERI-CBE-01")

    response = people.buyer_client.post(
        search_url(search),
        {
            "b2b_id": "KAVERI-CBE-01",
            "legal_name": "Kaveri Castings Private Limited",
            "gstin": people.supplier.gstin,
            "state_code": people.supplier.state_code,
            "address_line1": "SIDCO Industrial Estate",
            "city": "Coimbatore",
        },
    )

    shown = error_next_to(text(response), "id_gstin")
    assert f"is registered on this portal by {people.supplier}" in shown
    assert not Business.objects.filter(b2b_id="KAVERI-CBE-01").exists()


def test_a_business_known_here_is_added_with_one_click(people):
    hosted = BusinessFactory(
        legal_name="Godavari Chemicals Limited",
        trade_name="Godavari Chemicals",
        b2b_id="KAVERI-CBE-01",
    )
    search = answered(people)

    page = text(people.buyer_client.get(search_url(search, b2b_id="KAVERI-CBE-01")))
    response = people.buyer_client.post(search_url(search), {"b2b_id": "KAVERI-CBE-01"})

    assert "On this portal as Godavari Chemicals" in page
    assert "Add Godavari Chemicals" in page
    assert 'name="legal_name"' not in page
    assert SupplierLink.objects.filter(buyer=people.buyer, supplier=hosted).exists()
    assert response.status_code == 302


def test_a_b2b_id_the_network_did_not_list_cannot_be_added(people):
    response = people.buyer_client.post(
        search_url(answered(people)), {"b2b_id": people.outsider.b2b_id}
    )

    assert "Choose one of the B2B IDs the network listed." in text(response)
    assert not SupplierLink.objects.filter(supplier=people.outsider).exists()


def test_a_supplier_already_in_the_directory_is_marked_so(people):
    results = [{**FOUND, "b2bIds": [{"value": people.supplier.b2b_id, "description": ""}]}]
    search = make_search(people.buyer, state="answered", results=results)

    content = text(people.buyer_client.get(search_url(search)))

    assert "Already among your suppliers" in content
    assert ">Use this B2B ID</a>" not in content


# -- a supplier's page ------------------------------------------------------------------------


def test_a_suppliers_page_shows_its_details_orders_and_people(people):
    MembershipFactory(
        business=people.supplier,
        role=Membership.Role.ADMIN,
        user__first_name="Meera",
        user__last_name="Joshi",
    )
    order = people.purchase_order(sent=True, subject="Kraft paper rolls")
    people.purchase_order(buyer=people.outsider, supplier=people.supplier, subject="Not yours")
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)

    content = text(
        people.buyer_client.get(reverse("purchase_orders:supplier-detail", args=[link.pk]))
    )

    assert "On this portal: its people answer your purchase orders here." in content
    assert people.supplier.gstin in content and people.supplier.b2b_id in content
    assert order.get_absolute_url() in content
    assert "Kraft paper rolls" in content and "Not yours" not in content
    assert "<li>Meera Joshi</li>" in content and "<li>Sunil</li>" in content
    assert ">Remove from your suppliers</button>" in content


def test_a_remote_suppliers_page_says_so_and_lists_no_one(people):
    remote = BusinessFactory(is_hosted=False, legal_name="Ganga Packaging Industries")
    link = link_supplier(people.buyer, remote)

    content = text(
        people.buyer_client.get(reverse("purchase_orders:supplier-detail", args=[link.pk]))
    )

    assert "On the network, not on this portal" in content
    assert "No one from Business" in content
    assert "You have not written a purchase order to" in content


def test_the_suppliers_page_offers_invite_and_lists_the_invitations_sent(people):
    remote = BusinessFactory(legal_name="Deccan Forge Private Limited", is_hosted=False)
    link = SupplierLink.objects.create(buyer=people.buyer, supplier=remote)
    url = reverse("purchase_orders:supplier-detail", args=[link.pk])
    assert "Invitations you sent" not in text(people.buyer_client.get(url))

    invite_supplier_person(link=link, email="sales@deccan.example.in", invited_by=people.buyer_user)
    content = text(people.buyer_client.get(url))

    assert f'href="/suppliers/{link.pk}/invite/">Invite</a>' in content
    assert "Invitations you sent" in content
    assert "sales@deccan.example.in" in content


def test_a_supplier_that_runs_itself_here_is_not_offered_invite(people):
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)

    content = text(
        people.buyer_client.get(reverse("purchase_orders:supplier-detail", args=[link.pk]))
    )
    invite_page = text(
        people.buyer_client.get(reverse("purchase_orders:supplier-invite", args=[link.pk]))
    )

    assert ">Invite</a>" not in content
    assert "its business admins invite its people" in content
    assert "its own business admins invite its people" in invite_page
    assert 'type="submit" class="button button--primary">Invite' not in invite_page


# -- removing -------------------------------------------------------------------------------


def test_removing_a_supplier_keeps_its_orders_and_leaves_the_order_form(people):
    order = people.purchase_order(sent=True)
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)

    response = people.buyer_client.post(reverse("purchase_orders:supplier-remove", args=[link.pk]))

    assert response["Location"] == LIST
    assert "Sahyadri Paper is no longer among your suppliers" in text(people.buyer_client.get(LIST))
    assert not SupplierLink.objects.filter(pk=link.pk).exists()
    assert PurchaseOrder.objects.get(pk=order.pk).supplier == people.supplier
    form = text(people.buyer_client.get(reverse("purchase_orders:create")))
    assert people.supplier.legal_name not in form


def test_removing_is_post_only(people):
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)

    response = people.buyer_client.get(reverse("purchase_orders:supplier-remove", args=[link.pk]))

    assert response.status_code == 405
    assert SupplierLink.objects.filter(pk=link.pk).exists()


# -- the order form offers the directory -------------------------------------------------------


def test_the_new_order_form_offers_the_directory_and_nothing_else(people):
    remote = BusinessFactory(legal_name="Ganga Packaging Industries", is_hosted=False)
    link_supplier(people.buyer, remote)

    content = text(people.buyer_client.get(reverse("purchase_orders:create")))

    assert f'<option value="{remote.pk}" data-state=' in content
    assert f'<option value="{people.supplier.pk}" data-state=' in content
    assert f'<option value="{people.outsider.pk}" data-state=' not in content
    assert "Your suppliers, from Suppliers in the menu" in content


def test_a_forged_post_for_a_business_outside_the_directory_is_refused(
    people, form_data, three_lines
):
    client = people.buyer_client
    before = row_counts()

    response = client.post(
        reverse("purchase_orders:create"),
        form_data(buyer=people.buyer, supplier=people.outsider, lines=three_lines),
    )

    assert response.status_code == 200
    assert error_next_to(text(response), "id_supplier") == "Choose a supplier from the list."
    assert row_counts() == before


def test_a_supplier_of_another_buying_business_is_refused_for_this_one(
    people, form_data, three_lines
):
    """A person buying for two businesses is offered both directories; each order its own."""
    second = BusinessFactory(legal_name="Second Buyer Private Limited")
    MembershipFactory(user=people.buyer_user, business=second, role=Membership.Role.BUYER)
    theirs = BusinessFactory(legal_name="Their Own Supplier Limited")
    link_supplier(second, theirs)
    client = people.buyer_client
    before = row_counts()

    response = client.post(
        reverse("purchase_orders:create"),
        form_data(buyer=people.buyer, supplier=theirs, lines=three_lines),
    )

    assert response.status_code == 200
    assert (
        f"{theirs} is not among {people.buyer}'s suppliers; add it under Suppliers first"
        in error_next_to(text(response), "id_supplier").replace("’", "'")
    )
    assert row_counts() == before


def test_a_draft_keeps_its_supplier_after_it_left_the_directory(people, form_data, three_lines):
    draft = people.purchase_order(lines=1)
    SupplierLink.objects.filter(buyer=people.buyer, supplier=people.supplier).delete()

    edit = reverse("purchase_orders:edit", args=[draft.object_id])
    assert f'<option value="{people.supplier.pk}" selected' in text(people.buyer_client.get(edit))
    response = people.buyer_client.post(
        edit, form_data(buyer=people.buyer, supplier=people.supplier, lines=three_lines)
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.lines.count() == 3
