"""Inlines on the purchase order and line pages: draft contents and records."""

from django.contrib import admin

from purchase_orders.admin.drafts import COMPUTED_LINE_FIELDS, is_draft
from purchase_orders.models import (
    InboundEvent,
    LineItem,
    LineItemTax,
    OtherCharge,
    OutboundMessage,
    Party,
    PaymentMilestone,
    PurchaseOrderAddress,
    PurchaseOrderVersion,
    StatusChange,
)


class DraftContentsInline:
    """An inline whose rows can be changed only while the purchase order is a draft."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_draft(obj) and super().has_delete_permission(request, obj)


class ReadOnlyInline:
    """An inline that lists records and links to them; nothing is changed here."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartyInline(DraftContentsInline, admin.StackedInline):
    model = Party
    max_num = 2
    fields = (
        ("role", "b2b_id", "gstin"),
        ("legal_name", "trade_name"),
        ("state_code", "place_of_supply"),
        ("address_type", "address_line1", "address_line2"),
        ("city", "state", "pincode", "country"),
        ("contact_type", "country_code", "phone_number", "email"),
    )


class AddressInline(DraftContentsInline, admin.StackedInline):
    model = PurchaseOrderAddress
    fields = (
        ("position", "purpose", "address_type"),
        ("address_line1", "address_line2"),
        ("city", "state", "pincode", "country"),
    )


class LineItemInline(DraftContentsInline, admin.TabularInline):
    """The main columns of each line; the rest, and its other taxes, on the line's page."""

    model = LineItem
    show_change_link = True
    fields = (
        "position",
        "serial_no",
        "product_description",
        "hsn_code",
        "is_service",
        "quantity",
        "unit",
        "unit_price",
        "gst_rate",
        *COMPUTED_LINE_FIELDS,
    )
    readonly_fields = COMPUTED_LINE_FIELDS


class OtherChargeInline(DraftContentsInline, admin.TabularInline):
    model = OtherCharge
    fields = ("position", "charge_type", "amount")


class MilestoneInline(DraftContentsInline, admin.TabularInline):
    model = PaymentMilestone
    fields = ("position", "due_on", "due_amount")


class VersionInline(ReadOnlyInline, admin.TabularInline):
    model = PurchaseOrderVersion
    fields = ("version", "reason", "created_by_name", "created_by_business", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("purchase_order", "created_by_business")


class StatusChangeInline(ReadOnlyInline, admin.TabularInline):
    model = StatusChange
    fields = (
        "created_at",
        "from_status",
        "to_status",
        "version",
        "action",
        "stage",
        "remarks",
        "actor_name",
        "actor_business",
        "via_network",
        "error_code",
        "error_field",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_business")


class OutboundMessageInline(ReadOnlyInline, admin.TabularInline):
    model = OutboundMessage
    verbose_name_plural = "network messages sent"
    fields = (
        "created_at",
        "kind",
        "req_msg_id",
        "object_version",
        "state",
        "attempts",
        "response_status",
        "error_code",
        "settled_at",
    )


class InboundEventInline(ReadOnlyInline, admin.TabularInline):
    model = InboundEvent
    verbose_name_plural = "network messages received"
    fields = (
        "received_at",
        "kind",
        "req_msg_id",
        "state",
        "response_status",
        "error_code",
        "repeats",
    )


class LineItemTaxInline(admin.TabularInline):
    model = LineItemTax
    extra = 0
    fields = ("position", "name", "rate", "amount")
    readonly_fields = ("amount",)

    def _is_draft_line(self, line: LineItem | None) -> bool:
        return line is None or is_draft(line.purchase_order)

    def has_add_permission(self, request, obj=None):
        return self._is_draft_line(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_draft_line(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_draft_line(obj) and super().has_delete_permission(request, obj)
