"""The answer to a supplier search: ``respSearchEntity`` (ONBOARDING.md W3).

Strict on what identifies the search and the businesses found: the echoed
requestor and criteria and every B2B ID are non-empty strings, ``resp.result``
a word. Tolerant of the rest, as for purchase orders: ``objectId``,
``respParams`` and ``entityInfo`` may be absent (W3 marks them optional), as
may ``errorCd``, ``errorDtl`` and ``errorField`` (optional on the onboarding
pages, unlike the purchase-order ones), and a business's alias, state and
PIN code. Every value is a string where one is given: the page shows no
type, the example only strings, so a number is refused.
"""

from rest_framework import serializers

from purchase_orders.models import Business, InboundEvent

from .fields import NetworkId, NullableText, Text, Word, column
from .objects import RespSerializer

# The search's objectId is minted here, "ORG" and 32 characters; a longer one is none of ours.
OBJECT_ID_MAX_LENGTH = 100


class OnboardingRespSerializer(RespSerializer):
    """``resp`` of an onboarding webhook: errorCd, errorDtl and errorField may be left out."""

    errorCd = NullableText(required=False, max_length=column(InboundEvent, "error_code"))
    errorDtl = NullableText(required=False)
    errorField = NullableText(required=False, max_length=column(InboundEvent, "error_field"))


class OnboardingB2BIdsSerializer(serializers.Serializer):
    """``onboardingB2BIds`` (schema "B2BIds"): who asked."""

    requestorB2BId = NetworkId(max_length=column(Business, "b2b_id"))


class CriterionSerializer(serializers.Serializer):
    """One of ``search.criteria``, echoed: GSTIN or B2BID, EXACT, the value asked for."""

    searchParameter = Word()
    operator = Word()
    value = NetworkId()


class SearchSerializer(serializers.Serializer):
    """``search``, echoed."""

    criteria = CriterionSerializer(many=True, allow_empty=False)


class FoundB2BIdSerializer(serializers.Serializer):
    """A B2B ID of a business found, ``{value, description}``."""

    value = NetworkId(max_length=column(Business, "b2b_id"))
    description = NullableText(required=False, max_length=255)


class EntityInfoSerializer(serializers.Serializer):
    """``entityInfo[]``: a business the network found, as it describes it."""

    name = Text(max_length=column(Business, "legal_name"))
    alias = NullableText(required=False, max_length=column(Business, "trade_name"))
    state = NullableText(required=False, max_length=column(Business, "state"))
    pincode = NullableText(required=False, max_length=column(Business, "pincode"))
    b2bIds = FoundB2BIdSerializer(many=True, required=False)


class RespParamsSerializer(serializers.Serializer):
    """``respParams``: the businesses found, none when nothing matched."""

    entityInfo = EntityInfoSerializer(many=True, required=False)


class SearchEntityResponseSerializer(serializers.Serializer):
    """``respSearchEntity``: the network's answer to a search asked from here."""

    objectId = NullableText(required=False, max_length=OBJECT_ID_MAX_LENGTH)
    resp = OnboardingRespSerializer()
    respParams = RespParamsSerializer(required=False, allow_null=True)
    onboardingB2BIds = OnboardingB2BIdsSerializer()
    search = SearchSerializer()
