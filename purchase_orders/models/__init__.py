from .business import Business, Membership
from .network import InboundEvent, OutboundMessage
from .purchase_order import (
    LineItem,
    LineItemTax,
    OtherCharge,
    Party,
    PaymentMilestone,
    PurchaseOrder,
    PurchaseOrderAddress,
    PurchaseOrderVersion,
    StatusChange,
)

__all__ = [
    "Business",
    "InboundEvent",
    "LineItem",
    "LineItemTax",
    "Membership",
    "OtherCharge",
    "OutboundMessage",
    "Party",
    "PaymentMilestone",
    "PurchaseOrder",
    "PurchaseOrderAddress",
    "PurchaseOrderVersion",
    "StatusChange",
]
