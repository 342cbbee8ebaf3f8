"""A supplier search end to end: service, worker, sandbox over HTTP, the answer's webhook back."""

import datetime

import pytest
from django.utils import timezone

from purchase_orders import selectors
from purchase_orders.models import Business, InboundEvent, OutboundMessage, SupplierSearch
from purchase_orders.services import suppliers
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.factories import PurchaseOrderFactory, make_gstin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]

REMOTE_GSTIN = make_gstin("33", 4321)
REMOTE = {
    "name": "Kaveri Castings Private Limited",
    "alias": "Kaveri Castings",
    "state": "Tamil Nadu",
    "pincode": "641021",
    "gstin": REMOTE_GSTIN,
    "b2bIds": [
        {"value": "KAVERI-CBE-01", "description": "Coimbatore works"},
        {"value": "KAVERI-CBE-02", "description": "Hosur unit"},
    ],
}


def ask(trading_pair, parameter: str, value: str) -> SupplierSearch:
    return suppliers.ask_network_for_supplier(
        buyer=trading_pair.buyer,
        asked_by=trading_pair.buyer_user,
        parameter=parameter,
        value=value,
    )


def test_a_search_by_gstin_is_answered_by_the_network_with_its_b2b_ids(network, trading_pair):
    network.sandbox.directory.add([REMOTE])

    search = ask(trading_pair, "GSTIN", REMOTE_GSTIN.lower())
    network.drain()

    search.refresh_from_db()
    assert search.state == "answered"
    assert search.results == [
        {
            "name": "Kaveri Castings Private Limited",
            "alias": "Kaveri Castings",
            "state": "Tamil Nadu",
            "pincode": "641021",
            "b2bIds": REMOTE["b2bIds"],
        }
    ]
    (asked,) = [entry for entry in network.sandbox.received if entry["kind"] == "search-entity"]
    assert asked["status"] == 200
    assert asked["body"]["search"]["criteria"] == [
        {"searchParameter": "GSTIN", "operator": "EXACT", "value": REMOTE_GSTIN}
    ]
    assert asked["body"]["onboardingB2BIds"] == {"requestorB2BId": trading_pair.buyer.b2b_id}
    (answer,) = network.sandbox.delivered
    assert (answer["kind"], answer["status"], answer["outcome"]) == (
        "respSearchEntity",
        200,
        "delivered",
    )
    assert answer["url"].endswith("/api/v0/business-onboarding/respSearchEntity")
    message = OutboundMessage.objects.get(pk=search.outbound_message_id)
    assert message.state == "acknowledged"
    event = InboundEvent.objects.get(kind="respSearchEntity")
    assert (event.state, event.outbound_message_id, event.object_id) == (
        "applied",
        message.pk,
        search.object_id,
    )


def test_the_supplier_found_is_added_and_the_new_order_form_offers_it(network, trading_pair):
    network.sandbox.directory.add([REMOTE])
    search = ask(trading_pair, "B2BID", "KAVERI-CBE-02")
    network.drain()
    search.refresh_from_db()

    link = suppliers.add_supplier_from_search(
        search=search,
        b2b_id="KAVERI-CBE-02",
        added_by=trading_pair.buyer_user,
        details=suppliers.SupplierDetails(
            legal_name="Kaveri Castings Private Limited",
            gstin=REMOTE_GSTIN,
            state_code="33",
            address_line1="SIDCO Industrial Estate",
            city="Hosur",
            pincode="635126",
        ),
    )

    supplier = Business.objects.get(b2b_id="KAVERI-CBE-02")
    assert link.supplier == supplier
    assert (supplier.is_hosted, supplier.gstin, supplier.state) == (
        False,
        REMOTE_GSTIN,
        "Tamil Nadu",
    )
    viewer = selectors.get_viewer(trading_pair.buyer_user)
    assert supplier in selectors.supplier_choices(viewer=viewer)


