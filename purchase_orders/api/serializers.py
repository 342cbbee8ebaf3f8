"""Strict serializers for the eight webhook bodies, one per kind (SPEC §2.2, §3).

Strict about what identifies or changes a purchase order: ids are non-empty
strings, versions whole JSON numbers, statuses and action words strings,
amounts JSON numbers (never strings or booleans) with bounded digits and at
most 2 decimals for money, 3 for quantities and rates. Where a purchase order
is written from the message (``req-send``, ``req-edit``), dates must be
``YYYY-MM-DD``, ``ts`` ISO-8601 with an offset, and texts fit their columns.

Tolerant of the rest (DESIGN.md, "Reading what arrives"): empty strings and
arrays are accepted, ``errorCd`` / ``errorDtl`` / ``errorField`` may be null,
unknown keys are ignored (the raw body keeps them).
"""

import datetime
import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from purchase_orders.enkash import conventions, payloads
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
from purchase_orders.models.purchase_order import MONEY, QUANTITY, RATE

ID_MAX_LENGTH = 100
WORD_MAX_LENGTH = 20
MAX_VERSION = 2**31 - 1  # the largest PositiveIntegerField value on every database
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def column(model, name: str) -> int:
    """Return the length of a model's text column, which a stored value must fit."""
    return model._meta.get_field(name).max_length


def writes_contents(field: serializers.Field) -> bool:
    """Return whether the message being read writes a purchase order's contents."""
    return getattr(field.root, "writes_contents", False)


# -- fields ----------------------------------------------------------------------


