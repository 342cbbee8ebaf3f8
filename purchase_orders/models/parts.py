"""The parts of a purchase order: its parties, addresses, lines, charges and milestones."""

from django.db import models

from .business import AddressFields, Role
from .purchase_order import MONEY, QUANTITY, RATE, PurchaseOrder, json_list_field


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
    contact_type = models.CharField(
        max_length=50, blank=True, help_text="Network contactNumber.type."
    )
    country_code = models.CharField(
        max_length=10, blank=True, help_text="Network contactNumber.countryCode."
    )
    phone_number = models.CharField(
        max_length=20, blank=True, help_text="Network contactNumber.phoneNumber."
    )
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
    order_line_reference = models.CharField(
        max_length=100, blank=True, help_text="Network orderLineReference."
    )
    origin_country = models.CharField(
        max_length=100, blank=True, help_text="Network originCountry."
    )
    product_serial_number = models.CharField(
        max_length=100, blank=True, help_text="Network productSerialNumber."
    )
    value_details = json_list_field(
        "Network itemValueDetails: [{type, value}]; type DISCOUNT lowers the taxable value."
    )
    rates = json_list_field("Network rates: [{type, value}].")
    batch_number = models.CharField(
        max_length=100, blank=True, help_text="Network batchDetails.batchNumber."
    )
    batch_expiry_on = models.DateField(
        null=True, blank=True, help_text="Network batchDetails.expiryDate."
    )
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
    rate = models.DecimalField(
        default=0, help_text="Network otherTaxes[].rate, in percent.", **RATE
    )
    amount = models.DecimalField(default=0, help_text="Network otherTaxes[].amount.", **MONEY)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "other tax"
        verbose_name_plural = "other taxes"

    def __str__(self):
        return f"{self.name} {self.rate}%"


class OtherCharge(models.Model):
    """One of ``poValueDetails.otherValues``: freight, packing, round-off…"""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="other_charges"
    )
    position = models.PositiveIntegerField(default=0)
    charge_type = models.CharField(max_length=100, help_text="Network otherValues[].type.")
    amount = models.DecimalField(
        help_text="Network otherValues[].value; added to the PO total.", **MONEY
    )

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
