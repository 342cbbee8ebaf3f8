"""Typed contents of a purchase order: what services, checks, totals and diffs work on.

The network's message is read into these values once, at the edge
(``enkash.payloads``), and a message is built from them once. Names are the
models' field names; amounts are Decimal. Positions are not kept: an item's
position is its index in its list.

A ``FieldPath`` names one part of the contents, as ``("lines", 0,
"hsn_code")``, ``("parties", "buyer", "gstin")``, ``("milestones",)`` or
``("total_po_value",)``. Domain errors carry one; the form turns it into a
form field's name and the API into the network's ``errorField``.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from purchase_orders.enkash.conventions import TERMS_DETAIL_TYPE
from purchase_orders.lifecycle import BUYER, SUPPLIER

FieldPath = tuple[str | int, ...]

ZERO = Decimal("0.00")

# Header fields an edit may change; the network identity of the order
# (its id, PO number, buyer and supplier) stays as it was sent.
EDITABLE_FIELDS = (
    "order_date",
    "delivery_date",
    "subject",
    "shipping_terms",
    "shipping_bearing_party",
    "shipping_charges",
    "po_infos",
    "contract_references",
    "additional_documents",
    "additional_infos",
)
# Lines' lists of small objects whose ``value`` is an amount.
NUMERIC_LINE_LISTS = ("value_details", "rates")


@dataclass
class Header:
    """The purchase order's own fields (its lifecycle marks included)."""

    object_id: str = ""
    buyer_po_number: str = ""
    ts: datetime.datetime | None = None
    order_date: datetime.date | None = None
    delivery_date: datetime.date | None = None
    subject: str = ""
    previous_version: int = 0
    version: int = 0
    previous_status: str = ""
    status: str = ""
    total_po_value: Decimal = ZERO
    shipping_terms: str = ""
    shipping_bearing_party: str = ""
    shipping_charges: Decimal = ZERO
    # Free-form lists, kept as the JSON the purchase order stores.
    po_infos: list[dict] = field(default_factory=list)
    contract_references: list[dict] = field(default_factory=list)
    additional_documents: list[dict] = field(default_factory=list)
    additional_infos: list[dict] = field(default_factory=list)


@dataclass
class PartyContents:
    """The buyer or the supplier as the purchase order names them."""

    role: str
    b2b_id: str = ""
    gstin: str = ""
    legal_name: str = ""
    trade_name: str = ""
    state_code: str = ""
    place_of_supply: str = ""
    address_type: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    pincode: str = ""
    contact_type: str = ""
    country_code: str = ""
    phone_number: str = ""
    email: str = ""


@dataclass
class AddressContents:
    purpose: str = ""
    address_type: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    pincode: str = ""


@dataclass
class TaxContents:
    """A tax on a line other than GST, such as a cess."""

    name: str = ""
    rate: Decimal = ZERO
    amount: Decimal = ZERO


@dataclass
class LineContents:
    serial_no: str = ""
    product_description: str = ""
    is_service: bool = False
    hsn_code: str = ""
    bar_code: str = ""
    quantity: Decimal = Decimal("0.000")
    free_quantity: Decimal = Decimal("0.000")
    unit: str = ""
    unit_price: Decimal = ZERO
    total_amount: Decimal = ZERO
    assessment_amount: Decimal = ZERO
    gst_rate: Decimal = Decimal(0)
    total_item_value: Decimal = ZERO
    order_line_reference: str = ""
    origin_country: str = ""
    product_serial_number: str = ""
    # Lists of small objects, kept as the JSON the line stores: {type, value}
    # (the value an amount) and {name, value}.
    value_details: list[dict] = field(default_factory=list)
    rates: list[dict] = field(default_factory=list)
    attributes: list[dict] = field(default_factory=list)
    batch_number: str = ""
    batch_expiry_on: datetime.date | None = None
    batch_warranty_on: datetime.date | None = None
    other_taxes: list[TaxContents] = field(default_factory=list)


@dataclass
class ChargeContents:
    """A charge added to the purchase order's total (freight, a round-off…)."""

    charge_type: str = ""
    amount: Decimal = ZERO


@dataclass
class MilestoneContents:
    due_on: datetime.date | None = None
    due_amount: Decimal = ZERO


@dataclass
class Contents:
    """Everything a version of a purchase order says."""

    header: Header = field(default_factory=Header)
    parties: dict[str, PartyContents] = field(default_factory=dict)
    addresses: list[AddressContents] = field(default_factory=list)
    lines: list[LineContents] = field(default_factory=list)
    other_charges: list[ChargeContents] = field(default_factory=list)
    milestones: list[MilestoneContents] = field(default_factory=list)

    @property
    def buyer(self) -> PartyContents:
        return self.parties.get(BUYER) or PartyContents(role=BUYER)

    @property
    def supplier(self) -> PartyContents:
        return self.parties.get(SUPPLIER) or PartyContents(role=SUPPLIER)


