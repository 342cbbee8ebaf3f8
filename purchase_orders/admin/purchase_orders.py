"""Purchase orders, their lines, and their other parts listed for searching."""

from django.contrib import admin
from django.utils.html import format_html

from purchase_orders.admin.drafts import (
    COMPUTED_LINE_FIELDS,
    has_editable_lines,
    is_draft,
    refresh_draft,
)
from purchase_orders.admin.inlines import (
    AddressInline,
    InboundEventInline,
    LineItemInline,
    LineItemTaxInline,
    MilestoneInline,
    OtherChargeInline,
    OutboundMessageInline,
    PagedLineItemInline,
    PartyInline,
    StatusChangeInline,
    VersionInline,
)
from purchase_orders.admin.view_only import ViewOnlyAdmin
from purchase_orders.enkash import conventions
from purchase_orders.models import (
    LineItem,
    LineItemTax,
    OtherCharge,
    Party,
    PaymentMilestone,
    PurchaseOrder,
    PurchaseOrderAddress,
)
from purchase_orders.templatetags.portal import format_inr
from purchase_orders.templatetags.words import state_words


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    # Every column fits at 1,366 px beside the filters; the network ID is
    # searched for and shown on the order's page.
    list_display = (
        "buyer_po_number",
        "buyer",
        "supplier",
        "status_and_version",
        "total",
        "order_date",
        "pending_action",
        "is_delivered",
    )
    list_filter = (
        "status",
        "pending_action",
        "buyer",
        "supplier",
        "order_date",
        "delivery_date",
        "created_at",
    )
    list_select_related = ("buyer", "supplier")
    search_fields = (
        "buyer_po_number",
        "object_id",
        "buyer__gstin",
        "buyer__b2b_id",
        "supplier__gstin",
        "supplier__b2b_id",
    )
    date_hierarchy = "order_date"
    autocomplete_fields = ("buyer", "supplier")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "object_id",
                    "buyer_po_number",
                    ("buyer", "supplier"),
                    "subject",
                    ("order_date", "delivery_date"),
                )
            },
        ),
        (
            "Status",
            {
                "fields": (
                    ("status", "previous_status"),
                    ("version", "previous_version"),
                    ("pending_action", "pending_since"),
                    "total",
                    "ts",
                    ("sent_at", "delivered_at"),
                    "last_reminded_at",
                    "created_by",
                    ("created_at", "updated_at"),
                )
            },
        ),
        ("Shipping", {"fields": ("shipping_terms", "shipping_bearing_party", "shipping_charges")}),
        (
            "Network lists",
            {
                "classes": ("collapse",),
                "fields": (
                    "po_infos",
                    "contract_references",
                    "additional_documents",
                    "additional_infos",
                ),
            },
        ),
    )
    # What the lifecycle and the network set; an admin never types these.
    readonly_fields = (
        "object_id",
        "status",
        "previous_status",
        "version",
        "previous_version",
        "pending_action",
        "pending_since",
        "total",
        "ts",
        "sent_at",
        "delivered_at",
        "last_reminded_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = [
        PartyInline,
        AddressInline,
        LineItemInline,
        OtherChargeInline,
        MilestoneInline,
        VersionInline,
        StatusChangeInline,
        OutboundMessageInline,
        InboundEventInline,
    ]

    def get_inlines(self, request, obj):
        # A sent order's lines, and a big draft's, are shown a page at a time.
        if has_editable_lines(obj):
            return self.inlines
        return [PagedLineItemInline if i is LineItemInline else i for i in self.inlines]

    @admin.display(description="status", ordering="status")
    def status_and_version(self, purchase_order: PurchaseOrder) -> str:
        if not purchase_order.version:
            return purchase_order.get_status_display()
        return format_html(
            '{}<span class="block quiet">version {}</span>',
            purchase_order.get_status_display(),
            purchase_order.version,
        )

    @admin.display(description="total", ordering="total_po_value")
    def total(self, purchase_order: PurchaseOrder) -> str:
        return format_inr(purchase_order.total_po_value)

    @admin.display(description="delivered", boolean=True, ordering="delivered_at")
    def is_delivered(self, purchase_order: PurchaseOrder) -> bool:
        return purchase_order.delivered_at is not None

    def has_change_permission(self, request, obj=None):
        return is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A sent order is part of the network's record (and its messages point to it).
        return is_draft(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Deleting in bulk would not tell drafts from sent orders; a draft is
        # deleted from its own page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            obj.object_id = conventions.new_object_id()
            obj.status = PurchaseOrder.Status.DRAFT
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if is_draft(form.instance):
            refresh_draft(form.instance)


@admin.register(LineItem)
class LineItemAdmin(admin.ModelAdmin):
    """A line with all 21 network fields and its other taxes (cess and the like).

    Lines are added and removed on their purchase order's page.
    """

    list_display = (
        "purchase_order",
        "serial_no",
        "product_description",
        "hsn_code",
        "quantity",
        "unit",
        "unit_price",
        "gst_rate",
        "total_item_value",
    )
    list_select_related = ("purchase_order",)
    search_fields = (
        "product_description",
        "hsn_code",
        "purchase_order__buyer_po_number",
        "purchase_order__object_id",
    )
    raw_id_fields = ("purchase_order",)
    readonly_fields = ("purchase_order", *COMPUTED_LINE_FIELDS)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "purchase_order",
                    ("position", "serial_no"),
                    "product_description",
                    ("hsn_code", "is_service", "bar_code"),
                    ("quantity", "free_quantity", "unit"),
                    ("unit_price", "gst_rate"),
                    COMPUTED_LINE_FIELDS,
                )
            },
        ),
        (
            "More details",
            {
                "fields": (
                    ("order_line_reference", "origin_country", "product_serial_number"),
                    ("batch_number", "batch_expiry_on", "batch_warranty_on"),
                    "value_details",
                    "rates",
                    "attributes",
                )
            },
        ),
    )
    inlines = [LineItemTaxInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return (obj is None or is_draft(obj.purchase_order)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if is_draft(form.instance.purchase_order):
            refresh_draft(form.instance.purchase_order)


class PurchaseOrderPartAdmin(ViewOnlyAdmin):
    """A part of a purchase order, listed for searching; it is edited on the order's page."""

    list_select_related = ("purchase_order",)
    search_fields = ("purchase_order__buyer_po_number", "purchase_order__object_id")


@admin.register(Party)
class PartyAdmin(PurchaseOrderPartAdmin):
    list_display = (
        "purchase_order",
        "role",
        "b2b_id",
        "gstin",
        "legal_name",
        "state_name",
        "supply",
    )
    list_filter = ("role",)
    search_fields = (*PurchaseOrderPartAdmin.search_fields, "b2b_id", "gstin", "legal_name")

    @admin.display(description="state", ordering="state_code")
    def state_name(self, party: Party) -> str:
        return state_words(party.state_code)

    @admin.display(description="place of supply", ordering="place_of_supply")
    def supply(self, party: Party) -> str:
        return state_words(party.place_of_supply) or "-"


@admin.register(PurchaseOrderAddress)
class PurchaseOrderAddressAdmin(PurchaseOrderPartAdmin):
    list_display = ("purchase_order", "purpose", "address_line1", "city", "pincode")
    list_filter = ("purpose",)


@admin.register(OtherCharge)
class OtherChargeAdmin(PurchaseOrderPartAdmin):
    list_display = ("purchase_order", "charge_type", "amount")


@admin.register(PaymentMilestone)
class PaymentMilestoneAdmin(PurchaseOrderPartAdmin):
    list_display = ("purchase_order", "due_on", "due_amount")


@admin.register(LineItemTax)
class LineItemTaxAdmin(PurchaseOrderPartAdmin):
    list_display = ("line", "purchase_order", "name", "rate", "amount")
    list_select_related = ("line__purchase_order",)
    search_fields = (
        "name",
        "line__purchase_order__buyer_po_number",
        "line__purchase_order__object_id",
    )

    @admin.display(ordering="line__purchase_order")
    def purchase_order(self, tax: LineItemTax) -> PurchaseOrder:
        return tax.line.purchase_order
