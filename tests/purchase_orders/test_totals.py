"""Totals: GST split by place of supply, discounts, other taxes, rounding, consistency checks."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purchase_orders.contents import (
    ChargeContents,
    Contents,
    LineContents,
    MilestoneContents,
    PartyContents,
    TaxContents,
)
from purchase_orders.totals import (
    LineInput,
    apply_computed_totals,
    compute_line,
    compute_totals,
    find_total_mismatches,
    is_intra_state,
    to_money,
    totals_for_purchase_order,
)

D = Decimal


def parsed_order(
    *,
    lines: list[dict],
    supplier_state: str = "27",
    place_of_supply: str = "29",
    other_charges: tuple = (),
    milestone_shares: tuple = (),
) -> Contents:
    """Return a purchase order's contents, its totals filled in by the portal."""
    parsed = Contents(
        parties={
            "buyer": PartyContents(role="buyer", state_code="29", place_of_supply=place_of_supply),
            "supplier": PartyContents(role="supplier", state_code=supplier_state),
        },
        lines=[
            LineContents(
                quantity=D(line["quantity"]),
                unit_price=D(line["unit_price"]),
                gst_rate=D(line.get("gst_rate", 18)),
                value_details=line.get("value_details", []),
                other_taxes=[
                    TaxContents(name=name, rate=D(rate), amount=D(0))
                    for name, rate in line.get("other_taxes", ())
                ],
            )
            for line in lines
        ],
        other_charges=[
            ChargeContents(charge_type=kind, amount=D(amount)) for kind, amount in other_charges
        ],
    )
    apply_computed_totals(parsed)
    total = parsed.header.total_po_value
    parsed.milestones = [
        MilestoneContents(due_amount=to_money(total * D(share))) for share in milestone_shares
    ]
    return parsed


# -- lines ----------------------------------------------------------------------


def test_intra_state_gst_is_split_into_equal_cgst_and_sgst():
    line = compute_line(
        LineInput(quantity=D(10), unit_price=D("100.00"), gst_rate=D(18)), intra_state=True
    )

    assert (line.cgst_amount, line.sgst_amount, line.igst_amount) == (D("90.00"), D("90.00"), D(0))
    assert line.gst_amount == D("180.00")
    assert line.total_item_value == D("1180.00")


def test_inter_state_gst_is_charged_whole_as_igst():
    line = compute_line(
        LineInput(quantity=D(10), unit_price=D("100.00"), gst_rate=D(18)), intra_state=False
    )

    assert (line.cgst_amount, line.sgst_amount, line.igst_amount) == (D(0), D(0), D("180.00"))
    assert line.total_item_value == D("1180.00")


@pytest.mark.parametrize(
    ("supplier_state", "place_of_supply", "intra"),
    [("29", "29", True), ("27", "29", False), ("", "", False), ("", "29", False)],
)
def test_gst_is_intra_state_only_when_the_supplier_is_in_the_place_of_supply(
    supplier_state, place_of_supply, intra
):
    intra_state = is_intra_state(
        supplier_state_code=supplier_state, place_of_supply=place_of_supply
    )

    assert intra_state is intra


def test_a_discount_lowers_the_taxable_value_before_gst():
    contents = LineContents(
        quantity=D(4),
        unit_price=D("12680.00"),
        gst_rate=D(18),
        value_details=[
            {"type": "DISCOUNT", "value": D("1000.00")},
            {"type": "discount", "value": "500.00"},
            {"type": "MRP", "value": D("99999.00")},
        ],
    )

    line = compute_line(LineInput.from_line(contents), intra_state=False)

    assert line.total_amount == D("50720.00")
    assert line.assessment_amount == D("49220.00")
    assert line.igst_amount == D("8859.60")
    assert line.total_item_value == D("58079.60")


def test_other_taxes_are_charged_on_the_taxable_value_and_added_to_the_line():
    line = compute_line(
        LineInput(
            quantity=D(10),
            unit_price=D("540.00"),
            gst_rate=D(28),
            discount=D("400.00"),
            other_tax_rates=[D(12), D("0.5")],
        ),
        intra_state=False,
    )

    assert line.assessment_amount == D("5000.00")
    assert line.igst_amount == D("1400.00")
    assert line.other_tax_amounts == [D("600.00"), D("25.00")]
    assert line.total_item_value == D("7025.00")


