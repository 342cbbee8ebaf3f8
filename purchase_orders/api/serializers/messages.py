"""The eight webhook bodies (SPEC §2.2), and the first error of one that fails."""

from rest_framework import serializers
from rest_framework.settings import api_settings

from .objects import (
    AdditionalInfoSerializer,
    B2BIdsSerializer,
    DeviceSerializer,
    PoConfirmationSerializer,
    PoStatusSerializer,
    PurchaseOrderSerializer,
    RespSerializer,
)


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
