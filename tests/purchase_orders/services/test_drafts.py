"""The drafts service behind the form: numbers, parties, all-or-nothing saving."""

import datetime
from decimal import Decimal

import pytest

from purchase_orders.contents import (
    ChargeContents,
    Contents,
    Header,
    LineContents,
    MilestoneContents,
    PartyContents,
    TaxContents,
)
from purchase_orders.enkash import payloads
from purchase_orders.exceptions import InvalidPurchaseOrder, NotAllowed, TransitionNotAllowed
from purchase_orders.forms.editor import field_name
from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services import drafts
from purchase_orders.totals import totals_for_purchase_order
from purchase_orders.validators import gstin_check_digit
from tests.factories import link_supplier

pytestmark = pytest.mark.django_db


def typed_contents(**fields) -> Contents:
    """Return contents as the form gives them: no totals, parties barely named."""
    return Contents(
        header=Header(
            **{"buyer_po_number": "", "order_date": datetime.date(2026, 11, 23), **fields}
        ),
        parties={"buyer": PartyContents(role="buyer"), "supplier": PartyContents(role="supplier")},
        lines=[
            LineContents(
                serial_no="1",
                product_description="Cotton yarn",
                is_service=False,
                hsn_code="5205",
                quantity=Decimal("100"),
                unit="KGS",
                unit_price=Decimal("245.50"),
                gst_rate=Decimal("5"),
                other_taxes=[TaxContents(name="Cess", rate=Decimal("1"))],
            )
        ],
        other_charges=[ChargeContents(charge_type="Freight", amount=Decimal("1500"))],
    )


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2026, 4, 1), "2026-27"),
        (datetime.date(2027, 3, 31), "2026-27"),
        (datetime.date(2099, 12, 1), "2099-00"),
    ],
)
def test_financial_year_runs_april_to_march(day, year):
    assert drafts.financial_year(day) == year


def test_suggested_numbers_follow_the_highest_of_the_year_per_buyer(people):
    for number in (
        "PO/2026-27/00009",
        "PO/2026-27/00011",
        "PO/2026-27/special",
        "PO/2025-26/00500",
    ):
        people.purchase_order(buyer_po_number=number, lines=0)

    on = datetime.date(2026, 11, 23)
    assert drafts.suggest_po_number(buyer=people.buyer, on=on) == "PO/2026-27/00012"
    assert drafts.suggest_po_number(buyer=people.outsider, on=on) == "PO/2026-27/00001"


def test_create_draft_copies_the_parties_and_computes_every_total(people):
    purchase_order = drafts.create_draft(
        buyer=people.buyer,
        supplier=people.supplier,
        created_by=people.buyer_user,
        contents=typed_contents(buyer_po_number="YARN-1"),
    )

    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    line = fresh.lines.get()
    # 100 x 245.50 = 24,550.00; IGST 5% = 1,227.50; cess 1% = 245.50; freight 1,500.
    assert line.total_item_value == Decimal("26023.00")
    assert line.other_taxes.get().amount == Decimal("245.50")
    assert fresh.total_po_value == Decimal("27523.00")
    assert fresh.object_id.startswith("PO") and len(fresh.object_id) == 34
    assert (fresh.status, fresh.version, fresh.created_by) == ("DRAFT", 0, people.buyer_user)
    parties = {party.role: party for party in fresh.parties.all()}
    assert parties["buyer"].b2b_id == people.buyer.b2b_id
    assert parties["buyer"].place_of_supply == people.buyer.state_code
    assert parties["supplier"].gstin == people.supplier.gstin
    assert payloads.build_purchase_order(fresh)["poValueDetails"]["totalPOValue"] == Decimal(
        "27523.00"
    )


def test_the_buyer_may_bill_from_another_of_its_own_registrations(people):
    branch = "27" + people.buyer.gstin[2:14]
    branch += gstin_check_digit(branch)
    contents = typed_contents()
    contents.parties["buyer"] = PartyContents(role="buyer", gstin=branch, place_of_supply="27")

    purchase_order = drafts.create_draft(
        buyer=people.buyer,
        supplier=people.supplier,
        created_by=people.buyer_user,
        contents=contents,
    )

    buyer = purchase_order.parties.get(role="buyer")
    assert (buyer.gstin, buyer.state_code, buyer.place_of_supply) == (branch, "27", "27")
    # Supplied within Maharashtra, the supplier's state: GST as CGST + SGST.
    totals = totals_for_purchase_order(get_purchase_order_with_contents(pk=purchase_order.pk))
    assert totals.is_intra_state is True
    assert (totals.cgst_amount, totals.sgst_amount) == (Decimal("613.75"), Decimal("613.75"))


