"""The parts of a purchase order's contents in the words a buyer or supplier uses.

Keyed by the contents' field names (``contents.py``); each table lists its
fields in the order the document shows them. The version comparison shows
fields with these words, and ``enkash.labels`` names the network's fields
with the same words.

The free-form lists (a line's rates, the PO's contract references...) keep
their entries as the JSON the purchase order stores; an entry's keys are
named here by ``entry_field``: ``receiptAdviceNo`` is ``receipt_advice_no``.
"""

import datetime
import re

from purchase_orders.validators import GST_STATE_CODES

HEADER_LABELS = {
    "object_id": "Network ID",
    "buyer_po_number": "PO number",
    "ts": "Issued at",
    "order_date": "Order date",
    "delivery_date": "Delivery date",
    "subject": "Subject",
    "previous_version": "Previous version",
    "version": "Version",
    "previous_status": "Previous status",
    "status": "Status",
    "total_po_value": "Total PO value",
    "shipping_terms": "Terms",
    "shipping_bearing_party": "Paid by",
    "shipping_charges": "Charges",
}
# An address, as a party has one and as each entry of the addresses says it.
_ADDRESS = {
    "address_type": "Type",
    "address_line1": "Address line 1",
    "address_line2": "Address line 2",
    "city": "City",
    "state": "State",
    "country": "Country",
    "pincode": "PIN code",
}
PARTY_LABELS = {
    "b2b_id": "B2B ID",
    "gstin": "GSTIN",
    "legal_name": "Legal name",
    "trade_name": "Trade name",
    "state_code": "State code",
    "place_of_supply": "Place of supply",
    **_ADDRESS,
    "contact_type": "Type",
    "country_code": "Country code",
    "phone_number": "Phone number",
    "email": "E-mail",
}
ADDRESS_LABELS = {**_ADDRESS, "purpose": "Purpose"}
LINE_LABELS = {
    "serial_no": "Serial no.",
    "product_description": "Description",
    "is_service": "Service (Y/N)",
    "hsn_code": "HSN/SAC code",
    "bar_code": "Bar code",
    "quantity": "Quantity",
    "free_quantity": "Free quantity",
    "unit": "Unit",
    "unit_price": "Unit price",
    "total_amount": "Amount",
    "assessment_amount": "Taxable value",
    "gst_rate": "GST rate",
    "total_item_value": "Line total",
    "order_line_reference": "Order line reference",
    "origin_country": "Country of origin",
    "product_serial_number": "Product serial number",
    "batch_number": "Batch number",
    "batch_expiry_on": "Expiry date",
    "batch_warranty_on": "Warranty date",
}
TAX_LABELS = {"name": "Name", "rate": "Rate", "amount": "Amount"}
CHARGE_LABELS = {"charge_type": "Type", "amount": "Value"}
MILESTONE_LABELS = {"due_on": "Due date", "due_amount": "Amount due"}
# The keys of the free-form lists' entries, by ``entry_field``.
ENTRY_LABELS = {
    "type": "Type",
    "name": "Name",
    "value": "Value",
    "detail_type": "Detail",
    "detail_value": "Value",
    "receipt_advice_no": "Receipt advice no.",
    "receipt_advice_date": "Receipt advice date",
    "batch_reference_no": "Batch reference no.",
    "contract_reference_no": "Contract reference no.",
    "extra_reference_no": "Extra reference no.",
    "project_reference_no": "Project reference no.",
    "url": "Link",
    "document": "Document",
    "info": "Description",
}

# Fields shown together under one heading: field -> group.
GROUP_LABELS = {
    "address": "Address",
    "contact": "Phone",
    "batch": "Batch",
    "totals": "Totals",
    "shipping": "Shipping",
}
FIELD_GROUPS = {
    **dict.fromkeys(_ADDRESS, "address"),
    **dict.fromkeys(("contact_type", "country_code", "phone_number"), "contact"),
    **dict.fromkeys(("batch_number", "batch_expiry_on", "batch_warranty_on"), "batch"),
    **dict.fromkeys(("total_po_value", "other_charges"), "totals"),
    **dict.fromkeys(("shipping_terms", "shipping_bearing_party", "shipping_charges"), "shipping"),
}

# The lists of the contents, and what one entry of each is called ("Line 2").
LIST_LABELS = {
    "lines": "Lines",
    "addresses": "Addresses",
    "milestones": "Payment milestones",
    "other_charges": "Other charges",
    "other_taxes": "Other taxes",
    "value_details": "Value details",
    "rates": "Rates",
    "attributes": "Attributes",
    "po_infos": "PO details",
    "contract_references": "Contract references",
    "additional_documents": "Documents",
    "additional_infos": "Additional details",
}
LIST_ITEM_LABELS = {
    "lines": "Line",
    "addresses": "Address",
    "milestones": "Payment milestone",
    "other_charges": "Other charge",
    "other_taxes": "Other tax",
    "value_details": "Value detail",
    "rates": "Rate",
    "attributes": "Attribute",
    "po_infos": "PO detail",
    "contract_references": "Contract reference",
    "additional_documents": "Document",
    "additional_infos": "Additional detail",
}

