"""The objects the webhook bodies are made of (SPEC §3)."""

from rest_framework import serializers

from purchase_orders.models import (
    Business,
    InboundEvent,
    LineItem,
    LineItemTax,
    OtherCharge,
    Party,
    PurchaseOrder,
    PurchaseOrderAddress,
)

from .fields import (
    DateText,
    Flag,
    Money,
    NetworkId,
    NullableText,
    Quantity,
    Rate,
    Text,
    Timestamp,
    Version,
    Word,
    column,
)


class DeviceTagSerializer(serializers.Serializer):
    name = Text()
    value = Text()


class DeviceSerializer(serializers.Serializer):
    """``device`` (SPEC §3.1)."""

    tag = DeviceTagSerializer()


class B2BIdsSerializer(serializers.Serializer):
    """``b2bIds`` (SPEC §3.2): who the message is between."""

    buyerB2BId = NetworkId(max_length=column(Business, "b2b_id"))
    supplierB2BId = NetworkId(max_length=column(Business, "b2b_id"))


class ObjectVersionSerializer(serializers.Serializer):
    """``objectVersion`` (SPEC §3.3)."""

    currentVersion = Version()
    newVersion = Version()


class PoStatusTransitionSerializer(serializers.Serializer):
    """``poStatusTransition`` (SPEC §3.5)."""

    currentStatus = Word()
    newStatus = Word()


class RespSerializer(serializers.Serializer):
    """``resp`` (SPEC §3.4): the network's verdict on a request sent from here."""

    # May be empty: the request is then found by objectId, kind and version.
    reqMsgId = Text(max_length=column(InboundEvent, "req_msg_id"))
    result = Word()
    errorCd = NullableText(max_length=column(InboundEvent, "error_code"))
    errorDtl = NullableText()
    errorField = NullableText(max_length=column(InboundEvent, "error_field"))


class AdditionalInfoSerializer(serializers.Serializer):
    """``additionalInfos[]`` (SPEC §3.13): name and value are optional."""

    name = NullableText(required=False)
    value = NullableText(required=False)

    def validate(self, attrs):
        return {"name": attrs.get("name") or "", "value": attrs.get("value") or ""}


class AddressSerializer(serializers.Serializer):
    """``address`` (SPEC §3.11)."""

    type = Text(stored_length=column(Party, "address_type"))
    addressLine1 = Text(stored_length=column(Party, "address_line1"))
    addressLine2 = Text(stored_length=column(Party, "address_line2"))
    city = Text(stored_length=column(Party, "city"))
    state = Text(stored_length=column(Party, "state"))
    country = Text(stored_length=column(Party, "country"))
    pincode = Text(stored_length=column(Party, "pincode"))


class ContactNumberSerializer(serializers.Serializer):
    """``contactNumber`` (SPEC §3.12)."""

    type = Text(stored_length=column(Party, "contact_type"))
    countryCode = Text(stored_length=column(Party, "country_code"))
    phoneNumber = Text(stored_length=column(Party, "phone_number"))


class SupplierDetailsSerializer(serializers.Serializer):
    """``supplierDetails`` (SPEC §3.9)."""

    b2bId = Text(stored_length=column(Party, "b2b_id"))
    gstin = Text(stored_length=column(Party, "gstin"))
    legalName = Text(stored_length=column(Party, "legal_name"))
    tradeName = Text(stored_length=column(Party, "trade_name"))
    stateCode = Text(stored_length=column(Party, "state_code"))
    address = AddressSerializer()
    contactNumber = ContactNumberSerializer()
    email = Text(stored_length=column(Party, "email"))


class BuyerDetailsSerializer(serializers.Serializer):
    """``buyerDetails`` (SPEC §3.9): the supplier's fields plus ``placeOfSupply``."""

    b2bId = Text(stored_length=column(Party, "b2b_id"))
    gstin = Text(stored_length=column(Party, "gstin"))
    legalName = Text(stored_length=column(Party, "legal_name"))
    tradeName = Text(stored_length=column(Party, "trade_name"))
    stateCode = Text(stored_length=column(Party, "state_code"))
    placeOfSupply = Text(stored_length=column(Party, "place_of_supply"))
    address = AddressSerializer()
    contactNumber = ContactNumberSerializer()
    email = Text(stored_length=column(Party, "email"))


class AddressDetailSerializer(serializers.Serializer):
    addressType = Text(stored_length=column(PurchaseOrderAddress, "purpose"))
    address = AddressSerializer()


class ValueDetailSerializer(serializers.Serializer):
    """``itemValueDetails[]`` and ``poValueDetails.otherValues[]``: an amount by type."""

    type = Text(stored_length=column(OtherCharge, "charge_type"))
    value = Money()


class RateDetailSerializer(serializers.Serializer):
    """``rates[]``."""

    type = Text()
    value = Rate()


