"""Businesses on the network and the people who act for them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from purchase_orders import lifecycle
from purchase_orders.validators import (
    STATE_CODE_CHOICES,
    validate_gstin,
    validate_pincode,
    validate_state_code,
    validate_state_matches_gstin,
)

# The roles of lifecycle.py as model choices: Role.BUYER == lifecycle.BUYER.
Role = models.TextChoices(
    "Role", [(role.upper(), (role, label)) for role, label in lifecycle.ROLE_LABELS.items()]
)


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
    gstin = models.CharField(
        "GSTIN", max_length=15, validators=[validate_gstin], db_index=True
    )
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


class Membership(models.Model):
    """A user acting for a business in one role."""

    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "business", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} for {self.business}"
