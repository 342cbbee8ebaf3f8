"""Approvals: a buyer's request that an approver let a version over the limit go out.

A buying business may set an approval limit (``Business.approval_limit``);
a version whose total is over it (a first send, or an edit) waits here for
an approver of the business before anything reaches the network. The row
keeps what was asked and what became of it: approved (then sent, as the
approver) or returned with the approver's remarks. It is the portal's
alone: nothing of it is ever sent (``services/approvals.py``).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from purchase_orders import lifecycle

from .purchase_order import MONEY, PurchaseOrder


class ApprovalRequest(models.Model):
    """A version of a purchase order submitted for approval, and the approver's decision."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="approval_requests"
    )
    action = models.CharField(
        max_length=20,
        choices=[
            (action, lifecycle.TRANSITIONS_BY_ACTION[action].label)
            for action in lifecycle.APPROVABLE_ACTIONS
        ],
        help_text="What waits for approval: the first send (SEND) or an edit (EDIT).",
    )
    version = models.PositiveIntegerField(
        help_text="The version the send or edit makes once approved."
    )
    snapshot = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text="The proposed version as its snapshot will keep it: the purchaseOrder "
        "object and its additionalInfos. An approved edit publishes exactly these contents.",
    )
    reason = models.TextField(blank=True, help_text="The buyer's reason for an edit.")
    total_po_value = models.DecimalField(
        "total PO value", help_text="The proposed version's total, in rupees.", **MONEY
    )
    approval_limit = models.DecimalField(
        help_text="The business's approval limit when it was submitted, in rupees.", **MONEY
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    # Protected like the history rows: who asked and who decided stay on it.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The buyer's full name (or username) when they submitted it.",
    )
    submitted_by_username = models.CharField(max_length=150, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The approver's full name (or username) when they decided.",
    )
    decided_by_username = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    remarks = models.TextField(
        blank=True, help_text="The approver's remarks: why it was returned, or a note."
    )
    message = models.ForeignKey(
        "OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The send or edit message the approval wrote.",
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            # One request at a time: a second waits for the first's decision.
            models.UniqueConstraint(
                fields=["purchase_order"],
                condition=models.Q(state="waiting"),
                name="one_waiting_approval_per_po",
            )
        ]

    def __str__(self):
        return (
            f"{self.purchase_order.buyer_po_number} version {self.version}: "
            f"{self.get_state_display().lower()}"
        )

    @property
    def is_waiting(self) -> bool:
        return self.state == self.State.WAITING

    @property
    def is_edit(self) -> bool:
        return self.action == lifecycle.EDIT
