"""A business's people: invitations to join it, their sending limit, and its audit rows.

An invitation is e-mailed as a signed link (``services/invitations.py``);
the link names the invitation and its ``nonce``, which a resend replaces,
so that only the latest e-mail's link works. Single use is the database's
word: accepting locks the row and sets ``accepted_at`` once.

Every change a business's people make to it, its people or its invitations
is a ``BusinessChange`` row. As on a purchase order's history, the actor's
name and username are copied onto the row when it is written, and the link
to the user is protected, so that a person with history is deactivated,
never deleted.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .business import Business, MembershipRole


def validate_roles(value) -> None:
    """Check a list of roles: one or more ``MembershipRole`` values, each once."""
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one role.", code="roles")
    unknown = [role for role in value if role not in MembershipRole.values]
    if unknown:
        raise ValidationError(
            "Choose roles from the list: business admin, buyer, approver, supplier user.",
            code="roles",
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each role may be chosen once.", code="roles")


def role_words(roles) -> str:
    """Return roles in words, in the order of ``MembershipRole``: "Business admin and buyer"."""
    labels = [label for value, label in MembershipRole.choices if value in set(roles)]
    if not labels:
        return ""
    words = [labels[0], *(label.lower() for label in labels[1:])]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class Invitation(models.Model):
    """An e-mailed invitation to join a business with some roles."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        EXPIRED = "expired", "Expired"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(help_text="Where the invitation goes, lower-cased.")
    roles = models.JSONField(
        validators=[validate_roles],
        help_text="The roles the person joins with: admin, buyer, approver, supplier.",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_from = models.ForeignKey(
        Business,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_invitations",
        help_text="For an invitation to a supplier's people: the buying business whose buyer "
        "sent it from its supplier directory.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="The link works until then; a resend renews it.")
    nonce = models.CharField(
        max_length=64,
        help_text="Carried by the e-mailed link; replaced on each resend, so older links die.",
    )
    last_sent_at = models.DateTimeField()
    send_count = models.PositiveIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and business: a second is a resend.
            models.UniqueConstraint(
                fields=["business", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.business}"

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def is_open(self) -> bool:
        """Return whether the invitation may still be resent or revoked (not answered)."""
        return self.accepted_at is None and self.revoked_at is None

    @property
    def role_words(self) -> str:
        return role_words(self.roles)


class InvitationSendCount(models.Model):
    """Invitations sent in the current window by one person or for one business.

    Counted by one UPDATE per send (``services/invitations.py``), so that
    simultaneous sends each get their own number, as failed logins are
    counted (``procurement/login_limits.py``).
    """

    key = models.CharField(max_length=100, unique=True, help_text="user:<pk> or business:<pk>.")
    sends = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(
        help_text="The first send of the window; the count starts afresh once it has passed."
    )

    def __str__(self):
        return f"{self.key}: {self.sends} since {self.window_started_at}"


class BusinessChange(models.Model):
    """An audit row: who changed what of a business, its people or its invitations."""

    class Action(models.TextChoices):
        PROFILE = "profile", "Profile changed"
        ROLES = "roles", "Roles changed"
        REMOVED = "removed", "Removed from the business"
        INVITED = "invited", "Invited"
        RESENT = "resent", "Invitation sent again"
        REVOKED = "revoked", "Invitation revoked"
        ACCEPTED = "accepted", "Joined by invitation"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The person's full name (or username) when this row was written.",
    )
    actor_username = models.CharField(
        max_length=150, blank=True, help_text="The person's username when this row was written."
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The member whose roles changed, who was removed, or who joined.",
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    changes = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="What changed: {field label: [before, after]}.",
    )
    summary = models.TextField(help_text="The change in words, as the pages show it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()}: {self.business}"
