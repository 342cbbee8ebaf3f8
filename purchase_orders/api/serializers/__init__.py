"""Strict serializers for the webhook bodies, one per kind (SPEC §2.2, §3; ONBOARDING.md W3).

Each kind names its serializer in ``enkash/kinds.py``.

Strict about what identifies or changes a purchase order: ids are non-empty
strings, versions whole JSON numbers, statuses and action words strings,
amounts JSON numbers (never strings or booleans) with bounded digits and at
most 2 decimals for money, 3 for quantities and rates. Where a purchase order
is written from the message (``req-send``, ``req-edit``), dates must be
``YYYY-MM-DD``, ``ts`` ISO-8601 with an offset, both in the years
``conventions.EARLIEST_YEAR`` to ``LATEST_YEAR``, and texts fit their columns.

Tolerant of the rest (DESIGN.md, "Reading what arrives"): empty strings and
arrays are accepted, ``errorCd`` / ``errorDtl`` / ``errorField`` may be null,
unknown keys are ignored (the raw body keeps them).
"""

from .messages import (
    ConfirmationRequestSerializer,
    ConfirmationResponseSerializer,
    PurchaseOrderRequestSerializer,
    PurchaseOrderResponseSerializer,
    StatusChangeRequestSerializer,
    StatusChangeResponseSerializer,
    first_error,
)
from .objects import (
    AdditionalInfoSerializer,
    B2BIdsSerializer,
    PoConfirmationSerializer,
    PoStatusSerializer,
    PurchaseOrderSerializer,
    RespSerializer,
)
from .searches import SearchEntityResponseSerializer

__all__ = [
    "AdditionalInfoSerializer",
    "B2BIdsSerializer",
    "ConfirmationRequestSerializer",
    "ConfirmationResponseSerializer",
    "PoConfirmationSerializer",
    "PoStatusSerializer",
    "PurchaseOrderRequestSerializer",
    "PurchaseOrderResponseSerializer",
    "PurchaseOrderSerializer",
    "RespSerializer",
    "SearchEntityResponseSerializer",
    "StatusChangeRequestSerializer",
    "StatusChangeResponseSerializer",
    "first_error",
]
