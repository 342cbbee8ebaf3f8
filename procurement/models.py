"""What the portal itself keeps, apart from purchase orders: failed logins."""

from django.db import models


class LoginFailureCount(models.Model):
    """Recent failed logins for one username from one address (``procurement/login_limits.py``).

    One row per username and address, incremented by one UPDATE so that
    simultaneous attempts each get their own number.
    """

    key = models.CharField(
        max_length=64,
        unique=True,
        help_text="SHA-256 of the username as typed (trimmed, lower-cased) and the address.",
    )
    failures = models.PositiveIntegerField(
        default=0, help_text="Attempts since the count last started, refused ones included."
    )
    last_failed_at = models.DateTimeField(
        db_index=True,
        help_text="The latest attempt; the count starts afresh once the window has passed since.",
    )

    def __str__(self):
        return f"{self.failures} failed logins, the last at {self.last_failed_at}"
