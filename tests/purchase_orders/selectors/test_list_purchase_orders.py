"""The lists' search and sort: what a search finds, for whom, and the lifecycle's order."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict

from purchase_orders import lifecycle
from purchase_orders.models import Business, LineItem, Membership, PurchaseOrder
from purchase_orders.selectors import get_viewer, list_purchase_orders
from purchase_orders.services import businesses, documents, drafts
from purchase_orders.services.purchase_orders import edit_purchase_order
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    PurchaseOrderFactory,
    UserFactory,
    link_supplier,
)
from tests.plugins.network import acknowledged, contents_of
from tests.plugins.webhooks import answer, sent_elsewhere_body
from tests.purchase_orders.services.test_drafts import typed_contents

pytestmark = pytest.mark.django_db


def found(user, role: str, search: str) -> list[str]:
    orders = list_purchase_orders(viewer=get_viewer(user), role=role, search=search)
    return sorted(orders.values_list("buyer_po_number", flat=True))


@pytest.fixture
def carbide_order(people):
    """A sent order of the buyer's: a subject, a carbide line with its own HSN code."""
    purchase_order = people.purchase_order(
        sent=True, buyer_po_number="PO/2026-27/00417", subject="Pantry and tooling", lines=1
    )
    LineItem.objects.filter(purchase_order=purchase_order).update(
        product_description="Tungsten Carbide insert CNMG 120408", hsn_code="82090090"
    )
    documents.reindex_for_search(PurchaseOrder.objects.filter(pk=purchase_order.pk))
    return purchase_order


@pytest.fixture
def other_orders(people):
    """A draft of the buyer's to the same supplier, and an order between two other businesses."""
    people.purchase_order(buyer_po_number="PO/2026-27/00418", subject="Draft stationery", lines=1)
    PurchaseOrderFactory(buyer_po_number="PO/2026-27/00419", subject="Pantry", lines=1)


@pytest.mark.parametrize(
    "search",
    [
        "pantry",  # the subject
        "Carbide",  # a line's description, any case
        "82090090",  # a line's HSN code
        "00417",  # part of the PO number
        "  tungsten   carbide ",  # spaces as typed
    ],
)
def test_the_buyer_finds_an_order_by_any_of_its_words(people, carbide_order, other_orders, search):
    assert found(people.buyer_user, lifecycle.BUYER, search) == ["PO/2026-27/00417"]


@pytest.mark.parametrize(
    "search",
    ["Sahyadri", "sahyadri paper mills limited", "Kaveri Textiles"],
)
def test_names_of_either_party_find_every_order_between_them(
    people, carbide_order, other_orders, search
):
    assert found(people.buyer_user, lifecycle.BUYER, search) == [
        "PO/2026-27/00417",
        "PO/2026-27/00418",
    ]


def test_either_partys_gstin_finds_the_order(people, carbide_order, other_orders):
    by_supplier_gstin = found(people.buyer_user, lifecycle.BUYER, people.supplier.gstin.lower())
    by_buyer_gstin = found(people.supplier_user, lifecycle.SUPPLIER, people.buyer.gstin)

    assert by_supplier_gstin == ["PO/2026-27/00417", "PO/2026-27/00418"]
    # The supplier never finds the buyer's draft.
    assert by_buyer_gstin == ["PO/2026-27/00417"]


def test_the_gstin_written_on_the_order_is_found_too(people, carbide_order):
    carbide_order.parties.filter(role=lifecycle.BUYER).update(gstin="29AAACK7735Q2ZM")
    documents.reindex_for_search(PurchaseOrder.objects.filter(pk=carbide_order.pk))

    assert found(people.buyer_user, lifecycle.BUYER, "29aaack7735q2zm") == ["PO/2026-27/00417"]


def test_another_business_never_finds_the_orders_it_is_not_party_to(
    people, carbide_order, other_orders
):
    for search in ("pantry", "carbide", "Sahyadri", people.supplier.gstin, "PO/2026-27"):
        assert found(people.outsider_user, lifecycle.BUYER, search) == []
        assert found(people.outsider_user, lifecycle.SUPPLIER, search) == []
    # The other pair's pantry order is not the buyer's.
    assert found(people.buyer_user, lifecycle.BUYER, "pantry") == ["PO/2026-27/00417"]


def test_a_search_of_nothing_lists_everything(people, carbide_order, other_orders):
    assert found(people.buyer_user, lifecycle.BUYER, "   ") == [
        "PO/2026-27/00417",
        "PO/2026-27/00418",
    ]


def test_a_search_for_percent_or_underscore_matches_them_literally(people, carbide_order):
    assert found(people.buyer_user, lifecycle.BUYER, "%") == []
    assert found(people.buyer_user, lifecycle.BUYER, "_") == []


def test_words_never_match_across_two_fields(people, carbide_order):
    # The subject ends in "tooling" and the buyer's name follows it.
    assert found(people.buyer_user, lifecycle.BUYER, "tooling") == ["PO/2026-27/00417"]
    assert found(people.buyer_user, lifecycle.BUYER, "tooling kaveri") == []


