"""Django admin: businesses, people, purchase orders and what crossed the network.

A purchase order's contents can be changed here only while it is a draft: a
sent order changes through its buyer's edit, which gives it a new version and
tells the supplier over the network. Versions, status changes and network
messages are records and stay read-only; a failed delivery is retried with an
action that calls the outbox service.
"""

import simplejson
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import Prefetch
from django.utils.html import format_html

from purchase_orders.enkash import conventions
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import (
    Business,
    InboundEvent,
    LineItem,
    LineItemTax,
    Membership,
    OtherCharge,
    OutboundMessage,
    Party,
    PaymentMilestone,
    PurchaseOrder,
    PurchaseOrderAddress,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.templatetags.portal import format_inr
from purchase_orders.totals import totals_for_purchase_order

admin.site.site_header = "Procurement portal administration"
admin.site.site_title = "Procurement portal"
admin.site.index_title = "Businesses, people and purchase orders"

User = get_user_model()

# Columns the totals function computes; never typed in.
COMPUTED_LINE_FIELDS = ("total_amount", "assessment_amount", "total_item_value")


def pretty_json(text: str) -> str:
    """Return a JSON text indented for reading, amounts kept exactly; others as they are."""
    try:
        data = simplejson.loads(text, use_decimal=True)
    except (TypeError, ValueError):
        return text
    return simplejson.dumps(data, use_decimal=True, ensure_ascii=False, indent=2)


def preformatted(text: str) -> str:
    return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)


def is_draft(purchase_order: PurchaseOrder | None) -> bool:
    return purchase_order is None or purchase_order.status == PurchaseOrder.Status.DRAFT


@transaction.atomic
def refresh_draft(purchase_order: PurchaseOrder) -> None:
    """Give a draft the parties of its businesses and recompute its totals.

    A missing party, or one of another business (the supplier was changed),
    is copied from the business, the buyer's place of supply defaulting to
    its own state as the portal's form does, so that a draft made here can be
    sent from the portal like any other. Line, tax and order totals are then
    computed from the lines.
    """
    # The services load the network client, which the admin needs only when
    # it writes through them; importing them here keeps start-up light.
    from purchase_orders.services.drafts import snapshot_party

    present = dict(purchase_order.parties.values_list("role", "b2b_id"))
    businesses = {
        conventions.BUYER: purchase_order.buyer,
        conventions.SUPPLIER: purchase_order.supplier,
    }
    for role, business in businesses.items():
        if present.get(role) == business.b2b_id:
            continue
        purchase_order.parties.filter(role=role).delete()
        party = snapshot_party(business, role=role)
        if role == conventions.BUYER:
            party["place_of_supply"] = business.state_code
        Party.objects.create(purchase_order=purchase_order, **party)
    fresh = PurchaseOrder.objects.prefetch_related(
        "parties",
        "other_charges",
        Prefetch("lines", queryset=LineItem.objects.prefetch_related("other_taxes")),
    ).get(pk=purchase_order.pk)
    totals = totals_for_purchase_order(fresh)
    lines, taxes = list(fresh.lines.all()), []
    for line, line_totals in zip(lines, totals.lines, strict=True):
        line.total_amount = line_totals.total_amount
        line.assessment_amount = line_totals.assessment_amount
        line.total_item_value = line_totals.total_item_value
        for tax, amount in zip(line.other_taxes.all(), line_totals.other_tax_amounts, strict=True):
            tax.amount = amount
            taxes.append(tax)
    LineItem.objects.bulk_update(lines, COMPUTED_LINE_FIELDS)
    LineItemTax.objects.bulk_update(taxes, ["amount"])
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(total_po_value=totals.total_po_value)
    purchase_order.total_po_value = totals.total_po_value


# -- people and businesses -------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("business",)
    fields = ("business", "role", "created_at")
    readonly_fields = ("created_at",)
    verbose_name = "membership"
    verbose_name_plural = "businesses this person acts for"


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "trade_name", "b2b_id", "gstin", "state_code", "is_hosted")
    list_filter = ("is_hosted", "state_code")
    search_fields = ("b2b_id", "gstin", "legal_name", "trade_name")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (
            None,
            {"fields": ("legal_name", "trade_name", "b2b_id", "gstin", "state_code", "is_hosted")},
        ),
        ("Contact", {"fields": ("contact_type", "country_code", "phone_number", "email")}),
        (
            "Address",
            {
                "fields": (
                    "address_type",
                    "address_line1",
                    "address_line2",
                    "city",
                    "state",
                    "pincode",
                    "country",
                )
            },
        ),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "business", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "business")
    search_fields = (
        "user__username",
        "user__email",
        "business__legal_name",
        "business__trade_name",
        "business__b2b_id",
        "business__gstin",
    )
    autocomplete_fields = ("user", "business")
    readonly_fields = ("created_at",)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserMembershipInline]


# -- purchase orders ------------------------------------------------------------


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
    fields = ("version", "reason", "created_by", "created_by_business", "created_at")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("purchase_order", "created_by", "created_by_business")
        )


