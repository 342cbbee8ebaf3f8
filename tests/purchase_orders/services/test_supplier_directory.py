"""The supplier directory's services: ask the network, add the supplier found, remove it."""

import pytest
from django.db import transaction

from purchase_orders.enkash import encoding
from purchase_orders.exceptions import DirectoryError, NotAllowed
from purchase_orders.models import (
    Business,
    Membership,
    OutboundMessage,
    SupplierLink,
    SupplierSearch,
)
from purchase_orders.services import suppliers
from purchase_orders.services.outbound import retry_outbound_message, settle_outbound_message
from purchase_orders.services.outbound.delivery import _give_up
from tests.factories import BusinessFactory, MembershipFactory, make_gstin, make_search
from tests.plugins.webhooks import row_counts

pytestmark = pytest.mark.django_db

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


def details(**fields) -> suppliers.SupplierDetails:
    return suppliers.SupplierDetails(
        **{
            "legal_name": "Kaveri Castings Private Limited",
            "trade_name": "Kaveri Castings",
            "gstin": FOUND_GSTIN,
            "state_code": "33",
            "address_line1": "SF 112, SIDCO Industrial Estate",
            "city": "Coimbatore",
            "pincode": "641021",
            **fields,
        }
    )


def answered(people, *, parameter="GSTIN", value=FOUND_GSTIN, results=None) -> SupplierSearch:
    return make_search(
        people.buyer,
        parameter=parameter,
        value=value,
        state=SupplierSearch.State.ANSWERED,
        results=[FOUND] if results is None else results,
    )


# -- asking ----------------------------------------------------------------------------


def test_asking_writes_the_search_and_its_message_in_one_go(people, settings):
    settings.ENKASH_CLIENT_ID = "portal-client-7"
    settings.ENKASH_DEVICE_GEOCODE = "12.9716,77.5946"

    with transaction.atomic():
        search = suppliers.ask_network_for_supplier(
            buyer=people.buyer,
            asked_by=people.buyer_user,
            parameter="GSTIN",
            value=f"  {FOUND_GSTIN.lower()} ",
        )

    message = search.outbound_message
    assert (search.state, search.parameter, search.value) == ("asked", "GSTIN", FOUND_GSTIN)
    assert search.requestor_b2b_id == people.buyer.b2b_id
    assert search.requested_by == people.buyer_user
    assert search.object_id.startswith("ORG") and len(search.object_id) == 35
    assert (message.kind, message.object_id, message.object_version, message.state) == (
        "search-entity",
        search.object_id,
        0,
        "queued",
    )
    assert message.purchase_order is None
    assert encoding.loads(message.body) == {
        "initiatorEntity": "portal-client-7",
        "objectId": search.object_id,
        "device": {"tag": {"name": "GEOCODE", "value": "12.9716,77.5946"}},
        "onboardingB2BIds": {"requestorB2BId": people.buyer.b2b_id},
        "search": {
            "criteria": [{"searchParameter": "GSTIN", "operator": "EXACT", "value": FOUND_GSTIN}]
        },
    }


@pytest.mark.parametrize(
    ("parameter", "value", "words"),
    [
        ("GSTIN", "33AAECK4321M1ZA", "last character does not match its check digit"),
        ("GSTIN", "00AAECK4321M1ZM", "which is not a GST state code"),
        ("GSTIN", "33AAECK4321", "Enter a 15-character GSTIN"),
        ("B2BID", 'KAVERI"01', "without a backslash or a double quote"),
        ("B2BID", "", "Enter a B2B ID of 1 to 100 characters"),
        ("PAN", "AAECK4321M", "Search by GSTIN or by B2B ID."),
    ],
)
def test_a_value_that_cannot_be_asked_for_is_refused_and_nothing_is_written(
    people, parameter, value, words
):
    before = row_counts()

    with pytest.raises(DirectoryError) as refused:
        suppliers.ask_network_for_supplier(
            buyer=people.buyer, asked_by=people.buyer_user, parameter=parameter, value=value
        )

    assert words in refused.value.message
    assert refused.value.path in {("value",), ("parameter",)}
    assert row_counts() == before


def test_only_a_buyer_of_the_business_may_ask(people):
    admin = MembershipFactory(business=people.buyer, role=Membership.Role.ADMIN).user

    for user in (admin, people.supplier_user, people.outsider_user):
        with pytest.raises(NotAllowed):
            suppliers.ask_network_for_supplier(
                buyer=people.buyer, asked_by=user, parameter="GSTIN", value=FOUND_GSTIN
            )
    assert SupplierSearch.objects.count() == 0


# -- a search the network refuses or cannot be reached for -----------------------------------


