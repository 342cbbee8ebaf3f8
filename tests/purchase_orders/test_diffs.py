"""Comparing two versions of a purchase order, line by line and field by field."""

import copy
import datetime
from decimal import Decimal

import pytest

from purchase_orders.contents import ChargeContents, TaxContents
from purchase_orders.diffs import compare_snapshots, compare_versions
from purchase_orders.enkash import payloads
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.drafts import complete_contents, current_parties
from purchase_orders.services.purchase_orders import edit_purchase_order, send_purchase_order
from purchase_orders.templatetags.portal import show_value
from tests.factories import PurchaseOrderFactory
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot():
    purchase_order = PurchaseOrderFactory(lines=3)
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    return {
        "purchaseOrder": payloads.build_purchase_order(fresh),
        "additionalInfos": [{"name": "Cost centre", "value": "CC-12"}],
    }


def changed_rows(section):
    return {row.label: (row.old, row.new) for row in section.changes}


def test_the_same_version_twice_has_no_changes(snapshot):
    diff = compare_snapshots(snapshot, copy.deepcopy(snapshot), old_version=1, new_version=2)

    assert diff.has_changes is False
    assert [line.state for line in diff.lines] == ["unchanged"] * 3


def test_a_changed_quantity_is_shown_on_its_line_with_both_values(snapshot):
    edited = copy.deepcopy(snapshot)
    edited["purchaseOrder"]["itemLists"][1]["quantity"] = Decimal("25.000")
    edited["purchaseOrder"]["itemLists"][1]["totalItemValue"] = Decimal("3733.63")

    diff = compare_snapshots(snapshot, edited, old_version=1, new_version=2)

    assert diff.has_changes is True
    assert [line.title for line in diff.changed_lines] == ["Line 2: A4 copier paper, 75 gsm, box 2"]
    rows = changed_rows(diff.changed_lines[0])
    assert rows["Quantity"] == (Decimal("20.000"), Decimal("25.000"))
    assert rows["Line total"][1] == Decimal("3733.63")
    kinds = {row.label: row.kind for row in diff.changed_lines[0].rows}
    assert kinds["Quantity"] == "quantity"
    assert kinds["Line total"] == "money"


def test_fields_keep_the_document_order_whatever_order_the_snapshot_keeps(snapshot):
    # PostgreSQL's jsonb gives keys back sorted by length, then bytes.
    def jsonb_order(value):
        if isinstance(value, dict):
            keys = sorted(value, key=lambda key: (len(key), key))
            return {key: jsonb_order(value[key]) for key in keys}
        if isinstance(value, list):
            return [jsonb_order(item) for item in value]
        return value

    edited = copy.deepcopy(snapshot)
    line = edited["purchaseOrder"]["itemLists"][0]
    line["quantity"], line["totalAmt"] = Decimal("11.000"), Decimal("1380.50")
    line["assessmentAmount"], line["totalItemValue"] = Decimal("1380.50"), Decimal("1628.99")

    as_written = compare_snapshots(snapshot, edited, old_version=1, new_version=2)
    as_stored = compare_snapshots(
        jsonb_order(snapshot), jsonb_order(edited), old_version=1, new_version=2
    )

    labels = [row.label for row in as_stored.lines[0].changes]
    assert labels == ["Quantity", "Amount", "Taxable value", "Line total"]
    assert [row.label for row in as_stored.lines[0].rows] == [
        row.label for row in as_written.lines[0].rows
    ]


def test_numbers_written_differently_are_not_a_change(snapshot):
    edited = copy.deepcopy(snapshot)
    edited["purchaseOrder"]["itemLists"][0]["quantity"] = "10"
    edited["purchaseOrder"]["itemLists"][0]["unitPrice"] = "125.5"

    diff = compare_snapshots(snapshot, edited, old_version=1, new_version=2)

    assert diff.has_changes is False