def field_values(item, *, exclude: tuple[str, ...] = ()) -> dict:
    """Return a dataclass's fields as a dict (not deep), leaving out ``exclude``."""
    return {
        name.name: getattr(item, name.name)
        for name in dataclasses.fields(item)
        if name.name not in exclude
    }


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _entries(entries, *, numeric_value: bool = False) -> list[dict]:
    """Copy stored JSON entries; with ``numeric_value`` their ``value`` becomes Decimal."""
    return [
        {
            key: _decimal(value or 0) if numeric_value and key == "value" else value
            for key, value in entry.items()
        }
        for entry in entries or []
    ]


def _read(cls, row, **overrides):
    names = [name.name for name in dataclasses.fields(cls) if name.name not in overrides]
    return cls(**{name: getattr(row, name) for name in names}, **overrides)


def read_parties(purchase_order) -> dict[str, PartyContents]:
    """Return a saved purchase order's parties, by role."""
    return {party.role: _read(PartyContents, party) for party in purchase_order.parties.all()}


# The header's free-form lists, stored as JSON.
HEADER_LISTS = ("po_infos", "contract_references", "additional_documents", "additional_infos")


def terms_of(po_infos: list[dict]) -> str:
    """Return the terms and conditions among a purchase order's PO details ("" if none).

    The network's purchaseOrder has no field for them: they travel as the PO
    detail ``conventions.TERMS_DETAIL_TYPE``.
    """
    return "\n\n".join(
        str(entry.get("detailValue") or "")
        for entry in po_infos or []
        if entry.get("detailType") == TERMS_DETAIL_TYPE
    )


def without_terms(po_infos: list[dict]) -> list[dict]:
    """Return a purchase order's PO details other than its terms and conditions."""
    return [entry for entry in po_infos or [] if entry.get("detailType") != TERMS_DETAIL_TYPE]


def with_terms(po_infos: list[dict], terms: str) -> list[dict]:
    """Return PO details with ``terms`` as their terms and conditions: last, or none if blank."""
    details = without_terms(po_infos)
    terms = (terms or "").strip()
    if terms:
        details.append({"detailType": TERMS_DETAIL_TYPE, "detailValue": terms})
    return details


def read_header(purchase_order) -> Header:
    """Return a purchase order's own fields as it stands, its lifecycle marks included."""
    return _read(
        Header,
        purchase_order,
        **{name: _entries(getattr(purchase_order, name)) for name in HEADER_LISTS},
    )


def with_header_of(purchase_order, contents: Contents) -> Contents:
    """Return contents with the header the purchase order now has (as just saved)."""
    return dataclasses.replace(contents, header=read_header(purchase_order))


# A line's own columns: all its contents but its other taxes, which are rows of their own.
LINE_COLUMNS = tuple(
    name.name for name in dataclasses.fields(LineContents) if name.name != "other_taxes"
)
# Those but its lists, kept as JSON.
LINE_OWN_COLUMNS = tuple(
    name for name in LINE_COLUMNS if name not in (*NUMERIC_LINE_LISTS, "attributes")
)


def line_from_values(values: dict, other_taxes: list[TaxContents]) -> LineContents:
    """Return a line's contents from its ``LINE_COLUMNS`` as stored (``.values()``)."""
    own = {name: values[name] for name in LINE_OWN_COLUMNS}
    for name in NUMERIC_LINE_LISTS:
        own[name] = _entries(values[name], numeric_value=True) if values[name] else []
    own["attributes"] = _entries(values["attributes"]) if values["attributes"] else []
    return LineContents(**own, other_taxes=other_taxes)


def read_contents(purchase_order, lines: list[LineContents] | None = None) -> Contents:
    """Return the contents a saved purchase order holds.

    The caller loads the parties, addresses, lines with their other taxes,
    other charges and milestones (``selectors.purchase_orders_with_contents``);
    or reads the lines apart, as rows (``selectors.documents.read_saved_lines``),
    and passes them as ``lines``.
    """
    header = read_header(purchase_order)
    if lines is None:
        lines = [
            _read(
                LineContents,
                line,
                other_taxes=[_read(TaxContents, tax) for tax in line.other_taxes.all()],
                attributes=_entries(line.attributes),
                **{
                    name: _entries(getattr(line, name), numeric_value=True)
                    for name in NUMERIC_LINE_LISTS
                },
            )
            for line in purchase_order.lines.all()
        ]
    return Contents(
        header=header,
        parties=read_parties(purchase_order),
        addresses=[_read(AddressContents, address) for address in purchase_order.addresses.all()],
        lines=lines,
        other_charges=[_read(ChargeContents, row) for row in purchase_order.other_charges.all()],
        milestones=[_read(MilestoneContents, row) for row in purchase_order.milestones.all()],
    )
