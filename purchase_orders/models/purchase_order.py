"""The purchase order and everything the network's ``purchaseOrder`` carries."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone

from purchase_orders import lifecycle

from .business import AddressFields, Business, Role

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
    order_date = models.DateField(
        null=True, blank=True, help_text="Network orderDate."
    )
    delivery_date = models.DateField(
        null=True, blank=True, help_text="Network deliveryDate."
    )
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
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

    def business_of(self, role: str) -> Business:
        """Return the buyer's or the supplier's business."""
        return self.buyer if role == lifecycle.BUYER else self.supplier



class Party(AddressFields):
    """The buyer's or supplier's details as they stood on the purchase order.

    Copied from the ``Business`` when the PO is written (and from the message
    when it arrives) because a PO is a document: later changes to a business's
    address or name must not rewrite orders already issued.
    """

    Role = Role

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    b2b_id = models.CharField("B2B ID", max_length=100, help_text="Network b2bId.")
    gstin = models.CharField("GSTIN", max_length=15, blank=True, help_text="Network gstin.")
    legal_name = models.CharField(max_length=255, blank=True, help_text="Network legalName.")
    trade_name = models.CharField(max_length=255, blank=True, help_text="Network tradeName.")
    state_code = models.CharField(
        max_length=2, blank=True, help_text="Network stateCode: two-digit GST code."
    )
    place_of_supply = models.CharField(
        max_length=2,
        blank=True,
        help_text="Network buyerDetails.placeOfSupply: a GST state code (buyer only).",
    )
    contact_type = models.CharField(max_length=50, blank=True, help_text="Network contactNumber.type.")
    country_code = models.CharField(max_length=10, blank=True, help_text="Network contactNumber.countryCode.")
    phone_number = models.CharField(max_length=20, blank=True, help_text="Network contactNumber.phoneNumber.")
    email = models.CharField(max_length=254, blank=True, help_text="Network email.")

    class Meta:
        verbose_name_plural = "parties"
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "role"], name="unique_party_role"),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.trade_name or self.legal_name}"


class PurchaseOrderAddress(AddressFields):
    """One of the network's ``addressDetails`` (delivery, billing, …)."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="addresses"
    )
    position = models.PositiveIntegerField(default=0)
    purpose = models.CharField(
        max_length=50, blank=True, help_text="Network addressDetails[].addressType, e.g. DELIVERY."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "addresses"

    def __str__(self):
        return f"{self.purpose}: {self.address_line1}, {self.city}"


class LineItem(models.Model):
    """One of the network's ``itemLists``: 21 fields (SPEC §3.10)."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(default=0)
    serial_no = models.CharField(max_length=50, blank=True, help_text="Network serialno.")
    product_description = models.CharField(max_length=500, help_text="Network productDescription.")
    is_service = models.BooleanField(default=False, help_text="Network isService: Y or N.")
    hsn_code = models.CharField("HSN/SAC code", max_length=8, help_text="Network hsnCode.")
    bar_code = models.CharField(max_length=100, blank=True, help_text="Network barCode.")
    quantity = models.DecimalField(help_text="Network quantity.", **QUANTITY)
    free_quantity = models.DecimalField(default=0, help_text="Network freeQuantity.", **QUANTITY)
    unit = models.CharField(max_length=20, blank=True, help_text="Network unit, e.g. NOS or KGS.")
    unit_price = models.DecimalField(help_text="Network unitPrice, in rupees.", **MONEY)
    total_amount = models.DecimalField(
        default=0, help_text="Network totalAmt: quantity × unit price.", **MONEY
    )
    assessment_amount = models.DecimalField(
        default=0,
        help_text="Network assessmentAmount: the taxable value, total less discounts.",
        **MONEY,
    )
    gst_rate = models.DecimalField(
        "GST rate", default=0, help_text="Network gstRate, in percent.", **RATE
    )
    total_item_value = models.DecimalField(
        default=0,
        help_text="Network totalItemValue: taxable value plus GST and other taxes.",
        **MONEY,
    )
    order_line_reference = models.CharField(max_length=100, blank=True, help_text="Network orderLineReference.")
    origin_country = models.CharField(max_length=100, blank=True, help_text="Network originCountry.")
    product_serial_number = models.CharField(max_length=100, blank=True, help_text="Network productSerialNumber.")
    value_details = json_list_field(
        "Network itemValueDetails: [{type, value}]; type DISCOUNT lowers the taxable value."
    )
    rates = json_list_field("Network rates: [{type, value}].")
    batch_number = models.CharField(max_length=100, blank=True, help_text="Network batchDetails.batchNumber.")
    batch_expiry_on = models.DateField(null=True, blank=True, help_text="Network batchDetails.expiryDate.")
    batch_warranty_on = models.DateField(
        null=True, blank=True, help_text="Network batchDetails.batchWarrantyDate."
    )
    attributes = json_list_field("Network attributeDetails: [{name, value}].")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.serial_no} {self.product_description}"


class LineItemTax(models.Model):
    """One of a line's ``otherTaxes`` (cess and the like)."""

    line = models.ForeignKey(LineItem, on_delete=models.CASCADE, related_name="other_taxes")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=100, help_text="Network otherTaxes[].name.")
    rate = models.DecimalField(default=0, help_text="Network otherTaxes[].rate, in percent.", **RATE)
    amount = models.DecimalField(default=0, help_text="Network otherTaxes[].amount.", **MONEY)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "other tax"

    def __str__(self):
        return f"{self.name} {self.rate}%"


class OtherCharge(models.Model):
    """One of ``poValueDetails.otherValues``: freight, packing, round-off…"""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="other_charges"
    )
    position = models.PositiveIntegerField(default=0)
    charge_type = models.CharField(max_length=100, help_text="Network otherValues[].type.")
    amount = models.DecimalField(help_text="Network otherValues[].value; added to the PO total.", **MONEY)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.charge_type}: {self.amount}"


class PaymentMilestone(models.Model):
    """One of the network's ``paymentMilestones``."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="milestones"
    )
    position = models.PositiveIntegerField(default=0)
    due_on = models.DateField(null=True, blank=True, help_text="Network milestoneDate.")
    due_amount = models.DecimalField(help_text="Network dueAmount, in rupees.", **MONEY)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.due_amount} on {self.due_on}"


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
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purchase_order", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase_order", "version"], name="unique_po_version"
            )
        ]

    def __str__(self):
        return f"{self.purchase_order.buyer_po_number} version {self.version}"


class StatusChange(models.Model):
    """An audit row for every change of a purchase order's status."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=PurchaseOrder.Status.choices)
    version = models.PositiveIntegerField()
    action = models.CharField(
        max_length=50,
        blank=True,
        help_text="SEND, EDIT, ACCEPT, REJECT, CANCEL…, or REFUSED for a move the network "
        "refused and the portal undid.",
    )
    remarks = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_network = models.BooleanField(
        default=False, help_text="Whether the change arrived as a webhook from the network."
    )
    error_code = models.CharField(
        max_length=100, blank=True, help_text="Network errorCd of a refusal that was undone."
    )
    error_field = models.CharField(
        max_length=255, blank=True, help_text="Network errorField of a refusal that was undone."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"

    @property
    def is_refusal(self) -> bool:
        return self.action == lifecycle.UNDO

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