def test_nothing_is_saved_when_the_contents_are_invalid(people):
    contents = typed_contents()
    contents.milestones = [MilestoneContents(due_on=None, due_amount=Decimal("100"))]

    with pytest.raises(InvalidPurchaseOrder) as raised:
        drafts.create_draft(
            buyer=people.buyer,
            supplier=people.supplier,
            created_by=people.buyer_user,
            contents=contents,
        )

    assert field_name(raised.value.path) == "milestones"
    assert PurchaseOrder.objects.count() == 0


def test_only_the_buyers_people_write_its_drafts(people):
    with pytest.raises(NotAllowed):
        drafts.create_draft(
            buyer=people.buyer,
            supplier=people.supplier,
            created_by=people.supplier_user,
            contents=typed_contents(),
        )


def test_a_business_cannot_order_from_itself(people):
    with pytest.raises(InvalidPurchaseOrder) as raised:
        drafts.create_draft(
            buyer=people.buyer,
            supplier=people.buyer,
            created_by=people.buyer_user,
            contents=typed_contents(),
        )

    assert field_name(raised.value.path) == "supplier"


def test_update_draft_changes_only_drafts(people):
    sent = people.purchase_order(sent=True, lines=1)

    with pytest.raises(TransitionNotAllowed):
        drafts.update_draft(
            purchase_order=sent, updated_by=people.buyer_user, contents=typed_contents()
        )


def test_update_draft_may_change_the_supplier_and_keeps_its_own_number(people):
    draft = people.purchase_order(lines=1, buyer_po_number="KEEP-1")
    link_supplier(people.buyer, people.outsider)

    drafts.update_draft(
        purchase_order=draft,
        updated_by=people.buyer_user,
        contents=typed_contents(buyer_po_number="KEEP-1"),
        supplier=people.outsider,
    )

    draft.refresh_from_db()
    assert draft.supplier == people.outsider
    assert draft.parties.get(role="supplier").b2b_id == people.outsider.b2b_id
    assert draft.buyer_po_number == "KEEP-1"


def test_send_draft_saves_nothing_when_the_order_is_invalid(people):
    type(people.supplier).objects.filter(pk=people.supplier.pk).update(pincode="000")
    people.supplier.refresh_from_db()

    with pytest.raises(InvalidPurchaseOrder):
        drafts.send_draft(
            buyer=people.buyer,
            supplier=people.supplier,
            sent_by=people.buyer_user,
            contents=typed_contents(),
        )

    assert PurchaseOrder.objects.count() == 0
    assert OutboundMessage.objects.count() == 0


def test_duplicate_leaves_out_a_delivery_date_already_past(people):
    original = people.purchase_order(
        accepted=True,
        lines=2,
        delivery_date=datetime.date(2020, 1, 1),
        order_date=datetime.date(2019, 12, 1),
    )

    copy = drafts.duplicate_purchase_order(purchase_order=original, created_by=people.buyer_user)

    assert copy.delivery_date is None
    assert copy.status == "DRAFT"
    assert copy.lines.count() == 2
    assert copy.milestones.get().due_amount == original.total_po_value


def test_only_the_buyer_duplicates(people):
    original = people.purchase_order(sent=True, lines=1)

    with pytest.raises(NotAllowed):
        drafts.duplicate_purchase_order(purchase_order=original, created_by=people.supplier_user)


def test_a_draft_to_the_buyer_itself_is_refused_naming_the_supplier_and_nothing_is_saved(people):
    with pytest.raises(InvalidPurchaseOrder) as refusal:
        drafts.create_draft(
            buyer=people.buyer,
            supplier=people.buyer,
            created_by=people.buyer_user,
            contents=typed_contents(),
        )

    assert refusal.value.message == (
        "Kaveri Textiles cannot be its own supplier; choose another business."
    )
    assert field_name(refusal.value.path) == "supplier"
    assert PurchaseOrder.objects.count() == 0