def test_lines_are_matched_by_serial_number_so_a_removed_line_does_not_shift_the_rest(snapshot):
    edited = copy.deepcopy(snapshot)
    del edited["purchaseOrder"]["itemLists"][0]
    edited["purchaseOrder"]["itemLists"].append(
        {
            **snapshot["purchaseOrder"]["itemLists"][2],
            "serialno": "4",
            "productDescription": "Staplers",
        }
    )

    diff = compare_snapshots(snapshot, edited, old_version=1, new_version=2)

    states = {line.title: line.state for line in diff.lines}
    assert states == {
        "Line 1: A4 copier paper, 75 gsm, box 2": "unchanged",
        "Line 2: A4 copier paper, 75 gsm, box 3": "unchanged",
        "Line 3: Staplers": "added",
        "Line 1: A4 copier paper, 75 gsm, box 1 (removed)": "removed",
    }


def test_header_totals_milestones_and_extra_details_are_compared(snapshot):
    edited = copy.deepcopy(snapshot)
    po = edited["purchaseOrder"]
    po["deliveryDate"] = "2027-01-10"
    po["poValueDetails"]["totalPOValue"] = Decimal("9999.00")
    po["paymentMilestones"][0]["dueAmount"] = Decimal("9999.00")
    po["buyerDetails"]["placeOfSupply"] = "27"
    edited["additionalInfos"][0]["value"] = "CC-13"

    diff = compare_snapshots(snapshot, edited, old_version=2, new_version=3)

    sections = {section.title: changed_rows(section) for section in diff.sections}
    assert sections["Order"] == {"Delivery date": ("2026-12-15", "2027-01-10")}
    assert sections["Totals"]["Total PO value"][1] == Decimal("9999.00")
    assert sections["Payment milestones"]["Payment milestone 1 › Amount due"][1] == Decimal(
        "9999.00"
    )
    assert sections["Buyer"] == {"Place of supply": ("29", "27")}
    assert sections["Additional details"] == {"Additional detail 1 › Value": ("CC-12", "CC-13")}
    assert sections["Supplier"] == {}


def edited_twice(people):
    """Send an order of three lines, then edit it: a line off, a line on, new amounts."""
    purchase_order = acknowledged(
        send_purchase_order(
            purchase_order=people.purchase_order(lines=3), sent_by=people.buyer_user
        )
    )
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    contents = payloads.parse_purchase_order(payloads.build_purchase_order(fresh), [])
    staplers = copy.deepcopy(contents.lines[2])
    staplers.serial_no, staplers.product_description = "4", "Staplers"
    del contents.lines[0]
    contents.lines[0].quantity = Decimal("35")
    contents.lines[1].other_taxes = [TaxContents(name="Cess", rate=Decimal("1"))]
    contents.lines.append(staplers)
    contents.milestones = []
    contents.other_charges = [ChargeContents(charge_type="FREIGHT", amount=Decimal("150"))]
    contents.header.delivery_date = datetime.date(2027, 1, 10)
    contents.header.subject = "Office supplies, revised"
    contents.header.additional_infos = [{"name": "Cost centre", "value": "CC-13"}]
    edit_purchase_order(
        purchase_order=purchase_order,
        edited_by=people.buyer_user,
        contents=complete_contents(
            contents=contents,
            buyer=people.buyer,
            supplier=people.supplier,
            parties=current_parties(fresh),
        ),
        reason="Revised",
        expected_version=1,
    )
    return acknowledged(purchase_order)


def shown(row, value):
    return None if value is None else show_value(value, row.kind)


@pytest.fixture
def stored_diff(people):
    """The comparison of the two stored versions of ``edited_twice``."""
    old, new = edited_twice(people).versions.order_by("version")
    return compare_versions(old, new)


def changed_values(diff) -> dict:
    """Return {section title: {row label: (old, new) as shown}} of the changed rows."""
    return {
        section.title: {
            row.label: (shown(row, row.old), shown(row, row.new)) for row in section.changes
        }
        for section in diff.sections + diff.lines
        if section.changes
    }