class Text(serializers.CharField):
    """A JSON string, empty allowed; ``stored_length`` bounds it where it is stored."""

    default_error_messages = {"invalid": "Must be a JSON string."}

    def __init__(self, *, stored_length: int | None = None, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        self.stored_length = stored_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.stored_length and writes_contents(self) and len(data) > self.stored_length:
            raise serializers.ValidationError(
                f"Must be at most {self.stored_length} characters long."
            )
        return data


class NetworkId(Text):
    """An identifier (objectId, B2B ID, PO number): a non-empty string."""

    default_error_messages = {"blank": "Must not be empty."}

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", False)
        kwargs.setdefault("max_length", ID_MAX_LENGTH)
        super().__init__(**kwargs)


class Word(NetworkId):
    """A status or an action word (CREATED, ACCEPT…): a short non-empty string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", WORD_MAX_LENGTH)
        super().__init__(**kwargs)


class NullableText(Text):
    """A string that may also be null, such as ``errorCd`` (SPEC §3.4)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class Flag(Text):
    """``isService``: Y or N where contents are written, any string elsewhere."""

    CHOICES = (conventions.IS_SERVICE_YES, conventions.IS_SERVICE_NO, "")

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if writes_contents(self) and data not in self.CHOICES:
            raise serializers.ValidationError(
                f"Must be {conventions.IS_SERVICE_YES} or {conventions.IS_SERVICE_NO}."
            )
        return data


class DateText(Text):
    """A date: ``YYYY-MM-DD`` (or empty) where contents are written."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data and writes_contents(self):
            try:
                if not DATE_PATTERN.match(data):
                    raise ValueError
                datetime.date.fromisoformat(data)
            except ValueError:
                raise serializers.ValidationError("Must be a date written YYYY-MM-DD.") from None
        return data


class Timestamp(Text):
    """``ts``: ISO-8601 with an offset where contents are written."""

    default_error_messages = {
        "timestamp": "Must be an ISO-8601 timestamp with an offset, like 2026-11-23T10:15:00+05:30."
    }

    def run_validation(self, data=serializers.empty):
        # An empty string would skip to_internal_value; where contents are
        # written it is no timestamp either.
        if data == "" and writes_contents(self):
            self.fail("timestamp")
        return super().run_validation(data)

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if writes_contents(self):
            try:
                payloads.parse_timestamp(data)
            except ValueError:
                self.fail("timestamp")
        return data


class Version(serializers.IntegerField):
    """An ``objectVersion`` number: a whole JSON number, never a string or boolean."""

    default_error_messages = {"invalid": "Must be a whole JSON number."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_VERSION)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data


@extend_schema_field({"type": "number"})
class Number(serializers.Field):
    """An amount: a JSON number read as Decimal, with bounded digits and decimals."""

    default_error_messages = {
        "invalid": "Must be a JSON number.",
        "max_decimal_places": "Must have at most {places} decimal places.",
        "max_whole_digits": "Must have at most {digits} digits before the decimal point.",
        "min_value": "Must not be negative.",
    }

    def __init__(
        self, *, max_digits: int, decimal_places: int, non_negative: bool = False, **kwargs
    ):
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        self.non_negative = non_negative
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # The parser yields int or Decimal for every JSON number; a string,
        # a boolean or anything else is not one.
        if isinstance(data, bool) or not isinstance(data, (int, Decimal)):
            self.fail("invalid")
        value = Decimal(data)
        if not value.is_finite():
            self.fail("invalid")
        places, whole_digits = _significant_places(value)
        if places > self.decimal_places:
            self.fail("max_decimal_places", places=self.decimal_places)
        if whole_digits > self.max_digits - self.decimal_places:
            self.fail("max_whole_digits", digits=self.max_digits - self.decimal_places)
        if self.non_negative and value < 0:
            self.fail("min_value")
        return value

    def to_representation(self, value):
        return value


def _significant_places(value: Decimal) -> tuple[int, int]:
    """Return (decimal places, digits before the point) of a value, ignoring trailing zeros.

    Counted on the digits as written: ``Decimal.normalize`` would round to
    the context's precision first.
    """
    if not value:
        return 0, 0
    _, digits, exponent = value.as_tuple()
    while exponent < 0 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return max(0, -exponent), len(digits) + exponent


class Money(Number):
    """Rupees: at most 2 decimals."""

    def __init__(self, **kwargs):
        super().__init__(**MONEY, **kwargs)


class Quantity(Number):
    """A quantity: at most 3 decimals."""

    def __init__(self, **kwargs):
        super().__init__(**QUANTITY, **kwargs)


class Rate(Number):
    """A percentage such as ``gstRate``: at most 3 decimals."""

    def __init__(self, **kwargs):
        super().__init__(**RATE, **kwargs)


# -- shared objects (SPEC §3) ------------------------------------------------------


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
    receiptAdviceDate = Text()
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


# -- the eight bodies (SPEC §2.2) --------------------------------------------------


class PurchaseOrderRequestSerializer(serializers.Serializer):
    """``req-send`` and ``req-edit``: a purchase order, new or a new version."""

    writes_contents = True

    device = DeviceSerializer()
    b2bIds = B2BIdsSerializer()
    purchaseOrder = PurchaseOrderSerializer()
    additionalInfos = AdditionalInfoSerializer(many=True)


class ConfirmationRequestSerializer(serializers.Serializer):
    """``req-confirm``: the supplier accepts or rejects."""

    device = DeviceSerializer()
    b2bIds = B2BIdsSerializer()
    poConfirmation = PoConfirmationSerializer()
    additionalInfos = AdditionalInfoSerializer(many=True)


class StatusChangeRequestSerializer(serializers.Serializer):
    """``req-status-change``: the buyer cancels, fulfils or closes."""

    device = DeviceSerializer()
    b2bIds = B2BIdsSerializer()
    poStatus = PoStatusSerializer()
    additionalInfos = AdditionalInfoSerializer(many=True)


class PurchaseOrderResponseSerializer(serializers.Serializer):
    """``resp-send`` and ``resp-edit``: the network's verdict, with the purchase order."""

    b2bIds = B2BIdsSerializer()
    resp = RespSerializer()
    purchaseOrder = PurchaseOrderSerializer()
    additionalInfos = AdditionalInfoSerializer(many=True)


class ConfirmationResponseSerializer(serializers.Serializer):
    """``resp-confirm``: the network's verdict on a confirmation sent from here."""

    b2bIds = B2BIdsSerializer()
    resp = RespSerializer()
    poConfirmation = PoConfirmationSerializer()
    additionalInfos = AdditionalInfoSerializer(many=True)


class StatusChangeResponseSerializer(serializers.Serializer):
    """``resp-status-change``: the network's verdict on a status change sent from here."""

    b2bIds = B2BIdsSerializer()
    resp = RespSerializer()
    poStatus = PoStatusSerializer()
    additionalInfos = AdditionalInfoSerializer(many=True)


MESSAGE_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "req-send": PurchaseOrderRequestSerializer,
    "req-edit": PurchaseOrderRequestSerializer,
    "req-confirm": ConfirmationRequestSerializer,
    "req-status-change": StatusChangeRequestSerializer,
    "resp-send": PurchaseOrderResponseSerializer,
    "resp-edit": PurchaseOrderResponseSerializer,
    "resp-confirm": ConfirmationResponseSerializer,
    "resp-status-change": StatusChangeResponseSerializer,
}


def first_error(errors, path: str = "") -> tuple[str, str] | None:
    """Return (dotted path, message) of the first error in DRF's nested error structure.

    Paths read like ``purchaseOrder.itemLists[2].quantity``; an error about
    an object as a whole (not a mapping, not a list) names the object.
    """
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                child = path
            elif isinstance(key, int):
                child = f"{path}[{key}]"
            else:
                child = f"{path}.{key}" if path else str(key)
            found = first_error(value, child)
            if found:
                return found
        return None
    if isinstance(errors, list):
        for index, item in enumerate(errors):
            if isinstance(item, (dict, list)):
                found = first_error(item, f"{path}[{index}]")
                if found:
                    return found
            else:
                return path, str(item)
    return None