def test_a_search_refused_by_the_network_fails_with_its_words(people):
    search = make_search(people.buyer)

    settle_outbound_message(
        message=search.outbound_message,
        succeeded=False,
        error_code="REQUESTOR_NOT_REGISTERED",
        error_detail="The requestor is not registered.",
        error_field="onboardingB2BIds.requestorB2BId",
    )

    search.refresh_from_db()
    assert (search.state, search.error_code, search.error_detail, search.error_field) == (
        "failed",
        "REQUESTOR_NOT_REGISTERED",
        "The requestor is not registered.",
        "onboardingB2BIds.requestorB2BId",
    )
    assert search.answered_at is not None


def test_a_search_the_portal_gives_up_delivering_fails_without_words_of_the_network(people):
    search = make_search(people.buyer)
    OutboundMessage.objects.filter(pk=search.outbound_message_id).update(
        state="sending", attempts=12
    )

    _give_up(OutboundMessage.objects.get(pk=search.outbound_message_id), "connection refused")

    search.refresh_from_db()
    assert (search.state, search.error_code, search.error_detail) == ("failed", "", "")
    assert search.outbound_message.state == "failed"


# -- adding the supplier found ---------------------------------------------------------------


def test_a_new_business_is_added_as_a_remote_party_with_the_details_completed(people):
    search = answered(people)

    link = suppliers.add_supplier_from_search(
        search=search, b2b_id="KAVERI-CBE-02", added_by=people.buyer_user, details=details()
    )

    supplier = link.supplier
    assert (link.buyer, link.added_by) == (people.buyer, people.buyer_user)
    assert (supplier.b2b_id, supplier.is_hosted, supplier.gstin) == (
        "KAVERI-CBE-02",
        False,
        FOUND_GSTIN,
    )
    assert (supplier.legal_name, supplier.trade_name, supplier.state_code, supplier.state) == (
        "Kaveri Castings Private Limited",
        "Kaveri Castings",
        "33",
        "Tamil Nadu",
    )
    assert (supplier.address_line1, supplier.city, supplier.pincode) == (
        "SF 112, SIDCO Industrial Estate",
        "Coimbatore",
        "641021",
    )


def test_a_business_known_by_the_b2b_id_is_linked_as_it_is_not_duplicated(people):
    known = BusinessFactory(b2b_id="KAVERI-CBE-01", is_hosted=False, legal_name="Kaveri (as known)")
    search = answered(people)
    businesses = Business.objects.count()

    link = suppliers.add_supplier_from_search(
        search=search,
        b2b_id="KAVERI-CBE-01",
        added_by=people.buyer_user,
        details=details(legal_name="Another name"),
    )

    assert link.supplier == known
    assert Business.objects.count() == businesses
    known.refresh_from_db()
    assert known.legal_name == "Kaveri (as known)"


def test_a_hosted_business_found_on_the_network_is_just_linked(people):
    hosted = BusinessFactory(is_hosted=True)
    search = answered(
        people,
        parameter="B2BID",
        value=hosted.b2b_id,
        results=[{**FOUND, "b2bIds": [{"value": hosted.b2b_id, "description": ""}]}],
    )

    link = suppliers.add_supplier_from_search(
        search=search, b2b_id=hosted.b2b_id, added_by=people.buyer_user
    )

    assert (link.supplier, link.supplier.is_hosted) == (hosted, True)


def test_adding_a_supplier_twice_keeps_one_link(people):
    search = answered(people)
    first = suppliers.add_supplier_from_search(
        search=search, b2b_id="KAVERI-CBE-01", added_by=people.buyer_user, details=details()
    )

    again = suppliers.add_supplier_from_search(
        search=search, b2b_id="KAVERI-CBE-01", added_by=people.buyer_user
    )

    assert again == first
    assert SupplierLink.objects.filter(supplier=first.supplier).count() == 1


def test_a_remote_party_never_takes_the_gstin_of_a_hosted_business(people):
    hosted = BusinessFactory(is_hosted=True, state_code="33")
    search = answered(people, parameter="B2BID", value="KAVERI-CBE-01")
    before = row_counts()

    with pytest.raises(DirectoryError) as refused:
        suppliers.add_supplier_from_search(
            search=search,
            b2b_id="KAVERI-CBE-01",
            added_by=people.buyer_user,
            details=details(gstin=hosted.gstin),
        )

    assert refused.value.path == ("gstin",)
    assert f"registered on this portal by {hosted}" in refused.value.message
    assert hosted.b2b_id in refused.value.message
    assert row_counts() == before


