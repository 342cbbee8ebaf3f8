"""Records of what happened: versions, status changes, reminders, approvals, network
messages and supplier searches."""

import simplejson
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from purchase_orders import lifecycle
from purchase_orders.admin.view_only import ViewOnlyAdmin
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import (
    ApprovalRequest,
    FlaggedDelivery,
    InboundEvent,
    OutboundMessage,
    PurchaseOrderVersion,
    Reminder,
    StatusChange,
    SupplierSearch,
)
from purchase_orders.services.outbound import retry_outbound_message


def pretty_json(text: str) -> str:
    """Return a JSON text indented for reading, amounts kept exactly; others as they are."""
    try:
        data = simplejson.loads(text, use_decimal=True)
    except (TypeError, ValueError):
        return text
    return simplejson.dumps(data, use_decimal=True, ensure_ascii=False, indent=2)


def preformatted(text: str) -> str:
    return format_html('<pre class="preformatted">{}</pre>', text)


class RecordAdmin(ViewOnlyAdmin):
    """A record of what happened: viewable, never added, changed or deleted here."""


@admin.register(PurchaseOrderVersion)
class PurchaseOrderVersionAdmin(RecordAdmin):
    list_display = (
        "purchase_order",
        "version",
        "reason",
        "created_by_name",
        "created_by_business",
        "created_at",
    )
    list_select_related = ("purchase_order", "created_by_business")
    list_filter = ("created_at",)
    search_fields = ("purchase_order__buyer_po_number", "purchase_order__object_id")
    fields = (
        ("purchase_order", "version"),
        "reason",
        ("created_by_name", "created_by_username", "created_by_business", "created_at"),
        ("approved_by_name", "approved_by_username", "approved_at"),
        "snapshot_json",
    )
    readonly_fields = ("snapshot_json",)

    @admin.display(description="snapshot")
    def snapshot_json(self, version: PurchaseOrderVersion) -> str:
        return preformatted(
            simplejson.dumps(version.snapshot, ensure_ascii=False, indent=2, use_decimal=True)
        )


def action_words(action: str) -> str:
    """Name a status change's action as its button does ("Send to supplier")."""
    transition = lifecycle.TRANSITIONS_BY_ACTION.get(action)
    return transition.label if transition else action.lower().capitalize()


class ActionFilter(admin.SimpleListFilter):
    """The actions recorded, named as their buttons are."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = (
            StatusChange.objects.exclude(action="")
            .order_by("action")
            .values_list("action", flat=True)
        )
        return [(action, action_words(action)) for action in actions.distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(StatusChange)
class StatusChangeAdmin(RecordAdmin):
    list_display = (
        "purchase_order",
        "from_status",
        "to_status",
        "version",
        "action_label",
        "actor_name",
        "actor_business",
        "via_network",
        "created_at",
    )
    list_select_related = ("purchase_order", "actor_business")
    list_filter = ("to_status", ActionFilter, "via_network", "error_code", "created_at")
    search_fields = (
        "purchase_order__buyer_po_number",
        "purchase_order__object_id",
        "actor_name",
        "actor_username",
    )

    @admin.display(description="action", ordering="action")
    def action_label(self, change: StatusChange) -> str:
        return action_words(change.action)


@admin.register(Reminder)
class ReminderAdmin(RecordAdmin):
    list_display = (
        "purchase_order",
        "version",
        "days_waiting",
        "supplier_hosted",
        "supplier_recipients",
        "buyer_recipients",
        "created_at",
    )
    list_select_related = ("purchase_order",)
    list_filter = ("supplier_hosted", "created_at")
    search_fields = ("purchase_order__buyer_po_number", "purchase_order__object_id")


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(RecordAdmin):
    list_display = (
        "purchase_order",
        "version",
        "action",
        "state",
        "total_po_value",
        "submitted_by_name",
        "submitted_at",
        "decided_by_name",
        "decided_at",
    )
    list_select_related = ("purchase_order",)
    list_filter = ("state", "action", "submitted_at")
    search_fields = (
        "purchase_order__buyer_po_number",
        "purchase_order__object_id",
        "submitted_by_name",
        "decided_by_name",
    )
    fields = (
        ("purchase_order", "action", "version", "state"),
        ("total_po_value", "approval_limit"),
        "reason",
        ("submitted_by_name", "submitted_by_username", "submitted_at"),
        ("decided_by_name", "decided_by_username", "decided_at"),
        "remarks",
        "message",
        "snapshot_json",
    )
    readonly_fields = ("snapshot_json",)

    @admin.display(description="proposed version")
    def snapshot_json(self, request: ApprovalRequest) -> str:
        return preformatted(
            simplejson.dumps(request.snapshot, ensure_ascii=False, indent=2, use_decimal=True)
        )


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
    list_filter = ("state", "kind", "flagged", "received_at")
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


@admin.register(FlaggedDelivery)
class FlaggedDeliveryAdmin(InboundEventAdmin):
    """Deliveries refused for acting or speaking for a business hosted here.

    Each is someone holding the network's credentials acting for a business
    that did not act (or naming it with details not its own): an admin
    looks at each, and marks it reviewed; ``/healthz`` counts those not yet
    reviewed.
    """

    list_display = (
        "received_at",
        "kind",
        "object_id",
        "error_code",
        "error_field",
        "remote_addr",
        "reviewed",
    )
    list_filter = (("reviewed_at", admin.EmptyFieldListFilter), "error_code", "kind")
    actions = ["mark_reviewed"]
    fieldsets = (
        ("Review", {"fields": (("reviewed_at", "reviewed_by"),)}),
        *InboundEventAdmin.fieldsets,
    )

    @admin.display(description="reviewed", boolean=True, ordering="reviewed_at")
    def reviewed(self, event: InboundEvent) -> bool:
        return event.reviewed_at is not None

    def has_review_permission(self, request) -> bool:
        opts = InboundEvent._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Mark the selected deliveries as reviewed", permissions=["review"])
    def mark_reviewed(self, request, queryset):
        marked = 0
        for event in queryset.filter(reviewed_at__isnull=True):
            event.reviewed_at = timezone.now()
            event.reviewed_by = request.user.get_username()
            event.save(update_fields=["reviewed_at", "reviewed_by"])
            self.log_change(request, event, "Marked as reviewed.")
            marked += 1
        self.message_user(
            request,
            f"Marked {marked} deliver{'ies' if marked != 1 else 'y'} as reviewed.",
            messages.SUCCESS,
        )


@admin.register(SupplierSearch)
class SupplierSearchAdmin(RecordAdmin):
    """A buyer's question to the network and its answer: changed only by the network's webhook."""

    list_display = ("value", "parameter", "buyer", "state", "requested_by", "created_at")
    list_select_related = ("buyer", "requested_by")
    list_filter = ("state", "parameter", "created_at")
    search_fields = ("value", "object_id", "requestor_b2b_id", "buyer__legal_name")
    fields = (
        ("buyer", "requested_by"),
        ("parameter", "value", "requestor_b2b_id"),
        ("object_id", "outbound_message"),
        ("state", "created_at", "answered_at"),
        ("error_code", "error_field"),
        "error_detail",
        "results_json",
    )
    readonly_fields = ("results_json",)

    @admin.display(description="businesses found")
    def results_json(self, search: SupplierSearch) -> str:
        return preformatted(
            simplejson.dumps(search.results, ensure_ascii=False, indent=2, use_decimal=True)
        )
