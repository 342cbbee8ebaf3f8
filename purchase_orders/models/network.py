"""What travels over the network: outbound requests and inbound webhook events."""

from django.db import models
from django.utils import timezone

from purchase_orders.enkash import kinds

from .purchase_order import PurchaseOrder


class OutboundMessage(models.Model):
    """A request the portal sends to EnKash: the outbox row is the truth.

    It is written in the same transaction as the change it announces, and the
    worker delivers it until EnKash acknowledges or refuses it.
    """

    # The requests of the table of kinds: Kind.STATUS_CHANGE is "req-status-change",
    # Kind.SEARCH_ENTITY "search-entity" (a supplier search, of no purchase order).
    Kind = models.TextChoices(
        "Kind",
        [
            (name.removeprefix("req-").replace("-", "_").upper(), (name, kinds.KINDS[name].label))
            for name in kinds.OUTBOUND_KINDS
        ],
    )

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent, awaiting the network's response"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"

    purchase_order = models.ForeignKey(
        PurchaseOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbound_messages",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    req_msg_id = models.CharField(
        "reqMsgId",
        max_length=64,
        unique=True,
        help_text="Generated here, sent as the X-Req-Msg-Id header, and matched "
        "against resp.reqMsgId in the response webhook.",
    )
    object_id = models.CharField(max_length=100, db_index=True, help_text="Network objectId.")
    object_version = models.PositiveIntegerField(
        help_text="Network objectVersion.newVersion this message carries (0 for a search)."
    )
    body = models.TextField(help_text="The exact JSON body sent, amounts as JSON numbers.")
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    response_status = models.PositiveIntegerField(
        null=True, blank=True, help_text="HTTP status of the last attempt."
    )
    response_body = models.TextField(blank=True, help_text="Body of the last answer, as received.")
    error_code = models.CharField(max_length=100, blank=True, help_text="Network errorCd.")
    error_detail = models.TextField(blank=True, help_text="Network errorDtl.")
    error_field = models.CharField(max_length=255, blank=True, help_text="Network errorField.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} {self.object_id} v{self.object_version} ({self.state})"

    @property
    def sender_role(self) -> str:
        """Return the role whose business sent this message (the supplier confirms)."""
        return kinds.sender(self.kind)

    @staticmethod
    def kinds_sent_by(role: str) -> list[str]:
        """Return the kinds of message that a buyer, or a supplier, sends."""
        return [kind for kind in kinds.REQUEST_KINDS if kinds.sender(kind) == role]


class InboundEvent(models.Model):
    """A webhook delivery from the network, stored once, raw, before it is applied."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused"
        INVALID = "invalid", "Invalid"
        ERROR = "error", "Error"

    kind = models.CharField(
        max_length=30, db_index=True, help_text="Webhook kind, e.g. req-confirm."
    )
    dedupe_key = models.CharField(
        max_length=200,
        unique=True,
        help_text="The webhook-id header, else a hash of kind and body: one row per delivery.",
    )
    req_msg_id = models.CharField(
        "reqMsgId",
        max_length=100,
        blank=True,
        db_index=True,
        help_text="Network resp.reqMsgId, if any.",
    )
    object_id = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Network objectId."
    )
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(help_text="The raw body as received.")
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(
        blank=True, help_text="What the portal answered, replayed for repeats."
    )
    error_code = models.CharField(max_length=100, blank=True)
    error_detail = models.TextField(blank=True)
    error_field = models.CharField(max_length=255, blank=True)
    traceback = models.TextField(blank=True)
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_events",
    )
    outbound_message = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    repeats = models.PositiveIntegerField(
        default=0, help_text="How many times the same delivery came again."
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    flagged = models.BooleanField(
        default=False,
        help_text="Refused for acting or speaking for a business hosted here: for an admin to see.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(
        max_length=150, blank=True, help_text="Username of the admin who reviewed the flag."
    )

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            # The few flagged deliveries still to review, for the admin list and /healthz.
            models.Index(
                fields=["received_at"],
                condition=models.Q(flagged=True, reviewed_at__isnull=True),
                name="inbound_flagged_to_review",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} ({self.state})"


class FlaggedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(flagged=True)


class FlaggedDelivery(InboundEvent):
    """The deliveries refused for acting or speaking for a hosted business (admin's list)."""

    objects = FlaggedManager()

    class Meta:
        proxy = True
        verbose_name_plural = "flagged deliveries"