class StatusChangeInline(ReadOnlyInline, admin.TabularInline):
    model = StatusChange
    fields = (
        "created_at",
        "from_status",
        "to_status",
        "version",
        "action",
        "remarks",
        "actor",
        "actor_business",
        "via_network",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor_business")


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


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = (
        "buyer_po_number",
        "object_id",
        "buyer",
        "supplier",
        "status",
        "version",
        "total",
        "order_date",
        "is_delivered",
    )
    list_filter = ("status", "buyer", "supplier", "order_date", "delivery_date", "created_at")
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
                    "total",
                    "ts",
                    ("sent_at", "delivered_at"),
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
        "total",
        "ts",
        "sent_at",
        "delivered_at",
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


class PurchaseOrderPartAdmin(admin.ModelAdmin):
    """A part of a purchase order, listed for searching; it is edited on the order's page."""

    list_select_related = ("purchase_order",)
    search_fields = ("purchase_order__buyer_po_number", "purchase_order__object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Party)
class PartyAdmin(PurchaseOrderPartAdmin):
    list_display = ("purchase_order", "role", "b2b_id", "gstin", "legal_name", "state_code")
    list_filter = ("role",)
    search_fields = (*PurchaseOrderPartAdmin.search_fields, "b2b_id", "gstin", "legal_name")


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


# -- records: versions, status changes, network messages ---------------------------


class RecordAdmin(admin.ModelAdmin):
    """A record of what happened: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PurchaseOrderVersion)
class PurchaseOrderVersionAdmin(RecordAdmin):
    list_display = (
        "purchase_order",
        "version",
        "reason",
        "created_by",
        "created_by_business",
        "created_at",
    )
    list_select_related = ("purchase_order", "created_by", "created_by_business")
    list_filter = ("created_at",)
    search_fields = ("purchase_order__buyer_po_number", "purchase_order__object_id")
    fields = (
        ("purchase_order", "version"),
        "reason",
        ("created_by", "created_by_business", "created_at"),
        "snapshot_json",
    )
    readonly_fields = ("snapshot_json",)

    @admin.display(description="snapshot")
    def snapshot_json(self, version: PurchaseOrderVersion) -> str:
        return preformatted(
            simplejson.dumps(version.snapshot, ensure_ascii=False, indent=2, use_decimal=True)
        )


@admin.register(StatusChange)
class StatusChangeAdmin(RecordAdmin):
    list_display = (
        "purchase_order",
        "from_status",
        "to_status",
        "version",
        "action",
        "actor",
        "actor_business",
        "via_network",
        "created_at",
    )
    list_select_related = ("purchase_order", "actor", "actor_business")
    list_filter = ("to_status", "action", "via_network", "created_at")
    search_fields = ("purchase_order__buyer_po_number", "purchase_order__object_id")


@admin.register(OutboundMessage)
class OutboundMessageAdmin(RecordAdmin):
    list_display = (
        "req_msg_id",
        "kind",
        "object_id",
        "object_version",
        "state",
        "attempts",
        "next_attempt_at",
        "response_status",
        "error_code",
        "created_at",
    )
    list_filter = ("state", "kind", "created_at")
    search_fields = ("req_msg_id", "object_id", "purchase_order__buyer_po_number")
    actions = ["retry_delivery"]
    fieldsets = (
        (None, {"fields": ("purchase_order", "kind", "req_msg_id", "object_id", "object_version")}),
        (
            "Delivery",
            {
                "fields": (
                    "state",
                    "attempts",
                    "next_attempt_at",
                    "last_error",
                    ("created_at", "sent_at", "settled_at"),
                )
            },
        ),
        (
            "Network's answer",
            {
                "fields": (
                    "response_status",
                    "error_code",
                    "error_detail",
                    "error_field",
                    "response",
                )
            },
        ),
        ("Body sent", {"fields": ("body_json",)}),
    )
    # Records are shown read-only whole; these two are pretty-printed bodies.
    readonly_fields = ("body_json", "response")

    @admin.display(description="body")
    def body_json(self, message: OutboundMessage) -> str:
        return preformatted(pretty_json(message.body))

    @admin.display(description="response body")
    def response(self, message: OutboundMessage) -> str:
        return preformatted(pretty_json(message.response_body))

    def has_retry_permission(self, request) -> bool:
        # Retrying changes the message's delivery state, so it takes the
        # change permission that this read-only admin otherwise never uses.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(
        description="Retry delivery of the selected failed messages", permissions=["retry"]
    )
    def retry_delivery(self, request, queryset):
        # Imported when used, as in refresh_draft.
        from purchase_orders.services.outbound import retry_outbound_message

        retried = 0
        for message in queryset.order_by("created_at", "id"):
            try:
                retry_outbound_message(message=message, retried_by=request.user)
            except PurchaseOrderError as error:
                self.message_user(request, f"{message.req_msg_id}: {error.message}", messages.ERROR)
            else:
                retried += 1
                # Actions, unlike the change form, leave no history of their own.
                self.log_change(request, message, "Retried delivery.")
        if retried:
            self.message_user(
                request,
                f"Queued {retried} message{'s' if retried != 1 else ''} for delivery again.",
                messages.SUCCESS,
            )


@admin.register(InboundEvent)
class InboundEventAdmin(RecordAdmin):
    list_display = (
        "received_at",
        "kind",
        "req_msg_id",
        "object_id",
        "state",
        "response_status",
        "error_code",
        "repeats",
        "processed_at",
    )
    list_filter = ("state", "kind", "received_at")
    search_fields = ("req_msg_id", "object_id", "dedupe_key")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "dedupe_key",
                    "req_msg_id",
                    "object_id",
                    "purchase_order",
                    "outbound_message",
                )
            },
        ),
        (
            "Processing",
            {
                "fields": (
                    "state",
                    ("received_at", "processed_at"),
                    "repeats",
                    "remote_addr",
                    ("error_code", "error_field"),
                    "error_detail",
                    "traceback",
                )
            },
        ),
        ("Received", {"fields": ("headers", "body_json")}),
        ("Answered", {"fields": ("response_status", "response")}),
    )
    readonly_fields = ("body_json", "response")

    @admin.display(description="body")
    def body_json(self, event: InboundEvent) -> str:
        return preformatted(pretty_json(event.body))

    @admin.display(description="response body")
    def response(self, event: InboundEvent) -> str:
        return preformatted(pretty_json(event.response_body))
