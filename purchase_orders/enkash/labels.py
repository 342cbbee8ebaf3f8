"""The network's field names in the words a buyer or supplier uses.

Version snapshots are the network's ``purchaseOrder`` object, and errors
the network sends name its fields by path; both are shown with these labels.
"""

import re

# Network keys in the words people use on a purchase order.
FIELD_LABELS = {
    "objectId": "Network ID",
    "buyerPONumber": "PO number",
    "ts": "Issued at",
    "orderDate": "Order date",
    "deliveryDate": "Delivery date",
    "subject": "Subject",
    "objectVersion": "Version",
    "currentVersion": "Previous version",
    "newVersion": "Version",
    "poStatusTransition": "Status",
    "currentStatus": "Previous status",
    "newStatus": "Status",
    "supplierDetails": "Supplier",
    "buyerDetails": "Buyer",
    "b2bId": "B2B ID",
    "gstin": "GSTIN",
    "legalName": "Legal name",
    "tradeName": "Trade name",
    "stateCode": "State code",
    "placeOfSupply": "Place of supply",
    "address": "Address",
    "type": "Type",
    "addressType": "Purpose",
    "addressLine1": "Address line 1",
    "addressLine2": "Address line 2",
    "city": "City",
    "state": "State",
    "country": "Country",
    "pincode": "PIN code",
    "contactNumber": "Phone",
    "countryCode": "Country code",
    "phoneNumber": "Phone number",
    "email": "E-mail",
    "serialno": "Serial no.",
    "productDescription": "Description",
    "isService": "Service (Y/N)",
    "hsnCode": "HSN/SAC code",
    "barCode": "Bar code",
    "quantity": "Quantity",
    "freeQuantity": "Free quantity",
    "unit": "Unit",
    "unitPrice": "Unit price",
    "totalAmt": "Amount",
    "assessmentAmount": "Taxable value",
    "gstRate": "GST rate",
    "totalItemValue": "Line total",
    "orderLineReference": "Order line reference",
    "originCountry": "Country of origin",
    "productSerialNumber": "Product serial number",
    "batchDetails": "Batch",
    "batchNumber": "Batch number",
    "expiryDate": "Expiry date",
    "batchWarrantyDate": "Warranty date",
    "name": "Name",
    "value": "Value",
    "rate": "Rate",
    "amount": "Amount",
    "poValueDetails": "Totals",
    "totalPOValue": "Total PO value",
    "detailType": "Detail",
    "detailValue": "Value",
    "receiptAdviceNo": "Receipt advice no.",
    "receiptAdviceDate": "Receipt advice date",
    "batchReferenceNo": "Batch reference no.",
    "contractReferenceNo": "Contract reference no.",
    "extraReferenceNo": "Extra reference no.",
    "projectReferenceNo": "Project reference no.",
    "url": "Link",
    "document": "Document",
    "info": "Description",
    "milestoneDate": "Due date",
    "dueAmount": "Amount due",
    "shippingTermsDetails": "Shipping",
    "terms": "Terms",
    "bearingParty": "Paid by",
    "charges": "Charges",
    "b2bIds": "Businesses",
    "buyerB2BId": "Buyer's B2B ID",
    "supplierB2BId": "Supplier's B2B ID",
    "poConfirmation": "Confirmation",
    "supplierResponse": "Supplier's answer",
    "supplierRemarks": "Supplier's remarks",
    "poStatus": "Status change",
    "buyerAction": "Buyer's action",
    "buyerRemarks": "Buyer's remarks",
    "itemLists": "Lines",
    "addressDetails": "Addresses",
    "paymentMilestones": "Payment milestones",
    "otherValues": "Other charges",
    "otherTaxes": "Other taxes",
    "itemValueDetails": "Value details",
    "rates": "Rates",
    "attributeDetails": "Attributes",
    "poInfos": "PO details",
    "contractReferenceDetails": "Contract references",
    "additionalDocumentDetails": "Documents",
    "additionalInfos": "Additional details",
}
# Fields are shown in the order above, whatever order the stored snapshot
# keeps (PostgreSQL's jsonb sorts keys by length); unknown keys come last.
FIELD_ORDER = {key: position for position, key in enumerate(FIELD_LABELS)}
# What one entry of each list is called ("Line 2", "Other tax 1").
LIST_ITEM_LABELS = {
    "itemLists": "Line",
    "addressDetails": "Address",
    "paymentMilestones": "Payment milestone",
    "otherValues": "Other charge",
    "otherTaxes": "Other tax",
    "itemValueDetails": "Value detail",
    "rates": "Rate",
    "attributeDetails": "Attribute",
    "poInfos": "PO detail",
    "contractReferenceDetails": "Contract reference",
    "additionalDocumentDetails": "Document",
    "additionalInfos": "Additional detail",
}
MONEY_KEYS = frozenset(
    {
        "unitPrice",
        "totalAmt",
        "assessmentAmount",
        "totalItemValue",
        "totalPOValue",
        "charges",
        "dueAmount",
        "amount",
    }
)
QUANTITY_KEYS = frozenset({"quantity", "freeQuantity"})
RATE_KEYS = frozenset({"gstRate", "rate"})
DATE_KEYS = frozenset(
    {
        "orderDate",
        "deliveryDate",
        "milestoneDate",
        "expiryDate",
        "batchWarrantyDate",
        "receiptAdviceDate",
    }
)
# Lists whose entries' ``value`` is an amount rather than text.
MONEY_VALUE_LISTS = frozenset({"itemValueDetails", "otherValues"})
NUMBER_VALUE_LISTS = frozenset({"rates"})

# Keys that change with every version and say nothing about what changed.
IGNORED_KEYS = frozenset({"objectVersion", "poStatusTransition"})

_PATH_PART = re.compile(r"([A-Za-z0-9_]+)((?:\[\d+\])*)")


def describe_field_path(path: str) -> str:
    """Return a network field path in plain words.

    ``purchaseOrder.itemLists[0].hsnCode`` becomes ``Line 1 › HSN/SAC code``;
    an unknown key is shown as it is.
    """
    words = []
    for part in (path or "").split("."):
        match = _PATH_PART.fullmatch(part.strip())
        if not match:
            if part.strip():
                words.append(part.strip())
            continue
        key, indices = match.groups()
        if key in {"purchaseOrder", "payload"}:
            continue
        numbers = [int(index) + 1 for index in re.findall(r"\[(\d+)\]", indices)]
        if numbers and key in LIST_ITEM_LABELS:
            words.append(f"{LIST_ITEM_LABELS[key]} {numbers[0]}")
        else:
            words.append(FIELD_LABELS.get(key, key))
    return " › ".join(words)


def value_kind(key: str, parent_list: str = "") -> str:
    """Return how a leaf value is shown: money, quantity, rate, date, number or text."""
    if key == "value" and parent_list in MONEY_VALUE_LISTS:
        return "money"
    if key == "value" and parent_list in NUMBER_VALUE_LISTS:
        return "number"
    if key in MONEY_KEYS:
        return "money"
    if key in QUANTITY_KEYS:
        return "quantity"
    if key in RATE_KEYS:
        return "rate"
    if key in DATE_KEYS:
        return "date"
    return "text"
