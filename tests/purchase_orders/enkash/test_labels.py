"""The network's field paths, as the page names them in words."""

import pytest

from purchase_orders.enkash.labels import describe_field_path
from purchase_orders.labels import entry_field

# Every network key the page names, and its words.
WORDS = {
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
ITEM_WORDS = {
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


def test_every_network_key_is_named_in_its_words():
    assert {key: describe_field_path(key) for key in WORDS} == WORDS


def test_an_entry_of_a_list_is_numbered_from_one():
    named = {key: describe_field_path(f"purchaseOrder.{key}[1]") for key in ITEM_WORDS}

    assert named == {key: f"{words} 2" for key, words in ITEM_WORDS.items()}


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("purchaseOrder.itemLists[0].hsnCode", "Line 1 › HSN/SAC code"),
        ("purchaseOrder.itemLists[2].batchDetails.expiryDate", "Line 3 › Batch › Expiry date"),
        ("purchaseOrder.buyerDetails.address.pincode", "Buyer › Address › PIN code"),
        ("purchaseOrder.supplierDetails.contactNumber.type", "Supplier › Phone › Type"),
        ("purchaseOrder.addressDetails[0].addressType", "Address 1 › Purpose"),
        ("purchaseOrder.poValueDetails.otherValues[1].value", "Totals › Other charge 2 › Value"),
        ("purchaseOrder.objectVersion.currentVersion", "Version › Previous version"),
        (
            "purchaseOrder.contractReferenceDetails[0].receiptAdviceDate",
            "Contract reference 1 › Receipt advice date",
        ),
        ("additionalInfos[0].name", "Additional detail 1 › Name"),
        ("payload.poConfirmation.supplierResponse", "Confirmation › Supplier's answer"),
        ("purchaseOrder.shippingTermsDetails", "Shipping"),
        ("purchaseOrder.unknownKey[0]", "unknownKey"),
        ("purchaseOrder..subject", "Subject"),
        ("not a key", "not a key"),
    ],
)
def test_a_path_is_named_part_by_part(path, words):
    assert describe_field_path(path) == words


def test_an_entry_key_is_named_as_the_contents_name_it():
    assert entry_field("receiptAdviceNo") == "receipt_advice_no"
    assert entry_field("url") == "url"


def test_describe_field_path_reads_nested_paths():
    assert (
        describe_field_path("purchaseOrder.itemLists[0].otherTaxes[1].rate")
        == "Line 1 › Other tax 2 › Rate"
    )
    assert describe_field_path("poStatus.buyerAction") == "Status change › Buyer's action"
    assert describe_field_path("") == ""
