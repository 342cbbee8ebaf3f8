"""Businesses, the people who act for them, and their memberships."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from purchase_orders.models import Business, Membership

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
