"""The purchase order itself, as it stands at its current version."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone

from purchase_orders import lifecycle

from .business import Business

MONEY = {"max_digits": 18, "decimal_places": 2}
QUANTITY = {"max_digits": 18, "decimal_places": 3}
RATE = {"max_digits": 7, "decimal_places": 3}


def json_list_field(help_text: str) -> models.JSONField:
    """Return a JSON column for one of the network's free-form lists."""
    return models.JSONField(
        default=list, blank=True, encoder=DjangoJSONEncoder, help_text=help_text
    )


class PurchaseOrder(models.Model):
    """A purchase order, as it stands at its current version."""

    # The statuses of lifecycle.py, in the order an order lives through them.
    Status = models.TextChoices(
        "Status", [(status, (status, label)) for status, label in lifecycle.STATUS_LABELS.items()]
    )

    object_id = models.CharField(
        "object ID",
        max_length=100,
        unique=True,
        help_text="Network objectId: PO followed by 32 upper-case letters and "
        "digits, assigned by the originator.",
    )
    buyer = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="purchase_orders_as_buyer"
    )
    supplier = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="purchase_orders_as_supplier"
    )
    buyer_po_number = models.CharField(
        "PO number",
        max_length=100,
        help_text="Network buyerPONumber: the buyer's own number, unique per buyer.",
    )
    ts = models.DateTimeField(
        "timestamp",
        default=timezone.now,
        help_text="Network ts: when this version was issued.",
    )
    order_date = models.DateField(null=True, blank=True, help_text="Network orderDate.")
    delivery_date = models.DateField(null=True, blank=True, help_text="Network deliveryDate.")
    subject = models.CharField(max_length=255, blank=True, help_text="Network subject.")
    version = models.PositiveIntegerField(
        default=0,
        help_text="Network objectVersion.newVersion last applied; 0 while a draft.",
    )
    previous_version = models.PositiveIntegerField(
        default=0, help_text="Network objectVersion.currentVersion of that message."
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Network poStatusTransition.newStatus; DRAFT is local only.",
    )
    previous_status = models.CharField(
        max_length=20,
        blank=True,
        choices=Status.choices,
        help_text="Network poStatusTransition.currentStatus of that message.",
    )
    total_po_value = models.DecimalField(
        "total PO value",
        default=0,
        help_text="Network poValueDetails.totalPOValue, in rupees.",
        **MONEY,
    )
    shipping_terms = models.CharField(
        max_length=255, blank=True, help_text="Network shippingTermsDetails.terms."
    )
    shipping_bearing_party = models.CharField(
        max_length=100,
        blank=True,
        help_text="Network shippingTermsDetails.bearingParty: who pays for shipping.",
    )
    shipping_charges = models.DecimalField(
        default=0, help_text="Network shippingTermsDetails.charges.", **MONEY
    )
    po_infos = json_list_field("Network poInfos: [{detailType, detailValue}].")
    contract_references = json_list_field(
        "Network contractReferenceDetails: receipt advice, batch, contract, "
        "extra and project references."
    )
    additional_documents = json_list_field(
        "Network additionalDocumentDetails: [{url, document, info}]."
    )
    additional_infos = json_list_field(
        "Network additionalInfos sent beside the purchaseOrder: [{name, value}]."
    )
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="What the lists' search reads, in lower case: the PO number, subject, "
        "both parties' names and GSTINs, the lines' descriptions and HSN/SAC codes "
        "(purchase_orders/search.py).",
    )
    # Protected like the history rows: whoever created an order stays on it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the network delivered the current version to the supplier "
        "(its req-send or req-edit webhook arrived, or its response said SUCCESS).",
    )
    last_reminded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the supplier was last reminded of this order (services.reminders); "
        "at most once a day.",
    )
    # The status above is what the network has acknowledged. An action sent
    # from here and not yet acknowledged waits beside it, with its message.
    pending_action = models.CharField(
        max_length=20,
        blank=True,
        choices=lifecycle.ACTION_CHOICES,
        help_text="The action sent to the network and not yet acknowledged; blank if none.",
    )
    pending_message = models.ForeignKey(
        "OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The outbound message carrying the pending action.",
    )
    pending_since = models.DateTimeField(
        null=True, blank=True, help_text="When the pending action was sent."
    )
    # A send or an edit over the buyer's approval limit waits for an approver
    # here, locally: nothing of it has gone to the network.
    waiting_approval = models.ForeignKey(
        "ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The request for approval this order waits for; blank if none.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "buyer_po_number"], name="unique_po_number_per_buyer"
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "status", "-created_at"]),
            models.Index(fields=["supplier", "status", "-created_at"]),
            models.Index(fields=["order_date"]),
            # The lists' sort orders (selectors.PURCHASE_ORDER_ORDERINGS), so
            # that a page of a large account is read in order from an index
            # instead of sorting all its orders. The inbox's own order has an
            # index on PostgreSQL only (migration 0002): SQLite cannot index
            # NULLS LAST.
            models.Index(fields=["-created_at", "-id"], name="po_newest_idx"),
            models.Index(
                fields=["buyer", "-order_date", "-created_at", "-id"], name="po_buyer_newest_idx"
            ),
            models.Index(
                fields=["supplier", "-order_date", "-created_at", "-id"],
                name="po_supplier_newest_idx",
            ),
            models.Index(fields=["buyer", "total_po_value", "id"], name="po_buyer_total_idx"),
        ]

    def __str__(self):
        return f"{self.buyer_po_number} (v{self.version})"

    def get_absolute_url(self):
        return reverse("purchase_orders:detail", kwargs={"object_id": self.object_id})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_local(self) -> bool:
        """Return whether the order is the buyer's alone (a draft, or waiting for approval)."""
        return self.status in lifecycle.LOCAL_STATUSES

    @property
    def is_waiting_for_approval(self) -> bool:
        """Return whether a send or an edit of the order waits for an approver."""
        return self.waiting_approval_id is not None

    @property
    def is_pending(self) -> bool:
        """Return whether an action sent from here waits for the network's answer."""
        return bool(self.pending_action)

    def business_of(self, role: str) -> Business:
        """Return the buyer's or the supplier's business."""
        return self.buyer if role == lifecycle.BUYER else self.supplier