def test_a_draft_saved_and_changed_by_the_drafts_service_is_found_by_its_new_words(people):
    purchase_order = drafts.create_draft(
        buyer=people.buyer,
        supplier=people.supplier,
        created_by=people.buyer_user,
        contents=typed_contents(buyer_po_number="YARN-1", subject="Spinning mill"),
    )
    assert found(people.buyer_user, lifecycle.BUYER, "cotton yarn") == ["YARN-1"]
    assert found(people.buyer_user, lifecycle.BUYER, "5205") == ["YARN-1"]

    contents = typed_contents(buyer_po_number="YARN-1", subject="Weaving shed")
    contents.lines[0].product_description = "Polyester staple fibre"
    contents.lines[0].hsn_code = "5503"
    drafts.update_draft(
        purchase_order=purchase_order, updated_by=people.buyer_user, contents=contents
    )

    assert found(people.buyer_user, lifecycle.BUYER, "cotton yarn") == []
    assert found(people.buyer_user, lifecycle.BUYER, "spinning") == []
    assert found(people.buyer_user, lifecycle.BUYER, "polyester") == ["YARN-1"]
    assert found(people.buyer_user, lifecycle.BUYER, "weaving") == ["YARN-1"]


def test_an_order_received_from_the_network_is_found_by_its_lines(
    trading_pair, signed_post, django_capture_on_commit_callbacks
):
    body = sent_elsewhere_body(trading_pair, lines=2)
    body["purchaseOrder"]["itemLists"][1]["productDescription"] = "Hydraulic hose, 12 mm"
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post("req-send", body)
    assert answer(response)["response_code"] == 0

    assert found(trading_pair.supplier_user, lifecycle.SUPPLIER, "hydraulic hose") == [
        "ERP/2026/000123"
    ]


def test_an_edit_sent_from_here_is_found_by_its_new_words_once_acknowledged(
    trading_pair, sent_purchase_order
):
    contents = contents_of(sent_purchase_order)
    contents.lines[0].product_description = "Thermal paper roll, 80 mm"
    edit_purchase_order(
        purchase_order=sent_purchase_order,
        edited_by=trading_pair.buyer_user,
        contents=contents,
        reason="Thermal rolls instead.",
        expected_version=sent_purchase_order.version,
    )
    number = sent_purchase_order.buyer_po_number

    # The order stands as the network acknowledged it until it answers.
    assert found(trading_pair.buyer_user, lifecycle.BUYER, "thermal paper") == []
    acknowledged(sent_purchase_order)

    assert found(trading_pair.buyer_user, lifecycle.BUYER, "thermal paper") == [number]
    assert found(trading_pair.supplier_user, lifecycle.SUPPLIER, "thermal paper") == [number]


def test_a_business_that_changes_its_name_is_found_by_the_new_one(people, carbide_order):
    admin = MembershipFactory(business=people.supplier, role=Membership.Role.ADMIN).user

    businesses.update_business_profile(
        business=people.supplier, changed_by=admin, values={"trade_name": "Western Ghats Paper"}
    )

    assert found(people.buyer_user, lifecycle.BUYER, "western ghats") == ["PO/2026-27/00417"]


def test_a_business_renamed_in_admin_is_found_by_the_new_name(people, carbide_order, rf):
    model_admin = admin.site._registry[Business]
    request = rf.post("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    supplier = Business.objects.get(pk=people.supplier.pk)
    data = {name: "" if value is None else value for name, value in model_to_dict(supplier).items()}
    data["trade_name"] = "Western Ghats Paper"
    form = model_admin.get_form(request, supplier, change=True)(data=data, instance=supplier)
    assert form.is_valid(), form.errors

    model_admin.save_model(request, form.save(commit=False), form, change=True)

    assert found(people.buyer_user, lifecycle.BUYER, "western ghats") == ["PO/2026-27/00417"]


def test_sorting_by_status_follows_the_lifecycle(people):
    # Placed in an order that is neither the lifecycle's nor the alphabet's.
    for number, status in [
        ("P-1", PurchaseOrder.Status.CLOSED),
        ("P-2", PurchaseOrder.Status.ACCEPTED),
        ("P-3", PurchaseOrder.Status.DRAFT),
        ("P-4", PurchaseOrder.Status.FULFILLED),
        ("P-5", PurchaseOrder.Status.CREATED),
        ("P-6", PurchaseOrder.Status.REJECTED),
        ("P-7", PurchaseOrder.Status.CANCELLED),
        ("P-8", PurchaseOrder.Status.AWAITING_APPROVAL),
    ]:
        people.purchase_order(
            buyer_po_number=number,
            status=status,
            lines=0,
            order_date=datetime.date(2026, 11, 1),
            total_po_value=Decimal("1.00"),
        )

    orders = list_purchase_orders(
        viewer=get_viewer(people.buyer_user), role=lifecycle.BUYER, ordering="status"
    )

    assert [order.status for order in orders] == list(lifecycle.STATUSES)
    assert list(lifecycle.STATUSES) != sorted(lifecycle.STATUSES)


def test_the_supplier_sorts_by_status_without_the_local_ones(people):
    for status in (PurchaseOrder.Status.CLOSED, PurchaseOrder.Status.CREATED, "DRAFT"):
        people.purchase_order(status=status, lines=0)

    orders = list_purchase_orders(
        viewer=get_viewer(people.supplier_user), role=lifecycle.SUPPLIER, ordering="status"
    )

    assert [order.status for order in orders] == ["CREATED", "CLOSED"]


def test_a_second_buyer_with_its_own_supplier_is_kept_apart(people):
    buyer, supplier = BusinessFactory(), BusinessFactory(legal_name="Sahyadri Forgings")
    link_supplier(buyer, supplier)
    PurchaseOrderFactory(buyer=buyer, supplier=supplier, lines=1, buyer_po_number="X-1")

    assert found(people.buyer_user, lifecycle.BUYER, "sahyadri") == []