@pytest.mark.parametrize(
    ("fields", "path", "words"),
    [
        ({"gstin": make_gstin("33", 1)}, ("gstin",), f"by the GSTIN {FOUND_GSTIN}"),
        ({"state_code": "29"}, ("state_code",), "does not match the GSTIN"),
        ({"pincode": "041021"}, ("pincode",), "six-digit PIN code"),
        ({"legal_name": ""}, ("legal_name",), "This field cannot be blank."),
        ({"email": "sales@"}, ("email",), "valid email"),
    ],
)
def test_details_that_do_not_hold_are_refused_naming_the_field_and_nothing_is_saved(
    people, fields, path, words
):
    search = answered(people)
    before = row_counts()

    with pytest.raises(DirectoryError) as refused:
        suppliers.add_supplier_from_search(
            search=search,
            b2b_id="KAVERI-CBE-01",
            added_by=people.buyer_user,
            details=details(**fields),
        )

    assert refused.value.path == path
    assert words in refused.value.message
    assert row_counts() == before


@pytest.mark.parametrize(
    ("state", "b2b_id", "words"),
    [
        ("asked", "KAVERI-CBE-01", "has not listed any business"),
        ("no_match", "KAVERI-CBE-01", "has not listed any business"),
        ("answered", "SOMEONE-ELSE", "Choose one of the B2B IDs the network listed"),
    ],
)
def test_only_a_b2b_id_the_network_listed_may_be_added(people, state, b2b_id, words):
    search = answered(people)
    SupplierSearch.objects.filter(pk=search.pk).update(state=state)

    with pytest.raises(DirectoryError, match=words):
        suppliers.add_supplier_from_search(
            search=search, b2b_id=b2b_id, added_by=people.buyer_user, details=details()
        )
    assert not Business.objects.filter(b2b_id=b2b_id).exists()


def test_a_new_business_needs_its_details(people):
    with pytest.raises(DirectoryError, match="Complete the supplier's details"):
        suppliers.add_supplier_from_search(
            search=answered(people), b2b_id="KAVERI-CBE-01", added_by=people.buyer_user
        )


def test_a_business_is_not_its_own_supplier(people):
    search = answered(
        people,
        parameter="B2BID",
        value=people.buyer.b2b_id,
        results=[{**FOUND, "b2bIds": [{"value": people.buyer.b2b_id, "description": ""}]}],
    )

    with pytest.raises(DirectoryError, match="a business is not its own supplier"):
        suppliers.add_supplier_from_search(
            search=search, b2b_id=people.buyer.b2b_id, added_by=people.buyer_user
        )


def test_only_a_buyer_of_the_searching_business_may_add(people):
    search = answered(people)

    with pytest.raises(NotAllowed):
        suppliers.add_supplier_from_search(
            search=search, b2b_id="KAVERI-CBE-01", added_by=people.outsider_user, details=details()
        )
    assert not Business.objects.filter(b2b_id="KAVERI-CBE-01").exists()


# -- removing ------------------------------------------------------------------------------


def test_removing_a_supplier_keeps_the_business_and_its_orders(people):
    order = people.purchase_order(sent=True)
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)

    supplier = suppliers.remove_supplier(link=link, removed_by=people.buyer_user)

    assert supplier == people.supplier
    assert not SupplierLink.objects.filter(pk=link.pk).exists()
    order.refresh_from_db()
    assert order.supplier == people.supplier
    assert order.parties.get(role="supplier").legal_name == people.supplier.legal_name


def test_only_a_buyer_of_the_business_may_remove_a_supplier(people):
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)

    with pytest.raises(NotAllowed):
        suppliers.remove_supplier(link=link, removed_by=people.supplier_user)
    assert SupplierLink.objects.filter(pk=link.pk).exists()


def test_removing_a_supplier_already_removed_says_so(people):
    link = SupplierLink.objects.get(buyer=people.buyer, supplier=people.supplier)
    SupplierLink.objects.filter(pk=link.pk).delete()

    with pytest.raises(DirectoryError, match="no longer in your directory"):
        suppliers.remove_supplier(link=link, removed_by=people.buyer_user)


def test_a_search_whose_delivery_an_admin_retries_waits_for_the_answer_again(people, admin_user):
    search = make_search(people.buyer)
    OutboundMessage.objects.filter(pk=search.outbound_message_id).update(
        state="sending", attempts=12
    )
    _give_up(OutboundMessage.objects.get(pk=search.outbound_message_id), "connection refused")

    retry_outbound_message(
        message=OutboundMessage.objects.get(pk=search.outbound_message_id), retried_by=admin_user
    )

    search.refresh_from_db()
    assert (search.state, search.answered_at) == ("asked", None)
    assert search.outbound_message.state == "queued"
