from .approval import ApprovalRequest
from .business import Business, Membership, MembershipRole, SupplierLink
from .history import PurchaseOrderVersion, Reminder, StatusChange
from .network import FlaggedDelivery, InboundEvent, OutboundMessage
from .parts import (
    LineItem,
    LineItemTax,
    OtherCharge,
    Party,
    PaymentMilestone,
    PurchaseOrderAddress,
)
from .people import BusinessChange, Invitation, InvitationSendCount
from .purchase_order import PurchaseOrder
from .searches import SupplierSearch

__all__ = [
    "ApprovalRequest",
    "Business",
    "BusinessChange",
    "FlaggedDelivery",
    "InboundEvent",
    "Invitation",
    "InvitationSendCount",
    "LineItem",
    "LineItemTax",
    "Membership",
    "MembershipRole",
    "OtherCharge",
    "OutboundMessage",
    "Party",
    "PaymentMilestone",
    "PurchaseOrder",
    "PurchaseOrderAddress",
    "PurchaseOrderVersion",
    "Reminder",
    "StatusChange",
    "SupplierLink",
    "SupplierSearch",
]
