"""Invitations, their sending counts and the audit of businesses' changes, for admins.

They are read here, never written: an invitation is sent, resent and
accepted through the pages (``services/invitations.py``), which audit
every step; an admin may only revoke one, with the action below, which
goes through the same service.
"""

from django.contrib import admin, messages

from purchase_orders.admin.view_only import ViewOnlyAdmin
from purchase_orders.exceptions import BusinessError
from purchase_orders.models import BusinessChange, Invitation, InvitationSendCount
from purchase_orders.services.invitations import revoke_invitation


@admin.register(Invitation)
class InvitationAdmin(ViewOnlyAdmin):
    list_display = (
        "email",
        "business",
        "roles_display",
        "state_display",
        "invited_by",
        "invited_from",
        "last_sent_at",
        "expires_at",
    )
    list_select_related = ("business", "invited_by", "invited_from")
    list_filter = ("created_at", "accepted_at", "revoked_at")
    search_fields = ("email", "business__legal_name", "business__trade_name", "business__b2b_id")
    fields = (
        ("business", "email"),
        "roles_display",
        ("invited_by", "invited_from"),
        ("created_at", "last_sent_at", "send_count", "expires_at"),
        ("accepted_at", "accepted_by"),
        ("revoked_at", "revoked_by"),
        "state_display",
    )
    readonly_fields = ("roles_display", "state_display")
    actions = ["revoke"]

    @admin.display(description="roles")
    def roles_display(self, invitation: Invitation) -> str:
        return invitation.role_words

    @admin.display(description="state")
    def state_display(self, invitation: Invitation) -> str:
        return invitation.get_state_display()

    def has_revoke_permission(self, request) -> bool:
        # Revoking changes the invitation, so it takes the change permission
        # that this read-only admin otherwise never uses.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Revoke the selected invitations", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for invitation in queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            try:
                revoke_invitation(invitation=invitation, revoked_by=request.user, by_staff=True)
            except BusinessError as error:
                self.message_user(request, f"{invitation.email}: {error.message}", messages.ERROR)
            else:
                revoked += 1
                self.log_change(request, invitation, "Revoked.")
        self.message_user(
            request,
            f"Revoked {revoked} invitation{'s' if revoked != 1 else ''}: "
            f"{'their links no longer work' if revoked != 1 else 'its link no longer works'}.",
            messages.SUCCESS,
        )


@admin.register(BusinessChange)
class BusinessChangeAdmin(ViewOnlyAdmin):
    list_display = ("created_at", "business", "action", "actor_name", "summary")
    list_select_related = ("business",)
    list_filter = ("action", "created_at")
    search_fields = ("business__legal_name", "business__b2b_id", "actor_username", "summary")
    fields = (
        ("business", "action", "created_at"),
        ("actor", "actor_name", "actor_username"),
        ("person", "invitation"),
        "summary",
        "changes",
    )


@admin.register(InvitationSendCount)
class InvitationSendCountAdmin(ViewOnlyAdmin):
    list_display = ("key", "sends", "window_started_at")
    search_fields = ("key",)
