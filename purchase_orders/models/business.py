"""Businesses on the network and the people who act for them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from purchase_orders import lifecycle
from purchase_orders.validators import (
    STATE_CODE_CHOICES,
    validate_cin,
    validate_gstin,
    validate_pan,
    validate_pincode,
    validate_state_code,
    validate_state_matches_gstin,
    validate_udyam_number,
)

# The sides of lifecycle.py as model choices: Role.BUYER == lifecycle.BUYER.
Role = models.TextChoices(
    "Role", [(role.upper(), (role, label)) for role, label in lifecycle.ROLE_LABELS.items()]
)


class MembershipRole(models.TextChoices):
    """What a person may do for a business; one person may hold several roles.

    ``BUYER`` and ``SUPPLIER`` are the sides of lifecycle.py (a buyer writes
    and sends the business's orders, a supplier user answers the orders it
    receives); an approver approves the buying side's orders over its
    approval limit; a business admin keeps the profile, the people and the
    settings.
    """

    ADMIN = "admin", "Business admin"
    BUYER = lifecycle.BUYER, "Buyer"
    APPROVER = "approver", "Approver"
    SUPPLIER = lifecycle.SUPPLIER, "Supplier user"


class AddressFields(models.Model):
    """The network's ``Address`` object (SPEC §3.11) as columns."""

    address_type = models.CharField(
        max_length=50, blank=True, help_text="Network address.type, e.g. OFFICE."
    )
    address_line1 = models.CharField("address line 1", max_length=255, blank=True)
    address_line2 = models.CharField("address line 2", max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True, default="India")
    pincode = models.CharField(
        "PIN code", max_length=10, blank=True, help_text="Six-digit Indian PIN code."
    )

    class Meta:
        abstract = True


class Business(AddressFields):
    """A party on the Bharat Connect B2B network, buyer or supplier or both."""

    b2b_id = models.CharField(
        "B2B ID",
        max_length=100,
        unique=True,
        help_text="Bharat Connect B2B ID (buyerB2BId / supplierB2BId).",
    )
    gstin = models.CharField("GSTIN", max_length=15, validators=[validate_gstin], db_index=True)
    legal_name = models.CharField(max_length=255)
    trade_name = models.CharField(max_length=255, blank=True)
    state_code = models.CharField(
        max_length=2,
        choices=STATE_CODE_CHOICES,
        validators=[validate_state_code],
        help_text="Two-digit GST state code; must match the GSTIN.",
    )
    contact_type = models.CharField(max_length=50, blank=True, default="WORK")
    country_code = models.CharField(max_length=10, blank=True, default="+91")
    phone_number = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    pan = models.CharField(
        "PAN",
        max_length=10,
        blank=True,
        validators=[validate_pan],
        help_text="Permanent Account Number; must be the one inside the GSTIN.",
    )
    cin = models.CharField(
        "CIN",
        max_length=21,
        blank=True,
        validators=[validate_cin],
        help_text="Corporate Identity Number, for a company.",
    )
    udyam_number = models.CharField(
        "Udyam (MSME) number",
        max_length=19,
        blank=True,
        validators=[validate_udyam_number],
        help_text="Udyam registration number of a micro, small or medium enterprise, "
        "e.g. UDYAM-KR-03-0012345.",
    )
    default_terms = models.TextField(
        "default terms and conditions",
        blank=True,
        help_text="The terms and conditions a new purchase order of this business starts with.",
    )
    approval_limit = models.DecimalField(
        "approval limit",
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="A purchase order whose total is over this amount, in rupees, needs an "
        "approver before it is sent. Blank: no approval needed.",
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        "remind the supplier after (days)",
        null=True,
        blank=True,
        default=3,
        help_text="A purchase order sent and not answered by the supplier this many days "
        "later reminds the supplier, and tells the buyer, once a day for up to five days, "
        "until it is answered. Blank or 0: no reminders.",
    )
    approvers_may_approve_own = models.BooleanField(
        "approvers may approve their own orders",
        default=False,
        help_text="Whether an approver may approve a purchase order they wrote themselves.",
    )
    is_hosted = models.BooleanField(
        "hosted on this portal",
        default=True,
        help_text="Whether this business's people use this portal. Messages for a "
        "business that is not hosted here are only relayed through the network.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name_plural = "businesses"

    def __str__(self):
        return self.trade_name or self.legal_name

    def clean(self):
        super().clean()
        if self.pincode:
            try:
                validate_pincode(self.pincode)
            except ValidationError as error:
                raise ValidationError({"pincode": error}) from None
        try:
            validate_state_matches_gstin(state_code=self.state_code, gstin=self.gstin)
        except ValidationError as error:
            raise ValidationError({"state_code": error}) from None
        if self.pan and self.gstin and self.pan.upper() != self.gstin.upper()[2:12]:
            raise ValidationError(
                {"pan": f"The PAN must be the one inside the GSTIN ({self.gstin.upper()[2:12]})."}
            )


class Membership(models.Model):
    """A user acting for a business in one role (one row per role held)."""

    Role = MembershipRole

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "business", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} for {self.business}"


class SupplierLink(models.Model):
    """A supplier in a buying business's directory ("Suppliers" in the navigation).

    The supplier is a ``Business``: hosted here, or a remote party found on
    the network that still receives purchase orders over it.
    """

    buyer = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="supplier_links")
    supplier = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="buyer_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["supplier__legal_name"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "supplier"], name="unique_supplier_link"),
            models.CheckConstraint(
                condition=~models.Q(buyer=models.F("supplier")), name="supplier_link_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.supplier} – supplier of {self.buyer}"
