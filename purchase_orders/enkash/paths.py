"""The network's name (``errorField``) for a part of a purchase order's contents.

Contents name their parts with a ``contents.FieldPath``; an error sent to the
network names them as the ``purchaseOrder`` object does:
``("lines", 0, "hsn_code")`` is ``purchaseOrder.itemLists[0].hsnCode``.
"""

from purchase_orders.contents import FieldPath

from .keys import (
    ADDRESS_KEYS,
    CONTACT_KEYS,
    LINE_LIST_KEYS,
    LINE_MONEY_KEYS,
    LINE_QUANTITY_KEYS,
    LINE_TEXT_KEYS,
    PARTY_KEYS,
    PO_LIST_KEYS,
)

OBJECT_KEY = "purchaseOrder"


def _inverse(keys: dict) -> dict:
    return {field: key for key, field in keys.items()}


def _within(parent: str, keys: dict) -> dict:
    return {field: f"{parent}.{key}" for key, field in keys.items()}


HEADER_KEYS = {
    "object_id": "objectId",
    "buyer_po_number": "buyerPONumber",
    "ts": "ts",
    "order_date": "orderDate",
    "delivery_date": "deliveryDate",
    "subject": "subject",
    "previous_version": "objectVersion.currentVersion",
    "version": "objectVersion.newVersion",
    "previous_status": "poStatusTransition.currentStatus",
    "status": "poStatusTransition.newStatus",
    "total_po_value": "poValueDetails.totalPOValue",
    "shipping_terms": "shippingTermsDetails.terms",
    "shipping_bearing_party": "shippingTermsDetails.bearingParty",
    "shipping_charges": "shippingTermsDetails.charges",
    **{field: key for key, (field, _) in PO_LIST_KEYS.items()},
}
ROLE_KEYS = {"buyer": "buyerDetails", "supplier": "supplierDetails"}
PARTY_FIELD_KEYS = {
    **_inverse(PARTY_KEYS),
    "place_of_supply": "placeOfSupply",
    **_within("address", ADDRESS_KEYS),
    **_within("contactNumber", CONTACT_KEYS),
    "email": "email",
}
# The lists of the contents: their network key, and their entries' keys.
LIST_KEYS = {
    "addresses": ("addressDetails", {"purpose": "addressType", **_within("address", ADDRESS_KEYS)}),
    "lines": (
        "itemLists",
        {
            **_inverse(LINE_TEXT_KEYS),
            **_inverse(LINE_QUANTITY_KEYS),
            **_inverse(LINE_MONEY_KEYS),
            "is_service": "isService",
            "gst_rate": "gstRate",
            **{field: key for key, (field, _, _) in LINE_LIST_KEYS.items()},
            "batch_number": "batchDetails.batchNumber",
            "batch_expiry_on": "batchDetails.expiryDate",
            "batch_warranty_on": "batchDetails.batchWarrantyDate",
            "other_taxes": "otherTaxes",
        },
    ),
    "other_charges": ("poValueDetails.otherValues", {"charge_type": "type", "amount": "value"}),
    "milestones": ("paymentMilestones", {"due_on": "milestoneDate", "due_amount": "dueAmount"}),
}


def _entry_path(keys: dict, rest: tuple) -> str:
    """Name an entry's part: an index, then a field, then perhaps an index into it and so on."""
    text = ""
    for part in rest:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += "." + keys.get(part, part)
            keys = {}
    return text


def error_field(path: FieldPath) -> str:
    """Return the network's name for a part of the contents (an unknown part as it is)."""
    if not path:
        return OBJECT_KEY
    head, *rest = path
    if head == "parties" and rest:
        names = [ROLE_KEYS.get(rest[0], str(rest[0]))]
        names += [PARTY_FIELD_KEYS.get(part, str(part)) for part in rest[1:]]
        return ".".join([OBJECT_KEY, *names])
    if head in LIST_KEYS:
        key, entry_keys = LIST_KEYS[head]
        return f"{OBJECT_KEY}.{key}{_entry_path(entry_keys, tuple(rest))}"
    return ".".join([OBJECT_KEY, HEADER_KEYS.get(head, str(head)), *map(str, rest)])