def test_two_stored_versions_are_compared_section_by_section_and_line_by_line(stored_diff):
    diff = stored_diff

    assert [(s.title, s.state, len(s.rows)) for s in diff.sections + diff.lines] == [
        ("Order", "changed", 5),
        ("Buyer", "changed", 16),
        ("Supplier", "changed", 15),
        ("Addresses", "changed", 8),
        ("Totals", "changed", 3),
        ("Payment milestones", "changed", 2),
        ("Shipping", "changed", 3),
        ("Contract references", "changed", 0),
        ("Documents", "changed", 0),
        ("PO details", "changed", 0),
        ("Additional details", "changed", 2),
        ("Line 1: A4 copier paper, 75 gsm, box 2", "changed", 19),
        ("Line 2: A4 copier paper, 75 gsm, box 3", "changed", 22),
        ("Line 3: Staplers", "added", 19),
        ("Line 1: A4 copier paper, 75 gsm, box 1 (removed)", "removed", 19),
    ]


def test_the_changed_rows_of_two_stored_versions_show_old_and_new_values(stored_diff):
    changes = changed_values(stored_diff)

    assert changes["Order"] == {
        "Delivery date": (
            '<time datetime="2026-12-15">15 Dec 2026</time>',
            '<time datetime="2027-01-10">10 Jan 2027</time>',
        ),
        "Subject": ("Office supplies", "Office supplies, revised"),
    }
    assert changes["Totals"] == {
        "Total PO value": ("₹8,979.80", "₹14,439.70"),
        "Other charge 1 › Type": (None, "FREIGHT"),
        "Other charge 1 › Value": (None, "₹150.00"),
    }
    assert changes["Payment milestones"] == {
        "Payment milestone 1 › Due date": ('<time datetime="2026-12-31">31 Dec 2026</time>', None),
        "Payment milestone 1 › Amount due": ("₹8,979.80", None),
    }
    assert changes["Additional details"] == {
        "Additional detail 1 › Name": (None, "Cost centre"),
        "Additional detail 1 › Value": (None, "CC-13"),
    }
    assert changes["Line 1: A4 copier paper, 75 gsm, box 2"] == {
        "Quantity": ("20", "35"),
        "Amount": ("₹2,530.00", "₹4,427.50"),
        "Taxable value": ("₹2,530.00", "₹4,427.50"),
        "Line total": ("₹2,985.40", "₹5,224.45"),
    }
    assert changes["Line 2: A4 copier paper, 75 gsm, box 3"] == {
        "Line total": ("₹4,513.50", "₹4,551.75"),
        "Other tax 1 › Name": (None, "Cess"),
        "Other tax 1 › Rate": (None, "1%"),
        "Other tax 1 › Amount": (None, "₹38.25"),
    }
    assert changes["Line 3: Staplers"]["Service (Y/N)"] == (None, "N")


def test_the_rows_of_two_stored_versions_come_in_the_documents_order(stored_diff):
    diff = stored_diff

    assert [row.label for row in diff.lines[2].rows] == [
        "Serial no.",
        "Description",
        "Service (Y/N)",
        "HSN/SAC code",
        "Bar code",
        "Quantity",
        "Free quantity",
        "Unit",
        "Unit price",
        "Amount",
        "Taxable value",
        "GST rate",
        "Line total",
        "Order line reference",
        "Country of origin",
        "Product serial number",
        "Batch › Batch number",
        "Batch › Expiry date",
        "Batch › Warranty date",
    ]
    assert [row.label for row in diff.sections[1].rows] == [
        "GSTIN",
        "Legal name",
        "Trade name",
        "State code",
        "Place of supply",
        "Address › Type",
        "Address › Address line 1",
        "Address › Address line 2",
        "Address › City",
        "Address › State",
        "Address › Country",
        "Address › PIN code",
        "Phone › Type",
        "Phone › Country code",
        "Phone › Phone number",
        "E-mail",
    ]
    assert [row.label for row in diff.sections[3].rows][-2:] == [
        "Address 1 › Address › PIN code",
        "Address 1 › Purpose",
    ]
