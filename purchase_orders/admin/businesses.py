"""Businesses, the people who act for them, and their memberships.

A person whose name is on a purchase order's history (an order created, a
version recorded, a status change), on a business's (its profile, people or
invitations changed) or on the admin log is deactivated, never
deleted: the history keeps saying who did what, and the database refuses the
delete of the former anyway (``on_delete=PROTECT``). Someone who never acted
can still be deleted.
"""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.urls import reverse

from purchase_orders.models import Business, Membership, SupplierLink
from purchase_orders.selectors import user_has_history, with_history_marked
from purchase_orders.services import businesses as business_services

User = get_user_model()


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


class SupplierLinkInline(admin.TabularInline):
    model = SupplierLink
    fk_name = "buyer"
    extra = 0
    autocomplete_fields = ("supplier",)
    fields = ("supplier", "added_by", "created_at")
    readonly_fields = ("added_by", "created_at")
    verbose_name = "supplier in the directory"
    verbose_name_plural = "suppliers in the directory"


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
        ("Registrations", {"fields": ("pan", "cin", "udyam_number")}),
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
        (
            "Purchase orders",
            {
                "fields": (
                    "default_terms",
                    "approval_limit",
                    "approvers_may_approve_own",
                    "reminder_after_days",
                )
            },
        ),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )
    inlines = [MembershipInline, SupplierLinkInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and set(form.changed_data) & business_services.SEARCHED_FIELDS:
            # The lists find its orders by its names and GSTIN as they are now.
            business_services.reindex_orders_of(obj)


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


@admin.register(SupplierLink)
class SupplierLinkAdmin(admin.ModelAdmin):
    list_display = ("supplier", "buyer", "added_by", "created_at")
    list_select_related = ("supplier", "buyer", "added_by")
    search_fields = (
        "supplier__legal_name",
        "supplier__gstin",
        "supplier__b2b_id",
        "buyer__legal_name",
        "buyer__b2b_id",
    )
    autocomplete_fields = ("buyer", "supplier")
    readonly_fields = ("added_by", "created_at")


admin.site.unregister(User)


def refusal(names: list[str]) -> str:
    """Return why these people cannot be deleted, and what to do instead."""
    who = ", ".join(f"“{name}”" for name in names)
    return (
        f"{who} cannot be deleted: their name is on the history of purchase orders, of "
        "businesses or of this admin, which is kept for ever. Deactivate them instead (the "
        "“Deactivate” action, or untick “Active”): they can no longer sign in, and the "
        "history still names them."
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserMembershipInline]
    list_display = (*BaseUserAdmin.list_display, "is_active", "has_history")
    actions = ["deactivate", "delete_selected"]

    def get_queryset(self, request):
        return with_history_marked(super().get_queryset(request))

    @admin.display(boolean=True, description="history")
    def has_history(self, user) -> bool:
        return user.has_history

    def has_delete_permission(self, request, obj=None):
        # Hides the change form's "Delete" link for a person with history.
        if obj is not None and user_has_history(user=obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, object_id)
        if user is not None and user_has_history(user=user):
            self.message_user(request, refusal([user.get_username()]), messages.ERROR)
            return redirect(reverse("admin:auth_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description="Delete selected people without history", permissions=["delete"])
    def delete_selected(self, request, queryset):
        kept = sorted(user.get_username() for user in queryset if user.has_history)
        if kept:
            self.message_user(request, refusal(kept), messages.ERROR)
            return None
        return delete_selected(self, request, queryset)

    @admin.action(description="Deactivate selected people", permissions=["change"])
    def deactivate(self, request, queryset):
        deactivated = 0
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])
            # Actions, unlike the change form, leave no history of their own.
            self.log_change(request, user, "Deactivated.")
            deactivated += 1
        self.message_user(
            request,
            f"Deactivated {deactivated} {'person' if deactivated == 1 else 'people'}: they can "
            "no longer sign in, and the history still names them.",
            messages.SUCCESS,
        )
