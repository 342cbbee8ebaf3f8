"""What a purchase order has been: a snapshot of each version, an audit row per move,
and each reminder to a supplier that had not answered it.

Both rows keep who wrote them for ever: the person's name and username are
copied onto the row as it is written (a later rename does not rewrite the
past), and the link to the user is protected, so that a person with history
is deactivated, never deleted (``admin/businesses.py``).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from purchase_orders import lifecycle

from .business import Business
from .purchase_order import PurchaseOrder


def recorded_names(user) -> tuple[str, str]:
    """Return the display name and username to keep on a row the user writes.

    The display name is what pages show: the full name, or the username for
    a person without one. Nobody (or an anonymous user) gives two blanks.
    """
    if user is None or not user.is_authenticated:
        return "", ""
    username = user.get_username()
    return (user.get_full_name().strip() or username), username


class PurchaseOrderVersion(models.Model):
    """A full snapshot of one version of a purchase order, kept for comparison."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text="The network purchaseOrder object of this version, plus its additionalInfos.",
    )
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The author's full name (or username) when this version was recorded.",
    )
    created_by_username = models.CharField(
        max_length=150,
        blank=True,
        help_text="The author's username when this version was recorded.",
    )
    created_by_business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A version over the buyer's approval limit went out once an approver let it.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The approver's full name (or username) when they approved this version; "
        "blank if it needed no approval.",
    )
    approved_by_username = models.CharField(
        max_length=150,
        blank=True,
        help_text="The approver's username when they approved this version.",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purchase_order", "version"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "version"], name="unique_po_version")
        ]

    def __str__(self):
        return f"{self.purchase_order.buyer_po_number} version {self.version}"


class StatusChange(models.Model):
    """An audit row for every step of a purchase order's status: attempted, applied, refused…

    An action made here writes an *attempted* row when it is sent and a
    second row when the network answers (``stage``); a change the network
    delivers is *applied* at once. Only applied rows moved the order.
    """

    Stage = models.TextChoices(
        "Stage",
        [(stage.upper(), (stage, label)) for stage, label in lifecycle.STAGE_LABELS.items()],
    )

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, blank=True, choices=PurchaseOrder.Status.choices)
    to_status = models.CharField(max_length=20, choices=PurchaseOrder.Status.choices)
    version = models.PositiveIntegerField()
    action = models.CharField(
        max_length=50,
        blank=True,
        help_text="SEND, EDIT, ACCEPT, REJECT, CANCEL…; SUBMIT, APPROVE and RETURN for the "
        "local steps of an approval; REFUSED on refusals recorded before stages existed.",
    )
    stage = models.CharField(
        max_length=20,
        choices=Stage.choices,
        default=Stage.APPLIED,
        help_text="Attempted (sent, not yet answered), applied (the order moved), refused, "
        "undelivered or overtaken.",
    )
    message = models.ForeignKey(
        "OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="status_changes",
        help_text="The outbound message that carried an action made here.",
    )
    remarks = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The person's full name (or username) when this row was written; blank for "
        "the network's own steps.",
    )
    actor_username = models.CharField(
        max_length=150, blank=True, help_text="The person's username when this row was written."
    )
    actor_business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_network = models.BooleanField(
        default=False, help_text="Whether the change arrived as a webhook from the network."
    )
    error_code = models.CharField(
        max_length=100, blank=True, help_text="Network errorCd of a refusal."
    )
    error_field = models.CharField(
        max_length=255, blank=True, help_text="Network errorField of a refusal."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"

    @property
    def is_refusal(self) -> bool:
        return self.stage == self.Stage.REFUSED

    @property
    def moved(self) -> bool:
        """Return whether this row moved the order (the others record an attempt's fate)."""
        return self.stage == self.Stage.APPLIED

    @property
    def refusal_reason(self) -> str:
        """Return what the network refused and why: the first line of a refusal's remarks."""
        return self.remarks.partition("\n")[0]

    @property
    def refusal_outcome(self) -> str:
        """Return what became of the order: the rest of a refusal's remarks."""
        return self.remarks.partition("\n")[2]

    @property
    def refusal_codes(self) -> str:
        """Return a refusal's codes as support reads them: field …; code …."""
        codes = [f"field {self.error_field}"] if self.error_field else []
        if self.error_code:
            codes.append(f"code {self.error_code}")
        return "; ".join(codes)


class Reminder(models.Model):
    """A reminder to a supplier that has not answered an order: who was told, and when.

    Written by ``services.reminders`` once a day at most per order; the
    order's page shows it in the status timeline. A supplier not hosted here
    has nobody on the portal to e-mail: then only the buyer's people are told.
    """

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="reminders"
    )
    version = models.PositiveIntegerField(help_text="The version the supplier had not answered.")
    sent_at = models.DateTimeField(help_text="When that version was sent.")
    days_waiting = models.PositiveIntegerField(
        help_text="Whole days from when the version was sent to this reminder."
    )
    supplier_hosted = models.BooleanField(
        help_text="Whether the supplier was hosted on this portal when reminded."
    )
    supplier_recipients = models.PositiveIntegerField(
        default=0, help_text="How many of the supplier's people were e-mailed the reminder."
    )
    buyer_recipients = models.PositiveIntegerField(
        default=0,
        help_text="How many of the buyer's people were told the supplier had not answered.",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Reminder of {self.purchase_order.buyer_po_number} on {self.created_at:%Y-%m-%d}"

    # Read by the status timeline, whose other rows are ``StatusChange``.
    is_reminder = True

    @property
    def reached_supplier(self) -> bool:
        """Return whether anyone at the supplier was e-mailed."""
        return self.supplier_recipients > 0
