"""The network's names for the fields of a purchase order: network key -> field name."""

ADDRESS_KEYS = {
    "type": "address_type",
    "addressLine1": "address_line1",
    "addressLine2": "address_line2",
    "city": "city",
    "state": "state",
    "country": "country",
    "pincode": "pincode",
}
PARTY_KEYS = {
    "b2bId": "b2b_id",
    "gstin": "gstin",
    "legalName": "legal_name",
    "tradeName": "trade_name",
    "stateCode": "state_code",
}
CONTACT_KEYS = {
    "type": "contact_type",
    "countryCode": "country_code",
    "phoneNumber": "phone_number",
}
LINE_TEXT_KEYS = {
    "serialno": "serial_no",
    "productDescription": "product_description",
    "hsnCode": "hsn_code",
    "barCode": "bar_code",
    "unit": "unit",
    "orderLineReference": "order_line_reference",
    "originCountry": "origin_country",
    "productSerialNumber": "product_serial_number",
}
LINE_QUANTITY_KEYS = {"quantity": "quantity", "freeQuantity": "free_quantity"}
LINE_MONEY_KEYS = {
    "unitPrice": "unit_price",
    "totalAmt": "total_amount",
    "assessmentAmount": "assessment_amount",
    "totalItemValue": "total_item_value",
}
# network key -> (field, keys of each entry, whether "value" is an amount)
LINE_LIST_KEYS = {
    "itemValueDetails": ("value_details", ("type", "value"), True),
    "rates": ("rates", ("type", "value"), True),
    "attributeDetails": ("attributes", ("name", "value"), False),
}
# Free-form lists kept as JSON on the purchase order: network key -> (field, keys).
PO_LIST_KEYS = {
    "poInfos": ("po_infos", ("detailType", "detailValue")),
    "contractReferenceDetails": (
        "contract_references",
        (
            "receiptAdviceNo",
            "receiptAdviceDate",
            "batchReferenceNo",
            "contractReferenceNo",
            "extraReferenceNo",
            "projectReferenceNo",
        ),
    ),
    "additionalDocumentDetails": ("additional_documents", ("url", "document", "info")),
}
