"""A buyer's question to the network: which business holds this GSTIN or B2B ID?"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from purchase_orders.enkash import conventions

from .business import Business
from .network import OutboundMessage


class SupplierSearch(models.Model):
    """One Search Entity request asked for a buying business, and what the network answered.

    It is written in the same transaction as its outbound message (the
    outbox delivers it); the answer arrives later as the webhook
    ``respSearchEntity``. ``results`` keeps the businesses found exactly as
    the network described them (name, alias, state, PIN code, B2B IDs):
    nothing is filtered or computed on them, and a business is only created
    from one when the buyer completes its details.
    """

    class Parameter(models.TextChoices):
        GSTIN = conventions.SEARCH_PARAMETER_GSTIN, "GSTIN"
        B2B_ID = conventions.SEARCH_PARAMETER_B2B_ID, "B2B ID"

    class State(models.TextChoices):
        ASKED = "asked", "Asking the network"
        ANSWERED = "answered", "Answered"
        NO_MATCH = "no_match", "No match"
        FAILED = "failed", "Failed"

    buyer = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="supplier_searches")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    parameter = models.CharField(
        "search by",
        max_length=20,
        choices=Parameter.choices,
        help_text="Network search.criteria[].searchParameter.",
    )
    value = models.CharField(
        max_length=100, help_text="Network search.criteria[].value: the GSTIN or B2B ID asked for."
    )
    requestor_b2b_id = models.CharField(
        "requestor B2B ID",
        max_length=100,
        help_text="Network onboardingB2BIds.requestorB2BId: the buyer's B2B ID when it asked.",
    )
    object_id = models.CharField(
        max_length=100,
        unique=True,
        help_text="Network objectId of the search, minted here (ORG and 32 letters and digits).",
    )
    outbound_message = models.OneToOneField(
        OutboundMessage, on_delete=models.PROTECT, related_name="supplier_search"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.ASKED)
    results = models.JSONField(
        default=list,
        blank=True,
        help_text="Network respParams.entityInfo[] as received: name, alias, state, pincode, "
        "b2bIds.",
    )
    error_code = models.CharField(max_length=100, blank=True, help_text="Network errorCd.")
    error_detail = models.TextField(blank=True, help_text="Network errorDtl.")
    error_field = models.CharField(max_length=255, blank=True, help_text="Network errorField.")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "supplier searches"
        indexes = [
            # The fallback correlation of an answer without objectId.
            models.Index(
                fields=["requestor_b2b_id", "parameter", "value"], name="supplier_search_criteria"
            )
        ]

    def __str__(self):
        return f"{self.get_parameter_display()} {self.value} for {self.buyer} ({self.state})"

    def get_absolute_url(self):
        return reverse("purchase_orders:supplier-search", args=[self.pk])

    def b2b_ids(self) -> list[str]:
        """Return every B2B ID the network listed, in its order."""
        return [b2b_id["value"] for entity in self.results for b2b_id in entity.get("b2bIds", [])]

    def entity_of(self, b2b_id: str) -> dict | None:
        """Return the business the network listed with this B2B ID, or None."""
        for entity in self.results:
            if any(entry["value"] == b2b_id for entry in entity.get("b2bIds", [])):
                return entity
        return None
