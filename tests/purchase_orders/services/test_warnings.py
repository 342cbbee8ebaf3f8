"""Warnings that do not stop an order: place of supply, past milestones, MSME payments."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from purchase_orders.contents import (
    AddressContents,
    Contents,
    Header,
    MilestoneContents,
    PartyContents,
)
from purchase_orders.models import PaymentMilestone, PurchaseOrder, StatusChange
from purchase_orders.services import drafts
from purchase_orders.services.warnings import (
    MSME_PAYMENT,
    PAST_MILESTONE,
    PLACE_OF_SUPPLY,
    accepted_on,
    find_warnings,
    purchase_order_warnings,
)
from tests.factories import BusinessFactory

TODAY = datetime.date(2026, 12, 1)
UDYAM = "UDYAM-MH-26-0012345"


def contents(
    *,
    place: str = "29",
    supplier_state: str = "",
    delivery: tuple[str, ...] = ("Karnataka",),
    milestones: tuple[datetime.date | None, ...] = (),
    order_date: datetime.date | None = TODAY,
) -> Contents:
    return Contents(
        header=Header(order_date=order_date),
        parties={
            "buyer": PartyContents(role="buyer", place_of_supply=place),
            "supplier": PartyContents(role="supplier", state_code=supplier_state),
        },
        addresses=[AddressContents(purpose="DELIVERY", state=state) for state in delivery],
        milestones=[
            MilestoneContents(due_on=day, due_amount=Decimal("100.00")) for day in milestones
        ],
    )


def supplier(**fields):
    fields.setdefault("state_code", "27")
    return BusinessFactory.build(trade_name="Sahyadri Industrial", **fields)


# -- place of supply ---------------------------------------------------------------


def test_a_place_of_supply_outside_the_delivery_state_is_flagged_naming_both_states():
    warnings = find_warnings(
        contents=contents(place="29", delivery=("Maharashtra",)),
        supplier=supplier(state_code="29"),
        today=TODAY,
    )

    assert [warning.kind for warning in warnings] == [PLACE_OF_SUPPLY]
    assert warnings[0].message == (
        "Place of supply is 29 – Karnataka but the delivery address is in 27 – Maharashtra: "
        "GST will be CGST + SGST, as the supplier is in 29 – Karnataka; with the place of "
        "supply 27 – Maharashtra it would be IGST. Within one state GST is CGST + SGST, "
        "between states IGST, and the place of supply decides which: check it."
    )
    assert warnings[0].path == ("parties", "buyer", "place_of_supply")


def test_the_suppliers_state_on_the_order_counts_before_its_business():
    warnings = find_warnings(
        contents=contents(place="29", supplier_state="27", delivery=("27",)),
        supplier=supplier(state_code="29"),
        today=TODAY,
    )

    assert "GST will be IGST, as the supplier is in 27 – Maharashtra; with the place of " in (
        warnings[0].message
    )
    assert "it would be CGST + SGST." in warnings[0].message


def test_when_both_states_give_igst_the_warning_says_so():
    warnings = find_warnings(
        contents=contents(place="29", delivery=("Tamil Nadu",)),
        supplier=supplier(state_code="27"),
        today=TODAY,
    )

    assert (
        "is in 33 – Tamil Nadu: GST is IGST either way, but the state that receives it is "
        "the place of supply's." in warnings[0].message
    )


@pytest.mark.parametrize(
    "delivery", [("Karnataka",), ("29",), ("  karnataka ",), ("",), ("Atlantis",), ()]
)
def test_a_delivery_in_the_place_of_supply_or_in_no_known_state_is_not_flagged(delivery):
    assert (
        find_warnings(
            contents=contents(place="29", delivery=delivery), supplier=supplier(), today=TODAY
        )
        == []
    )


def test_a_billing_address_elsewhere_is_not_a_delivery():
    order = contents(place="29", delivery=())
    order.addresses = [AddressContents(purpose="BILLING", state="Maharashtra")]

    assert find_warnings(contents=order, supplier=supplier(), today=TODAY) == []


def test_with_several_delivery_addresses_the_one_elsewhere_is_named_by_number():
    warnings = find_warnings(
        contents=contents(place="29", delivery=("Karnataka", "Maharashtra")),
        supplier=supplier(),
        today=TODAY,
    )

    assert len(warnings) == 1
    assert "but the delivery address 2 is in 27 – Maharashtra" in warnings[0].message


# -- milestones in the past ---------------------------------------------------------------


def test_a_drafts_milestone_before_today_is_flagged_with_its_date():
    warnings = find_warnings(
        contents=contents(milestones=(datetime.date(2026, 12, 20), datetime.date(2026, 11, 3))),
        supplier=supplier(),
        today=TODAY,
        drafting=True,
    )

    assert [(w.kind, w.message, w.path) for w in warnings] == [
        (
            PAST_MILESTONE,
            "Milestone 2 is due on 3 Nov 2026, before today: change its date.",
            ("milestones", 1, "due_on"),
        )
    ]


def test_a_sent_orders_milestone_already_past_is_no_warning():
    order = contents(milestones=(datetime.date(2026, 11, 3),))

    assert find_warnings(contents=order, supplier=supplier(), today=TODAY, drafting=False) == []


# -- MSME payments (section 43B(h)) -------------------------------------------------------------


def test_a_payment_to_an_msme_later_than_45_days_after_the_order_date_is_flagged():
    warnings = find_warnings(
        contents=contents(
            order_date=datetime.date(2026, 12, 5),
            milestones=(datetime.date(2026, 12, 20), datetime.date(2027, 2, 3)),
        ),
        supplier=supplier(udyam_number=UDYAM),
        today=TODAY,
        drafting=True,
    )

    assert [(w.kind, w.message) for w in warnings] == [
        (
            MSME_PAYMENT,
            "Milestone 2 falls 60 days after the order date; Sahyadri Industrial is registered "
            "as an MSME (Udyam UDYAM-MH-26-0012345): if it is a micro or small enterprise, "
            "under section 43B(h) of the Income-tax Act a payment later than 45 days after "
            "acceptance is deductible only when paid.",
        )
    ]


def test_an_order_dated_in_the_past_counts_from_today_the_earliest_acceptance():
    order = contents(
        order_date=datetime.date(2026, 10, 1), milestones=(datetime.date(2027, 1, 31),)
    )

    (warning,) = find_warnings(contents=order, supplier=supplier(udyam_number=UDYAM), today=TODAY)

    assert warning.message.startswith("Milestone 1 falls 61 days after today; Sahyadri")


def test_45_days_after_the_order_date_is_still_in_time_and_46_is_not():
    within, late = datetime.date(2027, 1, 15), datetime.date(2027, 1, 16)

    warnings = find_warnings(
        contents=contents(milestones=(within, late)),
        supplier=supplier(udyam_number=UDYAM),
        today=TODAY,
    )

    assert [w.message.split(";")[0] for w in warnings] == [
        "Milestone 2 falls 46 days after the order date"
    ]


def test_an_accepted_order_counts_from_its_acceptance():
    (warning,) = find_warnings(
        contents=contents(milestones=(datetime.date(2027, 1, 20),)),
        supplier=supplier(udyam_number=UDYAM),
        today=TODAY,
        accepted_on=datetime.date(2026, 11, 20),
    )

    assert warning.message.startswith(
        "Milestone 1 falls 61 days after the acceptance on 20 Nov 2026; Sahyadri Industrial"
    )


def test_a_supplier_without_an_udyam_number_is_paid_when_agreed_without_warning():
    order = contents(milestones=(datetime.date(2027, 6, 1),))

    assert find_warnings(contents=order, supplier=supplier(), today=TODAY) == []


# -- a saved order ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_saved_orders_acceptance_is_read_from_its_status_history(people):
    people.supplier.udyam_number = UDYAM
    people.supplier.save()
    order = people.purchase_order(accepted=True, lines=1)
    StatusChange.objects.create(
        purchase_order=order, from_status="CREATED", to_status="ACCEPTED", version=1
    )
    StatusChange.objects.filter(purchase_order=order).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 11, 2, 10, 0))
    )
    order.milestones.update(due_on=datetime.date(2026, 12, 31))

    assert accepted_on(order) == datetime.date(2026, 11, 2)
    (warning,) = purchase_order_warnings(purchase_order=order, today=TODAY)
    assert warning.message.startswith(
        "Milestone 1 falls 59 days after the acceptance on 2 Nov 2026"
    )


@pytest.mark.django_db
def test_a_sent_order_not_accepted_yet_has_no_acceptance(people):
    order = people.purchase_order(sent=True, lines=1)
    StatusChange.objects.create(
        purchase_order=order,
        from_status="CREATED",
        to_status="ACCEPTED",
        version=1,
        stage=StatusChange.Stage.ATTEMPTED,
    )

    assert accepted_on(order) is None


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["REJECTED", "CANCELLED", "CLOSED"])
def test_an_order_whose_payments_are_over_has_no_warnings(people, status):
    people.supplier.udyam_number = UDYAM
    people.supplier.save()
    order = people.purchase_order(status=status, version=1, lines=1)
    order.milestones.update(due_on=datetime.date(2027, 6, 1))

    assert purchase_order_warnings(purchase_order=order, today=TODAY) == []


@pytest.mark.django_db
def test_a_draft_delivered_outside_its_place_of_supply_is_flagged(people):
    order = people.purchase_order(lines=1)
    order.addresses.update(state="Maharashtra")

    (warning,) = purchase_order_warnings(purchase_order=order, today=TODAY)

    assert warning.kind == PLACE_OF_SUPPLY
    assert warning.message.startswith(
        "Place of supply is 29 – Karnataka but the delivery address is in 27 – Maharashtra: "
        "GST will be IGST, as the supplier is in 27 – Maharashtra; with the place of supply "
        "27 – Maharashtra it would be CGST + SGST."
    )


# -- duplicating -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_duplicate_is_dated_today_and_its_copied_past_milestone_is_flagged(people):
    today = timezone.localdate()
    past = today - datetime.timedelta(days=30)
    original = people.purchase_order(
        accepted=True, lines=1, order_date=today - datetime.timedelta(days=60)
    )
    PaymentMilestone.objects.filter(purchase_order=original).update(due_on=past)

    copy = drafts.duplicate_purchase_order(purchase_order=original, created_by=people.buyer_user)

    assert copy.order_date == today
    assert copy.status == PurchaseOrder.Status.DRAFT
    warnings = purchase_order_warnings(purchase_order=copy, today=today)
    assert [w.message for w in warnings] == [
        f"Milestone 1 is due on {past.day} {past:%b %Y}, before today: change its date."
    ]