MONEY_FIELDS = frozenset(
    {
        "total_po_value",
        "shipping_charges",
        "unit_price",
        "total_amount",
        "assessment_amount",
        "total_item_value",
        "amount",
        "due_amount",
    }
)
QUANTITY_FIELDS = frozenset({"quantity", "free_quantity"})
RATE_FIELDS = frozenset({"gst_rate", "rate"})
DATE_FIELDS = frozenset(
    {
        "order_date",
        "delivery_date",
        "due_on",
        "batch_expiry_on",
        "batch_warranty_on",
        "receipt_advice_date",
    }
)
# Free-form lists whose entries' ``value`` is a number: list -> kind.
VALUE_KINDS = {"value_details": "money", "rates": "number"}

_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def entry_field(key: str) -> str:
    """Return the name of a free-form list entry's key: ``detailType`` is ``detail_type``."""
    return _WORD_START.sub("_", key).lower()


def field_label(name: str, labels: dict[str, str]) -> str:
    """Return a field's words from ``labels``, under its group's heading if it has one."""
    group = FIELD_GROUPS.get(name)
    words = labels.get(name, name)
    return f"{GROUP_LABELS[group]} › {words}" if group else words


def value_kind(name: str, list_name: str = "") -> str:
    """Return how a field is shown: money, quantity, rate, date, number or text.

    ``list_name`` is the free-form list an entry's key belongs to, if any.
    """
    if name == "value" and list_name in VALUE_KINDS:
        return VALUE_KINDS[list_name]
    if name in MONEY_FIELDS:
        return "money"
    if name in QUANTITY_FIELDS:
        return "quantity"
    if name in RATE_FIELDS:
        return "rate"
    if name in DATE_FIELDS:
        return "date"
    return "text"


# -- Codes typed or received as words -----------------------------------------------

# The codes the form suggests and the network's examples use, for address
# purposes and types, charges, value details, PO details and who pays.
CODE_WORDS = {
    "DELIVERY": "Delivery",
    "BILLING": "Billing",
    "SHIPPING": "Shipping",
    "SITE": "Site",
    "WAREHOUSE": "Warehouse",
    "OFFICE": "Office",
    "FACTORY": "Factory",
    "FREIGHT": "Freight",
    "PACKING": "Packing",
    "INSURANCE": "Insurance",
    "ROUND_OFF": "Round-off",
    "ROUNDOFF": "Round-off",
    "COST_CENTRE": "Cost centre",
    "COST_CENTER": "Cost centre",
    "LIST_PRICE": "List price",
    "PRE_TAX_VALUE": "Value before tax",
    "TERMS_AND_CONDITIONS": "Terms and conditions",
    "BUYER": "Buyer",
    "SUPPLIER": "Supplier",
}
# Initialisms kept in capitals when a code is put in words.
INITIALISMS = frozenset(
    {"MRP", "GST", "GSTIN", "HSN", "SAC", "PAN", "TDS", "TCS", "PO", "ID", "LR", "GRN", "MSME"}
)
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:[_ ][A-Z0-9]+)*")


def is_code(text: str) -> bool:
    """Return whether a value reads as a code (``COST_CENTRE``) rather than words."""
    return bool(_CODE.fullmatch(str(text or "").strip()))


def code_words(text: str) -> str:
    """Return a code in plain words: ``COST_CENTRE`` is "Cost centre", ``MRP`` stays.

    Words typed as words ("Packing & forwarding") are returned as they are.
    """
    text = str(text or "").strip()
    if not is_code(text):
        return text
    if text in CODE_WORDS:
        return CODE_WORDS[text]
    words = [word if word in INITIALISMS else word.lower() for word in re.split(r"[_ ]+", text)]
    first = words[0]
    words[0] = first if first in INITIALISMS else first.capitalize()
    return " ".join(words)


def state_words(code: str) -> str:
    """Name a GST state code with its state, as the form's choices do: "29 – Karnataka".

    An unknown code is returned as it is, and no code as "".
    """
    code = str(code or "").strip()
    name = GST_STATE_CODES.get(code)
    return f"{code} – {name}" if name else code


def day_words(value: datetime.date) -> str:
    """Return a date as the pages write it, in plain text: 3 Nov 2026."""
    return f"{value.day} {value:%b %Y}"