def test_every_amount_is_rounded_half_up_to_the_paisa():
    # 3.333 × 10.005 = 33.346665; 18 % of 33.35 = 6.003.
    line = compute_line(
        LineInput(quantity=D("3.333"), unit_price=D("10.005"), gst_rate=D(18)), intra_state=False
    )

    assert line.total_amount == D("33.35")
    assert line.igst_amount == D("6.00")
    assert line.total_item_value == D("39.35")
    assert to_money(D("0.045")) == D("0.05")
    assert to_money(D("0.055")) == D("0.06")
    assert to_money(D("-0.045")) == D("-0.05")


def test_gst_is_rounded_per_line_not_on_the_sum_of_lines():
    # Each line's 18 % of 0.25 is 0.045 -> 0.05; rounding the sum would give 0.09.
    cheap = LineInput(quantity=D(1), unit_price=D("0.25"), gst_rate=D(18))

    totals = compute_totals(lines=[cheap, cheap], intra_state=False)

    assert [line.igst_amount for line in totals.lines] == [D("0.05"), D("0.05")]
    assert totals.igst_amount == D("0.10")
    assert totals.total_po_value == D("0.60")


def test_each_half_of_intra_state_gst_is_rounded_on_its_own():
    # 9 % of 0.25 is 0.0225 -> 0.02 for CGST and for SGST, as invoices print them.
    line = compute_line(
        LineInput(quantity=D(1), unit_price=D("0.25"), gst_rate=D(18)), intra_state=True
    )

    assert (line.cgst_amount, line.sgst_amount) == (D("0.02"), D("0.02"))
    assert line.total_item_value == D("0.29")


# -- the whole order ------------------------------------------------------------


def test_order_total_adds_lines_and_other_charges_and_groups_gst_by_rate():
    lines = [
        LineInput(quantity=D(50), unit_price=D("245.00"), gst_rate=D(12)),
        LineInput(quantity=D(6), unit_price=D("3250.00"), gst_rate=D(18)),
        LineInput(quantity=D(200), unit_price=D("42.75"), gst_rate=D(5)),
        LineInput(quantity=D(10), unit_price=D("540.00"), gst_rate=D(28), other_tax_rates=[D(12)]),
    ]

    totals = compute_totals(lines=lines, other_charges=[D("2400.00"), D("-0.40")], intra_state=True)

    assert totals.taxable_value == D("12250.00") + D("19500.00") + D("8550.00") + D("5400.00")
    assert totals.gst_by_rate == {
        D(5): D("427.50"),
        D(12): D("1470.00"),
        D(18): D("3510.00"),
        D(28): D("1512.00"),
    }
    assert totals.cgst_amount == totals.sgst_amount == D("3459.75")
    assert totals.igst_amount == D(0)
    assert totals.gst_amount == D("6919.50")
    assert totals.other_taxes_amount == D("648.00")
    assert totals.other_charges_amount == D("2399.60")
    assert totals.total_po_value == D("45700.00") + D("6919.50") + D("648.00") + D("2399.60")
    assert totals.is_intra_state is True


@pytest.mark.django_db
def test_a_saved_order_is_totalled_by_its_parties_states(trading_pair):
    purchase_order = trading_pair.purchase_order(lines=2)

    totals = totals_for_purchase_order(purchase_order)

    # The buyer is in Karnataka and the supplier in Maharashtra.
    assert totals.is_intra_state is False
    assert totals.total_po_value == purchase_order.total_po_value
    assert totals.igst_amount > 0

    supplier = purchase_order.parties.get(role="supplier")
    supplier.state_code = "29"
    supplier.save()
    intra = totals_for_purchase_order(purchase_order)

    assert intra.is_intra_state is True
    assert intra.igst_amount == D(0)
    assert intra.cgst_amount + intra.sgst_amount == totals.igst_amount


# -- find_total_mismatches ------------------------------------------------------


@pytest.fixture
def consistent() -> dict:
    return parsed_order(
        lines=[
            {"quantity": "40", "unit_price": "1450.00", "gst_rate": 18},
            {
                "quantity": "4",
                "unit_price": "12680.00",
                "value_details": [{"type": "DISCOUNT", "value": D("1500.00")}],
            },
            {
                "quantity": "10",
                "unit_price": "540.00",
                "gst_rate": 28,
                "other_taxes": [("Cess", "12")],
            },
        ],
        other_charges=[("FREIGHT", "2400.00")],
        milestone_shares=("0.5", "0.5"),
    )