def test_a_supplier_elsewhere_added_from_the_network_receives_a_purchase_order(
    network, trading_pair
):
    """Its own platform takes the order; the network acknowledges it to the buyer."""
    network.sandbox.directory.add([{**REMOTE, "elsewhere": True}])
    search = ask(trading_pair, "GSTIN", REMOTE_GSTIN)
    network.drain()
    search.refresh_from_db()
    link = suppliers.add_supplier_from_search(
        search=search,
        b2b_id="KAVERI-CBE-01",
        added_by=trading_pair.buyer_user,
        details=suppliers.SupplierDetails(
            legal_name="Kaveri Castings Private Limited",
            gstin=REMOTE_GSTIN,
            state_code="33",
            address_line1="SF 112, SIDCO Industrial Estate",
            city="Coimbatore",
            pincode="641021",
        ),
    )

    draft = PurchaseOrderFactory(
        buyer=trading_pair.buyer, supplier=link.supplier, created_by=trading_pair.buyer_user
    )
    send_purchase_order(purchase_order=draft, sent_by=trading_pair.buyer_user)
    network.drain()

    draft.refresh_from_db()
    assert (draft.status, draft.version, draft.pending_action) == ("CREATED", 1, "")
    sent = [entry for entry in network.sandbox.received if entry["kind"] == "req-send"]
    assert sent[0]["body"]["purchaseOrder"]["supplierDetails"]["gstin"] == REMOTE_GSTIN
    assert [entry["kind"] for entry in network.sandbox.delivered] == [
        "respSearchEntity",
        "resp-send",
    ]


def test_a_gstin_the_network_does_not_know_is_no_match(network, trading_pair):
    network.sandbox.directory.add([REMOTE])

    search = ask(trading_pair, "GSTIN", make_gstin("27", 77))
    network.drain()

    search.refresh_from_db()
    assert (search.state, search.results) == ("no_match", [])
    assert selectors.search_progress(search).phase == "no_match"


def test_a_search_the_network_refuses_keeps_its_words(network, trading_pair):
    network.sandbox.add_fault(
        "reject_async",
        kind="search-entity",
        error_code="REQUESTOR_NOT_REGISTERED",
        error_detail="The requestor is not registered on Bharat Connect.",
        error_field="onboardingB2BIds.requestorB2BId",
    )

    search = ask(trading_pair, "GSTIN", REMOTE_GSTIN)
    network.drain()

    search.refresh_from_db()
    assert (search.state, search.error_code, search.error_detail, search.error_field) == (
        "failed",
        "REQUESTOR_NOT_REGISTERED",
        "The requestor is not registered on Bharat Connect.",
        "onboardingB2BIds.requestorB2BId",
    )
    assert selectors.search_progress(search).phase == "refused"
    assert OutboundMessage.objects.get(pk=search.outbound_message_id).state == "rejected"


def test_a_search_refused_at_once_fails_with_the_networks_words(network, trading_pair):
    network.sandbox.add_fault(
        "reject",
        kind="search-entity",
        error_code="TOO_MANY_SEARCHES",
        error_detail="Searches are limited to 100 an hour.",
    )

    search = ask(trading_pair, "GSTIN", REMOTE_GSTIN)
    network.drain()

    search.refresh_from_db()
    assert (search.state, search.error_code, search.error_detail) == (
        "failed",
        "TOO_MANY_SEARCHES",
        "Searches are limited to 100 an hour.",
    )
    assert network.sandbox.delivered == []


def test_a_search_the_network_never_answers_stays_asked_and_may_be_asked_again(
    sandbox, run_tasks, trading_pair
):
    """A sandbox that delivers nothing: the request is acknowledged, no answer ever comes."""
    search = ask(trading_pair, "GSTIN", REMOTE_GSTIN)
    run_tasks()

    search.refresh_from_db()
    assert search.state == "asked"
    assert search.outbound_message.state == "sent"
    assert selectors.search_progress(search).phase == "asking"
    later = timezone.now() + selectors.SEARCH_PATIENCE + datetime.timedelta(seconds=1)
    assert selectors.search_progress(search, now=later).phase == "unanswered"

    again = ask(trading_pair, "GSTIN", REMOTE_GSTIN)
    run_tasks()

    assert again.pk != search.pk
    assert [entry["kind"] for entry in sandbox.received] == ["search-entity"] * 2
    assert len({entry["body"]["objectId"] for entry in sandbox.received}) == 2


def test_a_network_that_cannot_be_reached_is_retried_and_the_search_says_so(
    sandbox, run_tasks, trading_pair, settings
):
    settings.ENKASH_MAX_ATTEMPTS = 2
    sandbox.add_fault("http_500", kind="search-entity", times=None)
    search = ask(trading_pair, "GSTIN", REMOTE_GSTIN)

    run_tasks()
    search.refresh_from_db()
    progress = selectors.search_progress(search)
    assert (search.state, progress.phase, progress.attempts) == ("asked", "retrying", 1)

    OutboundMessage.objects.filter(pk=search.outbound_message_id).update(
        next_attempt_at=timezone.now()
    )
    run_tasks()
    search.refresh_from_db()
    progress = selectors.search_progress(search)
    assert (search.state, progress.phase, progress.attempts) == ("failed", "not_delivered", 2)
    assert (search.error_code, search.error_detail) == ("", "")