class BatchDetailsSerializer(serializers.Serializer):
    batchNumber = Text(stored_length=column(LineItem, "batch_number"))
    expiryDate = DateText()
    batchWarrantyDate = DateText()


class AttributeSerializer(serializers.Serializer):
    name = Text()
    value = Text()


class OtherTaxSerializer(serializers.Serializer):
    name = Text(stored_length=column(LineItemTax, "name"))
    rate = Rate(non_negative=True)
    amount = Money()


class ItemSerializer(serializers.Serializer):
    """``itemLists[]`` (SPEC §3.10): 21 keys."""

    serialno = Text(stored_length=column(LineItem, "serial_no"))
    productDescription = Text(stored_length=column(LineItem, "product_description"))
    isService = Flag()
    hsnCode = Text(stored_length=column(LineItem, "hsn_code"))
    barCode = Text(stored_length=column(LineItem, "bar_code"))
    quantity = Quantity(non_negative=True)
    freeQuantity = Quantity(non_negative=True)
    unit = Text(stored_length=column(LineItem, "unit"))
    unitPrice = Money(non_negative=True)
    totalAmt = Money()
    assessmentAmount = Money()
    gstRate = Rate(non_negative=True)
    totalItemValue = Money()
    orderLineReference = Text(stored_length=column(LineItem, "order_line_reference"))
    originCountry = Text(stored_length=column(LineItem, "origin_country"))
    productSerialNumber = Text(stored_length=column(LineItem, "product_serial_number"))
    itemValueDetails = ValueDetailSerializer(many=True)
    rates = RateDetailSerializer(many=True)
    batchDetails = BatchDetailsSerializer()
    attributeDetails = AttributeSerializer(many=True)
    otherTaxes = OtherTaxSerializer(many=True)


class PoValueDetailsSerializer(serializers.Serializer):
    totalPOValue = Money()
    otherValues = ValueDetailSerializer(many=True)


class PoInfoSerializer(serializers.Serializer):
    detailType = Text()
    detailValue = Text()


class ContractReferenceSerializer(serializers.Serializer):
    receiptAdviceNo = Text()
    receiptAdviceDate = DateText()
    batchReferenceNo = Text()
    contractReferenceNo = Text()
    extraReferenceNo = Text()
    projectReferenceNo = Text()


class AdditionalDocumentSerializer(serializers.Serializer):
    url = Text()
    document = Text()
    info = Text()


class PaymentMilestoneSerializer(serializers.Serializer):
    milestoneDate = DateText()
    dueAmount = Money()


class ShippingTermsSerializer(serializers.Serializer):
    terms = Text(stored_length=column(PurchaseOrder, "shipping_terms"))
    bearingParty = Text(stored_length=column(PurchaseOrder, "shipping_bearing_party"))
    charges = Money()


class PurchaseOrderSerializer(serializers.Serializer):
    """``purchaseOrder`` (SPEC §3.6): 18 keys."""

    objectId = NetworkId(max_length=column(PurchaseOrder, "object_id"))
    buyerPONumber = NetworkId(max_length=column(PurchaseOrder, "buyer_po_number"))
    ts = Timestamp()
    orderDate = DateText()
    deliveryDate = DateText()
    subject = Text(stored_length=column(PurchaseOrder, "subject"))
    objectVersion = ObjectVersionSerializer()
    poStatusTransition = PoStatusTransitionSerializer()
    supplierDetails = SupplierDetailsSerializer()
    buyerDetails = BuyerDetailsSerializer()
    addressDetails = AddressDetailSerializer(many=True)
    itemLists = ItemSerializer(many=True)
    poValueDetails = PoValueDetailsSerializer()
    poInfos = PoInfoSerializer(many=True)
    contractReferenceDetails = ContractReferenceSerializer(many=True)
    additionalDocumentDetails = AdditionalDocumentSerializer(many=True)
    paymentMilestones = PaymentMilestoneSerializer(many=True)
    shippingTermsDetails = ShippingTermsSerializer()


class PoConfirmationSerializer(serializers.Serializer):
    """``poConfirmation`` (SPEC §3.7): the supplier's answer."""

    objectId = NetworkId(max_length=column(PurchaseOrder, "object_id"))
    buyerPONumber = NetworkId(max_length=column(PurchaseOrder, "buyer_po_number"))
    supplierResponse = Word()
    supplierRemarks = Text()
    objectVersion = ObjectVersionSerializer()
    poStatusTransition = PoStatusTransitionSerializer()


class PoStatusSerializer(serializers.Serializer):
    """``poStatus`` (SPEC §3.8): the buyer's status change."""

    objectId = NetworkId(max_length=column(PurchaseOrder, "object_id"))
    buyerPONumber = NetworkId(max_length=column(PurchaseOrder, "buyer_po_number"))
    objectVersion = ObjectVersionSerializer()
    buyerAction = Word()
    buyerRemarks = Text()
    poStatusTransition = PoStatusTransitionSerializer()