def test_a_consistent_order_has_no_mismatches(consistent):
    assert consistent.header.total_po_value == D("136479.60")
    assert sum(m.due_amount for m in consistent.milestones) == D("136479.60")

    assert find_total_mismatches(consistent) == []


def test_one_paisa_of_difference_is_tolerated(consistent):
    consistent.lines[0].total_item_value += D("0.01")
    consistent.header.total_po_value += D("0.01")
    for milestone in consistent.milestones[:1]:
        milestone.due_amount += D("0.01")

    assert find_total_mismatches(consistent) == []


def test_a_wrong_line_amount_is_reported_with_its_path(consistent):
    consistent.lines[1].assessment_amount = D("50720.00")

    assert find_total_mismatches(consistent) == [
        (("lines", 1, "assessment_amount"), D("50720.00"), D("49220.00")),
    ]


def test_a_wrong_other_tax_and_line_value_are_reported(consistent):
    line = consistent.lines[2]
    line.other_taxes[0].amount = D("540.00")
    line.total_item_value = D("7452.00")

    assert find_total_mismatches(consistent) == [
        (("lines", 2, "total_item_value"), D("7452.00"), D("7560.00")),
        (("lines", 2, "other_taxes", 0, "amount"), D("540.00"), D("648.00")),
        (("total_po_value",), D("136479.60"), D("136371.60")),
    ]


def test_two_paise_of_difference_are_reported(consistent):
    consistent.lines[0].total_item_value += D("0.02")

    assert find_total_mismatches(consistent) == [
        (("lines", 0, "total_item_value"), D("68440.02"), D("68440.00")),
        (("total_po_value",), D("136479.60"), D("136479.62")),
    ]


def test_halves_rounded_apart_make_an_intra_state_line_a_paisa_less():
    line = {"quantity": "1", "unit_price": "0.25"}
    inter = parsed_order(lines=[line], supplier_state="27")
    intra = parsed_order(lines=[line], supplier_state="29")

    assert inter.lines[0].total_item_value == D("0.30")
    assert intra.lines[0].total_item_value == D("0.29")
    assert find_total_mismatches(intra) == []


def test_a_total_that_is_not_the_sum_of_lines_and_charges_is_reported(consistent):
    consistent.header.total_po_value = D("134079.60")
    for milestone in consistent.milestones:
        milestone.due_amount = D("67039.80")

    assert find_total_mismatches(consistent) == [
        (("total_po_value",), D("134079.60"), D("136479.60")),
    ]


def test_milestones_must_add_up_to_the_total_exactly(consistent):
    consistent.milestones[1].due_amount -= D("0.01")

    assert find_total_mismatches(consistent) == [
        (("milestones",), D("136479.59"), D("136479.60")),
    ]


def test_an_order_without_milestones_is_not_a_mismatch(consistent):
    consistent.milestones = []

    assert find_total_mismatches(consistent) == []


LINES = st.lists(
    st.fixed_dictionaries(
        {
            "quantity": st.decimals(min_value=D("0.001"), max_value=D("100000"), places=3),
            "unit_price": st.decimals(min_value=D("0"), max_value=D("1000000"), places=2),
            "gst_rate": st.sampled_from([0, 5, 12, 18, 28]),
            "other_taxes": st.lists(
                st.tuples(st.just("Cess"), st.sampled_from(["1", "12", "0.5"])), max_size=1
            ),
        }
    ),
    min_size=1,
    max_size=6,
)


@given(lines=LINES, intra=st.booleans())
def test_totals_the_portal_computes_always_pass_its_own_check(lines, intra):
    parsed = parsed_order(
        lines=lines, supplier_state="29" if intra else "27", milestone_shares=("0.3", "0.7")
    )
    parsed.milestones[1].due_amount = (
        parsed.header.total_po_value - parsed.milestones[0].due_amount
    )

    assert find_total_mismatches(parsed) == []
    for line in parsed.lines:
        assert line.assessment_amount <= line.total_item_value
        assert line.total_item_value == line.total_item_value.quantize(D("0.01"))


@given(lines=LINES)
def test_intra_and_inter_state_totals_differ_by_at_most_a_paisa_a_line(lines):
    inter = parsed_order(lines=lines, supplier_state="27")
    intra = parsed_order(lines=lines, supplier_state="29")

    difference = inter.header.total_po_value - intra.header.total_po_value
    assert abs(difference) <= D("0.01") * len(lines)
